import Foundation
import Testing
@testable import VocabKit
import VocabTestSupport

/// Hostile and hand-edited files: each case here crashed, hung or gave silent garbage before
/// (docs/RELIABILITY.md lists them); now each is a clear error or a bounded, correct result.
@Suite("Hostile input")
struct HostileInputTests {
    /// The BERT fixture's tokenizer.json as a mutable JSON object, its vocabulary cut to the
    /// first 1,000 ids (the special tokens are among them) so that each of the hundreds of
    /// loads below is quick in a debug build.
    func bertJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: fixture("bert/tokenizer.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var model = json["model"] as! [String: Any]
        model["vocab"] = (model["vocab"] as! [String: Int]).filter { $0.value < Self.vocabularySize }
        json["model"] = model
        return json
    }

    static let vocabularySize = 1_000

    func load(_ object: [String: Any]) throws -> Tokenizer {
        try TokenizerJSON.read(try JSONSerialization.data(withJSONObject: object), path: "mutant.json")
    }

    /// Numbers that trapped in Foundation's `intValue` or in `UInt32(_:)`.
    nonisolated(unsafe) static let hostileNumbers: [Any] = [-1, 4_294_967_296, 1e20, 2.5, Double.greatestFiniteMagnitude, -1e300, "7"]

    /// A mutation setting `key` of the section `section`.
    func field(_ section: String, _ key: String) -> (inout [String: Any], Any) -> Void {
        { json, value in
            var object = json[section] as! [String: Any]
            object[key] = value
            json[section] = object
        }
    }

    @Test("every id and type id of tokenizer.json out of range is an error naming the field")
    func hostileIds() throws {
        // Each mutation sets one number at one of the sites that used to trap.
        let sites: [(String, (inout [String: Any], Any) -> Void)] = [
            ("added_tokens id", { json, value in
                var added = json["added_tokens"] as! [[String: Any]]
                added[1]["id"] = value
                json["added_tokens"] = added
            }),
            ("template special id", { json, value in
                var post = json["post_processor"] as! [String: Any]
                var specials = post["special_tokens"] as! [String: Any]
                var cls = specials["[CLS]"] as! [String: Any]
                cls["ids"] = [value]
                specials["[CLS]"] = cls
                post["special_tokens"] = specials
                json["post_processor"] = post
            }),
            ("template type id", { json, value in
                var post = json["post_processor"] as! [String: Any]
                post["single"] = [["SpecialToken": ["id": "[CLS]", "type_id": value]], ["Sequence": ["id": "A", "type_id": 0]]]
                json["post_processor"] = post
            }),
            ("BertProcessing id", { json, value in
                json["post_processor"] = ["type": "BertProcessing", "cls": ["[CLS]", value], "sep": ["[SEP]", 102]]
            }),
            ("pad_id", field("padding", "pad_id")),
            ("pad_type_id", field("padding", "pad_type_id")),
            ("Fixed", { json, value in field("padding", "strategy")(&json, ["Fixed": value]) }),
            ("pad_to_multiple_of", field("padding", "pad_to_multiple_of")),
            ("max_length", field("truncation", "max_length")),
            ("vocab id", { json, value in
                var model = json["model"] as! [String: Any]
                var vocab = model["vocab"] as! [String: Any]
                vocab["[UNK]"] = value
                model["vocab"] = vocab
                json["model"] = model
            }),
            ("max_input_chars_per_word", field("model", "max_input_chars_per_word")),
        ]
        for (site, mutate) in sites {
            for value in Self.hostileNumbers {
                var json = try bertJSON()
                mutate(&json, value)
                #expect(throws: ModelError.self, "\(site) = \(value)") { try load(json) }
            }
        }
    }

