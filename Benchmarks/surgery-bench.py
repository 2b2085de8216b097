#!/usr/bin/env python3
"""Vocabulary surgery against its baselines: held-out tokens per word and bytes per token.

    python3 Benchmarks/surgery-bench.py [--algorithms bpe,wordpiece,unigram] [--base-lines 6000]

For each algorithm: a base vocabulary of --base-size tokens trained on the first --base-lines
lines of Corpora/en.txt; `vocab extend` with the first 8,000 lines of Corpora/code-python.txt
(to base + 600) and with the first 3,000 lines of Corpora/hi.txt (to base + 1,000); the same
sizes trained from scratch on English plus the new corpus; `vocab cut` to half the base and the
same size trained directly; `vocab prune --by usage` and `--by residue` (BPE) to 60% of the base,
measured on the base's training text. Held out: the last 800 lines of code, the last 500 of Hindi,
the last 2,000 of English (none of them in any training slice). Each row gives the command that
made it, held-out tokens, tokens per word (whitespace-separated words), bytes per token, unknown
tokens (a WordPiece word with a character it lacks is one [UNK]), lines that got longer than under the base, and the command's peak RSS. Results depend only on the
corpora in the repository.
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
from peers import exit_cleanly_on_sigterm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = os.path.join(ROOT, "Corpora")


def lines_of(name):
    return open(os.path.join(CORPORA, f"{name}.txt"), encoding="utf-8").read().split("\n")[:-1]


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def run(vocab, args):
    """Runs vocab; returns (seconds, this child's peak RSS in MB, from wait4)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([vocab, *args], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            sys.exit(f"vocab {' '.join(args)} failed: {err.read().decode(errors='replace').strip()}")
    return seconds, usage.ru_maxrss / 1024


def encodings(vocab, tokenizer, path):
    out = subprocess.run([vocab, "encode", "-t", tokenizer, "--no-special-tokens", "--format", "jsonl", path],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    return [json.loads(line) for line in out if line]


def unknown_id(tokenizer):
    """The id of the model's unknown token in a tokenizer.json, or None."""
    model = json.load(open(tokenizer, encoding="utf-8"))["model"]
    if model.get("type") == "Unigram":
        return model.get("unk_id")
    unk = model.get("unk_token")
    vocab = model.get("vocab")
    return vocab.get(unk) if unk is not None and isinstance(vocab, dict) else None


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--algorithms", default="bpe,wordpiece,unigram")
    p.add_argument("--base-lines", type=int, default=6000)
    p.add_argument("--base-size", type=int, default=2000)
    p.add_argument("--vocab", default=os.path.join(ROOT, ".build", "release", "vocab"))
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="surgery-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    en, code, hi = lines_of("en"), lines_of("code-python"), lines_of("hi")
    files = {
        "en-train": en[:a.base_lines], "code-train": code[:8000], "hi-train": hi[:3000],
        "en-held": en[-2000:], "code-held": code[-800:], "hi-held": hi[-500:],
    }
    for name, content in files.items():
        write(os.path.join(work, f"{name}.txt"), content)
    f = lambda name: os.path.join(work, f"{name}.txt")
    held = {"English": "en-held", "Python": "code-held", "Hindi": "hi-held"}
    stats = {k: (sum(len(l.split()) for l in files[v]), sum(len(l.encode()) for l in files[v])) for k, v in held.items()}
    print(f"held out: " + ", ".join(f"{k} {w:,} words, {b:,} bytes" for k, (w, b) in stats.items()))
    print("| algorithm | vocabulary | command | held-out | tokens | tokens/word | bytes/token | unknown tokens | lines longer than base | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    size = a.base_size
    for algorithm in a.algorithms.split(","):
        out = lambda label: os.path.join(work, f"{algorithm}-{label}.json")
        base = out("base")
        rows = [("base", f"vocab train --algorithm {algorithm} --vocab-size {size} en-train.txt",
                 ["train", "--quiet", "--algorithm", algorithm, "--vocab-size", str(size), f("en-train"), "-o", base],
                 base, list(held))]
        for domain, corpus, grow in (("Python", "code-train", 600), ("Hindi", "hi-train", 1000)):
            ext, scratch = out(f"extend-{corpus}"), out(f"scratch-{corpus}")
            rows.append((f"extended with {domain}", f"vocab extend -t base --vocab-size {size + grow} {corpus}.txt",
                         ["extend", "--quiet", "-t", base, "--vocab-size", str(size + grow), f(corpus), "-o", ext],
                         ext, ["English", domain]))
            rows.append((f"trained on English + {domain}", f"vocab train --algorithm {algorithm} --vocab-size {size + grow} en-train.txt {corpus}.txt",
                         ["train", "--quiet", "--algorithm", algorithm, "--vocab-size", str(size + grow), f("en-train"), f(corpus), "-o", scratch],
                         scratch, ["English", domain]))
        half = size // 2
        rows.append((f"cut to {half}", f"vocab cut -t base --vocab-size {half}",
                     ["cut", "--quiet", "-t", base, "--vocab-size", str(half), "-o", out("cut")], out("cut"), ["English"]))
        rows.append((f"trained at {half}", f"vocab train --algorithm {algorithm} --vocab-size {half} en-train.txt",
                     ["train", "--quiet", "--algorithm", algorithm, "--vocab-size", str(half), f("en-train"), "-o", out("small")],
                     out("small"), ["English"]))
        pruned = int(size * 0.6)
        for by in (("usage", "residue") if algorithm == "bpe" else ("usage",)):
            rows.append((f"pruned by {by} to {pruned}", f"vocab prune -t base --to {pruned} --by {by} en-train.txt",
                         ["prune", "--quiet", "-t", base, "--to", str(pruned), "--by", by, f("en-train"), "-o", out(f"prune-{by}")],
                         out(f"prune-{by}"), ["English"]))
        base_counts = {}
        for label, command, args, tokenizer, targets in rows:
            seconds, peak = run(a.vocab, args)
            for target in targets:
                ids = encodings(a.vocab, tokenizer, f(held[target]))
                counts = [len(line) for line in ids]
                unk = unknown_id(tokenizer)
                unknown = sum(line.count(unk) for line in ids) if unk is not None else 0
                if label == "base":
                    base_counts[target] = counts
                longer = "" if label == "base" else str(sum(1 for x, y in zip(counts, base_counts[target]) if x > y))
                tokens = sum(counts)
                words, nbytes = stats[target]
                change = "" if label == "base" else f" ({100 * (tokens / sum(base_counts[target]) - 1):+.1f}%)"
                rss = f"{peak:.0f}"
                print(f"| {algorithm} | {label} | `{command}` | {target} | {tokens:,}{change} | {tokens / words:.3f} | {nbytes / tokens:.3f} | {unknown:,} | {longer} | {rss} |", flush=True)


if __name__ == "__main__":
    main()
