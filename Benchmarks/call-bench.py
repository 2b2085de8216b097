#!/usr/bin/env python3
"""Per-call and load benchmark: one encode call per short string, and the time to load each
tokenizer file, VocabKit against tiktoken, HuggingFace `tokenizers` and SentencePiece, side by side.

    python3 Benchmarks/call-bench.py --corpus FILE [--length 25] [--strings 200000]

1. Short strings: the corpus lines cut at spaces into strings of about `--length` UTF-8 bytes
   (deterministic), one per line in a temporary file.
2. For each tokenizer, in its own process on one thread, the fastest of repeated passes (at least
   2 s) over all strings:
   - VocabKit `Tokenizer.encode(_: String)`, one call per string (`vocab-bench ... calls:FILE`),
     and the same strings through `encode(_:scratch:)` with one reused scratch (`encode:FILE@1`):
     the difference per string is the fixed cost of the plain call;
   - tiktoken `Encoding.encode` (cl100k), HuggingFace `Tokenizer.encode(s, add_special_tokens=False)`
     (cl100k as `vocab convert` writes it, and BERT), SentencePiece `encode(s)` (the Unigram
     and Mistral `.model` files).
3. Loading: the fastest of at least 2 s of loads of each file in one process (the file in the
   page cache for every library): `Tokenizer(contentsOf:)` against tiktoken (`load_tiktoken_bpe`
   and `Encoding`), `Tokenizer.from_file` and `SentencePieceProcessor(model_file=)`.
Reported: µs per call, calls per second, load ms, peak RSS, and VocabKit's ratio to each peer.
Results go to bench-out/calls.jsonl.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import ensure_venv, exit_cleanly_on_sigterm, measured  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["tokenizers==0.23.3", "sentencepiece==0.2.3", "tiktoken==0.14.0"]
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
# The repository's own 16,000-piece multilingual Unigram model (nmt_nfkc normalizer).
UNIGRAM_16K = os.path.join(ROOT, "Vocabs", "unigram-multi-16k", "tokenizer.model")

CHILD = r"""
import sys, time, json
lib, model, path = sys.argv[1:4]
strings = open(path, encoding="utf-8").read().split("\n")[:-1]
if lib == "tiktoken":
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    enc = tiktoken.Encoding("cl100k", pat_str=sys.argv[4], mergeable_ranks=load_tiktoken_bpe(model), special_tokens={})
    call = enc.encode
elif lib == "hf":
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(model)
    call = lambda s: tok.encode(s, add_special_tokens=False).ids
else:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=model)
    call = sp.encode
for s in strings: call(s)   # warm-up
best, spent, tokens = float("inf"), 0.0, 0
while spent < 2.0:
    start = time.perf_counter()
    tokens = 0
    for s in strings: tokens += len(call(s))
    elapsed = time.perf_counter() - start
    best, spent = min(best, elapsed), spent + elapsed
print(json.dumps({"seconds": best, "tokens": tokens}))
"""


LOAD_CHILD = r"""
import sys, time, json
lib, model = sys.argv[1:3]
if lib == "tiktoken":
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    load = lambda: tiktoken.Encoding("x", pat_str=sys.argv[3], mergeable_ranks=load_tiktoken_bpe(model), special_tokens={})
elif lib == "hf":
    from tokenizers import Tokenizer
    load = lambda: Tokenizer.from_file(model)
else:
    import sentencepiece as spm
    load = lambda: spm.SentencePieceProcessor(model_file=model)
best, spent = float("inf"), 0.0
while spent < 2.0:
    start = time.perf_counter()
    load()
    elapsed = time.perf_counter() - start
    best, spent = min(best, elapsed), spent + elapsed
