import Foundation
import Testing
@testable import VocabKit

/// `DecodeStream`: ids fed one at a time give, joined, the text `decode` gives all at once, for
/// every model type and decoder that is local to a token and its neighbours; text comes out as
/// soon as it is whole UTF-8; the window stays bounded.
@Suite("DecodeStream decodes ids one at a time")
struct DecodeStreamTests {
    /// Every fixture tokenizer, by name, with the decoder it loads with.
    static let tokenizers: [(String, Tokenizer)] = {
        func load(_ path: String) -> Tokenizer { try! Tokenizer(contentsOf: TestCorpora.fixture(path)) }
        var list: [(String, Tokenizer)] = [
            ("cl100k", load("tiktoken/cl100k_base.tiktoken")),
            ("gpt2", load("gpt2")),
            ("unigram", load("sentencepiece/botchan_en_unigram_1000.model")),
            ("sentencepiece-bpe", load("sentencepiece/botchan_en_bpe_1000.model")),
            ("mistral", load("sentencepiece/mistral-tokenizer.model.v1")),
            ("llama-spm-gguf", load("gguf/ggml-vocab-llama-spm.gguf")),
            ("llama-bpe-gguf", load("gguf/ggml-vocab-llama-bpe.gguf")),
        ]
        // GPT-2 through tokenizer.json: the ByteLevel decoder replaces unfinished bytes with U+FFFD.
        let gpt2JSON = try! TokenizerJSON.read(try! TokenizerJSON.write(load("gpt2")))
        list.append(("gpt2-json", gpt2JSON))
        // Mistral with Llama's tokenizer.json chain: Replace ▁, ByteFallback, Fuse, Strip one space.
        var llamaChain = load("sentencepiece/mistral-tokenizer.model.v1")
        llamaChain.decoder = .huggingFace([.replace("\u{2581}", with: " "), .byteFallback, .fuse, .strip(content: " ", start: 1, stop: 0)])
        list.append(("mistral-hf-chain", llamaChain))
        // BERT without the clean-up (the clean-up rewrites across three tokens; see the type's doc).
        // BERT's tokenizer.json: its WordPiece decoder cleans up each token by itself.
        list.append(("bert-json", load("bert/tokenizer.json")))
        var bert = load("bert/tokenizer.json")
        bert.decoder = .continuingPrefix("##", cleanup: false)
        list.append(("bert-no-cleanup", bert))
        // The hybrid: ByteFallback then Metaspace over whole words and byte tokens.
        list.append(("hybrid", try! Tokenizer(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Vocabs/hybrid-en-32k/tokenizer.json"))))
        return list
    }()

    /// Feeds `ids` one at a time and returns every piece of text, `finish()` last.
    static func streamed(_ tokenizer: Tokenizer, _ ids: [UInt32], skipsSpecialTokens: Bool = true) throws -> [String] {
        var stream = tokenizer.decodeStream(skipsSpecialTokens: skipsSpecialTokens)
        var pieces: [String] = []
        for id in ids { if let text = try stream.step(id) { pieces.append(text) } }
        if let rest = try stream.finish() { pieces.append(rest) }
        return pieces
    }

    @Test("Random ids stream to decode(all), for every model type", arguments: 0..<12)
    func randomIds(index: Int) throws {
        let (name, tokenizer) = Self.tokenizers[index]
        var generator = SplitMix64(seed: UInt64(index) &+ 77)
        for round in 0..<40 {
            let length = Int.random(in: 1...120, using: &generator)
            let ids = (0..<length).map { _ in UInt32.random(in: 0..<UInt32(tokenizer.vocabularySize), using: &generator) }
            for skips in [true, false] {
                let whole = try tokenizer.decode(ids, skipsSpecialTokens: skips)
                let pieces = try Self.streamed(tokenizer, ids, skipsSpecialTokens: skips)
                #expect(pieces.joined() == whole, "\(name) round \(round) skips \(skips): streamed \(pieces.joined().debugDescription) decoded \(whole.debugDescription) ids \(ids)")
            }
        }
    }

    @Test("Encoded random Unicode streams back to the text, characters whole", arguments: 0..<12)
    func encodedText(index: Int) throws {
        let (name, tokenizer) = Self.tokenizers[index]
        for (number, text) in AdversarialText.random(count: 30, seed: UInt64(index) &+ 5).enumerated() {
            let ids = try tokenizer.encode(text, addsSpecialTokens: false).ids
            let whole = try tokenizer.decode(ids)
            let pieces: [String]
            do { pieces = try Self.streamed(tokenizer, ids) } catch {
                Issue.record("\(name) text \(number) \(text.debugDescription): \(error) tokens \(ids.map { tokenizer.token(for: $0) ?? "?" })")
                continue
            }
            #expect(pieces.joined() == whole, "\(name) text \(number): streamed \(pieces.joined().debugDescription) decoded \(whole.debugDescription)")
            if tokenizer.model.isByteLevel || name == "cl100k", !text.unicodeScalars.contains("\u{FFFD}") {
                #expect(!pieces.contains { $0.unicodeScalars.contains("\u{FFFD}") }, "\(name) text \(number): a piece was cut mid-character: \(pieces)")
            }
        }
    }

    @Test("Byte-fallback and byte-level pieces wait for the whole character")
    func multiByteCharacters() throws {
        // Mistral spells "𝄞" (4 bytes, not in its vocabulary) as four <0x..> tokens.
        let mistral = Self.tokenizers.first { $0.0 == "mistral" }!.1
        let ids = try mistral.encode("a𝄞b", addsSpecialTokens: false).ids
        var stream = mistral.decodeStream()
        var outputs: [String?] = []
        for id in ids { outputs.append(try stream.step(id)) }
        #expect(outputs.compactMap { $0 }.joined() == "a𝄞b", "outputs \(outputs)")
        let clefIndex = try #require(outputs.firstIndex { $0?.contains("𝄞") == true })
        #expect(outputs[clefIndex - 3] == nil && outputs[clefIndex - 2] == nil && outputs[clefIndex - 1] == nil,
                "the three first bytes of 𝄞 must wait: \(outputs)")
        // cl100k: "語" (3 bytes) fed as single-byte tokens, then cut off: finish() gives U+FFFD.
        let cl100k = Self.tokenizers[0].1
        let bytes = Array("語".utf8)
        let byteIds = try bytes.map { try #require(cl100k.model.id(of: [$0])) }
        var cut = cl100k.decodeStream()
        #expect(try cut.step(byteIds[0]) == nil)
        #expect(try cut.step(byteIds[1]) == nil)
        #expect(try cut.finish() == "\u{FFFD}")
        var whole = cl100k.decodeStream()
        #expect(try byteIds.map { try whole.step($0) } == [nil, nil, "語"])
        #expect(try whole.finish() == nil)
    }

    @Test("Long runs of byte tokens stream whole characters (ByteFallback decodes a run as a whole)", arguments: ["mistral", "mistral-hf-chain", "hybrid"])
    func byteRuns(name: String) throws {
        let tokenizer = Self.tokenizers.first { $0.0 == name }!.1
        for text in [String(repeating: "═", count: 60), "x" + String(repeating: "𝄞═é", count: 40) + " end", String(repeating: "\u{10FFFF}", count: 30)] {
            let ids = try tokenizer.encode(text, addsSpecialTokens: false).ids
            let pieces = try Self.streamed(tokenizer, ids)
            #expect(pieces.joined() == (try tokenizer.decode(ids)), "\(name): \(pieces)")
            #expect(!pieces.joined().contains("\u{FFFD}"), "\(name): \(pieces)")
        }
    }

    @Test("A ByteFallback run that ends unfinished: finish() gives one U+FFFD per waiting id")
    func unfinishedByteRun() throws {
        let tokenizer = Self.tokenizers.first { $0.0 == "mistral-hf-chain" }!.1
        let lead = try #require(tokenizer.tokenId(for: "<0xE2>"))
        // "𝄞" is not in Mistral's vocabulary: four byte tokens, then an unfinished fifth.
        let ids = try tokenizer.encode("𝄞", addsSpecialTokens: false).ids + [lead]
        // `decode` (as tokenizers) makes the whole run U+FFFD; the stream already returned "𝄞".
        #expect(try tokenizer.decode(ids) == String(repeating: "\u{FFFD}", count: 5))
        #expect(try Self.streamed(tokenizer, ids) == ["𝄞", "\u{FFFD}"])
    }

    @Test("BERT's vocab.txt clean-up streams as tokenizers' WordPiece decoder cleans up, never throwing")
    func vocabTxtCleanup() throws {
        let bert = try Tokenizer(contentsOf: TestCorpora.fixture("bert/vocab.txt"))
        var perToken = bert
        perToken.decoder = .huggingFace([.wordPiece(prefix: "##", cleanup: true)])
        let ids = try bert.encode("it ' s a dog . I do not know , you ' re right", addsSpecialTokens: false).ids
        #expect(try Self.streamed(bert, ids).joined() == perToken.decode(ids))
        var generator = SplitMix64(seed: 3)
        for _ in 0..<30 {
            let random = (0..<60).map { _ in UInt32.random(in: 0..<UInt32(bert.vocabularySize), using: &generator) }
            #expect(try Self.streamed(bert, random).joined() == perToken.decode(random))
        }
    }

    @Test("An id outside the vocabulary throws and leaves the stream as it was")
    func outOfRange() throws {
        let tokenizer = Self.tokenizers[0].1
        let ids = try tokenizer.encode("Hello world", addsSpecialTokens: false).ids
        var stream = tokenizer.decodeStream()
        #expect(try stream.step(ids[0]) == "Hello")
        #expect(throws: ModelError.self) { _ = try stream.step(UInt32(tokenizer.vocabularySize) + 5) }
        #expect(try stream.step(ids[1]) == " world")
        // The joiner path (SentencePiece): a held byte stays held across the error.
        let mistral = Self.tokenizers.first { $0.0 == "mistral" }!.1
        let euro = try ["<0xE2>", "<0x82>", "<0xAC>"].map { try #require(mistral.tokenId(for: $0)) }
        var joined = mistral.decodeStream()
        #expect(try joined.step(euro[0]) == nil)
        #expect(throws: ModelError.self) { _ = try joined.step(UInt32(mistral.vocabularySize) + 5) }
        #expect(try joined.step(euro[1]) == nil)
        #expect(try joined.step(euro[2]) == "\u{20AC}")
        #expect(try joined.finish() == nil)
    }

    @Test("After finish() a stream starts over: the first-space rule applies again")
    func reuseAfterFinish() throws {
        for name in ["mistral", "unigram", "mistral-hf-chain"] {
            let tokenizer = Self.tokenizers.first { $0.0 == name }!.1
            let ids = try tokenizer.encode("Hello world", addsSpecialTokens: false).ids
            var stream = tokenizer.decodeStream()
            for _ in 0..<2 {
                let pieces = try ids.compactMap { try stream.step($0) } + [try stream.finish()].compactMap { $0 }
                #expect(pieces.joined() == (try tokenizer.decode(ids)), "\(name): \(pieces)")
            }
        }
    }

    @Test("Ids that decode to nothing keep the window bounded", arguments: [false, true])
    func boundedWindow(chain: Bool) throws {
        // Unigram's <s> (id 1) is a control piece: decoding gives nothing. Its own decoder
        // streams through the joiner; a tokenizer.json chain (CTC, which drops <s> as its pad
        // token) streams over the window, which must restart past `maximumPending`.
        var tokenizer = Self.tokenizers[2].1
        if chain { tokenizer.decoder = .huggingFace([.ctc(padToken: "<s>", wordDelimiter: "\u{2581}", cleanup: false)]) }
        var stream = tokenizer.decodeStream(skipsSpecialTokens: false)
        var all: [UInt32] = []
        let word = try tokenizer.encode("the house", addsSpecialTokens: false).ids
        for round in 0..<50 {
            for _ in 0..<(round * 7) {
                _ = try stream.step(1)
                all.append(1)
                #expect(stream.windowCount <= 2 * (DecodeStream.minimumContext + DecodeStream.maximumPending + 1))
            }
            for id in word { _ = try stream.step(id); all.append(id) }
        }
        #expect(try Self.streamed(tokenizer, all, skipsSpecialTokens: false).joined() == tokenizer.decode(all, skipsSpecialTokens: false))
    }

    @Test("An added token spelled like a byte token is its text, streamed as decoded", arguments: 0..<12)
    func addedByteSpelling(index: Int) throws {
        var (name, tokenizer) = Self.tokenizers[index]
        let id = UInt32(tokenizer.vocabularySize)
        tokenizer.addedTokens += [AddedToken(content: "<0x41>", id: id, isSpecial: false)]
        let ids = try tokenizer.encode("a b", addsSpecialTokens: false).ids + [id] + tokenizer.encode("c", addsSpecialTokens: false).ids
        let whole = try tokenizer.decode(ids)
        #expect(try Self.streamed(tokenizer, ids).joined() == whole, "\(name)")
        // tokenizer.json chains decode added tokens with the rest, as tokenizers does
        // (ByteFallback turns this one into "A"); VocabKit's own decoders keep its text.
        if case .huggingFace = tokenizer.decoder {} else { #expect(whole.contains("<0x41>"), "\(name): \(whole.debugDescription)") }
    }

    @Test("Special tokens are skipped or kept as in decode")
    func specialTokens() throws {
        let (_, tokenizer) = Self.tokenizers[0]
        let end = try #require(tokenizer.tokenId(for: "<|endoftext|>"))
        let ids = try tokenizer.encode("Hi there", addsSpecialTokens: false).ids + [end]
        #expect(try Self.streamed(tokenizer, ids).joined() == "Hi there")
        #expect(try Self.streamed(tokenizer, ids, skipsSpecialTokens: false).joined() == "Hi there<|endoftext|>")
    }

    @Test("Unfinished UTF-8 suffixes are found exactly", arguments: [
        ([0x61], 0), ([0xE3], 1), ([0xE3, 0x81], 2), ([0xE3, 0x81, 0x82], 0), ([0xF0, 0x9D, 0x84], 3),
        ([0xF0, 0x9D, 0x84, 0x9E], 0), ([0xE0, 0x80], 0), ([0xED, 0xA0], 0), ([0xF4, 0x90], 0), ([0xC0], 0),
        ([0x80], 0), ([0x61, 0xC3], 1), ([0xF5], 0), ([0xC3, 0xA9, 0xE2, 0x82], 2),
    ] as [([UInt8], Int)])
    func unfinishedSuffix(bytes: [UInt8], expected: Int) {
        #expect(DecodeStream.unfinishedSuffixLength(bytes[...]) == expected, "\(bytes)")
    }

    @Test("Unfinished suffixes agree with Swift's UTF-8 validation on random bytes")
    func unfinishedSuffixAgainstValidation() {
        var generator = SplitMix64(seed: 11)
        let interesting: [UInt8] = [0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5]
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 1...5, using: &generator)).map { _ in interesting.randomElement(using: &generator)! }
            let held = DecodeStream.unfinishedSuffixLength(bytes[...])
            // Reference: a suffix is unfinished when some continuation makes it a valid character
            // and it is not one already.
            var reference = 0
            for length in 1...min(3, bytes.count) {
                let suffix = Array(bytes.suffix(length))
                guard suffix.first! & 0xC0 != 0x80 else { continue }
                let extendable = (0x80...0xBF as ClosedRange<UInt8>).contains { byte in
                    (1...3).contains { extra in
                        let candidate = suffix + [byte] + Array(repeating: 0x80, count: extra - 1)
                        return String(validating: candidate, as: UTF8.self) != nil
                    }
                }
                if String(validating: suffix, as: UTF8.self) == nil && extendable && suffix.dropFirst().allSatisfy({ $0 & 0xC0 == 0x80 }) {
                    reference = length
                }
            }
            #expect(held == reference, "\(bytes.map { String($0, radix: 16) })")
        }
    }
}
