import Foundation
import Testing
@testable import VocabKit
import VocabTestSupport

/// `encodeIds`, the ids-only path, against `encode`'s ids (the plain reference: the same
/// encoder with offsets and annotations), for every model type and the added-token paths.
@Suite("Ids-only encoding")
struct EncodeIdsTests {
    /// Lines of three corpora, and inputs at the edges: empty, NUL, emoji, invalid UTF-8,
    /// special tokens' text.
    static func inputs() throws -> [[UInt8]] {
        var inputs: [[UInt8]] = []
        for name in ["en", "ja", "code-python"] {
            let text = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
            inputs += text.split(separator: "\n").prefix(60).map { Array($0.utf8) }
        }
        inputs += ["", "a", " 👩‍💻 ", "\u{0}", "<|endoftext|> [CLS] x [SEP] <s>", " hello  world\t\n", "ｶﾀｶﾅ ＡＢＣ ①"].map { Array($0.utf8) }
        inputs += [[0xFF, 0x61, 0xC3], [0x61, 0xE3, 0x81, 0x20, 0xED, 0xA0, 0x80]]
        return inputs
    }

    static let files = ["gpt2", "bert/tokenizer.json", "tiktoken/cl100k_base.tiktoken", "sentencepiece/botchan_en_unigram_1000.model",
                        "sentencepiece/mistral-tokenizer.model.v1", "sentencepiece/botchan_en_bpe_1000.model",
                        "gguf/ggml-vocab-llama-spm.gguf", "gguf/ggml-vocab-bert-bge.gguf"]

    /// `encodeIds` gives `encode`'s ids and replaced-sequence count, on one reused scratch, with
    /// ids appended after what the array held.
    static func check(_ tokenizer: Tokenizer, _ label: String, allowsAddedTokens: Bool, policy: SpecialTokenPolicy) throws {
        var scratch = EncoderScratch(sampling: tokenizer.sampling)
        var reference = EncoderScratch(sampling: tokenizer.sampling)
        for input in try inputs() {
            input.withUnsafeBufferPointer { bytes in
                let expected = Result { try tokenizer.encode(bytes, allowsAddedTokens: allowsAddedTokens, specialTokens: policy, scratch: &reference) }
                var ids: [UInt32] = [7]
                let replaced = Result { try tokenizer.encodeIds(bytes, allowsAddedTokens: allowsAddedTokens, specialTokens: policy, into: &ids, scratch: &scratch) }
                switch (expected, replaced) {
                case (.success(let encoding), .success(let count)):
                    #expect(ids == [7] + encoding.ids, "\(label): \(String(decoding: input.prefix(40), as: UTF8.self))")
                    #expect(count == encoding.replacedInvalidSequences, "\(label)")
                case (.failure(let a), .failure(let b)):
                    #expect(String(describing: a) == String(describing: b), "\(label): the same error")
                default:
                    Issue.record("\(label): encode \(expected) but encodeIds \(replaced)")
                }
            }
        }
    }

    @Test("encodeIds gives encode's ids for every model type", arguments: files)
    func sameIds(file: String) throws {
        let tokenizer = try Tokenizer(contentsOf: fixture(file))
        try Self.check(tokenizer, file, allowsAddedTokens: true, policy: .recognized)
        try Self.check(tokenizer, file + " (added tokens as text)", allowsAddedTokens: false, policy: .recognized)
        try Self.check(tokenizer, file + " (special text refused)", allowsAddedTokens: true, policy: .refused(except: []))
    }

    @Test("added tokens matched in the input and in the normalized text come out in input order")
    func addedTokens() throws {
        var tokenizer = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        let size = UInt32(tokenizer.vocabularySize)
        tokenizer.addedTokens += [AddedToken(content: "<sep>", id: size, isSpecial: true),
                                  AddedToken(content: "ＡＢ", id: size + 1, isSpecial: false, isNormalized: true),
                                  AddedToken(content: "the", id: size + 2, isSpecial: false, isNormalized: true)]
        try Self.check(tokenizer, "added", allowsAddedTokens: true, policy: .recognized)
        try Self.check(tokenizer, "added as text", allowsAddedTokens: false, policy: .recognized)
        var ids: [UInt32] = []
        var scratch = EncoderScratch()
        let text = Array("of the ＡＢ<sep>ＡＢ the".utf8)
        let encoding = try text.withUnsafeBufferPointer { try tokenizer.encode($0, scratch: &scratch) }
        try text.withUnsafeBufferPointer { _ = try tokenizer.encodeIds($0, into: &ids, scratch: &scratch) }
        #expect(ids == encoding.ids)
        // Both kinds were matched, in input order.
        #expect(ids.filter { $0 >= size } == [size + 2, size + 1, size, size + 1, size + 2], "\(ids)")
    }