    @Test("ids past the vocabulary are refused: post-processor, padding and far added tokens")
    func idsOutsideTheVocabulary() throws {
        var json = try bertJSON()
        var padding = json["padding"] as! [String: Any]
        padding["pad_id"] = 999_999
        json["padding"] = padding
        #expect(throws: ModelError.self) { try load(json) }

        json = try bertJSON()
        var post = json["post_processor"] as! [String: Any]
        post["special_tokens"] = ["[CLS]": ["id": "[CLS]", "ids": [Self.vocabularySize], "tokens": ["[CLS]"]],
                                  "[SEP]": ["id": "[SEP]", "ids": [102], "tokens": ["[SEP]"]]]
        json["post_processor"] = post
        #expect(throws: ModelError.self) { try load(json) }

        json = try bertJSON()
        var added = json["added_tokens"] as! [[String: Any]]
        added.append(["id": 4_000_000_000, "content": "<far>", "special": true])
        json["added_tokens"] = added
        #expect(throws: ModelError.self) { try load(json) }

        // A small gap past the model's ids is what real files have (cl100k's specials).
        json = try bertJSON()
        added = json["added_tokens"] as! [[String: Any]]
        added.append(["id": Self.vocabularySize + 20, "content": "<near>", "special": true])
        json["added_tokens"] = added
        let tokenizer = try load(json)
        #expect(tokenizer.vocabularySize == Self.vocabularySize + 21)
    }

