#!/usr/bin/env python3
"""BPE benchmark: VocabKit vs HuggingFace tokenizers, SentencePiece and tiktoken, side by side.

    python3 Benchmarks/bpe-bench.py --corpus FILE [--vocab-size 32000] [--threads 1,2] [--skip-train]

Training: `vocab train` (byte-level BPE, GPT-2 split, min frequency 2, <|endoftext|>) against
HuggingFace's BpeTrainer with the same settings and SentencePiece's BPE trainer (its own
whitespace handling; `max_sentence_length` raised so no line is skipped), each in its own process
with the same thread count: wall and CPU seconds (user + system, all threads) and peak RSS.

Encoding: cl100k_base ranks on the corpus lines (newline excluded, empty lines skipped), one
process per measurement: VocabKit (`vocab-bench`, batch encoding on N threads), tiktoken (the
faster of `encode_ordinary` in a loop and `encode_ordinary_batch(num_threads=N)`) and
HuggingFace (`encode_batch_fast` on the cl100k tokenizer.json that `vocab convert` writes, with
RAYON_NUM_THREADS=N). MB/s counts UTF-8 bytes of the lines. Ratios are what carries over between
machines. Results are appended as JSON lines to bench-out/bpe.jsonl.

Build the ~100 MB English corpus with `python3 Scripts/fetch-bench-corpora.py DIR` first.
"""
import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import PATTERNS, ensure_venv, exit_cleanly_on_sigterm, measured  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PINNED = ["tokenizers==0.23.3", "sentencepiece==0.2.3", "tiktoken==0.14.0"]
CL100K = os.path.join(ROOT, "Tests", "Fixtures", "tiktoken", "cl100k_base.tiktoken")
CL100K_PATTERN = PATTERNS["cl100k"]


def log(message):
    print(f"[bpe-bench] {message}", file=sys.stderr, flush=True)






CHILD_TRAIN = r"""
import sys
lib, corpus, vocab, threads, out = sys.argv[1:6]
vocab, threads = int(vocab), int(threads)
if lib == "hf":
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.train([corpus], trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, special_tokens=["<|endoftext|>"],
              initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    tok.save(out)
    print(tok.get_vocab_size())
else:
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=out, model_type="bpe", vocab_size=vocab,
        num_threads=threads, max_sentence_length=1 << 16, input_sentence_size=0, character_coverage=0.9995,
        minloglevel=2)
    print(vocab)
"""

