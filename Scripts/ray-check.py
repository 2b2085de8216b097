#!/usr/bin/env python3
"""Scale-out smoke test: `Distributed/ray/vocab_ray.py` on a local Ray equals one machine.

Phases:
  1. A venv with Ray (.build/ray-venv); each run starts a local Ray with 2 CPUs (ray.init) and
     shuts it down, so no cluster outlives the check.
  2. `vocab count Corpora/*.txt` on one machine, then through Ray with 8 shards and a merge tree
     of fan-in 2, with 3 shards, and with Unigram's front end: each byte-identical.
  3. Faults: a worker that dies mid-shard (Ray retries; still identical), a missing shard (clear
     error, no output), a corrupt partial counts file (refused by the merge).
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
        single = os.path.join(scratch, "single.counts")
        subprocess.run([vocab, "count", "--quiet", *corpora, "-o", single], check=True)
        for name, flags in [("8 shards, merge fan-in 2", ["--shards", "8", "--fan-in", "2"]),
                            ("3 shards", ["--shards", "3"])]:
            output = os.path.join(scratch, "ray.counts")
            run, seconds = driver(output, *flags)
            check(f"{name} equals one machine ({seconds:.1f} s)",
                  run.returncode == 0 and same(output, single), run.stderr[-2000:])
        unigram_single = os.path.join(scratch, "unigram-single.counts")
        subprocess.run([vocab, "count", "--quiet", "--algorithm", "unigram", *corpora, "-o",
                        unigram_single], check=True)
        output = os.path.join(scratch, "unigram-ray.counts")
        run, _ = driver(output, "--shards", "8", extra=["--algorithm", "unigram"])
        check("Unigram front end, 8 shards, equals one machine",
              run.returncode == 0 and same(output, unigram_single), run.stderr[-2000:])

        # 3. Faults.
        marker = os.path.join(scratch, "die-once")
        os.mkdir(marker)
        output = os.path.join(scratch, "retried.counts")
        run, _ = driver(output, "--shards", "8", env=dict(environment, VOCAB_RAY_TEST_DIE_ONCE=marker))
        check("a worker dying mid-shard is retried and the counts are still exact",
              run.returncode == 0 and os.path.exists(os.path.join(marker, "died"))
              and same(output, single), run.stderr[-2000:])
        output = os.path.join(scratch, "missing.counts")
        run, _ = driver(output, inputs=corpora + [os.path.join(scratch, "no-such-shard.txt")])
        check("a missing shard is a clear error and writes nothing",
              run.returncode != 0 and "no-such-shard.txt is missing" in run.stderr
              and not os.path.exists(output), run.stderr[-2000:])
        corrupt = os.path.join(scratch, "corrupt.counts")
        with open(single, "rb") as source, open(corrupt, "wb") as target:
            target.write(source.read()[: os.path.getsize(single) // 2])
        run = subprocess.run([vocab, "count", "--quiet", "--merge", single, corrupt, "-o", output],
                             capture_output=True, text=True)
        check("a truncated partial counts file is refused by the merge",
              run.returncode != 0 and not os.path.exists(output), run.stderr)
        leftovers = [name for name in os.listdir(scratch) if name.startswith(".vocab-ray-")]
        check("no partial files are left behind", not leftovers, str(leftovers))

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
