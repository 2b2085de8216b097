import Foundation
import Testing
@testable import VocabKit

/// The fast path of `tokenizer.json` loading (vocab and merges read from the bytes, the rest
/// through JSONSerialization) against the general path (everything through JSONSerialization).
@Suite("tokenizer.json: the vocab and merges read from the bytes equal the general path")
struct TokenizerJSONSectionsTests {
    /// Reads `data` both ways; both must succeed and write back the same bytes.
    func bothWays(_ data: Data, _ comment: Comment) throws -> Tokenizer {
        let fast = try TokenizerJSON.read(data, path: "t.json", readsSectionsDirectly: true)
        let general = try TokenizerJSON.read(data, path: "t.json", readsSectionsDirectly: false)
        #expect(try TokenizerJSON.write(fast) == TokenizerJSON.write(general), comment)
        return fast
    }

    /// The error message each way (nil when the read succeeds).
    func errors(_ json: String) -> (fast: String?, general: String?) {
        func message(_ direct: Bool) -> String? {
            do { _ = try TokenizerJSON.read(Data(json.utf8), path: "t.json", readsSectionsDirectly: direct); return nil } catch {
                return "\(error)"
            }
        }
        return (message(true), message(false))
    }

    static let texts = ["Hello, world! It's 2026.", "naïve café — 東京 🙂\n\tdone", "  spaces   and\u{0301} marks", "##ab ab##"]

    @Test("real files (GPT-2 byte-level BPE, Mistral's byte-fallback BPE, BERT's WordPiece) read the same both ways and round-trip")
    func realFiles() throws {
        for fixture in ["gpt2", "sentencepiece/mistral-tokenizer.model.v1", "bert/tokenizer.json"] {
            let original = try Tokenizer(contentsOf: TestCorpora.fixture(fixture))
            // Written once and read back by the general path first: a SentencePiece model becomes
            // the BPE section tokenizer.json holds, which then writes the same bytes each time.
            let written = try TokenizerJSON.write(TokenizerJSON.read(TokenizerJSON.write(original), path: "t.json", readsSectionsDirectly: false))
            let read = try bothWays(written, "\(fixture)")
            #expect(try TokenizerJSON.write(read) == written, "\(fixture)")
            for text in Self.texts {
                #expect(try read.encode(text).ids == original.encode(text).ids, "\(fixture): \(text)")
            }
        }
    }

    static func bpe(vocab: String, merges: String, extra: String = "") -> String {
        """
        {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
         "model": {"type": "BPE", "unk_token": "<unk>"\(extra), "vocab": \(vocab), "merges": \(merges)}}
        """
    }