    @Test("encodeIds(String) and encode(text:addSpecialTokens: false) give encode's ids; special text is refused by default")
    func stringEntries() throws {
        let tokenizer = try Tokenizer(contentsOf: fixture("bert/tokenizer.json"))
        for input in try Self.inputs() {
            let text = String(decoding: input, as: UTF8.self)
            let recognized = try tokenizer.encode(text, specialTokens: .recognized, addsSpecialTokens: false).ids
            #expect(try tokenizer.encodeIds(text, specialTokens: .recognized) == recognized)
            #expect(try tokenizer.encode(text: text, addSpecialTokens: false) == recognized.map { Int($0) })
            switch (Result { try tokenizer.encode(text, addsSpecialTokens: false) }, Result { try tokenizer.encodeIds(text) }) {
            case (.success(let encoding), .success(let ids)): #expect(ids == encoding.ids)
            case (.failure(let a), .failure(let b)): #expect(String(describing: a) == String(describing: b))
            case (let a, let b): Issue.record("encode \(a) but encodeIds \(b)")
            }
        }
        #expect(throws: (any Error).self) { try tokenizer.encodeIds("a [SEP] b") }
    }

    @Test("a text that throws leaves the caller's ids as they were")
    func throwingTextAppendsNothing() throws {
        var tokenizer = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        tokenizer.frontEnd.invalidUTF8 = .strict
        var scratch = EncoderScratch()
        var ids: [UInt32] = [1, 2]
        // The added token is appended before the invalid byte is found.
        #expect(throws: (any Error).self) {
            try Array("a<|endoftext|>b\u{FF}".utf8.dropLast(2) + [0xFF]).withUnsafeBufferPointer {
                _ = try tokenizer.encodeIds($0, into: &ids, scratch: &scratch)
            }
        }
        #expect(ids == [1, 2])
        try Array("a".utf8).withUnsafeBufferPointer { _ = try tokenizer.encodeIds($0, into: &ids, scratch: &scratch) }
        #expect(ids == [1, 2, 64])
    }

    @Test("appending text after text to one array grows it geometrically (no copy per call)")
    func appendsGrowGeometrically() throws {
        let tokenizer = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        var scratch = EncoderScratch()
        var ids: [UInt32] = [], reference: [UInt32] = []
        var growths = 0, capacity = 0
        let lines = try Self.inputs()
        for round in 0..<20 {
            for line in lines {
                try line.withUnsafeBufferPointer {
                    _ = try tokenizer.encodeIds($0, into: &ids, scratch: &scratch)
                    if round == 0 { reference += try tokenizer.encode($0, scratch: &scratch).ids }
                }
                if ids.capacity != capacity {
                    #expect(ids.capacity >= 2 * capacity, "grew from \(capacity) to \(ids.capacity)")
                    growths += 1
                    capacity = ids.capacity
                }
            }
            if round == 0 { #expect(ids == reference) }
        }
        #expect(growths <= 24, "\(growths) reallocations for \(ids.count) ids")
    }

    @Test("encodeIds(String) samples from the configured seed, or the call's")
    func sampling() throws {
        var tokenizer = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        tokenizer.sampling = SubwordSampling(alpha: 0.1, nBestSize: -1, seed: 9)
        for input in try Self.inputs().prefix(40) {
            let text = String(decoding: input, as: UTF8.self)
            #expect(try tokenizer.encodeIds(text) == tokenizer.encode(text, addsSpecialTokens: false).ids)
            #expect(try tokenizer.encodeIds(text, samplingSeed: 77) == tokenizer.encode(text, addsSpecialTokens: false, samplingSeed: 77).ids)
        }
    }
}
