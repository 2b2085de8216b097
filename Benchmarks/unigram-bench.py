#!/usr/bin/env python3
"""Unigram benchmark: VocabKit vs SentencePiece and HuggingFace tokenizers, side by side.

    python3 Benchmarks/unigram-bench.py --corpus LABEL=FILE [...] [--sizes 8000,32000] [--threads 2]
                                        [--peers spm,hf] [--heldout-lines 2000]

For each corpus, the last --heldout-lines lines are held out and the rest is the training file.
Training (each in its own process, same thread count): `vocab train --algorithm unigram` (writes a
SentencePiece .model), SentencePiece's unigram trainer with the same size and character coverage
(0.9995; `max_sentence_length` raised so no line is skipped), and HuggingFace's UnigramTrainer
(Metaspace pre-tokenizer, NFKC), each reporting wall and CPU seconds and peak RSS. Quality on the
held-out lines: tokens per whitespace word, tokens per character and the log probability per
character of the best segmentation (each model's own scores).

Encoding: the training file's first lines up to ~10 MB, with VocabKit
(`vocab-bench encode:MODEL@T`, batch) against `SentencePieceProcessor.encode(lines, num_threads=T)`
on the same .model file (VocabKit's own), MB/s and peak RSS. Results are appended as JSON lines to
bench-out/unigram.jsonl.

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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import ensure_venv, exit_cleanly_on_sigterm, measured  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["tokenizers==0.23.3", "sentencepiece==0.2.3"]


def log(message):
    print(f"[unigram-bench] {message}", file=sys.stderr, flush=True)


CHILD_TRAIN = r"""
import sys
lib, corpus, vocab, threads, out = sys.argv[1:6]
vocab, threads = int(vocab), int(threads)
if lib == "hf":
    from tokenizers import Tokenizer, models, pre_tokenizers, normalizers, trainers, decoders
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train([corpus], trainers.UnigramTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>"],
              unk_token="<unk>", show_progress=False))
    tok.save(out)
else:
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=out, model_type="unigram", vocab_size=vocab,
        num_threads=threads, max_sentence_length=1 << 16, input_sentence_size=0, character_coverage=0.9995,
        minloglevel=2)
"""

CHILD_QUALITY = r"""
import sys, json
kind, path, heldout = sys.argv[1:4]
lines = [l for l in open(heldout, encoding="utf-8").read().split("\n") if l.strip()]
if kind == "model":
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=path)
    ids = sp.encode(lines)
    score = lambda i: sp.get_score(i)
else:
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    vocab = json.load(open(path))["model"]["vocab"]
    ids = [e.ids for e in tok.encode_batch(lines, add_special_tokens=False)]
    score = lambda i: vocab[i][1]
tokens = sum(len(x) for x in ids)
words = sum(len(l.split()) for l in lines)
chars = sum(len(l) for l in lines)
logprob = sum(score(i) for x in ids for i in x)
print(json.dumps({"tokens_per_word": tokens / words, "tokens_per_char": tokens / chars, "logprob_per_char": logprob / chars}))
"""

CHILD_ENCODE = r"""
import sys, time, json, gc
import sentencepiece as spm
model, corpus, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [l for l in open(corpus, encoding="utf-8").read().split("\n") if l]
nbytes = sum(len(l.encode("utf-8")) for l in lines)
sp = spm.SentencePieceProcessor(model_file=model)
run = lambda: sp.encode(lines, num_threads=threads)
gc.disable()
run()
spent, fastest = 0.0, float("inf")
while spent < 3.0:
    t = time.perf_counter(); run(); e = time.perf_counter() - t
    spent += e; fastest = min(fastest, e)
