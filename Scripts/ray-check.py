#!/usr/bin/env python3
"""Scale-out smoke test: `Distributed/ray/vocab_ray.py` on a local Ray equals one machine.

Phases:
  1. A venv with Ray (.build/ray-venv); each run starts a local Ray with 2 CPUs (ray.init) and
     shuts it down, so no cluster outlives the check.
  2. `vocab count` on one machine over `Corpora/*.txt` plus edge-case files (an empty file, a
     blank one, one whose first shard is blank, CRLF, blank lines, no final newline; NUL bytes
     past the first 64 kB, which one machine does not check), then through Ray with 8 shards
     and a merge tree of fan-in 2, with 40 shards, with Unigram's front end, and pruned at the
     final merge: each byte-identical. A corpus with no pieces is refused by both.
  3. Faults: a worker that dies with its range half sent (Ray retries; still identical), a
     missing input, a binary input (the run fails, the other tasks are cancelled, nothing is
     left behind), a refused flag, and a truncated counts file refused by `vocab count --merge`.
  4. BPE trained from the Ray counts equals BPE trained on the text.
Ray is stopped (`ray stop --force`) and the scratch folder removed whatever the outcome.
Usage: python3 Scripts/ray-check.py --vocab .build/release/vocab
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import exit_cleanly_on_sigterm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVER = os.path.join(ROOT, "Distributed", "ray", "vocab_ray.py")


def venv() -> str:
    folder = os.path.join(ROOT, ".build", "ray-venv")
    python = os.path.join(folder, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", folder], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "ray==2.60.0"], check=True)
    return folder


def main() -> int:
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab", required=True)
    vocab = os.path.abspath(parser.parse_args().vocab)
    env_dir = venv()
    python, ray_cli = (os.path.join(env_dir, "bin", name) for name in ("python", "ray"))
    corpora = sorted(glob.glob(os.path.join(ROOT, "Corpora", "*.txt")))
    scratch = tempfile.mkdtemp(prefix="vocab-ray-check-")
    environment = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    failures = []

    def check(name, condition, detail=""):
        print(("ok   " if condition else "FAIL ") + name + (f": {detail}" if detail and not condition else ""))
        if not condition:
            failures.append(name)

    def driver(output, *flags, extra=(), env=None, inputs=None):
        started = time.time()
        run = subprocess.run([python, DRIVER, "--vocab", vocab, "--num-cpus", "2",
                              "-o", output, *flags, *(inputs or corpora), "--", *extra],
                             capture_output=True, text=True, env=env or environment)
        return run, time.time() - started

    def same(a, b):
        with open(a, "rb") as x, open(b, "rb") as y:
            return x.read() == y.read()

    try:
        # 2. Byte-identity.
        with open(os.path.join(ROOT, "Corpora", "en.txt"), "rb") as f:
            lines = f.read().split(b"\n")
        edge = os.path.join(scratch, "edge.txt")
        with open(edge, "wb") as f:  # CRLF, runs of blank lines, no final newline
            f.write(b"\r\n".join(line + (b"\n\n" if i % 97 == 0 else b"") for i, line in enumerate(lines)).rstrip(b"\r\n"))
        binary_tail = os.path.join(scratch, "binary-tail.txt")
        with open(binary_tail, "wb") as f:  # text, then lines with NUL bytes past the first 64 kB
            f.write(b"plain text line " * 64 + b"\n")
            f.write((b"plain text line " * 64 + b"\n") * 300 + (b"nul \x00 line " * 70 + b"\n") * 300)
        empty, blank, blank_start = (os.path.join(scratch, n) for n in ("empty.txt", "blank.txt", "blank-start.txt"))
        open(empty, "wb").close()  # no bytes: no range at all
        with open(blank, "wb") as f:  # blank lines only: no pieces under Unigram (no line breaks)
            f.write(b" \n\n\t\n" * 5000)
        with open(blank_start, "wb") as f:  # 3 MB of blank lines, then text: a blank first range
            f.write(b"\n" * 3_000_000 + b"text after the blank lines\n" * 100)
        corpora = corpora + [edge, binary_tail, empty, blank, blank_start]
        single = os.path.join(scratch, "single.counts")
        subprocess.run([vocab, "count", "--quiet", *corpora, "-o", single], check=True)
        for name, flags in [("8 shards, merge fan-in 2", ["--shards", "8", "--fan-in", "2"]),
                            ("40 shards", ["--shards", "40"])]:
            output = os.path.join(scratch, "ray.counts")
            run, seconds = driver(output, *flags)
            check(f"{name} equals one machine ({seconds:.1f} s)",
                  run.returncode == 0 and same(output, single), run.stderr[-2000:])
        for name, min_count in [("pruned at the final merge equals vocab count --min-count", "3"),
                                ("pruning that keeps nothing gives the empty counts one machine gives", "1000000000")]:
            pruned_single, pruned = (os.path.join(scratch, n) for n in ("pruned1.counts", "pruned.counts"))
            subprocess.run([vocab, "count", "--quiet", "--min-count", min_count, *corpora, "-o", pruned_single],
                           check=True, capture_output=True)
            run, _ = driver(pruned, "--shards", "8", "--min-count", min_count)
            check(name, run.returncode == 0 and same(pruned, pruned_single), run.stderr[-2000:])
        unigram_single = os.path.join(scratch, "unigram-single.counts")
        subprocess.run([vocab, "count", "--quiet", "--algorithm", "unigram", *corpora, "-o",
                        unigram_single], check=True)
        output = os.path.join(scratch, "unigram-ray.counts")
        run, _ = driver(output, "--shards", "8", extra=["--algorithm", "unigram"])
        check("Unigram front end, 8 shards, equals one machine",
              run.returncode == 0 and same(output, unigram_single), run.stderr[-2000:])

        # A blank corpus is refused as on one machine, with nothing written.
        blank_only = os.path.join(scratch, "blank-only.counts")
        alone = subprocess.run([vocab, "count", "--quiet", "--algorithm", "unigram", empty, blank, "-o", blank_only],
                               capture_output=True, text=True)
        whole, _ = driver(blank_only, "--shards", "1", inputs=[empty, blank], extra=["--algorithm", "unigram"])
        ranges, _ = driver(blank_only, "--shards", "4", inputs=[empty, blank], extra=["--algorithm", "unigram"])
        check("a corpus with no pieces is refused, as on one machine, and writes nothing",
              alone.returncode != 0 and all(r.returncode != 0 and "no text to count" in r.stderr for r in (whole, ranges))
              and not os.path.exists(blank_only), whole.stderr[-1000:] + ranges.stderr[-1000:] + alone.stderr)

        # 3. Faults.
        marker = os.path.join(scratch, "die-once")
        os.mkdir(marker)
        output = os.path.join(scratch, "retried.counts")
        run, _ = driver(output, "--shards", "4", env=dict(environment, VOCAB_RAY_TEST_DIE_ONCE=marker))
        check("a worker dying with its range half sent is retried and the counts are still exact",
              run.returncode == 0 and os.path.exists(os.path.join(marker, "died"))
              and same(output, single), run.stderr[-2000:])
        output = os.path.join(scratch, "missing.counts")
        run, _ = driver(output, inputs=corpora + [os.path.join(scratch, "no-such-shard.txt")])
        check("a missing input is a clear error and writes nothing",
              run.returncode != 0 and "no-such-shard.txt is missing" in run.stderr
              and not os.path.exists(output), run.stderr[-2000:])
        binary = os.path.join(scratch, "binary.txt")
        with open(binary, "wb") as f:
            f.write(b"\x00\x01\x02 binary\n" * 300_000)
        run, _ = driver(output, "--shards", "8", inputs=corpora + [binary])
        leftovers = [name for name in os.listdir(scratch) if name.startswith(".")]
        check("a failing task fails the run, with its message, and leaves nothing behind",
              run.returncode != 0 and "does not look like text" in run.stderr
              and not os.path.exists(output) and not leftovers, run.stderr[-2000:] + str(leftovers))
        run, _ = driver(output, extra=["--max-lines", "100"])
        check("a flag that would make shards disagree is refused",
              run.returncode != 0 and "--max-lines after '--'" in run.stderr, run.stderr[-2000:])
        corrupt = os.path.join(scratch, "corrupt.counts")
        with open(single, "rb") as source, open(corrupt, "wb") as target:
            target.write(source.read()[: os.path.getsize(single) // 2])
        run = subprocess.run([vocab, "count", "--quiet", "--merge", single, corrupt, "-o", output],
                             capture_output=True, text=True)
        check("vocab count --merge refuses a truncated counts file",
              run.returncode != 0 and not os.path.exists(output), run.stderr)
        leftovers = [name for name in os.listdir(scratch) if name.startswith(".")]
        check("no partial or temporary files are left behind", not leftovers, str(leftovers))

        # 4. Training from the global counts.
        ray_counts = os.path.join(scratch, "ray.counts")
        from_counts, from_text = (os.path.join(scratch, name) for name in ("c.json", "t.json"))
        trained = [subprocess.run([vocab, "train", "--quiet", "--vocab-size", "4000", *source,
                                   "-o", target], capture_output=True, text=True).returncode == 0
                   for source, target in [(["--from-counts", ray_counts], from_counts),
                                          (corpora, from_text)]]
        check("BPE from the Ray counts equals BPE from the text",
              all(trained) and same(from_counts, from_text))
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, env=environment)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(failures)} failures" if failures else "Ray scale-out check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