print(json.dumps({"seconds": best}))
"""


def log(message):
    print(f"[call-bench] {message}", file=sys.stderr, flush=True)


def short_strings(corpus, length, count):
    strings = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            current = ""
            for word in line.rstrip("\n").split(" "):
                current = word if not current else current + " " + word
                if len(current.encode()) >= length:
                    strings.append(current)
                    current = ""
                    if len(strings) == count:
                        return strings
    return strings


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--length", type=int, default=25)
    p.add_argument("--strings", type=int, default=200_000)
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench-out", "calls.jsonl"))
    args = p.parse_args()
    python = ensure_venv(args.venv, PINNED)
    subprocess.run(["swift", "build", "-c", "release", "--product", "vocab-bench", "--product", "vocab"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    from peers import PATTERNS
    with tempfile.TemporaryDirectory() as work:
        strings = short_strings(args.corpus, args.length, args.strings)
        path = os.path.join(work, "strings.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(s + "\n" for s in strings))
        total = sum(len(s.encode()) for s in strings)
        log(f"{len(strings)} strings, {total / len(strings):.1f} bytes each on average")
        cl100k = os.path.join(FIXTURES, "tiktoken", "cl100k_base.tiktoken")
        cl100k_json = os.path.join(work, "cl100k.json")
        subprocess.run([vocab, "convert", "--tokenizer", cl100k, "--output", cl100k_json], check=True, stdout=subprocess.DEVNULL)
        o200k = os.path.join(FIXTURES, "tiktoken", "o200k_base.tiktoken")
        o200k_json = os.path.join(work, "o200k.json")
        subprocess.run([vocab, "convert", "--tokenizer", o200k, "--output", o200k_json], check=True, stdout=subprocess.DEVNULL)
        cases = [
            ("cl100k", cl100k, [("tiktoken", cl100k, [PATTERNS["cl100k"]]), ("hf", cl100k_json, [])]),
            ("bert", os.path.join(FIXTURES, "bert", "tokenizer.json"), [("hf", os.path.join(FIXTURES, "bert", "tokenizer.json"), [])]),
            ("unigram", os.path.join(FIXTURES, "sentencepiece", "botchan_en_unigram_1000.model"),
             [("sentencepiece", os.path.join(FIXTURES, "sentencepiece", "botchan_en_unigram_1000.model"), [])]),
            ("mistral", os.path.join(FIXTURES, "sentencepiece", "mistral-tokenizer.model.v1"),
             [("sentencepiece", os.path.join(FIXTURES, "sentencepiece", "mistral-tokenizer.model.v1"), [])]),
        ]
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        rows = []
        with open(args.out, "a") as out:
            for name, model, peers in cases:
                _, _, rss, text = measured([bench, path, "line", f"calls:{model}", f"encode:{model}@1"])
                calls, batch = [json.loads(line) for line in text.strip().split("\n")]
                per_call = calls["seconds"] / len(strings) * 1e6
                overhead = (calls["seconds"] - batch["seconds"]) / len(strings) * 1e6
                record = {"tokenizer": name, "library": "vocabkit", "us_per_call": per_call, "calls_per_s": len(strings) / calls["seconds"],
                          "reused_scratch_us": batch["seconds"] / len(strings) * 1e6, "overhead_us": overhead, "peak_rss_mb": rss}
                out.write(json.dumps(record) + "\n")
                rows.append(record)
                for lib, file, extra in peers:
                    _, _, rss, text = measured([python, "-c", CHILD, lib, file, path, *extra])
                    seconds = json.loads(text)["seconds"]
                    peer = {"tokenizer": name, "library": lib, "us_per_call": seconds / len(strings) * 1e6,
                            "calls_per_s": len(strings) / seconds, "peak_rss_mb": rss, "vocabkit_speedup": seconds / calls["seconds"]}
                    out.write(json.dumps(peer) + "\n")
                    rows.append(peer)
            loads = [
                ("cl100k .tiktoken", cl100k, [("tiktoken", cl100k, [PATTERNS["cl100k"]])]),
                ("cl100k tokenizer.json", cl100k_json, [("hf", cl100k_json, [])]),
                ("o200k .tiktoken", o200k, [("tiktoken", o200k, [PATTERNS["o200k"]])]),
                ("o200k tokenizer.json", o200k_json, [("hf", o200k_json, [])]),
                ("bert tokenizer.json", cases[1][1], [("hf", cases[1][1], [])]),
                ("mistral .model", cases[3][1], [("sentencepiece", cases[3][1], [])]),
                ("unigram .model", cases[2][1], [("sentencepiece", cases[2][1], [])]),
                ("unigram-16k .model", UNIGRAM_16K, [("sentencepiece", UNIGRAM_16K, [])]),
            ]
            load_rows = []
            for name, model, peers in loads:
                _, _, rss, text = measured([bench, path, "line", f"load:{model}"])
                mine = json.loads(text)["seconds"]
                record = {"load": name, "library": "vocabkit", "ms": mine * 1e3, "peak_rss_mb": rss}
                out.write(json.dumps(record) + "\n")
                load_rows.append(record)
                for lib, file, extra in peers:
                    _, _, rss, text = measured([python, "-c", LOAD_CHILD, lib, file, *extra])
                    seconds = json.loads(text)["seconds"]
                    peer = {"load": name, "library": lib, "ms": seconds * 1e3, "peak_rss_mb": rss, "vocabkit_speedup": seconds / mine}
                    out.write(json.dumps(peer) + "\n")
                    load_rows.append(peer)
    print(f"{'tokenizer':10} {'library':14} {'µs/call':>8} {'calls/s':>10} {'RSS MB':>7}  notes")
    for r in rows:
        note = (f"reused scratch {r['reused_scratch_us']:.2f} µs, fixed cost {r['overhead_us']:.2f} µs" if r["library"] == "vocabkit"
                else f"VocabKit {r['vocabkit_speedup']:.2f}x")
        print(f"{r['tokenizer']:10} {r['library']:14} {r['us_per_call']:8.2f} {r['calls_per_s']:10.0f} {r['peak_rss_mb']:7.0f}  {note}")
    print()
    print(f"{'load':24} {'library':14} {'ms':>8} {'RSS MB':>7}  notes")
    for r in load_rows:
        note = f"VocabKit {r['vocabkit_speedup']:.2f}x" if r["library"] != "vocabkit" else ""
        print(f"{r['load']:24} {r['library']:14} {r['ms']:8.1f} {r['peak_rss_mb']:7.0f}  {note}")


if __name__ == "__main__":
    main()