    @Test("escapes, legacy \"a b\" merges, a continuation prefix and a WordLevel vocab read the same both ways")
    func shapes() throws {
        let vocab = ##"{"<unk>": 0, "a": 1, "b": 2, "ab": 3, "\u00e9": 4, "\"": 5, "\\": 6, "\ud83d\ude42": 7, "a\"": 8, "e\u0301": 9, "e": 10, "\u0301": 11}"##
        let cases = [
            Self.bpe(vocab: vocab, merges: ##"[["a", "b"], ["a", "\""], ["e", "\u0301"]]"##),
            Self.bpe(vocab: vocab, merges: ##"["a b", "a \"", "e \u0301"]"##),
            Self.bpe(vocab: vocab, merges: ##"[ ["a","b"] , "a \"" ]"##),
            Self.bpe(vocab: ###"{"<unk>": 0, "a": 1, "##b": 2, "ab": 3, "b": 4}"###, merges: ###"[["a", "##b"]]"###,
                     extra: ###", "continuing_subword_prefix": "##""###),
            Self.bpe(vocab: vocab, merges: "[]"),
            """
            {"model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": \(vocab)}, "pre_tokenizer": {"type": "Whitespace"}}
            """,
        ]
        for json in cases {
            let tokenizer = try bothWays(Data(json.utf8), "\(json)")
            #expect(tokenizer.model.vocabularySize >= 5)
        }
        // "é" and "e" + U+0301 are canonically equivalent but distinct tokens, each way.
        let tokenizer = try bothWays(Data(Self.bpe(vocab: vocab, merges: "[]").utf8), "equivalent keys")
        #expect(tokenizer.token(for: 4).map { Array($0.unicodeScalars) } == Array("\u{e9}".unicodeScalars))
        #expect(tokenizer.token(for: 9).map { Array($0.unicodeScalars) } == Array("e\u{301}".unicodeScalars))
    }

    @Test("the vocabulary read while finding the sections equals it read on its own; a vocabulary of other values is left unread")
    func vocabularyInOnePass() throws {
        let vocab = ##"{"<unk>": 0, "a": 1, "\u00e9": 2, "\"": 3, "e\u0301": 4}"##
        let documents = [
            Self.bpe(vocab: vocab, merges: "[]"),
            // "vocab" after "merges", and twice (the first one counts).
            #"{"model": {"type": "BPE", "merges": [], "vocab": \#(vocab), "vocab": {"x": 0}}}"#,
            try String(contentsOf: TestCorpora.fixture("bert/tokenizer.json"), encoding: .utf8),
        ]
        for document in documents {
            let bytes = Array(document.utf8)
            let found = try #require(try RawJSONScanner.valueRanges(in: bytes, object: ["model"], keys: ["type", "vocab"], readingPairsOf: "vocab"))
            let alone = try #require(try RawJSONScanner.integerPairs(in: bytes, at: ["model", "vocab"]))
            let pairs = try #require(found.pairs)
            #expect(pairs.keys == alone.keys)
            #expect(pairs.values == alone.values)
            #expect(pairs.count > 0)
            let range = try #require(found.ranges["vocab"])
            #expect(bytes[range.lowerBound] == UInt8(ascii: "{") && bytes[range.upperBound - 1] == UInt8(ascii: "}"))
            if document.count < 1_000 {
                #expect(Array(bytes[range]) == Array(vocab.utf8))
                // Escapes resolved into the keys' bytes, values in file order.
                #expect(pairs.keys.arrays == ["<unk>", "a", "\u{E9}", "\"", "e\u{301}"].map { Array($0.utf8) })
                #expect(pairs.values == [0, 1, 2, 3, 4])
            }
        }
        // The first "vocab" counts even when it is not read: no pairs from a later one.
        let twice = Array(#"{"model": {"type": "BPE", "vocab": {"a": 1.5}, "vocab": {"a": 0}}}"#.utf8)
        let both = try #require(try RawJSONScanner.valueRanges(in: twice, object: ["model"], keys: ["vocab"], readingPairsOf: "vocab"))
        #expect(both.pairs == nil)
        #expect(Array(twice[try #require(both.ranges["vocab"])]) == Array(#"{"a": 1.5}"#.utf8))
        // A vocabulary that is not all whole numbers (or not an object): its range, no pairs.
        for other in [##"{"<unk>": 0, "a": 1.5}"##, ##"[["<unk>", 0.0]]"##] {
            let bytes = Array(Self.bpe(vocab: other, merges: "[]").utf8)
            let found = try #require(try RawJSONScanner.valueRanges(in: bytes, object: ["model"], keys: ["vocab", "merges"], readingPairsOf: "vocab"))
            #expect(found.pairs == nil)
            let range = try #require(found.ranges["vocab"])
            #expect(Array(bytes[range]) == Array(other.utf8))
            #expect(found.ranges["merges"] != nil)
        }
    }

    @Test("a WordPiece vocab written out of id order is put in id order, both ways")
    func wordPieceOutOfOrder() throws {
        let json = """
        {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                   "vocab": {"b": 2, "##b": 4, "[UNK]": 0, "##a": 3, "a": 1, "\\u00e9": 5}}}
        """
        let tokenizer = try bothWays(Data(json.utf8), "WordPiece out of order")
        guard case .wordPiece(let model) = tokenizer.model else { Issue.record("not WordPiece"); return }
        #expect(model.tokens == ["[UNK]", "a", "b", "##a", "##b", "\u{E9}"].map { Array($0.utf8) })
        #expect(try tokenizer.encode("ab ba é x").ids == [1, 4, 2, 3, 5, 0])
    }

    @Test("a section the fast path does not read (a 1.0 id, an odd merge) falls back to the general path, which reads or rejects it the same way")
    func fallbacks() throws {
        let sections = TokenizerJSONSections(Array(Self.bpe(vocab: ##"{"<unk>": 0, "a": 1.0}"##, merges: "[]").utf8),
                                             data: Data(Self.bpe(vocab: ##"{"<unk>": 0, "a": 1.0}"##, merges: "[]").utf8))
        #expect(sections.vocab == nil)
        #expect(sections.merges != nil)
        _ = try bothWays(Data(Self.bpe(vocab: ##"{"<unk>": 0, "a": 1.0}"##, merges: "[]").utf8), "a 1.0 id")
        let bad = [
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 01}"##, merges: "[]"),                       // a leading zero: not JSON
            Self.bpe(vocab: "{\"<unk>\": 0, \"a\u{1}\": 1}", merges: "[]"),                  // a raw control byte
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 1}"##, merges: ##"[["a"]]"##),                   // a one-token merge
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 1}"##, merges: ##"[["a", "z"]]"##),              // a token not in the vocab
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 1}"##, merges: ##"["ab"]"##),                    // no space
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 2}"##, merges: "[]"),                         // an id out of range
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 1,}"##, merges: "[]"),                        // a trailing comma
            Self.bpe(vocab: ##"{"<unk>": 0, "a": 1}"##, merges: ##"[["a", "a"]"##),               // unclosed
        ]
        for json in bad {
            let (fast, general) = errors(json)
            #expect(fast != nil, "\(json)")
            #expect(fast == general, "\(json)")
        }
        // Not UTF-8: refused either way.
        var bytes = Array(Self.bpe(vocab: ##"{"<unk>": 0, "aX": 1}"##, merges: "[]").utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
        #expect(throws: ModelError.self) { try TokenizerJSON.read(Data(bytes), path: "t.json") }
    }

    @Test("WordPiece's plain matcher reads the one trie: words that start with the prefix, and a model without a prefix, as the reference")
    func wordPieceTrieWalk() throws {
        let tokens = ["[UNK]", "#", "##", "###", "a", "##a", "##b", "ab", "##ab", "b"].map { Array($0.utf8) }
        let model = try WordPieceModel(tokens: tokens)
        var vocabulary: [String: UInt32] = [:]
        for (id, token) in tokens.enumerated() { vocabulary[String(decoding: token, as: UTF8.self)] = UInt32(id) }
        for word in ["##a", "###a", "##ab", "##", "####", "a##", "aab", "abab", "##ba", "b#"] {
            var output: [PieceToken] = []
            Array(word.utf8).withUnsafeBufferPointer { model.encode(piece: $0, into: &output) }
            #expect(output.map(\.id) == referenceWordPiece(word, vocabulary: vocabulary, unknown: 0), "\(word)")
        }
        let plain = try WordPieceModel(tokens: ["[UNK]", "a", "b", "ab"].map { Array($0.utf8) }, continuingSubwordPrefix: "")
        for word in ["abab", "aba", "ba", "bbb"] {
            var fast: [PieceToken] = [], walk: [PieceToken] = []
            Array(word.utf8).withUnsafeBufferPointer { plain.encode(piece: $0, into: &fast); plain.encodeByTrieWalk(piece: $0, into: &walk) }
            #expect(fast == walk, "\(word)")
            #expect(fast.map(\.id) == referenceWordPiece(word, vocabulary: ["[UNK]": 0, "a": 1, "b": 2, "ab": 3], unknown: 0, prefix: ""), "\(word)")
        }
    }
}
