#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Fuzz/seeds/<target>/): small valid files cut from the
real tokenizer files in Tests/Fixtures and small files `vocab` trains and counts from Corpora/,
so that libFuzzer starts from every format's structure with inputs of a few kilobytes.

Usage: python3 Fuzz/make-seeds.py --vocab .build/release/vocab
"""
import argparse, base64, json, os, pathlib, shutil, subprocess, tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"


def write(target, name, data):
    folder = ROOT / "Fuzz" / "seeds" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab", required=True)
    vocab = os.path.abspath(parser.parse_args().vocab)
    shutil.rmtree(ROOT / "Fuzz" / "seeds", ignore_errors=True)
    # tokenizer.json: BERT's with its vocabulary cut to 120 ids, and small trained ones.
    bert = json.loads((FIXTURES / "bert" / "tokenizer.json").read_text())
    bert["model"]["vocab"] = {t: i for t, i in bert["model"]["vocab"].items() if i < 120}
    bert["added_tokens"] = [a for a in bert["added_tokens"] if a["id"] < 120]
    bert["post_processor"]["special_tokens"]["[CLS]"]["ids"] = [101]
    write("tokenizer-json", "bert-cut.json", json.dumps(bert))
    lines = (ROOT / "Corpora" / "en.txt").read_text().splitlines()[:400]
    with tempfile.TemporaryDirectory() as scratch:
        corpus = os.path.join(scratch, "corpus.txt")
        pathlib.Path(corpus).write_text("\n".join(lines) + "\n")
        trained = [("bpe", "300", "tokenizer-json", "bpe.json"), ("wordpiece", "200", "tokenizer-json", "wordpiece.json"),
                   ("unigram", "150", "tokenizer-json", "unigram.json"), ("hybrid", "200", "tokenizer-json", "hybrid.json"),
                   ("word", "100", "tokenizer-json", "word.json"), ("unigram", "150", "sentencepiece-model", "unigram.model"),
                   ("bpe", "300", "tiktoken", "bpe.tiktoken"), ("wordpiece", "200", "vocab-txt", "vocab.txt")]
        # A .model without NFKC's 180 kB precompiled map, so most mutations hit the pieces.
        trained.append(("unigram", "150", "sentencepiece-model", "unigram-plain.model", ["--normalizer", "none"]))
        for algorithm, size, target, name, *flags in trained:
            out = os.path.join(scratch, name)
            subprocess.run([vocab, "train", "--quiet", "--algorithm", algorithm, "--vocab-size", size, corpus, "-o", out]
                           + (flags[0] if flags else []), check=True, stderr=subprocess.DEVNULL)
            write(target, name, pathlib.Path(out).read_bytes())
        # GGUF: small trained vocabularies converted (byte-level BPE with GPT-2's split, WordPiece,
        # Unigram without a normalization map).
        for algorithm, size, name, extension, flags in [
                ("bpe", "300", "bpe", "json", ["--pre-tokenizer", "gpt2", "--normalizer", "none"]),
                ("wordpiece", "200", "wordpiece", "json", []), ("unigram", "150", "unigram", "model", ["--normalizer", "none"])]:
            source, out = os.path.join(scratch, f"gguf-{name}.{extension}"), os.path.join(scratch, f"{name}.gguf")
            subprocess.run([vocab, "train", "--quiet", "--algorithm", algorithm, "--vocab-size", size, corpus, "-o", source] + flags,
                           check=True, stderr=subprocess.DEVNULL)
            subprocess.run([vocab, "convert", "-t", source, "-o", out], check=True)
            write("gguf", f"{name}.gguf", pathlib.Path(out).read_bytes())
        counts = os.path.join(scratch, "corpus.counts")
        subprocess.run([vocab, "count", "--quiet", corpus, "-o", counts], check=True)
        text = pathlib.Path(counts).read_text().splitlines(keepends=True)
        write("counts", "corpus.counts", "".join(text))
    # tiktoken: the first 400 ranks of r50k.
    r50k = (FIXTURES / "tiktoken" / "r50k_base.tiktoken").read_bytes().splitlines(keepends=True)
    write("tiktoken", "r50k-cut.tiktoken", b"".join(r50k[:400]))
    # vocab.txt: BERT's first 400 lines.
    bert_vocab = (FIXTURES / "bert" / "vocab.txt").read_bytes().splitlines(keepends=True)
    write("vocab-txt", "bert-cut.txt", b"".join(bert_vocab[:400]))
    # GPT-2: encoder.json with the 256 byte tokens and the tokens of the first 100 merges.
    encoder = json.loads((FIXTURES / "gpt2" / "encoder.json").read_text())
    merges = (FIXTURES / "gpt2" / "vocab.bpe").read_text().splitlines()[1:101]
    keep = {t for t, i in encoder.items() if i < 256}
    for line in merges:
        a, b = line.split(" ")
        keep.update([a, b, a + b])
    small = {t: i for i, t in enumerate(sorted(keep, key=lambda t: encoder[t]))}
    write("gpt2", "gpt2-cut.bin", json.dumps(small).encode() + b"\0" + ("#version: 0.2\n" + "\n".join(merges) + "\n").encode())
    # Encoders: text in several scripts, invalid UTF-8, special-token text.
    texts = {"en.txt": "\n".join(lines[:20]), "mixed.txt": "Héllo wörld 日本語のテキスト Привет 123 4567 \t\r\n ## [CLS] <|endoftext|> <unk> ▁x",
             "invalid.bin": b"ab\xff\xfe\xc3(\xe2\x82 \xf0\x9f\x98\x80\x00 end"}
    for target in ["encode-bpe", "encode-tiktoken", "encode-wordpiece", "encode-unigram", "encode-scored-bpe", "encode-hybrid", "encode-word-level"]:
        for name, text in texts.items():
            write(target, name, text)


if __name__ == "__main__":
    main()
