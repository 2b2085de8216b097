#!/usr/bin/env python3
"""Cross-checks VocabKit against the Python peer libraries, line by line.

    python3 Scripts/crosscheck.py --vocab .build/release/vocab [--venv DIR] [--lines N]

For every file in Corpora/ and every line (up to --lines per file), compares what `vocab normalize`
and `vocab pretokenize --format jsonl` print with:
  * Python's unicodedata (NFC, NFD, NFKC, NFKD),
  * the `regex` module running the published GPT-2, cl100k, o200k and Llama 3 patterns,
  * HuggingFace tokenizers' normalizers (NFKC, Lowercase, BertNormalizer) and pre-tokenizers
    (BertPreTokenizer, Whitespace, WhitespaceSplit, Digits, Metaspace, UnicodeScripts), including
    the offsets (converted from VocabKit's bytes to Python's characters),
  * tiktoken's ids for r50k_base, cl100k_base, o200k_base and Llama 3 (llama.cpp's test vocabulary, converted
    from its GGUF file), and HuggingFace's ids for GPT-2's original
    encoder.json and vocab.bpe (`vocab encode`), with the files in Tests/Fixtures,
  * HuggingFace's WordPiece with the real BERT uncased tokenizer.json and vocab.txt, and with
    WordPiece tokenizer.json files trained by `vocab train --algorithm wordpiece`,
  * the `sentencepiece` library's ids for its Unigram and BPE test models and Mistral's model,
  * Unigram vocabularies trained by `vocab train --algorithm unigram`: the .model in sentencepiece and
    the tokenizer.json in tokenizers give VocabKit's ids,
  * that tokenizers refuses VocabKit's hybrid tokenizer.json (an unknown model type),
  * HuggingFace's BpeTrainer: `vocab train` must learn the same merges and vocabulary (byte-level,
    GPT-2 split, same special token and min frequency) on English+code and on Chinese, and the
    two tokenizer.json files must give the same ids in both libraries.
Lines containing characters that Python's Unicode database (unicodedata.unidata_version) and
ICU's disagree on are not counted against VocabKit: the script reports them separately.
Exits 1 on any other mismatch, printing the first few. The venv (default .venv-crosscheck) is
created on first use with pinned tokenizers and regex.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import unicodedata
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import PATTERNS, ensure_venv  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINNED = ["tokenizers==0.23.3", "regex==2026.5.9", "tiktoken==0.14.0", "sentencepiece==0.2.3"]
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Fixtures")
CORPORA = ["en", "code-python", "de", "ru", "ja", "zh", "ko", "th", "ar", "hi"]





def vocab_lines(vocab, args, path):
    out = subprocess.run([vocab, *args, "--quiet", path], check=True, capture_output=True).stdout
    return out.decode("utf-8").split("\n")[:-1]


def char_offsets(line):
    """Byte offset -> character offset for `line`."""
    table, b = {0: 0}, 0
    for i, ch in enumerate(line):
        b += len(ch.encode("utf-8"))
        table[b] = i + 1
    return table


class Check:
    def __init__(self, name):
        self.name, self.lines, self.failures, self.skipped = name, 0, [], 0

    def compare(self, where, ours, theirs, line):
        self.lines += 1
        if ours != theirs:
            self.failures.append((where, line, ours, theirs))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", default=os.path.join(ROOT, ".build", "release", "vocab"))
    parser.add_argument("--venv", default=os.path.join(ROOT, ".venv-crosscheck"))
    parser.add_argument("--lines", type=int, default=0, help="lines per corpus file (default 0: every line)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if not a.inner:
        python = ensure_venv(a.venv, PINNED)
        os.execv(python, [python, os.path.abspath(__file__), "--inner", "--vocab", a.vocab, "--lines", str(a.lines)])

    import regex
    from tokenizers import normalizers, pre_tokenizers
    tmp = os.path.join(ROOT, ".build", "crosscheck")
    os.makedirs(tmp, exist_ok=True)
    checks = {}

    def check(name):
        return checks.setdefault(name, Check(name))

    hf_norm = {
        "nfkc": normalizers.NFKC(), "lowercase": normalizers.Lowercase(),
        "bert": normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True),
    }
    hf_pre = {
        "bert": pre_tokenizers.BertPreTokenizer(), "whitespace": pre_tokenizers.Whitespace(),
        "whitespace-split": pre_tokenizers.WhitespaceSplit(), "digits": pre_tokenizers.Digits(individual_digits=True),
        "digit-runs": pre_tokenizers.Digits(individual_digits=False),
        "metaspace": pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        "scripts": pre_tokenizers.UnicodeScripts(),
    }
    compiled = {name: regex.compile(p) for name, p in PATTERNS.items()}
    # Characters whose Unicode data may differ between Python's database and ICU's.
    newer = lambda line: any(unicodedata.category(ch) == "Cn" for ch in line)

    for corpus in CORPORA:
        lines = open(os.path.join(ROOT, "Corpora", f"{corpus}.txt"), encoding="utf-8").read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if a.lines > 0:
            lines = lines[:a.lines]
        path = os.path.join(tmp, f"{corpus}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        skip = [newer(line) for line in lines]
        # 1. Unicode forms against unicodedata.
        for form in ("nfc", "nfd", "nfkc", "nfkd"):
            ours = vocab_lines(a.vocab, ["normalize", "-n", form], path)
            c = check(f"normalize {form} = unicodedata.normalize")
            for i, line in enumerate(lines):
                if skip[i]: c.skipped += 1; continue
                c.compare(f"{corpus}:{i + 1}", ours[i], unicodedata.normalize(form.upper(), line), line)
        # 2. HF normalizers.
        for spec, hf in hf_norm.items():
            ours = vocab_lines(a.vocab, ["normalize", "-n", spec], path)
            c = check(f"normalize {spec} = tokenizers {type(hf).__name__}")
            for i, line in enumerate(lines):
                if skip[i]: c.skipped += 1; continue
                c.compare(f"{corpus}:{i + 1}", ours[i], hf.normalize_str(line), line)
        # 3. GPT-style splitters against the regex module.
        for name, pattern in compiled.items():
            ours = vocab_lines(a.vocab, ["pretokenize", "-n", "none", "-p", name, "--format", "jsonl"], path)
            c = check(f"pretokenize {name} = regex.findall")
            for i, line in enumerate(lines):
                if skip[i]: c.skipped += 1; continue
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i])["pieces"], pattern.findall(line), line)
        # 4. HF pre-tokenizers, pieces and offsets.
        for spec, hf in hf_pre.items():
            ours = vocab_lines(a.vocab, ["pretokenize", "-n", "none", "-p", spec, "--format", "jsonl"], path)
            c = check(f"pretokenize {spec} = tokenizers {type(hf).__name__}")
            for i, line in enumerate(lines):
                if skip[i]: c.skipped += 1; continue
                record = json.loads(ours[i])
                offsets = char_offsets(line)
                mine = [(p, (offsets[s], offsets[e])) for p, (s, e) in zip(record["pieces"], record["offsets"])]
                c.compare(f"{corpus}:{i + 1}", mine, hf.pre_tokenize_str(line), line)

    # 5. Token ids: tiktoken rank files and GPT-2's original files.
    import tiktoken
    import tiktoken.load
    from tokenizers import Tokenizer, models, pre_tokenizers as pt, decoders
    encodings = {}
    for name, pattern in (("r50k_base", "gpt2"), ("cl100k_base", "cl100k"), ("o200k_base", "o200k")):
        path = os.path.join(FIXTURES, "tiktoken", f"{name}.tiktoken")
        ranks = tiktoken.load.load_tiktoken_bpe(path)
        encodings[path] = tiktoken.Encoding(name, pat_str=PATTERNS[pattern], mergeable_ranks=ranks, special_tokens={}).encode_ordinary
    # Llama 3 (llama.cpp's test vocabulary): VocabKit's tokenizer.json from the GGUF file against
    # tiktoken on the same ranks written as a .tiktoken file (CJK text exercises character starts).
    llama3_gguf = os.path.join(FIXTURES, "gguf", "ggml-vocab-llama-bpe.gguf")
    llama3_json, llama3_ranks = os.path.join(tmp, "llama3.json"), os.path.join(tmp, "llama3.tiktoken")
    for target in (llama3_json, llama3_ranks):
        subprocess.run([a.vocab, "convert", "--tokenizer", llama3_gguf, "--output", target], check=True, stdout=subprocess.DEVNULL)
    encodings[llama3_json] = tiktoken.Encoding("llama3", pat_str=PATTERNS["llama3"], mergeable_ranks=tiktoken.load.load_tiktoken_bpe(llama3_ranks),
                                               special_tokens={}).encode_ordinary
    gpt2_dir = os.path.join(FIXTURES, "gpt2")
    gpt2 = Tokenizer(models.BPE.from_file(os.path.join(gpt2_dir, "encoder.json"), os.path.join(gpt2_dir, "vocab.bpe")))
    gpt2.pre_tokenizer = pt.ByteLevel(add_prefix_space=False)
    encodings[gpt2_dir] = lambda text: gpt2.encode(text, add_special_tokens=False).ids
    for corpus in CORPORA:
        path = os.path.join(tmp, f"{corpus}.txt")
        lines = open(path, encoding="utf-8").read().split("\n")[:-1]
        for tokenizer_path, encode in encodings.items():
            ours = vocab_lines(a.vocab, ["encode", "-t", tokenizer_path, "--format", "jsonl", "--no-added-tokens", "--no-special-tokens"], path)
            name = os.path.basename(tokenizer_path)
            peer = "tiktoken" if name.endswith(".tiktoken") or tokenizer_path == llama3_json else "tokenizers BPE"
            c = check(f"encode {name} = {peer}")
            for i, line in enumerate(lines):
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), encode(line), line)

    # 6. Training parity and tokenizer.json interchange.
    from tokenizers import trainers
    train_sets = [("en+code", ["en.txt", "code-python.txt"], 8000), ("zh", ["zh.txt"], 4000)]
    for label, files, size in train_sets:
        paths = [os.path.join(ROOT, "Corpora", f) for f in files]
        ours_path = os.path.join(tmp, f"vocabkit-{label}.json")
        subprocess.run([a.vocab, "train", "--quiet", "--vocab-size", str(size), "--min-frequency", "2",
                        "--special-token", "<|endoftext|>", *paths, "-o", ours_path], check=True)
        hf = Tokenizer(models.BPE())
        hf.pre_tokenizer = pt.ByteLevel(add_prefix_space=False)
        hf.decoder = decoders.ByteLevel()
        hf.train(paths, trainers.BpeTrainer(vocab_size=size, min_frequency=2, special_tokens=["<|endoftext|>"],
                                            initial_alphabet=pt.ByteLevel.alphabet(), show_progress=False))
        hf_path = os.path.join(tmp, f"hf-{label}.json")
        hf.save(hf_path)
        theirs = json.loads(hf.to_str())["model"]
        mine = json.load(open(ours_path))["model"]
        c = check(f"train bpe {label} {size} = tokenizers BpeTrainer")
        as_pairs = lambda merges: [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in merges]
        c.compare(f"{label} merges", as_pairs(mine["merges"]), as_pairs(theirs["merges"]), "(merges)")
        c.compare(f"{label} vocab", mine["vocab"], theirs["vocab"], "(vocab)")
        ours_in_hf = Tokenizer.from_file(ours_path)
        for corpus in CORPORA[:4]:
            path = os.path.join(tmp, f"{corpus}.txt")
            lines = open(path, encoding="utf-8").read().split("\n")[:-1]
            for name, file, peer in (("vocabkit", ours_path, ours_in_hf), ("hf", hf_path, Tokenizer.from_file(hf_path))):
                ours = vocab_lines(a.vocab, ["encode", "-t", file, "--format", "jsonl"], path)
                c = check(f"encode {name}-trained {label}.json = tokenizers")
                for i, line in enumerate(lines):
                    c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)

    # 7. BERT (WordPiece): the real bert uncased tokenizer.json (with its truncation to 128 and
    #    padding) and its vocab.txt (no truncation or padding), on every line.
    bert_json = os.path.join(FIXTURES, "bert", "tokenizer.json")
    bert_vocab = os.path.join(FIXTURES, "bert", "vocab.txt")
    bert = Tokenizer.from_file(bert_json)
    bert_plain = Tokenizer.from_file(bert_json)
    bert_plain.no_truncation()
    bert_plain.no_padding()
    for corpus in CORPORA:
        path = os.path.join(tmp, f"{corpus}.txt")
        lines = open(path, encoding="utf-8").read().split("\n")[:-1]
        for file, peer, name in ((bert_json, bert, "bert tokenizer.json"), (bert_vocab, bert_plain, "bert vocab.txt")):
            ours = vocab_lines(a.vocab, ["encode", "-t", file, "--format", "jsonl"], path)
            c = check(f"encode {name} = tokenizers WordPiece")
            for i, line in enumerate(lines):
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)

    # 8. WordPiece trained by VocabKit: the tokenizer.json loads in tokenizers with the same ids.
    for criterion in ("likelihood", "pmi", "frequency"):
        wp_path = os.path.join(tmp, f"vocabkit-wordpiece-{criterion}.json")
        subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "wordpiece", "--criterion", criterion,
                        "--vocab-size", "3000", os.path.join(ROOT, "Corpora", "en.txt"), "-o", wp_path], check=True)
        peer = Tokenizer.from_file(wp_path)
        for corpus in ("en", "de", "zh"):
            path = os.path.join(tmp, f"{corpus}.txt")
            lines = open(path, encoding="utf-8").read().split("\n")[:-1]
            ours = vocab_lines(a.vocab, ["encode", "-t", wp_path, "--format", "jsonl"], path)
            c = check(f"encode vocabkit-trained wordpiece ({criterion}) = tokenizers")
            for i, line in enumerate(lines):
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)

    # 8b. vocab cut: a WordPiece and a BPE vocabulary trained by VocabKit, cut to a smaller size,
    #     load in tokenizers with the same ids as VocabKit's, and the BPE cut gives the ids of
    #     training at that size (merge order).
    for algorithm in ("wordpiece", "bpe"):
        full = os.path.join(tmp, f"cut-{algorithm}-4000.json")
        small = os.path.join(tmp, f"cut-{algorithm}-2000.json")
        trained = os.path.join(tmp, f"cut-{algorithm}-trained-2000.json")
        for size, out in ((4000, full), (2000, trained)):
            subprocess.run([a.vocab, "train", "--quiet", "--algorithm", algorithm, "--vocab-size", str(size),
                            os.path.join(ROOT, "Corpora", "en.txt"), "-o", out], check=True)
        subprocess.run([a.vocab, "cut", "--quiet", "-t", full, "--vocab-size", "2000", "-o", small], check=True)
        peer = Tokenizer.from_file(small)
        path = os.path.join(tmp, "en.txt")
        lines = open(path, encoding="utf-8").read().split("\n")[:-1]
        ours = vocab_lines(a.vocab, ["encode", "-t", small, "--format", "jsonl"], path)
        retrained = vocab_lines(a.vocab, ["encode", "-t", trained, "--format", "jsonl"], path)
        c = check(f"vocab cut {algorithm} 4000 -> 2000 = tokenizers, = training at 2000")
        for i, line in enumerate(lines):
            c.compare(f"en:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)
            c.compare(f"en:{i + 1} retrained", json.loads(ours[i]), json.loads(retrained[i]), line)
        # vocab prune: BPE by residue (merges rewritten), WordPiece by usage, measured on the
        # corpus itself; the pruned file loads in tokenizers with VocabKit's ids.
        pruned = os.path.join(tmp, f"prune-{algorithm}.json")
        by = "residue" if algorithm == "bpe" else "usage"
        subprocess.run([a.vocab, "prune", "--quiet", "-t", full, "--to", "2500", "--by", by, path, "-o", pruned], check=True)
        peer = Tokenizer.from_file(pruned)
        ours = vocab_lines(a.vocab, ["encode", "-t", pruned, "--format", "jsonl"], path)
        c = check(f"vocab prune {algorithm} --by {by} 4000 -> 2500 = tokenizers")
        for i, line in enumerate(lines):
            c.compare(f"en:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)
        # vocab extend: the English vocabulary continued on Python (BPE: appended merges rank
        # last in tokenizers too; WordPiece: new characters and pieces, greedy longest match),
        # so both give the same ids on English and on code.
        if True:
            extended = os.path.join(tmp, f"extend-{algorithm}.json")
            subprocess.run([a.vocab, "extend", "--quiet", "-t", full, "--vocab-size", "4600",
                            os.path.join(ROOT, "Corpora", "code-python.txt"), "-o", extended], check=True)
            peer = Tokenizer.from_file(extended)
            for corpus in ("en", "code-python"):
                corpus_path = os.path.join(ROOT, "Corpora", f"{corpus}.txt")
                corpus_lines = open(corpus_path, encoding="utf-8").read().split("\n")[:-1]
                ours = vocab_lines(a.vocab, ["encode", "-t", extended, "--format", "jsonl"], corpus_path)
                c = check(f"vocab extend {algorithm} 4000 -> 4600 with Python = tokenizers ({corpus})")
                for i, line in enumerate(corpus_lines):
                    c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)

    # 8c. SuperBPE trained by VocabKit: tokenizers loads the tokenizer.json (Digits, ByteLevel
    #     without its regex, BPE with the subword merges first) and gives the same ids, superword
    #     tokens included, on English and Python.
    superbpe = os.path.join(tmp, "superbpe.json")
    subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "superbpe", "--vocab-size", "4000", "--transition", "3000",
                    os.path.join(ROOT, "Corpora", "en.txt"), "-o", superbpe], check=True)
    peer = Tokenizer.from_file(superbpe)
    # Numbers: the released front end cuts digit runs in groups of three from the right (a
    # zero-width Split pattern), Unicode digits included.
    numbers = os.path.join(tmp, "numbers.txt")
    with open(numbers, "w", encoding="utf-8") as f:
        rng = random.Random(19)
        digits = "0123456789" * 6 + "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९"
        for _ in range(3000):
            parts = []
            for _ in range(rng.randint(1, 8)):
                run = "".join(rng.choice(digits) for _ in range(rng.randint(1, 14)))
                parts.append(rng.choice(["", " ", "$", "x", ",", ".", " of the ", "\t"]) + run)
            f.write("".join(parts) + "\n")
    for corpus in ("en", "code-python", "ar", "hi", "numbers"):
        path = os.path.join(tmp, f"{corpus}.txt")
        lines = open(path, encoding="utf-8").read().split("\n")[:-1]
        ours = vocab_lines(a.vocab, ["encode", "-t", superbpe, "--format", "jsonl"], path)
        c = check(f"encode vocabkit-trained SuperBPE ({corpus}) = tokenizers")
        for i, line in enumerate(lines):
            c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), peer.encode(line).ids, line)

    # 9. SentencePiece .model files: SentencePiece's own test models (Unigram with its nfkc map,
    #    BPE with nmt_nfkc) and Mistral's BPE (byte fallback, split digits), on every line.
    import sentencepiece as spm

    def compare_sentencepiece(c, sp, model_path, corpora):
        """vocab encode's ids for model_path against sentencepiece's on every line of corpora."""
        for corpus in corpora:
            path = os.path.join(tmp, f"{corpus}.txt")
            lines = open(path, encoding="utf-8").read().split("\n")[:-1]
            ours = vocab_lines(a.vocab, ["encode", "-t", model_path, "--format", "jsonl"], path)
            theirs = sp.encode(lines)
            for i, line in enumerate(lines):
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), theirs[i], line)

    sp_models = [os.path.join(FIXTURES, "sentencepiece", f) for f in
                 ("botchan_en_unigram_1000.model", "botchan_en_bpe_1000.model", "mistral-tokenizer.model.v1")]
    for model_path in sp_models:
        sp = spm.SentencePieceProcessor(model_file=model_path)
        compare_sentencepiece(check(f"encode {os.path.basename(model_path)} = sentencepiece"), sp, model_path, CORPORA)

    # 10. Unigram trained by VocabKit: its .model gives the same ids in sentencepiece, its
    #     tokenizer.json the same ids in tokenizers, on every line of three languages.
    multi = [os.path.join(ROOT, "Corpora", f"{c}.txt") for c in ("en", "de", "ja", "zh")]
    for ext in (".model", ".json"):
        out = os.path.join(tmp, f"vocabkit-unigram{ext}")
        subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "unigram", "--vocab-size", "6000", *multi, "-o", out],
                       check=True, capture_output=True)
        peer_name = "sentencepiece" if ext == ".model" else "tokenizers"
        encode = (spm.SentencePieceProcessor(model_file=out).encode if ext == ".model"
                  else (lambda batch, t=Tokenizer.from_file(out): [e.ids for e in t.encode_batch(batch)]))
        c = check(f"encode vocabkit-trained unigram{ext} = {peer_name}")
        for corpus in ("en", "de", "ru", "ja", "zh"):
            path = os.path.join(tmp, f"{corpus}.txt")
            lines = open(path, encoding="utf-8").read().split("\n")[:-1]
            ours = vocab_lines(a.vocab, ["encode", "-t", out, "--format", "jsonl"], path)
            theirs = encode(lines)
            for i, line in enumerate(lines):
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), theirs[i], line)

    # 10b. Surgery on Unigram .model files: the VocabKit-trained model above and SentencePiece's
    #      own botchan model, cut, pruned and extended with Python; sentencepiece loads each
    #      output and gives VocabKit's ids (extension: every base piece keeps its id and score).
    vk_unigram = os.path.join(tmp, "vocabkit-unigram.model")
    botchan = os.path.join(FIXTURES, "sentencepiece", "botchan_en_unigram_1000.model")
    code = os.path.join(ROOT, "Corpora", "code-python.txt")
    surgeries = [
        ("cut 6000 -> 3000", vk_unigram, ["cut", "--vocab-size", "3000"]),
        ("prune --by usage 6000 -> 4000", vk_unigram, ["prune", "--to", "4000", "--by", "usage", os.path.join(tmp, "en.txt")]),
        ("extend 6000 -> 7000 with Python", vk_unigram, ["extend", "--vocab-size", "7000", code]),
        ("botchan cut 1000 -> 600", botchan, ["cut", "--vocab-size", "600"]),
        ("botchan extend 1000 -> 1400 with Python", botchan, ["extend", "--vocab-size", "1400", code]),
    ]
    for index, (name, base, command) in enumerate(surgeries):
        out = os.path.join(tmp, f"surgery-{index}.model")
        subprocess.run([a.vocab, command[0], "--quiet", "-t", base, *command[1:], "-o", out], check=True)
        sp = spm.SentencePieceProcessor(model_file=out)
        if command[0] == "extend":
            before = spm.SentencePieceProcessor(model_file=base)
            c = check(f"unigram .model {name}: base pieces and scores unchanged")
            for i in range(before.get_piece_size()):
                c.compare(f"id {i}", [sp.id_to_piece(i), sp.get_score(i)], [before.id_to_piece(i), before.get_score(i)], "")
        compare_sentencepiece(check(f"unigram .model {name} = sentencepiece"), sp, out, ("en", "de", "ja", "code-python"))

    # 11. The hybrid's tokenizer.json: tokenizers must refuse the unknown model type, never load
    #     it as something else (its message, "data did not match any variant of untagged enum
    #     ModelUntagged", is its own).
    hybrid = os.path.join(tmp, "vocabkit-hybrid.json")
    subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "hybrid", "--vocab-size", "4000",
                    os.path.join(ROOT, "Corpora", "en.txt"), "-o", hybrid], check=True, capture_output=True)
    def refuses(path):
        """Whether tokenizers refuses to load the file (any refusal counts)."""
        try:
            Tokenizer.from_file(path)
            return False
        except Exception:  # noqa: BLE001
            return True

    check("tokenizers refuses a VocabKitHybrid tokenizer.json").compare("hybrid", refuses(hybrid), True, "Tokenizer.from_file(VocabKitHybrid)")

    # 12. Word-level: VocabKit's trainer gives tokenizers' WordLevelTrainer vocabulary (same
    #     counts, ties by bytes), and its tokenizer.json (WordLevel model) gives the same ids in
    #     tokenizers, with the Whitespace pre-tokenizer and with NFKC + Metaspace.
    en_path = os.path.join(ROOT, "Corpora", "en.txt")
    word_ws = os.path.join(tmp, "vocabkit-word-whitespace.json")
    subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "word", "--vocab-size", "5000", "--min-frequency", "2",
                    "-n", "none", "-p", "whitespace", en_path, "-o", word_ws], check=True, capture_output=True)
    hf = Tokenizer(models.WordLevel(unk_token="<unk>"))
    hf.pre_tokenizer = pt.Whitespace()
    hf.train([en_path], trainers.WordLevelTrainer(vocab_size=5000, min_frequency=2, special_tokens=["<unk>"], show_progress=False))
    c = check("train word-level en 5000 = tokenizers WordLevelTrainer")
    c.compare("en vocab", json.load(open(word_ws))["model"]["vocab"], json.loads(hf.to_str())["model"]["vocab"], "(vocab)")
    word_meta = os.path.join(tmp, "vocabkit-word-metaspace.json")
    subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "word", "--vocab-size", "8000",
                    *[os.path.join(ROOT, "Corpora", f"{x}.txt") for x in ("en", "de", "zh")], "-o", word_meta],
                   check=True, capture_output=True)
    for file in (word_ws, word_meta):
        peer = Tokenizer.from_file(file)
        c = check(f"encode vocabkit-trained {os.path.basename(file)} = tokenizers WordLevel")
        for corpus in ("en", "de", "ru", "zh"):
            path = os.path.join(tmp, f"{corpus}.txt")
            lines = open(path, encoding="utf-8").read().split("\n")[:-1]
            ours = vocab_lines(a.vocab, ["encode", "-t", file, "--format", "jsonl"], path)
            theirs = [e.ids for e in peer.encode_batch(lines)]
            for i, line in enumerate(lines):
                c.compare(f"{corpus}:{i + 1}", json.loads(ours[i]), theirs[i], line)

    # 13. ICU word break has no tokenizers form: a word-level Chinese file that uses it is written
    #     with VocabKit's own pre-tokenizer type, which tokenizers must refuse.
    word_zh = os.path.join(tmp, "vocabkit-word-zh-wordbreak.json")
    subprocess.run([a.vocab, "train", "--quiet", "--algorithm", "word", "--vocab-size", "3000", "-p", "word-break",
                    os.path.join(ROOT, "Corpora", "zh.txt"), "-o", word_zh], check=True, capture_output=True)
    check("tokenizers refuses a VocabKitWordBreak pre-tokenizer").compare("word-break", refuses(word_zh), True,
                                                                          "Tokenizer.from_file(VocabKitWordBreak)")

    failed = 0
    for c in checks.values():
        status = "ok" if not c.failures else f"{len(c.failures)} MISMATCHES"
        skipped = f", {c.skipped} skipped (unassigned in Python's Unicode {unicodedata.unidata_version})" if c.skipped else ""
        print(f"{c.name:55} {c.lines:7} lines  {status}{skipped}")
        for where, line, ours, theirs in c.failures[:3]:
            print(f"    {where}: {line[:80]!r}\n      vocabkit: {str(ours)[:160]}\n      peer:     {str(theirs)[:160]}")
        failed += bool(c.failures)
    total = sum(c.lines for c in checks.values())
    bad = sum(len(c.failures) for c in checks.values())
    print(f"crosscheck: {total - bad} passed, {bad} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
