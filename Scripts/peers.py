"""Shared by the cross-check and benchmark scripts: the published split patterns and the venv
with pinned peer libraries (each script names the packages it needs)."""
import os
import signal
import subprocess
import sys

# tiktoken's patterns (r50k/p50k, cl100k, o200k) and Llama 3's, as published.
PATTERNS = {
    "gpt2": r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""",
    "cl100k": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+""",
    ]),
    "llama3": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}


def ensure_venv(venv, packages):
    """The venv's python, creating the venv with `packages` (pinned) on first use."""
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        print(f"creating {venv} with {' '.join(packages)}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *packages], check=True)
    return python


def measured(argv, env=None, timeout=None):
    """Runs a child process; returns (wall s, CPU s of all its threads, peak RSS MB, stdout), or
    None when it ran past `timeout` seconds (it is then killed). Output goes to temporary files,
    so a chatty child never blocks on a full pipe."""
    import tempfile
    import time
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, stdout=out, stderr=errors, env={**os.environ, **(env or {})})
        pid = 0
        while timeout is not None and not pid:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if not pid and time.perf_counter() - start > timeout:
                process.kill()
                os.wait4(process.pid, 0)
                return None
            time.sleep(0.05)
        if not pid:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{argv[0]} failed: {errors.read().decode(errors='replace')[-2000:]}")
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def exit_cleanly_on_sigterm():
    """Makes SIGTERM end the script as Ctrl-C does, through `finally` and `with` blocks and
    atexit handlers, so its temporary folders are removed and services it started are stopped
    when a job runner or CI stops it (Python's default for SIGTERM ends at once, running none)."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