    @Test("300 seeded mutants of the numbers in a real tokenizer.json load or fail, never crash")
    func numberMutants() throws {
        let original = try String(contentsOf: fixture("bert/tokenizer.json"), encoding: .utf8)
        // The numbers before the vocabulary, the model's last field (its ids would be thousands
        // of look-alike mutations); the vocabulary cut as in `bertJSON`.
        let vocabStart = original.range(of: "\"vocab\"")!.lowerBound
        let vocab = try JSONSerialization.data(withJSONObject: (bertJSON()["model"] as! [String: Any])["vocab"]!)
        let head = String(original[..<vocabStart]), tail = "\"vocab\": " + String(decoding: vocab, as: UTF8.self) + "}}"
        let numberPattern = try NSRegularExpression(pattern: "(?<=[:\\[, ])-?[0-9]+(\\.[0-9]+)?(?=[,\\]}\\s])")
        let matches = numberPattern.matches(in: head, range: NSRange(head.startIndex..., in: head))
        #expect(matches.count > 10)
        let replacements = ["-1", "4294967296", "1e20", "2.5", "-0", "1e308", "4294967295", "9223372036854775807", "99999999999999999999"]
        var generator = SplitMix64(seed: 16)
        var refused = 0
        for _ in 0..<300 {
            var mutant = head
            // One to three numbers replaced, from the end so earlier ranges stay valid.
            let chosen = (0..<Int(1 + generator.next() % 3)).map { _ in matches[Int(generator.next() % UInt64(matches.count))] }
            for match in Set(chosen.map(\.range.location)).sorted(by: >) {
                let range = Range(chosen.first { $0.range.location == match }!.range, in: mutant)!
                mutant.replaceSubrange(range, with: replacements[Int(generator.next() % UInt64(replacements.count))])
            }
            do {
                let tokenizer = try TokenizerJSON.read(Data((mutant + tail).utf8), path: "mutant.json")
                let encoding = try tokenizer.encode("Hello, hostile world!", pair: "And a pair.")
                #expect(encoding.ids.allSatisfy { Int($0) < tokenizer.vocabularySize })
            } catch is ModelError {
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    @Test("a Unigram unk_id past its pieces, and an empty vocabulary, are errors")
    func unigramAndEmpty() throws {
        func unigram(unk: Any, byteFallback: Bool = false, pieces: [[Any]] = [["<unk>", 0.0], ["a", -1.0], ["b", -2.0]]) -> [String: Any] {
            ["model": ["type": "Unigram", "unk_id": unk, "vocab": pieces, "byte_fallback": byteFallback]]
        }
        #expect(throws: ModelError.self) { try load(unigram(unk: 3)) }
        #expect(throws: ModelError.self) { try load(unigram(unk: -1)) }
        #expect(throws: ModelError.self) { try load(unigram(unk: 0, pieces: [])) }
        #expect(throws: ModelError.self) { try load(["model": ["type": "WordLevel", "vocab": [String: Int](), "unk_token": "<unk>"]]) }
        #expect(throws: ModelError.self) { try load(["model": ["type": "BPE", "vocab": [String: Int](), "merges": [Any]()]]) }
    }

    @Test("Unigram with byte_fallback but no byte pieces keeps the unknown id (as HuggingFace), never 4294967295")
    func unigramByteFallbackWithoutBytes() throws {
        let json: [String: Any] = ["model": ["type": "Unigram", "unk_id": 0, "byte_fallback": true,
                                             "vocab": [["<unk>", 0.0], ["a", -1.0], ["b", -2.0], ["<0x78>", -5.0]]]]
        let tokenizer = try load(json)
        // "x" is 0x78: its byte piece exists. "é" has two bytes without pieces: unknown.
        #expect(try tokenizer.encode("ax").ids == [1, 3])
        #expect(try tokenizer.encode("aéb").ids == [1, 0, 2])
        #expect(try tokenizer.encode("ééa").ids == [0, 1])
        // HuggingFace fuses the unknown run first: one byte without a piece makes it all unknown.
        #expect(try tokenizer.encode("axéb").ids == [1, 0, 2])
        #expect(try tokenizer.encode("axxb").ids == [1, 3, 3, 2])
    }

    @Test("GPT-2 encoder.json ids of 1e20 or 2.5 are errors, not traps")
    func gpt2Numbers() throws {
        for id in ["1e20", "2.5", "-1", "4294967296"] {
            let encoder = Data(#"{"a": 0, "b": \#(id)}"#.utf8)
            #expect(throws: ModelError.self, "\(id)") { try Tokenizer.gpt2(encoderJSON: encoder, vocabBPE: Data("#version: 0.2\n".utf8)) }
        }
    }

    @Test("a byte-level BPE missing byte tokens, without an unknown token, is refused")
    func byteLevelMissingBytes() throws {
        var vocab: [String: Int] = [:]
        for byte in 0..<200 { vocab[ByteLevelAlphabet.encode([UInt8(byte)])] = byte }
        let json: [String: Any] = ["pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
                                   "model": ["type": "BPE", "vocab": vocab, "merges": [Any]()]]
        #expect(throws: ModelError.self) { try load(json) }
    }

    @Test("hostile padding lengths are refused, in files and in settings")
    func paddingBounds() throws {
        var padding = Padding(length: .fixed(Padding.maximumLength + 1), padId: 0)
        var tokenizer = try load(bertJSON())
        tokenizer.padding = padding
        #expect(throws: ModelError.self) { try tokenizer.validate() }
        padding = Padding(length: .longest, padId: 0, multipleOf: 10)
        // Rounding up never overflows, even for a length no check has bounded.
        #expect(padding.target(longest: Int.max - 2) == Int.max - 2)
        #expect(padding.target(longest: 11) == 20)
    }

    @Test("a catastrophically backtracking Split regex is an error, not a hang")
    func regexTimeLimit() throws {
        let json: [String: Any] = [
            "pre_tokenizer": ["type": "Split", "pattern": ["Regex": "(a+)+$"], "behavior": "Isolated", "invert": false],
            "model": ["type": "WordLevel", "vocab": ["<unk>": 0, "a": 1], "unk_token": "<unk>"],
        ]
        let tokenizer = try load(json)
        #expect(try tokenizer.encode("aaaa").ids == [0])
        let started = Date()
        #expect(throws: TextError.self) { try tokenizer.encode(String(repeating: "a", count: 40) + "!") }
        #expect(Date().timeIntervalSince(started) < 60)
        // A linear pattern on a long text stays within the limit.
        let linear = try ICURegex("\\p{L}+| ?[0-9]+")
        #expect(try linear.matches(in: String(repeating: "word ", count: 200_000)).count == 200_000)
    }

    @Test("a WordPiece vocabulary with a 200 KB token builds small and encodes as before")
    func wordPieceLongToken() throws {
        let long = [UInt8](repeating: 0x61, count: 200_000)
        let tokens: [[UInt8]] = [Array("[UNK]".utf8), Array("a".utf8), Array("##a".utf8), Array("aa".utf8), long]
        let model = try WordPieceModel(tokens: tokens)
        var output: [PieceToken] = []
        [UInt8]("aaaaa".utf8).withUnsafeBufferPointer { model.encode(piece: $0, into: &output) }
        #expect(output.map(\.id) == [3, 2, 2, 2])
        // A word longer than maxInputCharactersPerWord is unknown, long token or not.
        output = []
        long.withUnsafeBufferPointer { model.encode(piece: $0, into: &output) }
        #expect(output.map(\.id) == [0])
        #expect(throws: ModelError.self) { try WordPieceModel(tokens: tokens, maxInputCharactersPerWord: 0) }
    }

    @Test("past its pops budget the linear matcher is refused; within it, it gives the trie walk's tokens")
    func wordPiecePopsBudget() throws {
        var tokens: [[UInt8]] = [Array("[UNK]".utf8)]
        for c in UInt8(0x61)...0x7A { tokens.append([c]); tokens.append(Array("##".utf8) + [c]) }
        var generator = SplitMix64(seed: 3)
        for _ in 0..<200 { tokens.append((0..<60).map { _ in 0x61 + UInt8(generator.next() % 26) }) }
        let prefix = Array("##".utf8)
        let all = [Bool](repeating: true, count: tokens.count)
        #expect(LinMaxMatch(tokens: FlatByteStrings(tokens), prefix: prefix, matchable: all, maximumPops: 100) == nil)
        // A hostile vocabulary: "x", "##b" and one 65,536-character token "xbbb...": every node
        // of its path pops "x" and one "##b" per level, quadratic pops. Refused, not slow.
        let hostile: [[UInt8]] = [Array("[UNK]".utf8), [0x78], Array("##b".utf8), [0x78] + [UInt8](repeating: 0x62, count: 65_535)]
        #expect(throws: ModelError.self) { try WordPieceModel(tokens: hostile, maxInputCharactersPerWord: 65_536) }
        let full = try #require(LinMaxMatch(tokens: FlatByteStrings(tokens), prefix: prefix, matchable: all, maximumPops: .max))
        let model = try WordPieceModel(tokens: tokens)
        for _ in 0..<200 {
            let word = (0..<Int(1 + generator.next() % 90)).map { _ in 0x61 + UInt8(generator.next() % 26) }
            var fast: [PieceToken] = [], plain: [PieceToken] = []
            word.withUnsafeBufferPointer { p in
                if !full.match(p, into: &fast) { fast = [PieceToken(id: 0, start: 0, end: Int32(p.count))] }
                model.encodeByTrieWalk(piece: p, into: &plain)
            }
            #expect(fast.map(\.id) == plain.map(\.id))
        }
    }

    @Test("a .tiktoken file with a 1 MB token loads in linear time, and long tokens keep their merges")
    func tiktokenLongToken() throws {
        var tokens = (0..<256).map { [UInt8($0)] }
        // Long tokens built from halves that are tokens, so their merges matter.
        let left = [UInt8](repeating: 0x61, count: 40), right = [UInt8](repeating: 0x62, count: 50)
        var piece: [UInt8] = [0x61]
        while piece.count < 40 { tokens.append(piece + [0x61]); piece.append(0x61) }
        piece = [0x62]
        while piece.count < 50 { tokens.append(piece + [0x62]); piece.append(0x62) }
        tokens.append(left + right)
        let huge = (0..<1_000_000).map { UInt8(0x30 + $0 % 10) }
        tokens.append(huge)
        let started = Date()
        let model = try TiktokenFile.model(tokens: tokens)
        #expect(Date().timeIntervalSince(started) < 30)
        // The a-run and the b-run merge through short tokens, then into the 90-byte token (a
        // merge only the long-token path finds); the piece itself is not a token.
        var output: [PieceToken] = []
        var scratch = EncoderScratch()
        (left + right + [0x63]).withUnsafeBufferPointer { TokenModel.bpe(model).encode(piece: $0, into: &output, scratch: &scratch) }
        #expect(output.map(\.id) == [UInt32(tokens.count - 2), 0x63])
        // Merges in rank order whichever path found them, so a written tokenizer.json ranks them right.
        #expect(zip(model.merges, model.merges.dropFirst()).allSatisfy { $0.2 <= $1.2 })
    }

    @Test("sampling settings that cannot sample are refused, and unchecked ones stay bounded")
    func samplingBounds() throws {
        #expect(throws: ModelError.self) { try SubwordSampling(alpha: .nan).validate() }
        #expect(throws: ModelError.self) { try SubwordSampling(alpha: -0.5).validate() }
        #expect(throws: ModelError.self) { try SubwordSampling(alpha: .infinity).validate() }
        #expect(throws: ModelError.self) { try SubwordSampling(nBestSize: 1_000_000).validate() }
        try SubwordSampling(alpha: 0.2, nBestSize: 64).validate()
    }
}
