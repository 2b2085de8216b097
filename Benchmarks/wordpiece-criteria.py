#!/usr/bin/env python3
"""WordPiece merge criteria on held-out text: which vocabulary is best at equal size.

    python3 Benchmarks/wordpiece-criteria.py [--languages en,de,ja,hi] [--sizes 8000,30000] [--corpora DIR]

For each corpus named (Corpora/LANGUAGE.txt by default), every tenth line is held out and the rest trains, with BERT's
normalizer and pre-tokenizer and special tokens and no minimum pair count (HuggingFace's default;
`--min-frequency`), one vocabulary per criterion and size:
VocabKit's `likelihood` (the exact gain of Schuster and Nakajima), `pmi` (count(ab) /
(count(a) count(b))) and `frequency`, and HuggingFace's `WordPieceTrainer`. Each vocabulary is
then measured on the held-out lines:

- tokens per word (`vocab evaluate`, ICU reference words);
- held-out negative log-likelihood per character, in bits, under the vocabulary's unigram
  model: token probabilities are the counts of the tokens in the encoded training text, add-½
  smoothed over the vocabulary; held-out lines are encoded with the same file and scored
  -Σ log2 p(token) / characters (lower is better). [UNK] is a token like any other, so a
  vocabulary that gives up on words is not rewarded: each [UNK] is charged its probability.

Prints a Markdown table and the criterion with the lowest mean held-out bits per character.
"""
import argparse
import atexit
import collections
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import ensure_venv, exit_cleanly_on_sigterm, measured  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["tokenizers==0.23.3"]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

CHILD_TRAIN = r"""
import sys
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers, decoders
corpus, vocab, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
tok.normalizer = normalizers.BertNormalizer()
tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
tok.decoder = decoders.WordPiece()
tok.train([corpus], trainers.WordPieceTrainer(vocab_size=vocab, special_tokens=%r, show_progress=False))
tok.save(out)
""" % SPECIALS


def ids(vocab, tokenizer, path):
    out = subprocess.run([vocab, "encode", "-t", tokenizer, "--no-special-tokens", "--format", "ids", path],
                         check=True, capture_output=True).stdout.decode()
    return [[int(t) for t in line.split()] for line in out.split("\n") if line]


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--languages", default="en,de,ja,hi")
    p.add_argument("--sizes", default="8000,30000")
    p.add_argument("--corpora", default=os.path.join(ROOT, "Corpora"),
                   help="folder of LANGUAGE.txt files (e.g. ../shared/corpora decompressed: larger, so 30k fills)")
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    p.add_argument("--vocab", default=os.path.join(ROOT, ".build", "release", "vocab"))
    p.add_argument("--min-frequency", default="0", help="VocabKit's minimum pair count (HuggingFace's default, 0, so both fill the same sizes)")
    a = p.parse_args()
    python = ensure_venv(a.venv, PINNED)
    work = tempfile.mkdtemp(prefix="wordpiece-criteria-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    rows, scores = [], collections.defaultdict(list)
    for language in a.languages.split(","):
        lines = open(os.path.join(a.corpora, f"{language}.txt"), encoding="utf-8").read().split("\n")
        lines = [l for l in lines if l.strip()]
        train, held = os.path.join(work, f"{language}-train.txt"), os.path.join(work, f"{language}-held.txt")
        with open(train, "w", encoding="utf-8") as t, open(held, "w", encoding="utf-8") as h:
            for index, line in enumerate(lines):
                (h if index % 10 == 9 else t).write(line + "\n")
        held_chars = sum(len(l) for i, l in enumerate(lines) if i % 10 == 9)
        for size in [int(s) for s in a.sizes.split(",")]:
            for name in ["likelihood", "pmi", "frequency", "tokenizers"]:
                out = os.path.join(work, f"{language}-{size}-{name}.json")
                if name == "tokenizers":
                    argv = [python, "-c", CHILD_TRAIN, train, str(size), out]
                else:
                    argv = [a.vocab, "train", "--quiet", "--algorithm", "wordpiece", "--criterion", name,
                            "--min-frequency", a.min_frequency, "--vocab-size", str(size), train, "-o", out]
                result = measured(argv)
                wall = result[0]
                evaluation = json.loads(subprocess.run([a.vocab, "evaluate", "-t", out, "--json", held], check=True,
                                                       capture_output=True).stdout)["measures"]
                vocab_size = len(json.load(open(out, encoding="utf-8"))["model"]["vocab"])
                counts = collections.Counter(t for line in ids(a.vocab, out, train) for t in line)
                total = sum(counts.values())
                held_ids = [t for line in ids(a.vocab, out, held) for t in line]
                bits = -sum(math.log2((counts[t] + 0.5) / (total + 0.5 * vocab_size)) for t in held_ids) / held_chars
                rows.append((language, size, name, vocab_size, evaluation["tokensPerWord"], bits, wall))
                scores[name].append(bits)
                print(f"{language} {size} {name}: vocabulary {vocab_size}, {evaluation['tokensPerWord']:.3f} tokens/word, "
                      f"{bits:.4f} bits/char held out, trained in {wall:.1f} s", file=sys.stderr, flush=True)
    print("| corpus | size | criterion | vocabulary | tokens/word | held-out bits/char | training s |")
    print("|---|---|---|---|---|---|---|")
    for language, size, name, vocab_size, tpw, bits, wall in rows:
        print(f"| {language} | {size} | {name} | {vocab_size} | {tpw:.3f} | {bits:.4f} | {wall:.1f} |")
    means = {name: sum(v) / len(v) for name, v in scores.items()}
    best = min(means, key=means.get)
    print("\nmean held-out bits/char: " + ", ".join(f"{n} {m:.4f}" for n, m in sorted(means.items(), key=lambda x: x[1])))
    print(f"lowest: {best}")


if __name__ == "__main__":
    main()
