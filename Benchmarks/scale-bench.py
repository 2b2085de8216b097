#!/usr/bin/env python3
"""Counting and training at scale: a reproducible 10 GB corpus, `vocab count`, merge, training
from counts, the peers' trainers on 1 GB, and Ray with 1 and 2 CPUs, side by side in one run.

    python3 Benchmarks/scale-bench.py --base en-bench.txt --work DIR [--parts 10]
                                      [--stages count,merge,train,peers,ray]

The corpus, DIR/corpus/part-NN.txt, is generated first when a part is missing: each part is the
base corpus (the ~100 MB English text from `Scripts/fetch-bench-corpora.py`) repeated `--repeats`
times with seeded perturbations (a number, a typo or a rare compound word in about 30% of the
lines), so new pieces keep appearing as in web text. The same base, seed, part count and repeats
give the same bytes (DIR/corpus/MANIFEST.json records them).

Every measurement is its own process (wall seconds, CPU seconds, peak RSS; the measured child
inherits this small driver's peak, about 30 MB, since Linux keeps it across fork and exec, which is
why the corpus is generated in another child); MB/s counts corpus bytes. Steps:
- count: `vocab count` of all parts with 1 and 2 threads under `--memory 2G` (spilling), and once
  with a budget large enough that nothing spills; the three counts files must be byte-identical.
  Beside it, `vocab pretokenize --threads 1` of one part (pieces to /dev/null), the front end alone.
- merge: each part counted alone, then `vocab count --merge` of the part counts; the merged file
  must equal the direct count.
- train: BPE 32k from the 10 GB counts, and from the first part's counts.
- peers (on the first part, 1 GB): `vocab train` directly, HuggingFace `train_from_iterator`
  (ByteLevel BPE, as in bpe-bench.py) and SentencePiece BPE with `input_sentence_size` 1,000,000
  (the usual advice) and 0 (its default: every line), each with a time limit.
- ray: `Distributed/ray/vocab_ray.py` with --num-cpus 1 and 2 over the parts; both outputs must
  equal the direct count.
Results are printed as a table and appended as JSON lines to bench-out/scale.jsonl.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "Scripts"))
from peers import ensure_venv, measured  # noqa: E402

PEERS = ["tokenizers==0.23.3", "sentencepiece==0.2.3"]
RAY = ["ray==2.60.0"]
RESULTS = []
OUT = os.path.join(ROOT, "bench-out", "scale.jsonl")


def record_result(record):
    """Keeps a result and appends it to bench-out/scale.jsonl at once (a later failure keeps it)."""
    RESULTS.append(record)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "a") as f:
        f.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **record}) + "\n")
    log(json.dumps(record))


def log(message):
    print(f"[scale-bench] {message}", file=sys.stderr, flush=True)


def run(argv, label, corpus_bytes=0, timeout=None, env=None, **extra):
    """Runs one measured process; records wall, CPU, peak RSS and MB/s, or that it timed out."""
    result = measured(argv, env=env, timeout=timeout)
    if result is None:
        record = {"step": label, "timed_out_after_s": timeout, **extra}
    else:
        wall, cpu, rss, _ = result
        record = {"step": label, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss), **extra}
        if corpus_bytes:
            record["mb_per_s"] = round(corpus_bytes / 1e6 / wall, 1)
    record_result(record)
    return record


def same(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        while True:
            p, q = x.read(1 << 20), y.read(1 << 20)
            if p != q:
                return False
            if not p:
                return True


def perturbed(lines, rng):
    """The lines with a number, a typo or a rare compound word inserted in about 30% of them."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for line in lines:
        r = rng.random()
        if line and r < 0.30:
            words = line.split(" ")
            i = rng.randrange(len(words))
            if r < 0.12:      # a number, as in prices, dates and ids
                words.insert(i, str(rng.randrange(10 ** rng.randint(3, 8))))
            elif r < 0.22:    # a typo: two letters swapped, or one replaced
                w = words[i]
                if len(w) > 3:
                    j = rng.randrange(len(w) - 1)
                    w = w[:j] + w[j + 1] + w[j] + w[j + 2:] if r < 0.17 else w[:j] + rng.choice(letters) + w[j + 1:]
                words[i] = w
            else:             # a rare compound or name
                words.insert(i, words[rng.randrange(len(words))].capitalize()
                             + "".join(rng.choice(letters) for _ in range(rng.randint(2, 5))))
            line = " ".join(words)
        yield line


