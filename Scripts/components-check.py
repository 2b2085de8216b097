#!/usr/bin/env python3
"""Cross-checks the tokenizer.json components that model files use beyond the basics, each built
with HuggingFace `tokenizers` itself and saved as JSON, against `vocab` reading that JSON.

    python3 Scripts/components-check.py --vocab .build/release/vocab [--venv DIR] [--lines N]

Base models are trained here with `tokenizers`' own trainers on the first --lines lines of each
corpus in Corpora/ (byte-level BPE, WordPiece, Unigram with Metaspace, BPE with an end-of-word
suffix). For every component below, on every line (and on pairs of consecutive lines where the
component treats pairs):
  * encoding: ids, type ids, offsets (HuggingFace's character offsets converted to bytes of each
    text) and the special-tokens mask, from `vocab encode --format encoding`;
  * decoding: the text `tokenizers` decodes from the same ids, and from random id sequences (with
    repeated ids and byte tokens mixed in), skipping special tokens (the default of both) and,
    with --keep-special-tokens, keeping them.
Components:
  decoders      ByteLevel, ByteFallback, Fuse, Strip, Replace (string and regex), Metaspace (each
                prepend scheme), WordPiece (with and without cleanup), BPEDecoder, CTC, Sequence
  processors    RobertaProcessing (trim_offsets x add_prefix_space), ByteLevel (trim_offsets),
                Sequence [ByteLevel, TemplateProcessing]
Exits 1 on any mismatch, printing the first ones.
"""
import argparse
import atexit
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import ensure_venv, exit_cleanly_on_sigterm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The same pins as formats-check.py, so both scripts share one venv.
PINNED = ["gguf==0.19.0", "tokenizers==0.23.3", "sentencepiece==0.2.3", "protobuf==7.36.2", "numpy==2.4.6"]
CORPORA = ["en", "code-python", "de", "ru", "ja", "zh", "hi"]
SPECIALS = ["<s>", "</s>", "<pad>", "<unk>", "<mask>"]


def byte_offsets(text):
    """Character offset -> byte offset for `text`."""
    table, b = [0], 0
    for ch in text:
        b += len(ch.encode("utf-8"))
        table.append(b)
    return table


class Checker:
    def __init__(self):
        self.passed, self.failures, self.peer_panics, self.panic_cases = 0, [], 0, set()

    def expect(self, what, ours, theirs):
        if ours == theirs:
            self.passed += 1
        else:
            self.failures.append((what, ours, theirs))


@contextlib.contextmanager
def quiet_stderr():
    """File descriptor 2 to /dev/null: tokenizers' Rust panics print there before they raise."""
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)


def texts_of(text, pair):
    return [text] + ([pair] if pair is not None else [])


def widened(offsets, special, sequence_ids, texts):
    """Byte offsets widened to the characters they touch, per sequence."""
    starts = []
    for t in texts:
        boundaries, b = set([0]), 0
        for ch in t:
            b += len(ch.encode("utf-8"))
            boundaries.add(b)
        starts.append(boundaries)
    out = []
    for (s, e), seq in zip(offsets, sequence_ids):
        if seq is None or s == e and s in starts[seq]:
            out.append([s, e])
            continue
        while s not in starts[seq]:
            s -= 1
        while e not in starts[seq]:
            e += 1
        out.append([s, e])
    return out


def run_vocab(vocab, args, stdin):
    quiet = ["--quiet"] if args[0] == "encode" else []
    out = subprocess.run([vocab, *args, *quiet], input=stdin.encode("utf-8"), check=True, capture_output=True).stdout
    return out.decode("utf-8").split("\n")[:-1]


