#!/usr/bin/env python3
"""Count a corpus across a Ray cluster with the `vocab` binary, exactly as one machine would.

The driver plans shards, the workers run `vocab count`, the merges run `vocab count --merge`;
nothing of counting or merging is reimplemented here. The global counts file is byte-identical
to `vocab count FILES... -o OUT` on one machine, whatever the number of shards and workers,
because counts are exact and the counts format is sorted and sums cleanly.

Phases:
  1. Plan: expand globs (sorted), split every file at line ends into byte ranges of about
     total/shards bytes. A range never crosses a file (a file's last line may lack its newline).
  2. Count: one Ray task per range runs `vocab count` on the file when the range is a whole
     file; otherwise it streams the slice into `vocab count -` and checks that the counts
     file's header counted exactly the slice's bytes and lines. Each attempt writes its own file, so a
     retried task (a worker that died mid-shard) never mixes with the orphan of a dead attempt.
  3. Merge: a tree of `vocab count --merge` tasks, --fan-in files each. Each shard may be
     blank, the corpus may not: before the final merge, the last level's trailers must show
     pieces. The final merge (pruned with --min-count or --max-pieces) is written beside the
     output and renamed onto it. The work directory is removed whatever the outcome; a driver
     killed during the final merge can leave a hidden `.NAME.<hex>.tmp` beside the output.

Every path must be visible to every node (shared storage), and `--vocab` must run on every node.
Usage: python vocab_ray.py --vocab /shared/bin/vocab -o /shared/all.counts '/shared/text/*.txt'
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid

import ray

CHUNK = 1 << 20

# vocab count flags that would make shards disagree with one machine, or that the driver owns.
REFUSED = {
    "--max-lines": "samples each shard apart; sample the files before counting",
    "--seed": "only matters with --max-lines, which is refused",
    "--min-count": "would prune each shard; use the driver's --min-count (final merge only)",
    "--max-pieces": "would prune each shard; use the driver's --max-pieces (final merge only)",
    "--merge": "is the driver's own step",
    "--part-of-larger-file": "is the driver's own, for ranges past a file's start",
    "--may-be-empty": "is the driver's own: every shard may be blank, the merged counts may not",
    "-o": "is the driver's own; use its -o",
    "--output": "is the driver's own; use its -o",
}


class CountingError(RuntimeError):
    """A shard or merge failed for a reason a retry cannot fix (bad input, bad flags, full disk)."""


# 1. Plan -------------------------------------------------------------------------------------

def expand_inputs(patterns: list[str]) -> list[str]:
    """Globs and plain paths, each glob sorted; a pattern that matches nothing is an error."""
    files: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise CountingError(f"no file matches {pattern!r}; check the path on shared storage")
        for path in matches:
            if not os.path.isfile(path):
                raise CountingError(f"{path} is missing or not a regular file")
            if not os.access(path, os.R_OK):
                raise CountingError(f"{path} is not readable; check its permissions")
            files.append(os.path.abspath(path))
    return files


def line_end_after(path: str, offset: int, size: int) -> int:
    """The offset just past the first newline at or after `offset` (or the file's end)."""
    with open(path, "rb") as f:
        f.seek(offset)
        position = offset
        while position < size:
            block = f.read(CHUNK)
            if not block:
                return size
            newline = block.find(b"\n")
            if newline >= 0:
                return position + newline + 1
            position += len(block)
    return size


def plan_ranges(files: list[str], shards: int) -> list[tuple[str, int, int]]:
    """Line-aligned (path, start, end) ranges of about total/shards bytes, in input order."""
    sizes = [os.path.getsize(path) for path in files]
    total = sum(sizes)
    if total == 0:
        raise CountingError("the inputs hold no text to count (every file is empty)")
    target = max(1, -(-total // max(1, shards)))
    ranges = []
    for path, size in zip(files, sizes):
        start = 0
        while start < size:
            end = size if size - start <= target else line_end_after(path, start + target, size)
            ranges.append((path, start, end))
            start = end
    return ranges


# 2. Count ------------------------------------------------------------------------------------

def die_with_parent() -> None:
    """Linux: the `vocab` child gets SIGKILL when its worker dies, so no orphan outlives it."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_vocab(arguments: list[str], stdin=None) -> subprocess.Popen:
    return subprocess.Popen(arguments, stdin=stdin, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=die_with_parent)


def header_value(counts_path: str, key: str) -> str:
    with open(counts_path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if not line.startswith("# "):
                break
            name, _, value = line[2:].partition(": ")
            if name == key:
                return value
    raise CountingError(f"{counts_path} has no '{key}' header line")


def trailer_pieces(counts_path: str) -> int:
    """The number of pieces in a counts file's trailer ("# end: pieces N occurrences M ...")."""
    with open(counts_path, "rb") as f:
        f.seek(max(0, os.path.getsize(counts_path) - 256))
        words = f.read().decode("utf-8", "replace").strip().split("\n")[-1].split()
    if len(words) < 4 or words[:3] != ["#", "end:", "pieces"] or not words[3].isdigit():
        raise CountingError(f"{counts_path} has no trailer; it is not a complete counts file")
    return int(words[3])


def hidden_sibling(path: str) -> str:
    """A hidden, unique name beside `path` (same file system) to write to and then rename."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")


def finish(child: subprocess.Popen, what: str) -> None:
    """Waits for a `vocab` child and raises with its message if it failed."""
    error = child.stderr.read().decode("utf-8", "replace").strip()
    if child.wait() != 0:
        raise CountingError(f"{what} failed: {error}")


def default_flags(flags: list[str]) -> list[str]:
    """One thread and this node's memory per CPU, unless the user set them: Ray runs one task
    per CPU, and `vocab`'s own defaults (every core, a quarter of memory) would oversubscribe."""
    extra = []
    if not any(flag == "--threads" or flag.startswith("--threads=") for flag in flags):
        extra += ["--threads", "1"]
    if not any(flag == "--memory" or flag.startswith("--memory=") for flag in flags):
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        extra += ["--memory", f"{max(64, memory // (os.cpu_count() or 1) // 2 // (1 << 20))}M"]
    return extra + flags


@ray.remote(max_retries=3)
def count_range(vocab: str, flags: list[str], path: str, start: int, end: int,
                work_dir: str, index: int) -> str:
    """Counts bytes [start, end) of `path` into a fresh counts file and returns its path."""
    output = os.path.join(work_dir, f"shard-{index:06d}-{uuid.uuid4().hex}.counts")
    flags = default_flags(flags)
    fault = os.environ.get("VOCAB_RAY_TEST_DIE_ONCE")  # test hook: die mid-shard, once
    if start == 0 and end == os.path.getsize(path) and not fault:
        # A whole file: `vocab` reads it itself, with no copy through this process.
        finish(run_vocab([vocab, "count", "--quiet", "--may-be-empty", *flags, path, "-o", output]),
               f"vocab count on {path}")
        return output
    # A range past a file's start continues a file whose start another task checks.
    part = ["--part-of-larger-file"] if start > 0 else []
    child = run_vocab([vocab, "count", "--quiet", "--may-be-empty", *flags, *part, "-", "-o", output],
                      stdin=subprocess.PIPE)
    try:
        with open(path, "rb") as f:
            f.seek(start)
            remaining, newlines, last = end - start, 0, b""
            while remaining > 0:
                block = f.read(min(CHUNK, remaining))
                if not block:
                    raise CountingError(f"{path} shrank while it was read (expected {end} bytes)")
                child.stdin.write(block)
                remaining -= len(block)
                newlines += block.count(b"\n")
                last = block[-1:]
                if fault and remaining > 0:
                    try:  # the first task to get here dies with its range half sent
                        os.close(os.open(os.path.join(fault, "died"), os.O_CREAT | os.O_EXCL))
                        os._exit(1)
                    except FileExistsError:
                        pass
        child.stdin.close()
    except BrokenPipeError:
        pass  # `vocab` stopped reading: its own message follows
    except BaseException:
        child.kill()  # never let a child count a partial range
        child.wait()
        raise
    finish(child, f"vocab count on {path} bytes {start}-{end}")
    # The header counts line bytes without their newlines, and a last line without one.
    expected = (end - start - newlines, newlines + (last != b"\n"))
    counted = (int(header_value(output, "bytes")), int(header_value(output, "lines")))
    if counted != expected:
        raise CountingError(f"{output} counted {counted[0]} bytes in {counted[1]} lines of a shard "
                            f"with {expected[0]} in {expected[1]}; the shard was not read whole")
    return output


# 3. Merge ------------------------------------------------------------------------------------

@ray.remote(max_retries=3)
def merge_files(vocab: str, inputs: list[str], output: str | None, work_dir: str,
                pruning: list[str]) -> str:
    """Merges counts files (checked by `vocab`) into `output` or a fresh file in `work_dir`;
    `pruning` (--min-count, --max-pieces) is given to the final merge only."""
    target = output or os.path.join(work_dir, f"merge-{uuid.uuid4().hex}.counts")
    finish(run_vocab([vocab, "count", "--quiet", "--merge", *pruning, *inputs, "-o", target]),
           "vocab count --merge")
    return target


def gather(references: list) -> list:
    """`ray.get`, except that a failure first cancels the other tasks and waits for them, so no
    `vocab` is still writing into the work folder when it is removed."""
    try:
        return ray.get(references)
    except BaseException:
        for reference in references:
            ray.cancel(reference, force=True)
        ray.wait(references, num_returns=len(references), timeout=60)
        raise


def count(vocab: str, patterns: list[str], output: str, shards: int, fan_in: int,
          flags: list[str], pruning: list[str], work_dir: str | None) -> int:
    """Runs the three phases and returns the number of count tasks."""
    files = expand_inputs(patterns)
    ranges = plan_ranges(files, shards)
    parent = work_dir or os.path.dirname(os.path.abspath(output))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".vocab-ray-", dir=parent)
    try:
        level = gather([count_range.remote(vocab, flags, path, start, end, work, index)
                        for index, (path, start, end) in enumerate(ranges)])
        while len(level) > fan_in:
            groups = [level[i:i + fan_in] for i in range(0, len(level), fan_in)]
            level = gather([merge_files.remote(vocab, group, None, work, []) for group in groups])
        # The final merge goes beside the output and replaces it only if the corpus had pieces
        # (a blank shard is fine, a blank corpus is refused, as on one machine).
        # Each shard may be blank, the corpus may not: the last level's trailers say whether the
        # merge will hold pieces (before any pruning), as one machine checks. The final merge
        # goes beside the output and is renamed onto it.
        if all(trailer_pieces(path) == 0 for path in level):
            raise CountingError(f"the corpus has no text to count ({', '.join(files)})")
        staged = hidden_sibling(os.path.abspath(output))
        try:
            gather([merge_files.remote(vocab, level, staged, work, pruning)])
            os.replace(staged, output)
        finally:
            if os.path.exists(staged):
                os.remove(staged)
        return len(ranges)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="vocab count across a Ray cluster; extra flags after '--' go to vocab count "
                    "(e.g. -- --algorithm unigram --memory 2G).")
    parser.add_argument("inputs", nargs="+", help="corpus files or quoted globs on shared storage")
    parser.add_argument("-o", "--output", required=True, help="the global counts file")
    parser.add_argument("--vocab", required=True, help="the vocab binary, at this path on every node")
    parser.add_argument("--address", default=None,
                        help="Ray cluster address (default: RAY_ADDRESS, else a local Ray)")
    parser.add_argument("--num-cpus", type=int, default=None,
                        help="CPUs of the local Ray started when there is no cluster address")
    parser.add_argument("--shards", type=int, default=0,
                        help="about this many line-aligned byte ranges to count, one task each; a "
                             "file's end always ends one (default: 4 per CPU in the cluster)")
    parser.add_argument("--fan-in", type=int, default=16, help="counts files per merge task")
    parser.add_argument("--min-count", default=None,
                        help="prune the global counts (vocab count --min-count, final merge only)")
    parser.add_argument("--max-pieces", default=None,
                        help="prune the global counts (vocab count --max-pieces, final merge only)")
    parser.add_argument("--work-dir", default=None,
                        help="shared folder for partial counts, created if missing (default: next to the output)")
    split = argv.index("--") if "--" in argv else len(argv)
    arguments, extra = parser.parse_args(argv[:split]), argv[split + 1:]
    if arguments.fan_in < 2:
        parser.error("--fan-in must be at least 2")
    for flag in extra:
        name = flag.split("=", 1)[0]
        if name in REFUSED:
            parser.error(f"{name} after '--' {REFUSED[name]}")
    pruning = [flag for name, value in [("--min-count", arguments.min_count),
                                        ("--max-pieces", arguments.max_pieces)]
               if value is not None for flag in (name, value)]
    arguments.vocab = os.path.abspath(arguments.vocab)
    if not (os.path.isfile(arguments.vocab) and os.access(arguments.vocab, os.X_OK)):
        parser.error(f"{arguments.vocab} is not an executable vocab binary")
    hook = os.environ.get("VOCAB_RAY_TEST_DIE_ONCE")
    ray.init(address=arguments.address, logging_level="ERROR", log_to_driver=False,
             num_cpus=None if arguments.address else arguments.num_cpus,
             runtime_env={"env_vars": {"VOCAB_RAY_TEST_DIE_ONCE": hook}} if hook else None)
    try:
        shards = arguments.shards or 4 * int(ray.cluster_resources().get("CPU", 1))
        tasks = count(arguments.vocab, arguments.inputs, arguments.output, shards,
                      arguments.fan_in, extra, pruning, arguments.work_dir)
        print(f"counted {tasks} line-aligned ranges, wrote {arguments.output}", file=sys.stderr)
        return 0
    except (CountingError, ray.exceptions.RayError, OSError) as error:
        cause = error.cause if isinstance(error, ray.exceptions.RayTaskError) else error
        print(f"error: {cause}", file=sys.stderr)
        return 1
    finally:
        ray.shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
