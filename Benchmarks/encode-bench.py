#!/usr/bin/env python3
"""Encoding benchmark, every row of the encoder issue in one run: VocabKit against tiktoken,
HuggingFace `tokenizers` and SentencePiece, side by side.

    python3 Benchmarks/encode-bench.py [--corpora Corpora] [--texts en,code-python,zh,ja]
                                       [--threads 1,2] [--skip-encode] [--skip-calls] [--skip-worst] [--models mistral,...]
                                       [--repeat 5]

Every measurement is its own process and processes each input once: no warm-up and no repeated
pass for either side (VocabKit through `vocab-bench` with VOCAB_BENCH_ONCE=1), the tokenizer
loaded and the lines read before the clock starts. Peak RSS is the process's (wait4). With
`--repeat N`, each encoding row runs N such processes per side, interleaved, and reports the
medians (each run's MB/s is kept in the row's `runs`, peak RSS is the largest); the ratio is of
the medians.

1. Encoding, per model type, per text, at 1 and 2 threads (lines split on "\\n", empty lines
   skipped; MB/s of the lines' UTF-8): cl100k and o200k `.tiktoken` and Llama 3 (llama.cpp's test
   vocabulary, converted) against tiktoken (the per-line `encode_ordinary` loop at one thread,
   `encode_ordinary_batch` at more) and HuggingFace `encode_batch_fast` on the tokenizer.json that
   `vocab convert` writes (RAYON_NUM_THREADS); the Unigram and Mistral `.model` files against
   `sentencepiece` (`encode(list, num_threads=)`); BERT's tokenizer.json against HuggingFace; the
   hybrid (no peer library has one). VocabKit is measured twice: `encode` (an `Encoding` with
   offsets and annotations, what HuggingFace returns) and `encodeIds` (ids alone, what tiktoken
   and sentencepiece return). The token counts of both sides are printed: equal counts mean the
   same work.
2. Decoding, one thread: each line's ids (made before timing) to text: VocabKit `decodeBytes` per
   line against tiktoken `decode_bytes` per line, HuggingFace `decode_batch` and SentencePiece
   `decode(list)`; streaming, one id at a time: `DecodeStream` against HuggingFace's.
3. Per call and loading: `Benchmarks/call-bench.py` (one encode call per 25-byte string, and the
   fastest of repeated loads of each file), run from here.
4. Worst case, one thread, VocabKit: a single line of 100 KB, 1 MB and 10 MB of letters without
   spaces, of one letter with combining marks, of one digit and of one emoji, for every model type;
   seconds and the growth from 1 MB to 10 MB (linear: about 10).
Results are appended as JSON lines to bench-out/encode.jsonl.
"""
import argparse
import atexit
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import PATTERNS, ensure_venv, exit_cleanly_on_sigterm, measured  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["tokenizers==0.23.3", "sentencepiece==0.2.3", "tiktoken==0.14.0"]
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
LLAMA3_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
                  r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")

PEER = r"""
import json, os, sys, time, gc
job, lib, model, path, threads = sys.argv[1:6]
threads = int(threads)
lines = [l for l in open(path, encoding="utf-8").read().split("\n") if l]
if lib == "tiktoken":
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    enc = tiktoken.Encoding("x", pat_str=sys.argv[6], mergeable_ranks=load_tiktoken_bpe(model), special_tokens={})
    encode = (lambda: [enc.encode_ordinary(l) for l in lines]) if threads == 1 else \
             (lambda: enc.encode_ordinary_batch(lines, num_threads=threads))
    decode = lambda ids: [enc.decode_bytes(x) for x in ids]
elif lib == "hf":
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(model)
    tok.no_padding()     # VocabKit's encode pads and truncates nothing either
    tok.no_truncation()
    encode = lambda: [e.ids for e in tok.encode_batch_fast(lines, add_special_tokens=False)]
    decode = lambda ids: tok.decode_batch(ids)
else:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=model)
    encode = lambda: sp.encode(lines, num_threads=threads)
    decode = lambda ids: sp.decode(ids)
gc.disable()
if job == "encode":
    start = time.perf_counter()
    ids = encode()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "bytes": sum(len(l.encode()) for l in lines), "tokens": sum(map(len, ids))}))
else:
    ids = encode()
    if job == "decode":
        start = time.perf_counter()
        out = decode(ids)
        seconds = time.perf_counter() - start
    else:
        from tokenizers.decoders import DecodeStream
        start = time.perf_counter()
        out = []
        for x in ids:
            stream, text = DecodeStream(skip_special_tokens=True), []
            for i in x:
                piece = stream.step(tok, i)
                if piece is not None:
                    text.append(piece)
            out.append("".join(text))
        seconds = time.perf_counter() - start
    size = sum(len(o) if isinstance(o, bytes) else len(o.encode()) for o in out)
    print(json.dumps({"seconds": seconds, "bytes": size, "tokens": sum(map(len, ids))}))
"""