CHILD_ENCODE = r"""
import sys, time, json, gc
lib, corpus, threads, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [l for l in open(corpus, encoding="utf-8").read().split("\n") if l]
nbytes = sum(len(l.encode("utf-8")) for l in lines)
if lib == "tiktoken":
    import tiktoken, tiktoken.load
    enc = tiktoken.Encoding("cl100k", pat_str=open(extra).read(), mergeable_ranks=tiktoken.load.load_tiktoken_bpe(sys.argv[5]), special_tokens={})
    # The per-line loop is single-threaded but often beats the batch call on short lines; the
    # faster of the two is tiktoken's best at this thread count.
    runs = {"loop": lambda: [enc.encode_ordinary(l) for l in lines],
            "batch": lambda: enc.encode_ordinary_batch(lines, num_threads=threads)}
else:
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(extra)
    runs = {"encode_batch_fast": lambda: tok.encode_batch_fast(lines, add_special_tokens=False)}
best = {}
gc.disable()
for name, run in runs.items():
    run()
    spent, fastest = 0.0, float("inf")
    while spent < 3.0:
        t = time.perf_counter(); run(); e = time.perf_counter() - t
        spent += e; fastest = min(fastest, e)
    best[name] = nbytes / 1e6 / fastest
name = max(best, key=best.get)
print(json.dumps({"mb_per_s": best[name], "mode": name, "bytes": nbytes, "all": best}))
"""


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--vocab-size", type=int, default=32000)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    p.add_argument("--skip-train", action="store_true")
    p.add_argument("--skip-encode", action="store_true")
    p.add_argument("--out", default=os.path.join(ROOT, "bench-out", "bpe.jsonl"))
    a = p.parse_args()
    python = ensure_venv(a.venv, PINNED)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    work = tempfile.mkdtemp(prefix="bpe-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    log("swift build -c release")
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    threads = [int(t) for t in a.threads.split(",")]
    size = os.path.getsize(a.corpus)
    print(f"corpus {a.corpus}: {size / 1e6:.1f} MB; vocabulary {a.vocab_size}")
    results = []

    if not a.skip_train:
        print(f"\ntraining (byte-level BPE, vocab {a.vocab_size})")
        print(f"{'threads':>7} {'library':14} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'wall vs VocabKit':>17}")
        for t in threads:
            row = {}
            log(f"train vocabkit, {t} threads")
            row["vocabkit"] = measured([vocab, "train", "--quiet", "--threads", str(t), "--vocab-size", str(a.vocab_size),
                                        "--min-frequency", "2", "--special-token", "<|endoftext|>", a.corpus,
                                        "-o", os.path.join(work, "vocabkit.json")])
            for lib in ("hf", "spm"):
                log(f"train {lib}, {t} threads")
                env = {"RAYON_NUM_THREADS": str(t), "RAYON_RS_NUM_CPUS": str(t)}
                row[lib] = measured([python, "-c", CHILD_TRAIN, lib, a.corpus, str(a.vocab_size), str(t),
                                     os.path.join(work, f"{lib}.json" if lib == "hf" else "spm")], env=env)
            base = row["vocabkit"][0]
            for lib, (wall, cpu, rss, _) in row.items():
                name = {"vocabkit": "VocabKit", "hf": "tokenizers", "spm": "sentencepiece"}[lib]
                print(f"{t:7} {name:14} {wall:8.1f} {cpu:8.1f} {rss:8.0f} {wall / base:16.2f}x", flush=True)
                results.append({"job": "train", "library": lib, "threads": t, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss})

    if not a.skip_encode:
        hf_json = os.path.join(work, "cl100k.json")
        subprocess.run([vocab, "convert", "-t", CL100K, "-o", hf_json], check=True)
        pattern_file = os.path.join(work, "cl100k.pattern")
        open(pattern_file, "w").write(CL100K_PATTERN)
        print("\nencoding (cl100k_base ranks, lines)")
        print(f"{'threads':>7} {'library':14} {'MB/s':>8} {'peak MB':>8} {'VocabKit speed-up':>18}")
        for t in threads:
            log(f"encode vocabkit, {t} threads")
            wall, cpu, rss, out = measured([bench, a.corpus, "line", f"encode:{CL100K}@{t}"])
            ours = json.loads(out)["mb_per_s"]
            results.append({"job": "encode", "library": "vocabkit", "threads": t, "mb_per_s": ours, "peak_rss_mb": rss})
            print(f"{t:7} {'VocabKit':14} {ours:8.1f} {rss:8.0f}", flush=True)
            for lib, extra in (("tiktoken", pattern_file), ("hf", hf_json)):
                log(f"encode {lib}, {t} threads")
                env = {"RAYON_NUM_THREADS": str(t), "RAYON_RS_NUM_CPUS": str(t)}
                wall, cpu, rss, out = measured([python, "-c", CHILD_ENCODE, lib, a.corpus, str(t), extra, CL100K], env=env)
                theirs = json.loads(out)
                name = "tiktoken" if lib == "tiktoken" else "tokenizers"
                print(f"{t:7} {name:14} {theirs['mb_per_s']:8.1f} {rss:8.0f} {ours / theirs['mb_per_s']:17.1f}x   ({theirs['mode']})", flush=True)
                results.append({"job": "encode", "library": lib, "threads": t, "mb_per_s": theirs["mb_per_s"],
                                "mode": theirs["mode"], "peak_rss_mb": rss})
    with open(a.out, "a") as f:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        for r in results:
            f.write(json.dumps({**r, "time": stamp, "corpus": a.corpus, "vocab_size": a.vocab_size}) + "\n")
    print(f"\nappended to {a.out}")


if __name__ == "__main__":
    main()