def generate(base, folder, parts, repeats, seed):
    """Part k: the base lines `repeats` times, each time with other seeded perturbations;
    reproducible from (base, seed, parts' index, repeats). Written atomically."""
    os.makedirs(folder, exist_ok=True)
    manifest = os.path.join(folder, "MANIFEST.json")
    recipe = {"base": os.path.abspath(base), "base_bytes": os.path.getsize(base), "repeats": repeats, "seed": seed}
    if os.path.exists(manifest) and json.load(open(manifest)) != recipe:
        for name in os.listdir(folder):  # made another way: start again
            os.remove(os.path.join(folder, name))
    with open(manifest, "w") as f:
        json.dump(recipe, f)
    paths = [os.path.join(folder, f"part-{k:02d}.txt") for k in range(parts)]
    if all(os.path.exists(path) for path in paths):
        return paths
    with open(base, encoding="utf-8") as f:
        lines = f.read().split("\n")  # a final newline leaves one blank line between repeats
    paths = []
    for k in range(parts):
        path = os.path.join(folder, f"part-{k:02d}.txt")
        paths.append(path)
        if os.path.exists(path):
            continue
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for repeat in range(repeats):
                rng = random.Random((seed * 1_000_003 + k) * 1_009 + repeat)
                f.write("\n".join(perturbed(lines, rng)) + "\n")
        os.replace(tmp, path)
        log(f"generated {path} ({os.path.getsize(path) / 1e9:.2f} GB)")
    return paths


