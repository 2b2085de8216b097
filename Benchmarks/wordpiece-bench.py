#!/usr/bin/env python3
"""WordPiece benchmark: VocabKit vs HuggingFace tokenizers, side by side in one run.

    python3 Benchmarks/wordpiece-bench.py --corpus FILE [--vocab-size 30000] [--threads 1,2]

Training (BERT normalizer and pre-tokenizer, BERT special tokens, same thread count, each in its
own process: wall and CPU seconds and peak RSS; the parent streams the corpus so as not to
inflate the children's peak RSS): VocabKit's likelihood criterion, VocabKit's
frequency criterion, and HuggingFace's WordPieceTrainer (a BPE trainer with a "##" prefix). The
last tenth of the corpus lines is held out: tokens per word on it (tokens without [CLS]/[SEP],
words by whitespace) compares the criteria at equal vocabulary size.

Encoding: the real BERT uncased vocabulary (Tests/Fixtures/bert), VocabKit batch encoding vs
HuggingFace `encode_batch_fast`, at each thread count, in MB/s of the held-in lines.
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
PINNED = ["tokenizers==0.23.3"]
BERT = os.path.join(ROOT, "Tests", "Fixtures", "bert", "tokenizer.json")

CHILD_TRAIN = r"""
import sys
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
corpus, vocab, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
tok.normalizer = normalizers.BertNormalizer()
tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
tok.train([corpus], trainers.WordPieceTrainer(vocab_size=vocab, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False))
tok.save(out)
"""

CHILD_EVAL = r"""
import sys, json
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
tok.no_truncation(); tok.no_padding()
lines = [l for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l.strip()]
tokens = sum(len(tok.encode(l, add_special_tokens=False).ids) for l in lines)
words = sum(len(l.split()) for l in lines)
print(json.dumps({"tokens_per_word": tokens / words, "vocab": tok.get_vocab_size()}))
"""

CHILD_ENCODE = r"""
import sys, time, json, gc
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1]); tok.no_truncation(); tok.no_padding()
lines = [l for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l]
n = sum(len(l.encode()) for l in lines)
tok.encode_batch_fast(lines)
gc.disable(); best, spent = 1e9, 0.0
while spent < 3.0:
    t = time.perf_counter(); tok.encode_batch_fast(lines); e = time.perf_counter() - t
    best, spent = min(best, e), spent + e
print(json.dumps({"mb_per_s": n / 1e6 / best}))
"""


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--vocab-size", type=int, default=30000)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--min-frequency", default="0", help="VocabKit's minimum pair count (HuggingFace's default is 0)")
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    a = p.parse_args()
    python = ensure_venv(a.venv, PINNED)
    work = tempfile.mkdtemp(prefix="wordpiece-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    # Split line by line: a parent holding the corpus would inflate every child's peak RSS
    # (a forked child's high-water mark starts from the parent's size before exec).
    with open(a.corpus, "rb") as f:
        total = sum(1 for _ in f)
    cut = total * 9 // 10
    train, held = os.path.join(work, "train.txt"), os.path.join(work, "held.txt")
    with open(a.corpus, "rb") as f, open(train, "wb") as t, open(held, "wb") as h:
        for index, line in enumerate(f):
            (t if index < cut else h).write(line)
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    threads = [int(t) for t in a.threads.split(",")]
    print(f"corpus {a.corpus}: {os.path.getsize(train) / 1e6:.1f} MB to train on, {os.path.getsize(held) / 1e6:.1f} MB held out; vocabulary {a.vocab_size}")
    print(f"\n{'threads':>7} {'trainer':28} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'held-out tokens/word':>21}")
    for t in threads:
        env = {"RAYON_NUM_THREADS": str(t), "RAYON_RS_NUM_CPUS": str(t)}
        for name, argv in (
            ("VocabKit likelihood", [vocab, "train", "--quiet", "--algorithm", "wordpiece", "--criterion", "likelihood", "--threads", str(t),
                                     "--min-frequency", a.min_frequency, "--vocab-size", str(a.vocab_size), train, "-o", os.path.join(work, "likelihood.json")]),
            ("VocabKit frequency", [vocab, "train", "--quiet", "--algorithm", "wordpiece", "--criterion", "frequency", "--threads", str(t),
                                    "--min-frequency", "0", "--vocab-size", str(a.vocab_size), train, "-o", os.path.join(work, "frequency.json")]),
            ("tokenizers WordPieceTrainer", [python, "-c", CHILD_TRAIN, train, str(a.vocab_size), os.path.join(work, "hf.json")]),
        ):
            wall, cpu, rss, _ = measured(argv, env=env)
            out = {"VocabKit likelihood": "likelihood.json", "VocabKit frequency": "frequency.json", "tokenizers WordPieceTrainer": "hf.json"}[name]
            quality = json.loads(measured([python, "-c", CHILD_EVAL, os.path.join(work, out), held])[3])
            print(f"{t:7} {name:28} {wall:7.1f} {cpu:7.1f} {rss:8.0f} {quality['tokens_per_word']:21.3f}", flush=True)
    print(f"\n{'threads':>7} {'encoder (BERT uncased)':28} {'MB/s':>7} {'peak MB':>8} {'VocabKit speed-up':>18}")
    for t in threads:
        env = {"RAYON_NUM_THREADS": str(t), "RAYON_RS_NUM_CPUS": str(t)}
        _, _, rss, out = measured([bench, train, "line", f"encode:{BERT}@{t}"])
        ours = json.loads(out)["mb_per_s"]
        print(f"{t:7} {'VocabKit':28} {ours:7.1f} {rss:8.0f}", flush=True)
        _, _, rss, out = measured([python, "-c", CHILD_ENCODE, BERT, train], env=env)
        theirs = json.loads(out)["mb_per_s"]
        print(f"{t:7} {'tokenizers encode_batch_fast':28} {theirs:7.1f} {rss:8.0f} {ours / theirs:17.1f}x", flush=True)


if __name__ == "__main__":
    main()
