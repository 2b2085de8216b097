#!/usr/bin/env python3
"""Sweep benchmark: VocabKit's cross-validated sweep against the peers trained size by size.

    python3 Benchmarks/sweep-bench.py --corpus FILE [--sizes 8000,32000] [--folds 3] [--threads 2]

1. `vocab sweep --algorithms bpe,unigram,wordpiece` on FILE with --export-folds: one training per
   fold and algorithm, every size cut from it, all measures; wall, CPU and peak RSS.
2. On exactly the same folds (the exported train.txt / heldout.txt), each peer trains once per
   fold and size, in its own process: HuggingFace's byte-level BpeTrainer (GPT-2 pre-tokenizer,
   min_frequency 2), SentencePiece's unigram trainer (character coverage 0.9995), HuggingFace's
   WordPieceTrainer (BERT normalizer and pre-tokenizer); wall, CPU and peak RSS each.
3. Held-out tokens per word for every (algorithm, size, fold): peer tokens over the sweep's own
   reference word count of that fold (ICU words, report.json), so the denominators are equal.

Results go to bench-out/sweep.jsonl and a table on stdout. The 10 MB English slice of the bench
corpus is a good input (`python3 Scripts/fetch-bench-corpora.py DIR`).
"""
import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import ensure_venv, exit_cleanly_on_sigterm, measured  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["tokenizers==0.23.3", "sentencepiece==0.2.3"]

CHILD_TRAIN = r"""
import sys
kind, corpus, size, threads, out = sys.argv[1:6]
size, threads = int(size), int(threads)
if kind == "unigram":
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=out, model_type="unigram", vocab_size=size, num_threads=threads,
        max_sentence_length=1 << 16, input_sentence_size=0, character_coverage=0.9995, minloglevel=2)
else:
    from tokenizers import Tokenizer, models, pre_tokenizers as pt, normalizers, trainers
    if kind == "bpe":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pt.ByteLevel(add_prefix_space=False)
        trainer = trainers.BpeTrainer(vocab_size=size, min_frequency=2, initial_alphabet=pt.ByteLevel.alphabet(), show_progress=False)
    else:
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer()
        tok.pre_tokenizer = pt.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=size, min_frequency=2, show_progress=False,
                                            special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train([corpus], trainer)
    tok.save(out)
"""

CHILD_COUNT = r"""
import sys, json
kind, path, heldout = sys.argv[1:4]
lines = [l for l in open(heldout, encoding="utf-8").read().split("\n") if l.strip()]
if kind == "unigram":
    import sentencepiece as spm
    ids = spm.SentencePieceProcessor(model_file=path).encode(lines)
else:
    from tokenizers import Tokenizer
    ids = [e.ids for e in Tokenizer.from_file(path).encode_batch(lines, add_special_tokens=False)]
print(json.dumps({"tokens": sum(len(x) for x in ids), "lines": len(lines)}))
"""


def log(message):
    print(f"[sweep-bench] {message}", file=sys.stderr, flush=True)


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--sizes", default="8000,32000")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench-out", "sweep.jsonl"))
    a = p.parse_args()
    python = ensure_venv(a.venv, PINNED)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    work = tempfile.mkdtemp(prefix="sweep-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    log("swift build -c release --product vocab")
    subprocess.run(["swift", "build", "-c", "release", "--product", "vocab"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    sizes = [int(s) for s in a.sizes.split(",")]
    algorithms = ["bpe", "unigram", "wordpiece"]
    # 1. The sweep.
    folds_dir, report = os.path.join(work, "folds"), os.path.join(work, "report")
    log("vocab sweep")
    wall, cpu, rss, _ = measured([vocab, "sweep", f"corpus={a.corpus}", "--algorithms", ",".join(algorithms), "--sizes", a.sizes,
                                  "--folds", str(a.folds), "--threads", str(a.threads), "--export-folds", folds_dir,
                                  "--report", report, "--quiet"])
    sweep = {"wall": wall, "cpu": cpu, "rss": rss}
    data = json.load(open(os.path.join(report, "report.json")))
    cells = {(c["algorithm"], c["size"], c["fold"]): c["measures"] for c in data["results"]["cells"]}
    # 2-3. Peers on the same folds.
    peer_cost = {"wall": 0.0, "cpu": 0.0, "rss": 0.0}
    rows = []
    for algorithm in algorithms:
        for size in sizes:
            ours, theirs = [], []
            for fold in range(a.folds):
                train = os.path.join(folds_dir, f"fold-{fold}", "train.txt")
                heldout = os.path.join(folds_dir, f"fold-{fold}", "heldout.txt")
                out = os.path.join(work, f"{algorithm}-{size}-{fold}" + ("" if algorithm == "unigram" else ".json"))
                log(f"peer {algorithm} {size} fold {fold}")
                w, c, r, _ = measured([python, "-c", CHILD_TRAIN, algorithm, train, str(size), str(a.threads), out],
                                      env={"RAYON_NUM_THREADS": str(a.threads)})
                peer_cost["wall"] += w
                peer_cost["cpu"] += c
                peer_cost["rss"] = max(peer_cost["rss"], r)
                model = out + ".model" if algorithm == "unigram" else out
                counted = json.loads(measured([python, "-c", CHILD_COUNT, algorithm, model, heldout])[3])
                measures = cells.get((algorithm, size, fold))
                if measures is None:
                    continue
                ours.append(measures["tokensPerWord"])
                theirs.append(counted["tokens"] / measures["words"])
            if ours:
                mean = lambda xs: sum(xs) / len(xs)
                rows.append({"algorithm": algorithm, "size": size, "vocabkit_tokens_per_word": mean(ours),
                             "peer_tokens_per_word": mean(theirs), "folds": len(ours)})
    peer_names = {"bpe": "tokenizers BpeTrainer", "unigram": "sentencepiece", "wordpiece": "tokenizers WordPieceTrainer"}
    print(f"corpus {a.corpus}, {a.folds} folds, sizes {a.sizes}, {a.threads} threads")
    print(f"VocabKit sweep (3 algorithms, every size, all measures): {sweep['wall']:.1f} s wall, {sweep['cpu']:.1f} s CPU, peak {sweep['rss']:.0f} MB")
    print(f"peers, one training per size and fold:                  {peer_cost['wall']:.1f} s wall, {peer_cost['cpu']:.1f} s CPU, peak {peer_cost['rss']:.0f} MB "
          f"({peer_cost['wall'] / sweep['wall']:.2f}x the sweep's wall time)")
    print(f"{'algorithm':10} {'size':>6} {'VocabKit tok/word':>18} {'peer tok/word':>14} {'ratio':>7}  peer")
    for row in rows:
        print(f"{row['algorithm']:10} {row['size']:>6} {row['vocabkit_tokens_per_word']:>18.4f} {row['peer_tokens_per_word']:>14.4f} "
              f"{row['vocabkit_tokens_per_word'] / row['peer_tokens_per_word']:>7.3f}  {peer_names[row['algorithm']]}")
    with open(a.out, "a") as f:
        f.write(json.dumps({"corpus": a.corpus, "folds": a.folds, "sizes": sizes, "sweep": sweep, "peers": peer_cost, "rows": rows}) + "\n")


if __name__ == "__main__":
    main()