def pieces_in(counts):
    """Distinct pieces, from the counts file's trailer ("# end: pieces N occurrences M ...")."""
    with open(counts, "rb") as f:
        f.seek(max(0, os.path.getsize(counts) - 200))
        trailer = f.read().decode(errors="replace").strip().split("\n")[-1].split()
    return int(trailer[trailer.index("pieces") + 1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the ~100 MB English corpus")
    parser.add_argument("--work", required=True, help="folder for the corpus, counts and models")
    parser.add_argument("--parts", type=int, default=10, help="corpus files (default 10)")
    parser.add_argument("--repeats", type=int, default=10, help="copies of the base per part (10 of 100 MB: 1 GB parts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stages", default="count,merge,train,peers,ray",
                        help="what to measure; the corpus is generated first when a part is missing")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peer-timeout", type=int, default=1800, help="seconds before a peer's training is stopped")
    args = parser.parse_args()
    stages = set(args.stages.split(","))
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    # Generating holds the base corpus in this process; a child measured after that would report
    # it (Linux keeps the peak RSS across fork and exec), so the corpus is made in a child.
    folder = os.path.join(work, "corpus")
    if args.generate_only:
        generate(args.base, folder, args.parts, args.repeats, args.seed)
        return
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    log("building (release)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "vocab"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.abspath(__file__), "--generate-only", "--base", args.base, "--work", work,
                    "--parts", str(args.parts), "--repeats", str(args.repeats), "--seed", str(args.seed)], check=True)
    parts = [os.path.join(folder, f"part-{k:02d}.txt") for k in range(args.parts)]
    total = sum(os.path.getsize(p) for p in parts)
    first = parts[0]
    first_bytes = os.path.getsize(first)
    c = lambda name: os.path.join(work, name)
    meta = {"parts": len(parts), "corpus_gb": round(total / 1e9, 2)}

    if "count" in stages:
        run([vocab, "pretokenize", "--threads", "1", "--quiet", "-n", "none", "-p", "gpt2", first],
            "pretokenize the first part (count's front end: none, gpt2), 1 thread", first_bytes)
        run([vocab, "count", "--quiet", "--threads", "1", "--memory", "2G", *parts, "-o", c("all-t1.counts")],
            "count all, 1 thread, --memory 2G", total, **meta)
        run([vocab, "count", "--quiet", "--threads", "2", "--memory", "2G", *parts, "-o", c("all-t2.counts")],
            "count all, 2 threads, --memory 2G", total, **meta)
        run([vocab, "count", "--quiet", "--threads", "1", "--memory", "20G", *parts, "-o", c("all-inmemory.counts")],
            "count all, 1 thread, --memory 20G (no spill)", total, **meta)
        identical = same(c("all-t1.counts"), c("all-t2.counts")) and same(c("all-t1.counts"), c("all-inmemory.counts"))
        record_result({"step": "counts identical (1 thread, 2 threads, no spill)", "ok": identical,
                       "counts_mb": round(os.path.getsize(c("all-t1.counts")) / 1e6, 1), "pieces": pieces_in(c("all-t1.counts"))})

    if "merge" in stages:
        part_counts = []
        for k, p in enumerate(parts):
            out = c(f"part-{k:02d}.counts")
            run([vocab, "count", "--quiet", "--threads", "1", p, "-o", out], f"count part {k}, 1 thread", os.path.getsize(p))
            part_counts.append(out)
        counts_bytes = sum(os.path.getsize(p) for p in part_counts)
        run([vocab, "count", "--merge", "--quiet", *part_counts, "-o", c("all-merged.counts")],
            f"merge {len(part_counts)} part counts (MB/s: of counts read)", counts_bytes, counts_mb=round(counts_bytes / 1e6, 1))
        if os.path.exists(c("all-t1.counts")):
            record_result({"step": "merged counts equal the direct count", "ok": same(c("all-merged.counts"), c("all-t1.counts"))})

    if "train" in stages:
        if os.path.exists(c("all-t1.counts")):
            run([vocab, "train", "--quiet", "--from-counts", c("all-t1.counts"), "--vocab-size", "32000", "-o", c("bpe-all.json")],
                "BPE 32k from all parts' counts")
        if os.path.exists(c("part-00.counts")):
            run([vocab, "train", "--quiet", "--from-counts", c("part-00.counts"), "--vocab-size", "32000", "-o", c("bpe-part0-counts.json")],
                "BPE 32k from the first part's counts")

    if "peers" in stages:
        python = ensure_venv(os.path.join(ROOT, ".build", "bench-venv"), PEERS)
        run([vocab, "train", "--quiet", "--threads", "2", "--vocab-size", "32000", "--min-frequency", "2",
             "--special-token", "<|endoftext|>", first, "-o", c("bpe-part0.json")],
            f"{first_bytes / 1e9:.1f} GB (first part): vocab train BPE 32k, 2 threads", first_bytes, timeout=args.peer_timeout)
        hf = r"""
import sys
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
def lines():
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            yield line
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.train_from_iterator(lines(), trainers.BpeTrainer(vocab_size=32000, min_frequency=2, special_tokens=["<|endoftext|>"],
                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
tok.save(sys.argv[2])
"""
        run([python, "-c", hf, first, c("hf-part0.json")], f"{first_bytes / 1e9:.1f} GB (first part): HuggingFace train_from_iterator BPE 32k, 2 threads", first_bytes,
            timeout=args.peer_timeout, env={"RAYON_NUM_THREADS": "2"})
        sp = r"""
import sys, sentencepiece as spm
spm.SentencePieceTrainer.train(input=sys.argv[1], model_prefix=sys.argv[2], model_type="bpe", vocab_size=32000, num_threads=2,
    input_sentence_size=int(sys.argv[3]), shuffle_input_sentence=True, max_sentence_length=1 << 16, character_coverage=0.9995, minloglevel=2)
"""
        for sentences, label in [(1_000_000, "1,000,000 lines"), (0, "all lines (default)")]:
            run([python, "-c", sp, first, c(f"sp-part0-{sentences}"), str(sentences)],
                f"{first_bytes / 1e9:.1f} GB (first part): SentencePiece BPE 32k, input_sentence_size {label}, 2 threads", first_bytes, timeout=args.peer_timeout)

    if "ray" in stages:
        python = ensure_venv(os.path.join(ROOT, ".build", "ray-venv"), RAY)
        driver = os.path.join(ROOT, "Distributed", "ray", "vocab_ray.py")
        for cpus in (1, 2):
            out = c(f"ray-{cpus}.counts")
            run([python, driver, "--num-cpus", str(cpus), "--vocab", vocab, "--work-dir", c(f"ray-work-{cpus}"), *parts, "-o", out],
                f"Ray, {cpus} CPU(s), {len(parts)} parts (CPU and RSS: the driver process only)", total, **meta)
            if os.path.exists(c("all-t1.counts")):
                record_result({"step": f"Ray {cpus} CPU(s) counts equal the direct count", "ok": same(out, c("all-t1.counts"))})

    print("| step | wall s | CPU s | peak RSS MB | MB/s | notes |\n|---|---|---|---|---|---|")
    for r in RESULTS:
        notes = {k: v for k, v in r.items() if k not in ("step", "wall_s", "cpu_s", "peak_rss_mb", "mb_per_s")}
        print(f"| {r['step']} | {r.get('wall_s', '')} | {r.get('cpu_s', '')} | {r.get('peak_rss_mb', '')} | {r.get('mb_per_s', '')} | "
              f"{json.dumps(notes) if notes else ''} |")


if __name__ == "__main__":
    main()