def main():
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", default=os.path.join(ROOT, ".build", "release", "vocab"))
    parser.add_argument("--venv", default=os.path.join(ROOT, ".venv-formats"))
    parser.add_argument("--lines", type=int, default=600, help="lines per corpus (default 600)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if not a.inner:
        python = ensure_venv(a.venv, PINNED)
        os.execv(python, [python, os.path.abspath(__file__), "--inner", "--vocab", os.path.abspath(a.vocab), "--lines", str(a.lines)])

    from tokenizers import Tokenizer, Regex, AddedToken, models, normalizers, pre_tokenizers as pt, decoders as dec, processors, trainers

    lines = []
    for corpus in CORPORA:
        text = open(os.path.join(ROOT, "Corpora", f"{corpus}.txt"), encoding="utf-8").read().split("\n")
        lines += [line for line in text[:a.lines] if line.strip()]
    rng = random.Random(20261202)
    check = Checker()
    tmp = tempfile.mkdtemp(prefix="components-check-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    byte_tokens = ["<0xE2>", "<0x96>", "<0x81>", "<0x41>", "<0xC3>", "<0xA9>", "<0xFF>"]

    # 1. Base models, trained by tokenizers.
    def byte_level_bpe(prefix_space=False):
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pt.ByteLevel(add_prefix_space=prefix_space)
        tok.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=3000, special_tokens=SPECIALS,
                                                          initial_alphabet=pt.ByteLevel.alphabet(), show_progress=False))
        return tok

    def wordpiece():
        tok = Tokenizer(models.WordPiece(unk_token="<unk>"))
        tok.pre_tokenizer = pt.BertPreTokenizer()
        tok.train_from_iterator(lines, trainers.WordPieceTrainer(vocab_size=3000, special_tokens=SPECIALS + ["|"], show_progress=False))
        return tok

    def unigram(bytes_added=True):
        tok = Tokenizer(models.Unigram())
        tok.pre_tokenizer = pt.Metaspace(replacement="▁", prepend_scheme="always")
        tok.train_from_iterator(lines, trainers.UnigramTrainer(vocab_size=3000, special_tokens=SPECIALS, unk_token="<unk>",
                                                              show_progress=False))
        if bytes_added:
            tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in byte_tokens])
        return tok

    def suffix_bpe():
        tok = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
        tok.pre_tokenizer = pt.Whitespace()
        tok.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=3000, special_tokens=SPECIALS, end_of_word_suffix="</w>",
                                                          show_progress=False))
        return tok

    def random_ids(tok, count=300):
        """Random id sequences with repeats and byte tokens, for the decoders."""
        size = tok.get_vocab_size(with_added_tokens=True)
        extra = [tok.token_to_id(t) for t in byte_tokens + SPECIALS + ["|"] if tok.token_to_id(t) is not None]
        out = []
        for _ in range(count):
            ids = []
            for _ in range(rng.randint(1, 24)):
                r = rng.random()
                if r < 0.2 and ids:
                    ids.append(ids[-1])
                elif r < 0.4 and extra:
                    ids.append(rng.choice(extra))
                else:
                    ids.append(rng.randrange(size))
            out.append(ids)
        return out

    def check_decoding(name, tok, id_lists):
        path = os.path.join(tmp, f"{name}.json")
        tok.save(path)
        payload = "".join(json.dumps(ids) + "\n" for ids in id_lists)
        for keep in (False, True):
            args = ["decode", "-t", path, "--format", "jsonl", "--output-format", "jsonl"] + (["--keep-special-tokens"] if keep else [])
            ours = [json.loads(line)["text"] for line in run_vocab(a.vocab, args, payload)]
            if len(ours) != len(id_lists):
                check.expect(f"{name}: decoded text count", len(ours), len(id_lists))
                continue
            for ids, mine in zip(id_lists, ours):
                try:
                    with quiet_stderr():
                        theirs = tok.decode(ids, skip_special_tokens=not keep)
                except BaseException as error:  # tokenizers' Rust panics (Strip on an empty text) arrive as BaseException
                    if type(error).__name__ != "PanicException":
                        raise
                    check.peer_panics += 1
                    check.panic_cases.add(name)
                    continue
                check.expect(f"{name}: decode{' keeping special tokens' if keep else ''} {ids}", mine, theirs)

    def hf_encoding(e, texts, window=False):
        """tokenizers' encoding with byte offsets. Truncated windows lose their sequence ids in
        tokenizers, so there the text of a token is its type id (0 or 1 in the templates checked)."""
        tables = [byte_offsets(t) for t in texts]
        sequence_ids = e.sequence_ids
        if window:
            sequence_ids = [None if special else min(type_id, len(texts) - 1)
                            for special, type_id in zip(e.special_tokens_mask, e.type_ids)]
        offsets = []
        for (s, t), seq in zip(e.offsets, sequence_ids):
            offsets.append([0, 0] if seq is None else [tables[seq][s], tables[seq][t]])
        return {"ids": e.ids, "type_ids": e.type_ids, "offsets": offsets, "special_tokens_mask": e.special_tokens_mask,
                "attention_mask": e.attention_mask, "overflowing": [hf_encoding(o, texts, True) for o in e.overflowing],
                "sequence_ids": sequence_ids}

    def comparable(mine, theirs, texts):
        """VocabKit's encoding (and its windows) in tokenizers' terms, offsets widened to characters."""
        out = {k: mine[k] for k in theirs if k not in ("sequence_ids", "overflowing")}
        # VocabKit's offsets are bytes, finer than characters: a byte-level token holding part
        # of a character covers those bytes, where tokenizers gives the whole character.
        # Widened to character boundaries, they must be tokenizers' offsets.
        out["offsets"] = widened(mine["offsets"], mine["special_tokens_mask"], theirs["sequence_ids"], texts)
        windows = mine.get("overflowing", [])
        out["overflowing"] = [comparable(m, t, texts) for m, t in zip(windows, theirs["overflowing"])] + windows[len(theirs["overflowing"]):]
        return out

    def strip_sequence_ids(theirs):
        return {k: ([strip_sequence_ids(o) for o in v] if k == "overflowing" else v) for k, v in theirs.items() if k != "sequence_ids"}

    def check_encoding(name, tok, pairs=True, special=True, texts=None):
        texts = texts or lines
        path = os.path.join(tmp, f"{name}.json")
        tok.save(path)
        records = [(texts[i], texts[i + 1] if pairs else None) for i in range(len(texts) - 1)]
        payload = "".join(json.dumps({"text": t, "pair": p} if p is not None else {"text": t, "pair": ""}) + "\n" for t, p in records)
        args = ["encode", "-t", path, "--input", "jsonl", "--format", "encoding"] + (["--pair-key", "pair"] if pairs else [])
        if not special:
            args.append("--no-special-tokens")
        ours = [json.loads(line) for line in run_vocab(a.vocab, args, payload)]
        check.expect(f"{name}: encoding count", len(ours), len(records))
        for (text, pair), mine in zip(records, ours):
            if not pairs:
                pair = None
            e = tok.encode(text, pair, add_special_tokens=special)
            theirs = hf_encoding(e, texts_of(text, pair))
            mine = comparable(mine, theirs, texts_of(text, pair))
            theirs = strip_sequence_ids(theirs)
            check.expect(f"{name}: encode {text[:60]!r} + {(pair or '')[:30]!r}", mine, theirs)
        # Decoding what was encoded, special tokens included.
        id_lists = [tok.encode(t, p if pairs else None).ids for t, p in records[:400]]
        check_decoding(name, tok, id_lists)

    bl = byte_level_bpe()
    wp = wordpiece()
    ug = unigram()
    sx = suffix_bpe()

    # 2. Decoders, each alone and in sequences.
    decoder_cases = [
        ("bytelevel", bl, dec.ByteLevel()),
        ("bytelevel-then-replace", bl, dec.Sequence([dec.ByteLevel(), dec.Replace("!", "?"), dec.Strip(" ", 1, 1)])),
        ("wordpiece-cleanup", wp, dec.WordPiece(prefix="##", cleanup=True)),
        ("wordpiece-raw", wp, dec.WordPiece(prefix="##", cleanup=False)),
        ("ctc", wp, dec.CTC(pad_token="<pad>", word_delimiter_token="|", cleanup=True)),
        ("ctc-raw", wp, dec.CTC(pad_token="<pad>", word_delimiter_token="|", cleanup=False)),
        ("metaspace-always", ug, dec.Metaspace(replacement="▁", prepend_scheme="always")),
        ("metaspace-first", ug, dec.Metaspace(replacement="▁", prepend_scheme="first")),
        ("metaspace-never", ug, dec.Metaspace(replacement="▁", prepend_scheme="never")),
        ("llama-chain", ug, dec.Sequence([dec.Replace("▁", " "), dec.ByteFallback(), dec.Fuse(), dec.Strip(" ", 1, 0)])),
        ("bytefallback-fuse", ug, dec.Sequence([dec.ByteFallback(), dec.Fuse()])),
        ("bytefallback-alone", ug, dec.ByteFallback()),
        ("regex-replace", ug, dec.Sequence([dec.Replace(Regex("▁+"), " "), dec.Strip(" ", 2, 1)])),
        ("bpe-suffix", sx, dec.BPEDecoder(suffix="</w>")),
    ]
    for name, tok, decoder in decoder_cases:
        tok.decoder = decoder
        ids = [tok.encode(line).ids for line in lines[:500]] + random_ids(tok)
        check_decoding(f"decoder {name}", tok, ids)

    # 3. Post-processors: RoBERTa's, ByteLevel's offset trimming, and a Sequence of both kinds.
    bl.decoder = dec.ByteLevel()
    s_id, e_id = bl.token_to_id("<s>"), bl.token_to_id("</s>")
    for prefix_space in (False, True):
        tok = byte_level_bpe(prefix_space)
        tok.decoder = dec.ByteLevel()
        for trim in (True, False):
            tok.post_processor = processors.RobertaProcessing(("</s>", e_id), ("<s>", s_id), trim_offsets=trim,
                                                              add_prefix_space=prefix_space)
            check_encoding(f"roberta trim={trim} prefix_space={prefix_space}", tok)
            check_encoding(f"roberta trim={trim} prefix_space={prefix_space} without special tokens", tok, special=False)
        tok.post_processor = processors.ByteLevel(trim_offsets=True, add_prefix_space=prefix_space)
        check_encoding(f"bytelevel-processor prefix_space={prefix_space}", tok)
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=True, add_prefix_space=prefix_space),
            processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
                                          special_tokens=[("<s>", s_id), ("</s>", e_id)])])
        check_encoding(f"sequence[bytelevel, template] prefix_space={prefix_space}", tok)

    shown = {}
    # 3b. Truncation with a stride: the overflowing windows, with the template around each and, for
    #     pairs, combined as tokenizers combines them; padding applies to every window.
    wp.decoder = dec.WordPiece()
    wp.post_processor = processors.BertProcessing(("[SEP]", wp.token_to_id("</s>")), ("[CLS]", wp.token_to_id("<s>")))
    for direction in ("right", "left"):
        wp.enable_truncation(max_length=24, stride=4, direction=direction)
        check_encoding(f"truncation stride=4 {direction} bert", wp)
    wp.enable_truncation(max_length=16, stride=0)
    wp.enable_padding(pad_id=wp.token_to_id("<pad>"), pad_token="<pad>", length=20)
    check_encoding("truncation stride=0 padded bert", wp)
    wp.no_padding()
    wp.post_processor = None
    wp.enable_truncation(max_length=20, stride=3)
    check_encoding("truncation stride=3 without post-processor", wp)
    wp.no_truncation()

    # 4. Added tokens with every flag, inserted into corpus lines with spaces around them.
    flagged = [
        AddedToken("<mask>", lstrip=True, special=True, normalized=False),
        AddedToken("[R]", rstrip=True, special=False, normalized=False),
        AddedToken("[BOTH]", lstrip=True, rstrip=True, special=True, normalized=False),
        AddedToken("Cat", single_word=True, normalized=True, special=False),
        AddedToken("DOG", normalized=True, special=False),
        AddedToken("Éx", single_word=True, normalized=False, special=False),
        AddedToken("new york", normalized=True, special=False),
        AddedToken("_x", single_word=True, normalized=False, special=True),
    ]
    inserts = ["<mask>", "[R]", "[BOTH]", "cat", "Cat", "CAT", "dog", "Dog", "Éx", "New York", "_x", "concat", "cat_"]

    def with_tokens(line):
        words = line.split(" ")
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(words) + 1)
            glue = rng.choice(["", " ", "  ", "\t"])
            words.insert(at, glue + rng.choice(inserts) + rng.choice(["", " ", "  "]))
        return " ".join(words)

    flag_lines = [with_tokens(line) for line in lines]
    for name, base in (("wordpiece", wordpiece), ("unigram", lambda: unigram(False)), ("bytelevel", byte_level_bpe)):
        tok = base()
        tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()]) if name != "bytelevel" else None
        tok.add_tokens(flagged)
        tok.decoder = {"wordpiece": dec.WordPiece(), "unigram": dec.Metaspace(), "bytelevel": dec.ByteLevel()}[name]
        check_encoding(f"added-token flags on {name}", tok, pairs=False, texts=flag_lines)

    # 5. The Precompiled normalizer (SentencePiece's nmt_nfkc map from a .model file), on the corpora
    #    and on lines full of what the map rewrites (compatibility forms, combining marks, controls).
    from sentencepiece import sentencepiece_model_pb2
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(open(os.path.join(ROOT, "Tests", "Fixtures", "sentencepiece", "botchan_en_unigram_1000.model"), "rb").read())
    charsmap = proto.normalizer_spec.precompiled_charsmap
    odd = ["ﬁne ﬂow Ⅳ ①②③ ＡＢＣ１２３ ｶﾀｶﾅ ㍻ ㎏ ﹏ ™ ½", "e\u0301 a\u0308\u0301 n\u0303 \u1100\u1161\u11a8 각",
           "tab\there\r\nline \u200b zero \u00a0 nbsp \u3000 ideographic", "👩‍💻 🇯🇵 ❤️ x\u0300\u0301\u0302\u0303\u0304"]
    precompiled_lines = lines + odd + [rng.choice(odd) + " " + line for line in lines[:200]]
    for name, steps in (("precompiled", [normalizers.Precompiled(charsmap)]),
                        ("precompiled-t5", [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]),
                        # A zero-width Replace inserts (a space before each capital: camelCase apart).
                        ("replace-zero-width", [normalizers.Replace(Regex("(?=[A-Z])"), " ")])):
        tok = unigram(False)
        tok.normalizer = normalizers.Sequence(steps)
        tok.decoder = dec.Metaspace()
        check_encoding(f"normalizer {name}", tok, pairs=False, texts=precompiled_lines)

    for what, ours, theirs in check.failures:
        name = what.split(":")[0]
        shown[name] = shown.get(name, 0) + 1
        if shown[name] > 3:
            continue
        if isinstance(ours, dict) and isinstance(theirs, dict):
            # Encodings: the first differing field and position.
            for key in theirs:
                if ours.get(key) != theirs[key]:
                    mine, their = ours.get(key) or [], theirs[key]
                    at = next((i for i, (x, y) in enumerate(zip(mine, their)) if x != y), min(len(mine), len(their)))
                    ours, theirs = f"{key}[{at}:] = {mine[at:at + 6]} (of {len(mine)})", f"{key}[{at}:] = {their[at:at + 6]} (of {len(their)})"
                    break
        print(f"MISMATCH {what}\n  vocabkit: {ours!r}\n  expected: {theirs!r}")
    by_name = {}
    for what, _, _ in check.failures:
        by_name[what.split(":")[0]] = by_name.get(what.split(":")[0], 0) + 1
    for name, count in sorted(by_name.items()):
        print(f"  {count} mismatches in {name}")
    if check.peer_panics:
        print(f"  {check.peer_panics} decodes not compared: tokenizers panicked (in {sorted(check.panic_cases)})")
    print(f"components-check: {check.passed} passed, {len(check.failures)} failed")
    sys.exit(1 if check.failures else 0)


if __name__ == "__main__":
    main()
