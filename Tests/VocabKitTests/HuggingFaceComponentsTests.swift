import Foundation
import Testing
@testable import VocabKit

/// The tokenizer.json components that follow `tokenizers` exactly: decoder steps, added-token
/// flags and RoBERTa's post-processing. Expected values were printed by `tokenizers` 0.23.3 for
/// the same inputs (Scripts/components-check.py compares every corpus line in CI).
@Suite("tokenizer.json components behave as in tokenizers")
struct HuggingFaceComponentsTests {
    private static func decode(_ steps: [DecoderStep], _ tokens: [String]) throws -> String {
        String(decoding: try TokenDecoder.huggingFace(steps).join(tokens.map { Array($0.utf8) }), as: UTF8.self)
    }

    @Test("decoder steps give tokenizers' text")
    func decoderSteps() throws {
        #expect(try Self.decode([.metaspace(replacement: "▁", prependsSpace: true)], ["▁New▁York", "▁is", "▁a▁b"]) == "NewYork is a b")
        #expect(try Self.decode([.metaspace(replacement: "▁", prependsSpace: false)], ["▁New▁York", "▁is"]) == " New York is")
        #expect(try Self.decode([.wordPiece(prefix: "##", cleanup: true)], ["don", "'", "t", "a", ".", "##b", "x do not"])
                == "don ' t a.b x don't")
        #expect(try Self.decode([.bpeSuffix("</w>")], ["a</w>b</w>", "c</w>"]) == "a b c")
        #expect(try Self.decode([.ctc(padToken: "<pad>", wordDelimiter: "|", cleanup: true)],
                                ["<pad>", "h", "h", "<pad>", "e", "|", "|", "l", "l", "<pad>", "l", "o", " ."]) == "he llo.")
        #expect(try Self.decode([.byteFallback], ["a", "<0xE2>", "<0x96>", "b", "<0xE2>", "<0x96>", "<0x81>", "<0x41>"])
                == "a\u{FFFD}\u{FFFD}b▁A")
        #expect(try Self.decode([.strip(content: " ", start: 2, stop: 1)], ["  a  ", " b", "c  "]) == "a bc ")
        #expect(try Self.decode([.replace("▁", with: " ")], ["▁a▁", "b"]) == " a b")
        #expect(try Self.decode([.replaceRegex("\\s+", with: " ")], ["a  b", "c"]) == "a bc")
        #expect(try Self.decode([.byteLevel], ["Ġhello", "café", "a b"]) == " hellocaf\u{FFFD}a b")
        #expect(try Self.decode([.byteFallback, .fuse], ["<0xE2>", "x"]) == "\u{FFFD}x")
    }

    /// A word-level tokenizer over lowercased, whitespace-split text with flagged added tokens.
    private static let flagged = """
    {"version": "1.0", "added_tokens": [
      {"id": 3, "content": "<mask>", "single_word": false, "lstrip": true, "rstrip": false, "normalized": false, "special": true},
      {"id": 4, "content": "<R>", "single_word": false, "lstrip": false, "rstrip": true, "normalized": false, "special": false},
      {"id": 5, "content": "cat", "single_word": true, "lstrip": false, "rstrip": false, "normalized": true, "special": false},
      {"id": 6, "content": "DOG", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": false},
      {"id": 7, "content": "Éx", "single_word": true, "lstrip": false, "rstrip": false, "normalized": false, "special": false}],
     "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "WhitespaceSplit"},
     "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "a": 1, "b": 2}, "unk_token": "[UNK]"}}
    """

    @Test("added-token flags: lstrip, rstrip, single_word and normalized match as in tokenizers", arguments: [
        ("a  <mask>b", [1, 3, 2], [0..<1, 1..<9, 9..<10]),
        ("<R>   a", [4, 1], [0..<6, 6..<7]),
        ("cat concat cat_ cat. écat 1cat", [5, 0, 0, 5, 0, 0, 0], [0..<3, 4..<10, 11..<15, 16..<19, 19..<20, 21..<26, 27..<31]),
        ("dog DOG Dog", [6, 6, 6], [0..<3, 4..<7, 8..<11]),
        ("Éx Éxé aÉx", [7, 0, 0], [0..<3, 4..<9, 10..<14]),
        ("a <mask> <mask>  <R>  b", [1, 3, 3, 4, 2], [0..<1, 1..<8, 8..<15, 17..<22, 22..<23]),
    ])
    func addedTokenFlags(text: String, ids: [UInt32], offsets: [Range<Int>]) throws {
        let tokenizer = try TokenizerJSON.read(Data(Self.flagged.utf8))
        let encoding = try tokenizer.encode(text, specialTokens: .recognized)
        #expect(encoding.ids == ids)
        #expect(encoding.offsets == offsets, "byte offsets")
        // Decoding: a normalized token is its normalized content; special tokens are skipped by default.
        #expect(try tokenizer.decode([6, 3, 1]) == "dog a")
        #expect(try tokenizer.decode([6, 3, 1], skipsSpecialTokens: false) == "dog <mask> a")
    }

    @Test("RobertaProcessing: <s> A </s></s> B </s>, type ids 0, offsets trimmed; written back as RobertaProcessing")
    func roberta() throws {
        // Ids: <s> 0, </s> 1, the 256 bytes from 2 in GPT-2's alphabet, then "Ġh" 258, "Ġhi" 259, "hi" 260.
        var vocab = ["\"<s>\": 0", "\"</s>\": 1"]
        for byte in 0...255 {
            let name = ByteLevelAlphabet.encode([UInt8(byte)])
            let escaped = name == "\"" ? "\\\"" : name == "\\" ? "\\\\" : name
            vocab.append("\"\(escaped)\": \(byte + 2)")
        }
        vocab += ["\"Ġh\": 258", "\"Ġhi\": 259", "\"hi\": 260"]
        let json = """
        {"version": "1.0", "added_tokens": [
          {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
         "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 1], "cls": ["<s>", 0], "trim_offsets": true, "add_prefix_space": false},
         "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "vocab": {\(vocab.joined(separator: ", "))},
                   "merges": [["Ġ", "h"], ["Ġh", "i"], ["h", "i"]]}}
        """
        let tokenizer = try TokenizerJSON.read(Data(json.utf8))
        let encoding = try tokenizer.encode("hi hi", pair: "hi")
        #expect(encoding.ids == [0, 260, 259, 1, 1, 260, 1])
        #expect(encoding.typeIds == [0, 0, 0, 0, 0, 0, 0])
        #expect(encoding.offsets == [0..<0, 0..<2, 3..<5, 0..<0, 0..<0, 0..<2, 0..<0], "the space of \"Ġhi\" is trimmed")
        let plain = try tokenizer.encode("hi hi", pair: "hi", addsSpecialTokens: false)
        #expect(plain.typeIds == [0, 0, 0], "RoBERTa gives the second text type id 0 without special tokens too")
        let written = try JSONSerialization.jsonObject(with: try TokenizerJSON.write(tokenizer)) as? [String: Any]
        let processor = written?["post_processor"] as? [String: Any]
        #expect(processor?["type"] as? String == "RobertaProcessing")
        #expect(processor?["trim_offsets"] as? Bool == true)
    }

    @Test("Precompiled applies the shortest rule to a whole grapheme cluster, then character by character, as tokenizers does")
    func precompiled() throws {
        let map = try PrecompiledCharsMap(rules: [
            (Array("e".utf8), Array("E".utf8)), (Array("e\u{301}".utf8), Array("é".utf8)),
            (Array("ﬁ".utf8), Array("fi".utf8)), (Array("\u{302}".utf8), Array("^".utf8)),
        ])
        let normalizer = PrecompiledNormalizer(map)
        // "e\u{301}" is one cluster: the shortest rule ("e") replaces all of it (SentencePiece
        // itself would take the longest, "é").
        #expect(try normalizer.normalize("cafe\u{301}") == "cafE")
        // A cluster of 6 bytes or more goes character by character: "e" and U+0302 each rewritten.
        #expect(try normalizer.normalize("e\u{302}\u{302}\u{302}") == "E^^^")
        #expect(try normalizer.normalize("ﬁne") == "finE")
        // Read from tokenizer.json (base64 blob) and written back the same.
        let json = """
        {"version": "1.0", "normalizer": {"type": "Precompiled", "precompiled_charsmap": "\(Data(map.blob).base64EncodedString())"},
         "pre_tokenizer": {"type": "WhitespaceSplit"},
         "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "fine": 1, "finE": 2}, "unk_token": "[UNK]"}}
        """
        let tokenizer = try TokenizerJSON.read(Data(json.utf8))
        #expect(try tokenizer.encode("ﬁne").ids == [2])
        #expect(tokenizer.frontEnd.normalizer.component == .precompiled(map))
        let reread = try TokenizerJSON.read(try TokenizerJSON.write(tokenizer))
        #expect(reread.frontEnd.normalizer.component == .precompiled(map))
    }

    @Test("truncation with a stride keeps the cut-off tokens as overlapping windows, each with the template", arguments: [
        ("Right", [["[CLS]", "a", "b", "c", "d", "[SEP]"], ["[CLS]", "d", "e", "f", "g", "[SEP]"], ["[CLS]", "g", "h", "i", "[SEP]"]]),
        ("Left", [["[CLS]", "f", "g", "h", "i", "[SEP]"], ["[CLS]", "c", "d", "e", "f", "[SEP]"], ["[CLS]", "a", "b", "c", "[SEP]"]]),
    ])
    func strideWindows(direction: String, expected: [[String]]) throws {
        let letters = "abcdefghijk".map { "\"\($0)\": \(Int($0.asciiValue!) - 94)" }.joined(separator: ", ")
        let json = """
        {"version": "1.0", "truncation": {"max_length": 6, "stride": 1, "strategy": "LongestFirst", "direction": "\(direction)"},
         "added_tokens": [
          {"id": 1, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 2, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "pre_tokenizer": {"type": "WhitespaceSplit"},
         "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
         "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, \(letters)}, "unk_token": "[UNK]"}}
        """
        let tokenizer = try TokenizerJSON.read(Data(json.utf8))
        let encoding = try tokenizer.encode("a b c d e f g h i")
        let windows = [encoding] + encoding.overflowing
        #expect(windows.map { $0.ids.map { tokenizer.token(for: $0) ?? "?" } } == expected)
        #expect(encoding.overflowing.allSatisfy { $0.overflowing.isEmpty })
        // Written back with its stride.
        let reread = try TokenizerJSON.read(try TokenizerJSON.write(tokenizer))
        #expect(reread.truncation?.stride == 1)
    }
}
