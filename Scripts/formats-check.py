#!/usr/bin/env python3
"""Cross-checks the files VocabKit writes for other tools with those tools' own readers: GGUF
with llama.cpp's `gguf` package (PyPI), Megatron-LM's indexed dataset with a reader written here
from the format's description (numpy), and JSON Lines / document input against `tokenizers`.

    python3 Scripts/formats-check.py --vocab .build/release/vocab [--venv DIR]

For every GGUF fixture in Tests/Fixtures/gguf (llama.cpp's tokenizer test vocabularies):
  1. `vocab convert X.gguf -o Y.gguf` writes a vocabulary-only file that `gguf.GGUFReader` reads,
     with every `tokenizer.ggml.*` key of the source present with the same type and value (except
     `token_type_count`, BERT's segment count, and the `pre` name of non-BPE models, written as
     "default"), and no tensors.
  2. `vocab convert X.gguf -o Y.json` writes a tokenizer.json that HuggingFace `tokenizers` loads
     and that gives the fixture's expected ids (HuggingFace's own, in `X.gguf.out`) on every test
     string (the SentencePiece-BPE vocabulary's piece scores become merge ranks); that one also
     as `-o Y.model` in the `sentencepiece` library.
  2b. Mistral's SentencePiece BPE `.model` converted to tokenizer.json gives `sentencepiece`'s ids
     in `tokenizers` on the first 2,000 lines of every corpus.
Then for tokenizers from other formats:
  3. BERT's tokenizer.json and Mistral's and SentencePiece's .model files converted to GGUF: the
     token list, scores, token types and special ids read by `gguf` equal what `tokenizers` and
     `sentencepiece` report for the original files.
Datasets for model training:
  4. `vocab encode --input jsonl` on a JSON Lines file of multi-line documents (the corpora cut into
     documents of 1-5 lines, with other keys beside "text") equals `tokenizers` encoding each
     record's text; `--input documents` on the same documents separated by blank lines equals it too.
  5. `--format megatron` with `--append <|endoftext|>`: the .bin/.idx pair read by numpy from the
     format description (header, sizes, pointers, document indices) holds exactly those ids, one
     sequence and one document per text, with the uint16 dtype code for GPT-2's vocabulary (the
     int32 case, for vocabularies of 65,500 ids and more, is not exercised here).
Exits 1 on any mismatch, printing each.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import ensure_venv, exit_cleanly_on_sigterm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
PINNED = ["gguf==0.19.0", "tokenizers==0.23.3", "sentencepiece==0.2.3", "protobuf==7.36.2", "numpy==2.4.6"]


def cases(path):
    """llama.cpp's test strings and HuggingFace's ids for a fixture."""
    texts = open(path + ".inp", encoding="utf-8").read().split("\n__ggml_vocab_test__\n")
    if texts and texts[-1] == "":
        texts.pop()
    lines = open(path + ".out", encoding="utf-8").read().split("\n")
    return [(text, [int(x) for x in lines[i].split()]) for i, text in enumerate(texts)]


def fields(path):
    """Every metadata field as (type names, Python value), and the tensor count."""
    from gguf import GGUFReader
    reader = GGUFReader(path)
    out = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        value = field.contents()
        out[key] = ([t.name for t in field.types], value)
    return out, len(reader.tensors)


def main():
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", default=os.path.join(ROOT, ".build", "release", "vocab"))
    parser.add_argument("--venv", default=os.path.join(ROOT, ".venv-formats"))
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if not a.inner:
        python = ensure_venv(a.venv, PINNED)
        os.execv(python, [python, os.path.abspath(__file__), "--inner", "--vocab", os.path.abspath(a.vocab)])

    import sentencepiece as spm
    from tokenizers import Tokenizer
    failures, passed = [], 0

    def expect(what, ours, theirs):
        nonlocal passed
        if ours == theirs:
            passed += 1
        else:
            failures.append((what, str(ours)[:300], str(theirs)[:300]))

    def convert(source, target):
        run = subprocess.run([a.vocab, "convert", "-t", source, "-o", target], capture_output=True, text=True)
        return run.returncode, run.stderr.strip()

    with tempfile.TemporaryDirectory(prefix="vocab-formats-check-") as tmp:
        for source in sorted(glob.glob(os.path.join(FIXTURES, "gguf", "*.gguf"))):
            name = os.path.basename(source)[len("ggml-vocab-"):-len(".gguf")]
            # 1. GGUF -> GGUF, read by llama.cpp's reader.
            written = os.path.join(tmp, f"{name}.gguf")
            code, err = convert(source, written)
            expect(f"{name}: vocab convert to .gguf ({err})", code, 0)
            if code == 0:
                theirs, _ = fields(source)
                ours, tensors = fields(written)
                expect(f"{name}: tensors in the written file", tensors, 0)
                model = theirs["tokenizer.ggml.model"][1]
                for key, value in theirs.items():
                    if not key.startswith("tokenizer.ggml.") or key == "tokenizer.ggml.token_type_count":
                        continue
                    if key == "tokenizer.ggml.pre" and model != "gpt2":
                        expect(f"{name}: {key}", ours.get(key, (None, None))[1], "default")
                        continue
                    expect(f"{name}: {key}", ours.get(key), value)
            # 2. GGUF -> tokenizer.json in tokenizers (or .model in sentencepiece).
            expected = cases(source)
            if name == "llama-spm":
                target = os.path.join(tmp, f"{name}.model")
                code, err = convert(source, target)
                expect(f"{name}: vocab convert to .model ({err})", code, 0)
                sp = spm.SentencePieceProcessor(model_file=target)
                for i, (text, ids) in enumerate(expected):
                    expect(f"{name}: sentencepiece on string {i} {text[:40]!r}", sp.encode(text), ids)
            # Every fixture, the SentencePiece one included, as tokenizer.json in tokenizers.
            target = os.path.join(tmp, f"{name}.json")
            code, err = convert(source, target)
            expect(f"{name}: vocab convert to .json ({err})", code, 0)
            if code == 0:
                hf = Tokenizer.from_file(target)
                for i, (text, ids) in enumerate(expected):
                    expect(f"{name}: tokenizers on string {i} {text[:40]!r}", hf.encode(text, add_special_tokens=False).ids, ids)

        # 2b. SentencePiece BPE -> tokenizer.json, in tokenizers, against sentencepiece.
        mistral = os.path.join(FIXTURES, "sentencepiece", "mistral-tokenizer.model.v1")
        mistral_json = os.path.join(tmp, "mistral.json")
        code, err = convert(mistral, mistral_json)
        expect(f"mistral .model: vocab convert to .json ({err})", code, 0)
        if code == 0:
            hf, sp = Tokenizer.from_file(mistral_json), spm.SentencePieceProcessor(model_file=mistral)
            for corpus in ("en", "code-python", "de", "ru", "ja", "zh", "ko", "th", "ar", "hi"):
                lines = open(os.path.join(ROOT, "Corpora", f"{corpus}.txt"), encoding="utf-8").read().split("\n")[:2000]
                theirs = [e.ids for e in hf.encode_batch(lines, add_special_tokens=False)]
                for k, line in enumerate(lines):
                    expect(f"mistral tokenizer.json in tokenizers = sentencepiece, {corpus}:{k + 1} {line[:40]!r}", theirs[k], sp.encode(line))

        # 3. Other formats -> GGUF.
        bert_json = os.path.join(FIXTURES, "bert", "tokenizer.json")
        out = os.path.join(tmp, "bert.gguf")
        code, err = convert(bert_json, out)
        expect(f"bert tokenizer.json: vocab convert to .gguf ({err})", code, 0)
        if code == 0:
            ours, _ = fields(out)
            vocab = json.load(open(bert_json, encoding="utf-8"))["model"]["vocab"]
            by_id = sorted(vocab, key=vocab.get)
            phantom = [t[2:] if t.startswith("##") else t if (t.startswith("[") and t.endswith("]")) else "\u2581" + t for t in by_id]
            expect("bert: tokens (llama.cpp's spelling)", ours["tokenizer.ggml.tokens"][1], phantom)
            hf = Tokenizer.from_file(bert_json)
            for key, token in (("cls", "[CLS]"), ("seperator", "[SEP]"), ("unknown", "[UNK]"), ("padding", "[PAD]"), ("mask", "[MASK]")):
                expect(f"bert: tokenizer.ggml.{key}_token_id", ours.get(f"tokenizer.ggml.{key}_token_id", (0, None))[1], hf.token_to_id(token))
        from sentencepiece import sentencepiece_model_pb2
        for model in ("sentencepiece/mistral-tokenizer.model.v1", "sentencepiece/botchan_en_unigram_1000.model"):
            path = os.path.join(FIXTURES, model)
            out = os.path.join(tmp, os.path.basename(model) + ".gguf")
            code, err = convert(path, out)
            expect(f"{model}: vocab convert to .gguf ({err})", code, 0)
            if code != 0:
                continue
            ours, _ = fields(out)
            proto = sentencepiece_model_pb2.ModelProto()
            proto.ParseFromString(open(path, "rb").read())
            sp = spm.SentencePieceProcessor(model_file=path)
            expect(f"{model}: tokens", ours["tokenizer.ggml.tokens"][1], [p.piece for p in proto.pieces])
            expect(f"{model}: scores", ours["tokenizer.ggml.scores"][1], [p.score for p in proto.pieces])
            expect(f"{model}: token types", ours["tokenizer.ggml.token_type"][1], [int(p.type) for p in proto.pieces])
            expect(f"{model}: model type", ours["tokenizer.ggml.model"][1], "llama" if proto.trainer_spec.model_type == 2 else "t5")
            expect(f"{model}: unknown id", ours["tokenizer.ggml.unknown_token_id"][1], sp.unk_id())
            expect(f"{model}: add_space_prefix", ours["tokenizer.ggml.add_space_prefix"][1], proto.normalizer_spec.add_dummy_prefix)
            if proto.normalizer_spec.precompiled_charsmap:
                expect(f"{model}: precompiled_charsmap", bytes(ours["tokenizer.ggml.precompiled_charsmap"][1]),
                       proto.normalizer_spec.precompiled_charsmap)
        # A SentencePiece BPE model with a normalization map has no llama-vocabulary form.
        code, err = convert(os.path.join(FIXTURES, "sentencepiece", "botchan_en_bpe_1000.model"), os.path.join(tmp, "bpe.gguf"))
        expect("botchan BPE (nmt_nfkc map) refused as GGUF with a reason", (code != 0, "map" in err), (True, True))

        # 4. JSON Lines and documents against tokenizers (GPT-2's original files).
        import numpy as np
        import random
        random.seed(7)
        lines = [l for name in ("en", "de", "ru", "zh", "code-python")
                 for l in open(os.path.join(ROOT, "Corpora", f"{name}.txt"), encoding="utf-8").read().split("\n") if l.strip()]
        documents, i = [], 0
        while i < len(lines) and len(documents) < 3000:
            n = random.randint(1, 5)
            documents.append("\n".join(lines[i:i + n]))
            i += n
        jsonl = os.path.join(tmp, "docs.jsonl")
        with open(jsonl, "w", encoding="utf-8") as f:
            for k, doc in enumerate(documents):
                f.write(json.dumps({"id": k, "text": doc, "meta": {"n": doc.count("\n")}}, ensure_ascii=(k % 2 == 0)) + "\n")
        blank = os.path.join(tmp, "docs.txt")
        with open(blank, "w", encoding="utf-8") as f:
            f.write("\n\n".join(documents) + "\n")
        gpt2 = os.path.join(FIXTURES, "gpt2")
        code, err = convert(gpt2, os.path.join(tmp, "gpt2.json"))
        expect(f"GPT-2 folder: vocab convert to .json ({err})", code, 0)
        hf = Tokenizer.from_file(os.path.join(tmp, "gpt2.json"))
        theirs = [e.ids for e in hf.encode_batch(documents, add_special_tokens=False)]
        for unit, path in (("jsonl", jsonl), ("documents", blank)):
            out = subprocess.run([a.vocab, "encode", "--quiet", "-t", gpt2, "--input", unit, "--format", "jsonl", path],
                                 check=True, capture_output=True).stdout.decode().split("\n")[:-1]
            expect(f"--input {unit}: {len(documents)} texts", len(out), len(documents))
            for k, (line, ids) in enumerate(zip(out, theirs)):
                expect(f"--input {unit}: text {k} {documents[k][:40]!r}", json.loads(line), ids)
        # 5. Megatron's indexed dataset, read from the format description.
        prefix = os.path.join(tmp, "docs")
        subprocess.run([a.vocab, "encode", "--quiet", "-t", gpt2, "--input", "jsonl", "--append", "<|endoftext|>",
                        "--format", "megatron", "-o", prefix, jsonl], check=True)
        index = open(prefix + ".idx", "rb").read()
        expect("megatron: magic and version", (index[:9], int.from_bytes(index[9:17], "little")), (b"MMIDIDX\x00\x00", 1))
        code = index[17]
        dtype = {8: np.uint16, 4: np.int32}.get(code)
        expect("megatron: dtype code for a 50,257-id vocabulary (uint16)", code, 8)
        sequences = int.from_bytes(index[18:26], "little")
        doc_count = int.from_bytes(index[26:34], "little")
        offset = 34
        sizes = np.frombuffer(index, dtype=np.int32, count=sequences, offset=offset); offset += 4 * sequences
        pointers = np.frombuffer(index, dtype=np.int64, count=sequences, offset=offset); offset += 8 * sequences
        doc_idx = np.frombuffer(index, dtype=np.int64, count=doc_count, offset=offset); offset += 8 * doc_count
        expect("megatron: index length", offset, len(index))
        expect("megatron: counts", (sequences, doc_count), (len(documents), len(documents) + 1))
        expect("megatron: document indices", doc_idx.tolist(), list(range(len(documents) + 1)))
        data = np.fromfile(prefix + ".bin", dtype=dtype or np.uint16)
        expect("megatron: .bin length", int(data.size), int(sizes.sum()))
        for k, ids in enumerate(theirs):
            start = int(pointers[k]) // np.dtype(dtype or np.uint16).itemsize
            expect(f"megatron: sequence {k}", data[start:start + int(sizes[k])].tolist(), ids + [50256])
        back = subprocess.run([a.vocab, "decode", "-t", gpt2, "--format", "megatron", prefix, "--output-format", "jsonl",
                               "--keep-special-tokens"], check=True, capture_output=True).stdout.decode().split("\n")[:-1]
        expect("megatron: decode --output-format jsonl --keep-special-tokens gives every document back",
               [json.loads(l)["text"] for l in back], [d + "<|endoftext|>" for d in documents])
        back = subprocess.run([a.vocab, "decode", "-t", gpt2, "--format", "megatron", prefix, "--output-format", "jsonl"],
                              check=True, capture_output=True).stdout.decode().split("\n")[:-1]
        expect("megatron: decode leaves the special separator out by default",
               [json.loads(l)["text"] for l in back], documents)

    for what, ours, theirs in failures:
        print(f"MISMATCH {what}\n  vocabkit: {ours}\n  expected: {theirs}")
    print(f"formats-check: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
