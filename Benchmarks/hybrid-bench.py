#!/usr/bin/env python3
"""Char-word hybrid benchmark: VocabKit's hybrid against VocabKit's byte-level BPE at the same size.

    python3 Benchmarks/hybrid-bench.py --corpus FILE [--sizes 32000] [--threads 2] [--heldout-lines 20000]

There is no mainstream peer library for this model, so the comparison is with BPE trained by the
same tool on the same text. The last --heldout-lines lines are held out. For each size: training
wall and CPU seconds and peak RSS (`vocab train --algorithm hybrid` with characters only and with
a subword layer of 10% of the size, and `vocab train` byte-level BPE), then on the held-out lines
tokens per whitespace word and, for the hybrid, the share of words spelled out (word-level OOV),
and encoding MB/s of the held-out lines with `vocab-bench` at 1 and 2 threads. Results are
appended as JSON lines to bench-out/hybrid.jsonl.
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
from peers import exit_cleanly_on_sigterm, measured  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--sizes", default="32000")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--heldout-lines", type=int, default=20000)
    p.add_argument("--out", default=os.path.join(ROOT, "bench-out", "hybrid.jsonl"))
    a = p.parse_args()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    work = tempfile.mkdtemp(prefix="hybrid-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    total = sum(1 for _ in open(a.corpus, encoding="utf-8"))
    train, heldout = os.path.join(work, "train.txt"), os.path.join(work, "heldout.txt")
    with open(a.corpus, encoding="utf-8") as f, open(train, "w", encoding="utf-8") as t, open(heldout, "w", encoding="utf-8") as h:
        for index, line in enumerate(f):
            (h if index >= total - a.heldout_lines else t).write(line)
    lines = [l for l in open(heldout, encoding="utf-8").read().split("\n") if l.strip()]
    words = sum(len(l.split()) for l in lines)
    results = open(a.out, "a")
    print(f"{os.path.getsize(train) / 1e6:.1f} MB training, {len(lines)} held-out lines ({words} words), {a.threads} threads")
    print(f"{'size':>6} {'model':26} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'tok/word':>9} {'OOV':>7} {'MB/s 1t':>8} {'MB/s 2t':>8}")
    for size in [int(s) for s in a.sizes.split(",")]:
        variants = [
            ("hybrid (characters)", ["--algorithm", "hybrid", "--byte-fallback"]),
            (f"hybrid (+{size // 10} merges)", ["--algorithm", "hybrid", "--byte-fallback", "--subword-merges", str(size // 10)]),
            ("byte-level BPE", ["--min-frequency", "2"]),
        ]
        for name, args in variants:
            out = os.path.join(work, f"{size}-{len(name)}.json")
            wall, cpu, rss, _ = measured([vocab, "train", "--quiet", "--threads", str(a.threads), "--vocab-size", str(size),
                                          *args, train, "-o", out])
            encoded = subprocess.run([vocab, "encode", "--quiet", "-t", out, "--format", "jsonl", heldout],
                                     capture_output=True, check=True).stdout.decode().split("\n")[:-1]
            tokens = sum(len(json.loads(x)) for x in encoded)
            oov = ""
            if name.startswith("hybrid"):
                model = json.load(open(out))["model"]
                pieces = subprocess.run([vocab, "pretokenize", "--quiet", "-n", "nmt-nfkc", "-p", "metaspace", "--format", "jsonl", heldout],
                                        capture_output=True, check=True).stdout.decode().split("\n")[:-1]
                word_set = set(model["words"])
                total_pieces = spelled = 0
                for record in pieces:
                    for piece in json.loads(record)["pieces"]:
                        total_pieces += 1
                        spelled += piece not in word_set
                oov = f"{spelled / max(1, total_pieces):.4f}"
            speeds = []
            for t in (1, 2):
                speeds.append(json.loads(measured([bench, heldout, "line", f"encode:{out}@{t}"])[3])["mb_per_s"])
            print(f"{size:6} {name:26} {wall:7.1f} {cpu:7.1f} {rss:8.0f} {tokens / words:9.4f} {oov:>7} {speeds[0]:8.1f} {speeds[1]:8.1f}", flush=True)
            results.write(json.dumps({"size": size, "model": name, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss,
                                      "tokens_per_word": tokens / words, "oov": oov, "mb_per_s": speeds}) + "\n")
    results.flush()


if __name__ == "__main__":
    main()
