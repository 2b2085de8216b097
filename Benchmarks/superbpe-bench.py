#!/usr/bin/env python3
"""SuperBPE against BPE at equal vocabulary size: bytes per token on held-out text.

    python3 Benchmarks/superbpe-bench.py --corpus en=FILE --corpus code=FILE [--sizes 32000,64000,128000]
                                         [--transitions 0.5,0.9]

Each corpus: every tenth line is held out, the rest trains. For each size, byte-level BPE with
SuperBPE's stage-1 front end (digit runs in groups of three, then the released word split; min
frequency 2) and SuperBPE
with each transition (a share of the size: the paper's t = 180k of 200k is 0.9; its most
compressing setting, t = 80k of 200k, is 0.4). Prints, per corpus and size, the vocabulary
each reached (a small corpus runs out of pairs before a large size), held-out bytes per token,
SuperBPE's token saving against BPE, the training seconds and the training's peak RSS.
"""
import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import exit_cleanly_on_sigterm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# SuperBPE's stage-1 front end (its released training code), which the BPE baseline shares.
DIGIT_GROUPS = r"(?=(\d{3})+(?!\d))"
WORDS = r" ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"


def count_tokens(vocab, tokenizer, path):
    out = subprocess.run([vocab, "encode", "-t", tokenizer, "--no-special-tokens", "--format", "ids", path],
                         check=True, capture_output=True).stdout
    return sum(len(line.split()) for line in out.split(b"\n"))


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", action="append", required=True, help="NAME=FILE")
    p.add_argument("--sizes", default="32000,64000,128000")
    p.add_argument("--transitions", default="0.4,0.9")
    p.add_argument("--vocab", default=os.path.join(ROOT, ".build", "release", "vocab"))
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="superbpe-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    print("| corpus | size | tokenizer | vocabulary | held-out bytes/token | tokens vs BPE | training s | training peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for spec in a.corpus:
        name, path = spec.split("=", 1)
        train, held = os.path.join(work, f"{name}-train.txt"), os.path.join(work, f"{name}-held.txt")
        with open(path, "rb") as f, open(train, "wb") as t, open(held, "wb") as h:
            for index, line in enumerate(f):
                (h if index % 10 == 9 else t).write(line)
        held_bytes = sum(len(line.rstrip(b"\n")) for line in open(held, "rb"))
        for size in [int(s) for s in a.sizes.split(",")]:
            runs = [("BPE", ["--algorithm", "bpe", "-p", "digit-runs", "-p", "regex:" + DIGIT_GROUPS, "-p", "regex:" + WORDS])]
            for share in [float(x) for x in a.transitions.split(",")]:
                runs.append((f"SuperBPE t={int(size * share)}", ["--algorithm", "superbpe", "--transition", str(int(size * share))]))
            baseline = None
            for label, args in runs:
                out = os.path.join(work, f"{name}-{size}-{label.replace(' ', '-')}.json")
                with tempfile.TemporaryFile() as err:
                    started = time.perf_counter()
                    child = subprocess.Popen([a.vocab, "train", "--quiet", *args, "--vocab-size", str(size), train, "-o", out],
                                             stdout=subprocess.DEVNULL, stderr=err)
                    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
                    seconds = time.perf_counter() - started
                    err.seek(0)
                    stderr = err.read().decode(errors="replace")
                if os.waitstatus_to_exitcode(status) != 0:
                    print(f"| {name} | {size} | {label} | failed: {stderr.strip()[:120]} | | | | |", flush=True)
                    continue
                peak = usage.ru_maxrss / 1024
                reached = int(stderr.rsplit("vocabulary ", 1)[1].split(",")[0]) if "vocabulary " in stderr else size
                tokens = count_tokens(a.vocab, out, held)
                baseline = baseline or tokens
                saving = f"{100 * (tokens / baseline - 1):+.1f}%"
                print(f"| {name} | {size} | {label} | {reached} | {held_bytes / tokens:.3f} | {saving} | {seconds:.1f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
