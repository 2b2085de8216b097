import Foundation
import Testing
@testable import VocabKit

/// HuggingFace's plain WordPiece: from each start, try the longest substring first and shrink it
/// one character (Unicode scalar, as Rust's `char`) at a time; any position without a match makes
/// the whole word unknown.
func referenceWordPiece(_ word: String, vocabulary: [String: UInt32], unknown: UInt32, prefix: String = "##") -> [UInt32] {
    let characters = word.unicodeScalars.map { String($0) }
    if characters.count > 100 { return [unknown] }
    var start = 0, result: [UInt32] = []
    while start < characters.count {
        var end = characters.count
        var found: UInt32?
        while start < end {
            let candidate = (start > 0 ? prefix : "") + characters[start..<end].joined()
            if let id = vocabulary[candidate] { found = id; break }
            end -= 1
        }
        guard let id = found else { return [unknown] }
        result.append(id)
        start = end
    }
    return result
}

@Suite("WordPiece and BERT post-processing")
struct WordPieceTests {
    static let bert = try! Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json"))
    static let bertVocab = try! Tokenizer(contentsOf: TestCorpora.fixture("bert/vocab.txt"))

    @Test("LinMaxMatch equals the trie walk on every word, and on random words over the vocabulary's pieces")
    func linearMatchesTrieWalk() throws {
        guard case .wordPiece(let model) = Self.bert.model else { Issue.record("not WordPiece"); return }
        var words: [[UInt8]] = []
        for name in TestCorpora.names {
            let text = try Self.bert.frontEnd.process(Array(TestCorpora.bytes(name).prefix(60_000)))
            words += text.pieces.map { Array(text.text.bytes[$0]) }
        }
        // Random words glued from token fragments, to reach failure paths that text rarely does.
        var state: UInt64 = 12345
        let fragments = model.tokens.compactMap { token -> [UInt8]? in
            let text = String(decoding: token, as: UTF8.self)
            return text.hasPrefix("[") ? nil : Array((text.hasPrefix("##") ? String(text.dropFirst(2)) : text).utf8)
        }
        for _ in 0..<20_000 {
            var word: [UInt8] = []
            for _ in 0..<(1 + Int(state % 4)) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                word += fragments[Int(state >> 33) % fragments.count]
            }
            words.append(word)
        }
        for word in words {
            var fast: [PieceToken] = [], plain: [PieceToken] = []
            word.withUnsafeBufferPointer { model.encode(piece: $0, into: &fast); model.encodeByTrieWalk(piece: $0, into: &plain) }
            #expect(fast == plain, "\(String(decoding: word, as: UTF8.self))")
            if fast != plain { return }
        }
    }

    @Test("the trie encoder equals the plain algorithm on every word of the corpora")
    func trieMatchesReference() throws {
        guard case .wordPiece(let model) = Self.bert.model else { Issue.record("not WordPiece"); return }
        var vocabulary: [String: UInt32] = [:]
        for (id, token) in model.tokens.enumerated() { vocabulary[String(decoding: token, as: UTF8.self)] = UInt32(id) }
        for name in TestCorpora.names {
            let text = try Self.bert.frontEnd.process(Array(TestCorpora.bytes(name).prefix(40_000)))
            for piece in text.pieces {
                let word = Array(text.text.bytes[piece])
                var output: [PieceToken] = []
                word.withUnsafeBufferPointer { model.encode(piece: $0, into: &output) }
                let expected = referenceWordPiece(String(decoding: word, as: UTF8.self), vocabulary: vocabulary, unknown: model.unknownToken)
                #expect(output.map(\.id) == expected, "\(name): \(String(decoding: word, as: UTF8.self))")
            }
        }
    }

    @Test("BERT ids, special tokens, truncation and padding as the file says")
    func bertFile() throws {
        let encoding = try Self.bert.encode("Hello, World! unaffable")
        #expect(Array(encoding.ids.prefix(9)) == [101, 7592, 1010, 2088, 999, 14477, 20961, 3468, 102])
        #expect(encoding.count == 128)                                   // padding: Fixed 128
        #expect(encoding.attentionMask.prefix(9).allSatisfy { $0 == 1 } && encoding.attentionMask[9] == 0)
        #expect(encoding.ids[9] == 0)                                   // [PAD]
        let long = try Self.bert.encode(String(repeating: "word ", count: 300))
        #expect(long.count == 128 && long.ids[127] == 102)              // truncated to 128, ends with [SEP]
        #expect(try Self.bertVocab.encode("Hello, World! unaffable").ids == [101, 7592, 1010, 2088, 999, 14477, 20961, 3468, 102])
        #expect(try Self.bertVocab.decode(Self.bertVocab.encode("Hello, World! it's fine.").ids, skipsSpecialTokens: true)
                == "hello, world! it's fine.")
    }

    @Test("pairs get type ids, and LongestFirst truncation follows HuggingFace's rule")
    func pairs() throws {
        var tokenizer = Self.bertVocab
        let pair = try tokenizer.encode("hello world", pair: "good morning to you")
        #expect(pair.ids == [101, 7592, 2088, 102, 2204, 2851, 2000, 2017, 102])
        #expect(pair.typeIds == [0, 0, 0, 0, 1, 1, 1, 1, 1])
        #expect(pair.specialTokensMask == [1, 0, 0, 1, 0, 0, 0, 0, 1])
        tokenizer.truncation = Truncation(maxLength: 8)
        // Budget 5 for (2, 4): the shorter keeps 2, the longer max(2, 5 - 2) = 3.
        #expect(try tokenizer.encode("hello world", pair: "good morning to you").ids == [101, 7592, 2088, 102, 2204, 2851, 2000, 102])
        tokenizer.truncation = Truncation(maxLength: 6)
        // Budget 3 for (2, 4): both too long, so 1 and 2 (the longer gets the odd token).
        #expect(try tokenizer.encode("hello world", pair: "good morning to you").ids == [101, 7592, 102, 2204, 2851, 102])
    }

    @Test("batch padding: longest or fixed, right or left, with masks")
    func padding() throws {
        var tokenizer = Self.bertVocab
        tokenizer.padding = Padding(length: .longest, padId: 0)
        let batch = try tokenizer.encodeBatch(["hello", "hello world again"], threads: 2)
        #expect(batch.map(\.count) == [5, 5])
        #expect(batch[0].ids == [101, 7592, 102, 0, 0] && batch[0].attentionMask == [1, 1, 1, 0, 0])
        tokenizer.padding = Padding(length: .fixed(6), onLeft: true, padId: 0)
        let left = try tokenizer.encode("hello")
        #expect(left.ids == [0, 0, 0, 101, 7592, 102] && left.attentionMask == [0, 0, 0, 1, 1, 1])
        tokenizer.padding = Padding(length: .longest, padId: 0, multipleOf: 4)
        #expect(try tokenizer.encodeBatch(["hello"]).first?.count == 4)
    }

    @Test("tokenizer.json written by VocabKit reads back to the same tokenizer")
    func jsonRoundTrip() throws {
        let data = try TokenizerJSON.write(Self.bert)
        let reread = try TokenizerJSON.read(data)
        for text in ["Hello, World!", "中文 and Ünïcödé", String(repeating: "long ", count: 200)] {
            #expect(try reread.encode(text) == Self.bert.encode(text))
            #expect(try reread.encode(text, pair: "second") == Self.bert.encode(text, pair: "second"))
        }
    }

    @Test("a vocab.txt without [UNK] is an error")
    func missingUnknown() throws {
        #expect(throws: ModelError.self) { try Tokenizer.bert(vocabText: Array("[CLS]\n[SEP]\nhello\n".utf8)) }
        #expect(throws: ModelError.self) { try WordPieceModel.tokens(fromVocabText: []) }
    }

    @Test("vocab.txt lines read into one buffer equal the plain split: CR LF, empty lines, no final LF, invalid UTF-8 on line n")
    func vocabTextLines() throws {
        enum Outcome: Equatable { case success([[UInt8]]), failure(String) }
        // The plain reading, line by line, as the reference.
        func plain(_ data: [UInt8]) -> Outcome {
            var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> [UInt8] in
                line.last == 0x0D ? Array(line.dropLast()) : Array(line)
            }
            if data.last == 0x0A { lines.removeLast() }
            for (index, line) in lines.enumerated() where String(validating: line, as: UTF8.self) == nil {
                return .failure("line \(index + 1) is not valid UTF-8")
            }
            return .success(lines)
        }
        var generator = SplitMix64(seed: 11)
        // Also a surrogate (ED A0 80), overlong forms (C0 AF, E0 80 AF) and a code point past U+10FFFF (F4 90 80 80).
        let pieces: [[UInt8]] = [[0x0A], [0x0D], [0x0D, 0x0A], Array("ab".utf8), Array("##é".utf8), Array("東".utf8), [0xE6, 0x9D], [0xFF], [0x80], [],
                                 [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF4, 0x90, 0x80, 0x80], Array("🙂".utf8)]
        var cases: [[UInt8]] = [[0x0A], [0x0D], Array("a".utf8), Array("a\n\n".utf8), Array("\r\n".utf8), Array("a\r".utf8)]
        for _ in 0..<2_000 {
            cases.append((0..<Int(1 + generator.next() % 12)).flatMap { _ in pieces[Int(generator.next() % UInt64(pieces.count))] })
        }
        for data in cases where !data.isEmpty {
            let flat: Outcome
            do { flat = .success(try WordPieceModel.tokenList(fromVocabText: data).arrays) } catch let error as ModelError {
                guard case .invalidFile(_, let reason) = error else { Issue.record("\(error)"); continue }
                flat = .failure(reason)
            }
            #expect(flat == plain(data), "\(data)")
        }
    }
}