def log(message):
    print(f"[encode-bench] {message}", file=sys.stderr, flush=True)


def worst_inputs(size):
    """The four worst-case lines of about `size` bytes (seeded)."""
    rng = random.Random(size)
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))
    marks = "a" + "\u0301" * ((size - 1) // 2)
    return {"letters": letters, "combining": marks, "digits": "7" * size, "emoji": "\U0001F600" * (size // 4)}


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpora", default=os.path.join(ROOT, "Corpora"))
    p.add_argument("--texts", default="en,code-python,zh,ja")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--models", default="", help="comma-separated subset of cl100k,o200k,llama3,unigram,mistral,bert,hybrid (default: all)")
    p.add_argument("--worst-sizes", default="100000,1000000,10000000")
    p.add_argument("--repeat", type=int, default=1,
                   help="encoding rows: run each side this many times, interleaved, and report the medians (the machines are shared and noisy)")
    p.add_argument("--skip-encode", action="store_true")
    p.add_argument("--skip-calls", action="store_true")
    p.add_argument("--skip-worst", action="store_true")
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench-out", "encode.jsonl"))
    args = p.parse_args()
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    python = ensure_venv(args.venv, PINNED)
    for product in ("vocab-bench", "vocab"):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    out = open(args.out, "a")
    work = tempfile.mkdtemp(prefix="encode-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM

    def record(row):
        out.write(json.dumps(row) + "\n")
        out.flush()
        return row

    def ours(job, path, threads=1, timeout=None):
        result = measured([bench, path, "line", job], env={"VOCAB_BENCH_ONCE": "1"}, timeout=timeout)
        if result is None:
            return None
        _, _, rss, text = result
        row = json.loads(text)
        return {"seconds": row["seconds"], "bytes": row["bytes"], "tokens": row["pieces"], "rss": rss}

    def peer(job, lib, model, path, threads, extra=()):
        env = {"RAYON_NUM_THREADS": str(threads), "RAYON_RS_NUM_CPUS": str(threads)}
        _, _, rss, text = measured([python, "-c", PEER, job, lib, model, path, str(threads), *extra], env=env)
        row = json.loads(text)
        row["rss"] = rss
        return row

    # Tokenizer files: the fixtures, the shipped vocabularies, and conversions for the peers.
    cl100k = os.path.join(FIXTURES, "tiktoken", "cl100k_base.tiktoken")
    o200k = os.path.join(FIXTURES, "tiktoken", "o200k_base.tiktoken")
    converted = {}
    for name, source, suffix in [("cl100k", cl100k, ".json"), ("o200k", o200k, ".json"), ("llama3", os.path.join(FIXTURES, "gguf", "ggml-vocab-llama-bpe.gguf"), ".json"),
                                 ("llama3", os.path.join(FIXTURES, "gguf", "ggml-vocab-llama-bpe.gguf"), ".tiktoken")]:
        target = os.path.join(work, name + suffix)
        subprocess.run([vocab, "convert", "--tokenizer", source, "--output", target], check=True, stdout=subprocess.DEVNULL)
        converted[name + suffix] = target
    bert = os.path.join(FIXTURES, "bert", "tokenizer.json")
    unigram = os.path.join(ROOT, "Vocabs", "unigram-multi-16k", "tokenizer.model")
    mistral = os.path.join(FIXTURES, "sentencepiece", "mistral-tokenizer.model.v1")
    hybrid = os.path.join(ROOT, "Vocabs", "hybrid-en-32k", "tokenizer.json")
    models = [  # name, VocabKit's file, peers: (library, file, extra arguments)
        ("cl100k", cl100k, [("tiktoken", cl100k, [PATTERNS["cl100k"]]), ("hf", converted["cl100k.json"], [])]),
        ("o200k", o200k, [("tiktoken", o200k, [PATTERNS["o200k"]]), ("hf", converted["o200k.json"], [])]),
        ("llama3", converted["llama3.json"], [("tiktoken", converted["llama3.tiktoken"], [LLAMA3_PATTERN]), ("hf", converted["llama3.json"], [])]),
        ("unigram", unigram, [("sentencepiece", unigram, [])]),
        ("mistral", mistral, [("sentencepiece", mistral, [])]),
        ("bert", bert, [("hf", bert, [])]),
        ("hybrid", hybrid, []),
    ]
    if args.models:
        wanted = args.models.split(",")
        unknown = sorted(set(wanted) - {name for name, _, _ in models})
        if unknown:
            sys.exit(f"encode-bench: unknown model(s) {', '.join(unknown)}")
        models = [m for m in models if m[0] in wanted]
    texts = [(t, os.path.join(args.corpora, t + ".txt")) for t in args.texts.split(",")]
    threads = [int(t) for t in args.threads.split(",")]

    # 1. Encoding.
    encode_rows = []
    for name, model, peers in ([] if args.skip_encode else models):
        for text, path in texts:
            for t in threads:
                # Each side `--repeat` times, interleaved (ours, each peer, ours, ...): the medians.
                # VocabKit twice: `encode` (an Encoding: ids, offsets, annotations; HuggingFace's
                # output) and `encodeIds` (ids alone: tiktoken's and sentencepiece's output).
                mine_runs, ids_runs, peer_runs = [], [], [[] for _ in peers]
                for _ in range(args.repeat):
                    mine_runs.append(ours(f"encode:{model}@{t}", path, t))
                    ids_runs.append(ours(f"ids:{model}@{t}", path, t))
                    for runs, (lib, file, extra) in zip(peer_runs, peers):
                        runs.append(peer("encode", lib, file, path, t, extra))

                def speeds(runs):
                    return [r["bytes"] / 1e6 / r["seconds"] for r in runs]
                mine_speed = statistics.median(speeds(mine_runs))
                row = record({"row": "encode", "model": name, "text": text, "threads": t, "library": "vocabkit",
                              "mb_per_s": mine_speed, "runs": [round(x, 2) for x in speeds(mine_runs)],
                              "tokens": mine_runs[0]["tokens"], "peak_rss_mb": max(r["rss"] for r in mine_runs)})
                encode_rows.append(row)
                encode_rows.append(record({"row": "encode", "model": name, "text": text, "threads": t, "library": "vocabkit ids",
                                           "mb_per_s": statistics.median(speeds(ids_runs)), "runs": [round(x, 2) for x in speeds(ids_runs)],
                                           "tokens": ids_runs[0]["tokens"], "peak_rss_mb": max(r["rss"] for r in ids_runs)}))
                for runs, (lib, _, _) in zip(peer_runs, peers):
                    speed = statistics.median(speeds(runs))
                    encode_rows.append(record({"row": "encode", "model": name, "text": text, "threads": t, "library": lib,
                                               "mb_per_s": speed, "runs": [round(x, 2) for x in speeds(runs)], "tokens": runs[0]["tokens"],
                                               "peak_rss_mb": max(r["rss"] for r in runs), "vocabkit_ratio": mine_speed / speed}))
                log(f"encode {name} {text} {t} thread(s): {row['mb_per_s']:.1f} MB/s")

    # 2. Decoding.
    decode_rows = []
    en = texts[0][1]
    for name, model, peers in models:
        for job in ("decode", "stream"):
            mine = ours(f"{job}:{model}", en)
            row = record({"row": job, "model": name, "text": texts[0][0], "library": "vocabkit",
                          "mb_per_s": mine["bytes"] / 1e6 / mine["seconds"], "peak_rss_mb": mine["rss"]})
            decode_rows.append(row)
            for lib, file, extra in peers:
                if job == "stream" and lib != "hf":
                    continue
                other = peer(job, lib, file, en, 1, extra)
                speed = other["bytes"] / 1e6 / other["seconds"]
                decode_rows.append(record({"row": job, "model": name, "text": texts[0][0], "library": lib, "mb_per_s": speed,
                                           "peak_rss_mb": other["rss"], "vocabkit_ratio": row["mb_per_s"] / speed}))

    # 3. Per call and loading.
    if not args.skip_calls:
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "call-bench.py"), "--corpus", en, "--venv", args.venv,
                        "--out", args.out], check=True)

    # 4. Worst case.
    worst_rows = []
    if not args.skip_worst:
        sizes = [int(s) for s in args.worst_sizes.split(",")]
        for size in sizes:
            for kind, line in worst_inputs(size).items():
                path = os.path.join(work, f"{kind}-{size}.txt")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(line + "\n")
                for name, model, _ in models:
                    mine = ours(f"encode:{model}@1", path, 1, timeout=600)
                    row = {"row": "worst", "model": name, "input": kind, "bytes": len(line.encode()),
                           "seconds": mine["seconds"] if mine else None, "peak_rss_mb": mine["rss"] if mine else None}
                    worst_rows.append(record(row))
                os.remove(path)
            log(f"worst case at {size} bytes done")
    out.close()

    print(f"\n{'model':8} {'text':12} {'thr':>3} {'API':8} {'VocabKit MB/s':>13} {'RSS':>5}  peers (best MB/s at this thread count or fewer, VocabKit ratio, RSS MB, tokens equal)")
    for row in encode_rows:
        if not row["library"].startswith("vocabkit"):
            continue
        others = [r for r in encode_rows if not r["library"].startswith("vocabkit") and (r["model"], r["text"], r["threads"]) == (row["model"], row["text"], row["threads"])]

        def best(r):
            # A peer's best at this thread count: tiktoken's batch call is slower than its
            # single-threaded per-line loop, which any caller can use instead.
            single = [o for o in encode_rows if (o["library"], o["model"], o["text"], o["threads"]) == (r["library"], r["model"], r["text"], 1)]
            return max([r["mb_per_s"]] + [o["mb_per_s"] for o in single])
        note = "; ".join(f"{r['library']} {best(r):.1f}, {row['mb_per_s'] / best(r):.2f}x, {r['peak_rss_mb']:.0f}, "
                         f"{'=' if r['tokens'] == row['tokens'] else 'tokens ' + str(r['tokens']) + ' vs ' + str(row['tokens'])}" for r in others)
        api = "ids" if row["library"] == "vocabkit ids" else "Encoding"
        print(f"{row['model']:8} {row['text']:12} {row['threads']:3} {api:8} {row['mb_per_s']:13.1f} {row['peak_rss_mb']:5.0f}  {note}")
    print(f"\n{'model':8} {'job':7} {'VocabKit MB/s':>13}  peers (MB/s, VocabKit ratio)")
    for row in decode_rows:
        if row["library"] != "vocabkit":
            continue
        others = [r for r in decode_rows if r["library"] != "vocabkit" and (r["model"], r["row"]) == (row["model"], row["row"])]
        note = "; ".join(f"{r['library']} {r['mb_per_s']:.1f}, {r['vocabkit_ratio']:.2f}x" for r in others)
        print(f"{row['model']:8} {row['row']:7} {row['mb_per_s']:13.1f}  {note}")
    if worst_rows:
        sizes = sorted({r["bytes"] for r in worst_rows if r["input"] == "digits"})
        print(f"\nworst case, seconds at {', '.join(str(s) for s in sizes)} bytes; growth from the second size to the last (linear: {sizes[-1] / sizes[-2]:.0f})")
        for name, _, _ in models:
            for kind in ("letters", "combining", "digits", "emoji"):
                cells = [r for r in worst_rows if r["model"] == name and r["input"] == kind]
                cells.sort(key=lambda r: r["bytes"])
                times = ["timeout" if r["seconds"] is None else f"{r['seconds']:.3f}" for r in cells]
                growth = (f"{cells[-1]['seconds'] / cells[-2]['seconds']:.1f}" if len(cells) > 1 and cells[-1]["seconds"] and cells[-2]["seconds"]
                          else "-")
                rss = max((r["peak_rss_mb"] or 0) for r in cells)
                print(f"{name:8} {kind:10} {' '.join(f'{t:>9}' for t in times)}  growth {growth:>5}  peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
