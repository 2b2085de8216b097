#!/usr/bin/env python3
"""Text front-end benchmark: VocabKit vs HuggingFace `tokenizers` and Python `regex`.

    python3 Benchmarks/frontend-bench.py [--corpus FILE] [--venv DIR] [--out FILE]

Measures, side by side in one run on the same input and on one thread, the throughput (MB/s) and
peak memory of normalizers and pre-tokenizers:
  * VocabKit: `vocab-bench` (built here in release mode), through the library's TextFrontEnd.
  * HuggingFace tokenizers (Python API): normalizers.NFKC / BertNormalizer `normalize_str`,
    pre_tokenizers.ByteLevel / Split(Regex(pattern), "isolated") / BertPreTokenizer / Whitespace
    `pre_tokenize_str`.
  * Python `regex` with the same patterns: `findall`.
Each measurement runs in its own child process (so peak RSS is its own), processes the corpus
either line by line (split on "\\n", newline excluded, empty lines skipped) or in blocks of whole
lines of about 64 KB, repeats whole passes for at least a second and reports the fastest pass.
MB/s counts UTF-8 bytes of the input (1 MB = 1e6 bytes). The table gives ratios, VocabKit over
each peer: the machines are shared, so absolute seconds mean little.

The default corpus is Corpora/en.txt + Corpora/code-python.txt repeated to about 10 MB (English
prose and code, ASCII-heavy); pass --corpus for another (e.g. the ~100 MB English corpus that
Scripts/fetch-bench-corpora.sh builds). The venv (default .venv-bench) is created on first use
with pinned tokenizers and regex from PyPI.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import PATTERNS, ensure_venv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PINNED = ["tokenizers==0.23.3", "regex==2026.5.9"]


# (VocabKit job, peers: [(library, peer job)])
JOBS = [
    ("normalize:nfkc", [("hf", "NFKC")]),
    ("normalize:nfc", [("hf", "NFC")]),
    ("normalize:bert", [("hf", "BertNormalizer")]),
    ("pretokenize:gpt2", [("hf", "ByteLevel"), ("hf", "Split:gpt2"), ("regex", "gpt2")]),
    ("pretokenize:cl100k", [("hf", "Split:cl100k"), ("regex", "cl100k")]),
    ("pretokenize:o200k", [("hf", "Split:o200k"), ("regex", "o200k")]),
    ("pretokenize:bert", [("hf", "BertPreTokenizer")]),
    ("pretokenize:whitespace", [("hf", "Whitespace")]),
]


def log(message):
    print(f"[frontend-bench] {message}", file=sys.stderr, flush=True)




def default_corpus(path):
    parts = [open(os.path.join(ROOT, "Corpora", name), "rb").read() for name in ("en.txt", "code-python.txt")]
    data = b"".join(parts)
    with open(path, "wb") as f:
        while f.tell() < 10_000_000:
            f.write(data)
    return path


def units(data, unit):
    if unit == "line":
        return [line for line in data.split("\n") if line]
    blocks, start = [], 0
    while start < len(data):
        end = data.find("\n", start + 65536)
        end = len(data) if end < 0 else end + 1
        blocks.append(data[start:end])
        start = end
    return blocks


def peer_child(library, job, corpus, unit):
    """Runs in the child process: one peer measurement, printed as JSON."""
    data = open(corpus, encoding="utf-8").read()
    pieces = units(data, unit)
    if library == "hf":
        from tokenizers import Regex, normalizers, pre_tokenizers
        if job == "NFKC":
            f = normalizers.NFKC().normalize_str
        elif job == "NFC":
            f = normalizers.NFC().normalize_str
        elif job == "BertNormalizer":
            f = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True).normalize_str
        elif job == "ByteLevel":
            f = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True).pre_tokenize_str
        elif job.startswith("Split:"):
            # Oniguruma reads the possessive {1,3}+ as unbounded digits: write {1,3}.
            pattern = PATTERNS[job.split(":")[1]].replace("{1,3}+", "{1,3}")
            f = pre_tokenizers.Split(Regex(pattern), behavior="isolated").pre_tokenize_str
        elif job == "BertPreTokenizer":
            f = pre_tokenizers.BertPreTokenizer().pre_tokenize_str
        elif job == "Whitespace":
            f = pre_tokenizers.Whitespace().pre_tokenize_str
        else:
            raise SystemExit(f"unknown hf job {job}")
    elif library == "regex":
        import regex
        f = regex.compile(PATTERNS[job]).findall
    else:
        raise SystemExit(f"unknown library {library}")
    import gc
    warm, k = 0, 0
    while k < len(pieces) and warm < 1_000_000:
        f(pieces[k]); warm += len(pieces[k]); k += 1
    nbytes = sum(len(p.encode("utf-8")) for p in pieces)
    gc.disable()
    best, spent = float("inf"), 0.0
    while spent < 1.0:
        start = time.perf_counter()
        for p in pieces:
            f(p)
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
    gc.enable()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"library": library, "job": job, "unit": unit, "bytes": nbytes, "seconds": best,
                      "mb_per_s": nbytes / 1e6 / best, "peak_rss_mb": peak}))


def run_json(argv):
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", help="UTF-8 text file (default: built from Corpora/)")
    parser.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    parser.add_argument("--units", default="line,block", help="line, block or both (default)")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench-out", "frontend.jsonl"))
    parser.add_argument("--child", nargs=4, metavar=("LIB", "JOB", "CORPUS", "UNIT"), help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child:
        return peer_child(*a.child)

    python = ensure_venv(a.venv, PINNED)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    corpus = a.corpus or default_corpus(os.path.join(os.path.dirname(a.out), "frontend-corpus.txt"))
    log("swift build -c release --product vocab-bench")
    subprocess.run(["swift", "build", "-c", "release", "--product", "vocab-bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    versions = subprocess.run([python, "-c", "import tokenizers, regex; print(tokenizers.__version__, regex.__version__)"],
                              capture_output=True, text=True).stdout.split()
    size = os.path.getsize(corpus)
    print(f"corpus: {corpus} ({size / 1e6:.1f} MB); tokenizers {versions[0]}, regex {versions[1]}; one thread")
    results = []
    for unit in a.units.split(","):
        print(f"\nunit: {unit}")
        print(f"{'job':24} {'VocabKit MB/s':>13} {'RSS MB':>7}   {'peer':28} {'MB/s':>8} {'RSS MB':>7} {'ratio':>7}")
        for job, peers in JOBS:
            log(f"{unit} {job}")
            ours = run_json([bench, corpus, unit, job])[0]
            results.append(ours)
            for library, peer_job in peers:
                theirs = run_json([python, os.path.abspath(__file__), "--child", library, peer_job, corpus, unit])[0]
                results.append(theirs)
                name = ("tokenizers " if library == "hf" else "regex ") + peer_job
                print(f"{job:24} {ours['mb_per_s']:13.1f} {ours['peak_rss_mb']:7.0f}   {name:28} "
                      f"{theirs['mb_per_s']:8.1f} {theirs['peak_rss_mb']:7.0f} {ours['mb_per_s'] / theirs['mb_per_s']:6.1f}x", flush=True)
    with open(a.out, "a") as f:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        for r in results:
            f.write(json.dumps({**r, "time": stamp, "corpus": corpus}) + "\n")
    print(f"\nall measurements appended to {a.out}")


if __name__ == "__main__":
    main()