print(json.dumps({"mb_per_s": nbytes / 1e6 / fastest, "bytes": nbytes}))
"""


def main():
    exit_cleanly_on_sigterm()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", action="append", required=True, help="LABEL=FILE")
    p.add_argument("--sizes", default="8000,32000")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--encode-threads", default="1,2")
    p.add_argument("--peers", default="spm,hf")
    p.add_argument("--heldout-lines", type=int, default=2000)
    p.add_argument("--venv", default=os.path.join(ROOT, ".venv-bench"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench-out", "unigram.jsonl"))
    a = p.parse_args()
    python = ensure_venv(a.venv, PINNED)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    work = tempfile.mkdtemp(prefix="unigram-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    log("swift build -c release")
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    vocab = os.path.join(ROOT, ".build", "release", "vocab")
    bench = os.path.join(ROOT, ".build", "release", "vocab-bench")
    peers = [x for x in a.peers.split(",") if x]
    names = {"vocabkit": "VocabKit", "spm": "sentencepiece", "hf": "tokenizers"}
    results = open(a.out, "a")
    for spec in a.corpus:
        label, path = spec.split("=", 1)
        # 1. Split off the held-out lines (streamed: the parent never holds the corpus).
        total = sum(1 for _ in open(path, encoding="utf-8"))
        train, heldout, sample = (os.path.join(work, f"{label}-{x}.txt") for x in ("train", "heldout", "encode"))
        with open(path, encoding="utf-8") as f, open(train, "w", encoding="utf-8") as t, open(heldout, "w", encoding="utf-8") as h:
            for index, line in enumerate(f):
                (h if index >= total - a.heldout_lines else t).write(line)
        with open(train, encoding="utf-8") as f, open(sample, "w", encoding="utf-8") as s:
            written = 0
            for line in f:
                if written > 10_000_000: break
                s.write(line); written += len(line.encode("utf-8"))
        print(f"\n{label}: {os.path.getsize(train) / 1e6:.1f} MB training, {a.heldout_lines} held-out lines, {a.threads} threads")
        print(f"{'size':>6} {'library':14} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'vs VocabKit':>11} {'tok/word':>9} {'tok/char':>9} {'logp/char':>9}")
        for size in [int(s) for s in a.sizes.split(",")]:
            row = {}
            model = os.path.join(work, f"{label}-{size}-vocabkit.model")
            log(f"{label} {size}: train vocabkit")
            row["vocabkit"] = (measured([vocab, "train", "--quiet", "--algorithm", "unigram", "--threads", str(a.threads),
                                         "--vocab-size", str(size), train, "-o", model]), "model", model)
            for lib in peers:
                log(f"{label} {size}: train {lib}")
                out = os.path.join(work, f"{label}-{size}-{lib}" + (".json" if lib == "hf" else ""))
                env = {"RAYON_NUM_THREADS": str(a.threads), "RAYON_RS_NUM_CPUS": str(a.threads)}
                row[lib] = (measured([python, "-c", CHILD_TRAIN, lib, train, str(size), str(a.threads), out], env=env),
                            "json" if lib == "hf" else "model", out + ("" if lib == "hf" else ".model"))
            base = row["vocabkit"][0][0]
            for lib, ((wall, cpu, rss, _), kind, file) in row.items():
                quality = json.loads(measured([python, "-c", CHILD_QUALITY, kind, file, heldout])[3])
                print(f"{size:6} {names[lib]:14} {wall:8.1f} {cpu:8.1f} {rss:8.0f} {wall / base:10.2f}x "
                      f"{quality['tokens_per_word']:9.4f} {quality['tokens_per_char']:9.4f} {quality['logprob_per_char']:9.4f}", flush=True)
                results.write(json.dumps({"job": "train", "corpus": label, "size": size, "library": lib, "threads": a.threads,
                                          "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss, **quality}) + "\n")
            # 2. Encoding with VocabKit's .model in both libraries.
            for t in [int(x) for x in a.encode_threads.split(",")]:
                log(f"{label} {size}: encode, {t} threads")
                _, _, rss_ours, out = measured([bench, sample, "line", f"encode:{model}@{t}"])
                ours = json.loads(out)["mb_per_s"]
                _, _, rss_sp, out = measured([python, "-c", CHILD_ENCODE, model, sample, str(t)])
                theirs = json.loads(out)["mb_per_s"]
                print(f"{size:6} encode {t} thread(s): VocabKit {ours:.1f} MB/s ({rss_ours:.0f} MB), "
                      f"sentencepiece {theirs:.1f} MB/s ({rss_sp:.0f} MB): {ours / theirs:.2f}x", flush=True)
                results.write(json.dumps({"job": "encode", "corpus": label, "size": size, "threads": t,
                                          "vocabkit_mb_per_s": ours, "sentencepiece_mb_per_s": theirs,
                                          "vocabkit_rss_mb": rss_ours, "sentencepiece_rss_mb": rss_sp}) + "\n")
        results.flush()


if __name__ == "__main__":
    main()
