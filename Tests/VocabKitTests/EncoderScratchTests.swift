import Dispatch
import Foundation
import Testing
@testable import VocabKit
import VocabTestSupport

/// The scratch `encode(_: String)` keeps per thread, and a scratch shared between models, against
/// a fresh scratch for every call (the plain reference).
@Suite("Encoder scratch")
struct EncoderScratchTests {
    static func lines() throws -> [String] {
        var lines: [String] = []
        for name in ["en", "ja", "code-python"] {
            let text = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
            lines += text.split(separator: "\n").prefix(80).map(String.init)
        }
        return lines + ["", "a", " 👩‍💻 ", "\u{0}"]
    }

    static func fresh(_ tokenizer: Tokenizer, _ text: String) throws -> [UInt32] {
        var scratch = EncoderScratch(sampling: tokenizer.sampling)
        return try Array(text.utf8).withUnsafeBufferPointer { try tokenizer.encode($0, scratch: &scratch).ids }
    }

    @Test("encode(String) with the per-thread scratch gives a fresh scratch's ids, for every model type",
          arguments: ["gpt2", "bert/tokenizer.json", "tiktoken/cl100k_base.tiktoken", "sentencepiece/botchan_en_unigram_1000.model",
                      "sentencepiece/mistral-tokenizer.model.v1"])
    func perThreadScratch(file: String) throws {
        let tokenizer = try Tokenizer(contentsOf: fixture(file))
        for line in try Self.lines() {
            #expect(try tokenizer.encode(line, addsSpecialTokens: false).ids == Self.fresh(tokenizer, line), "\(file): \(line.prefix(40))")
        }
    }

    @Test("sampling restarts at its seed on every call, as with a new scratch")
    func samplingPerCall() throws {
        var tokenizer = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        tokenizer.sampling = SubwordSampling(alpha: 0.1, nBestSize: -1, seed: 9)
        for line in try Self.lines().prefix(40) {
            let first = try tokenizer.encode(line, addsSpecialTokens: false).ids
            #expect(try tokenizer.encode(line, addsSpecialTokens: false).ids == first)
            #expect(try Self.fresh(tokenizer, line) == first)
        }
    }

    @Test("a per-call sampling seed gives that seed's sample, in encode and in encodeBatch")
    func samplingSeedPerCall() throws {
        var tokenizer = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        tokenizer.sampling = SubwordSampling(alpha: 0.1, nBestSize: -1, seed: 9)
        var reseeded = tokenizer
        reseeded.sampling?.seed = 1234
        let lines = try Self.lines().prefix(40).filter { $0.utf8.count > 20 }
        var differing = 0
        for line in lines {
            let seeded = try tokenizer.encode(line, addsSpecialTokens: false, samplingSeed: 1234).ids
            #expect(seeded == (try Self.fresh(reseeded, line)), "the call's seed replaces the configured one")
            if seeded != (try tokenizer.encode(line, addsSpecialTokens: false).ids) { differing += 1 }
        }
        #expect(differing > lines.count / 2, "another seed gives another sample (\(differing) of \(lines.count) differ)")
        // Batch: text i with seed + i, whatever the threads.
        let batch = try tokenizer.encodeBatch(Array(lines), addsSpecialTokens: false, threads: 2, samplingSeed: 1234)
        for (index, line) in lines.enumerated() {
            var one = tokenizer
            one.sampling?.seed = 1234 + UInt64(index)
            #expect(batch[index].ids == (try Self.fresh(one, line)))
        }
    }

    @Test("one scratch used with two BPE tokenizers in turn answers each with its own ids")
    func scratchSharedBetweenModels() throws {
        let a = try Tokenizer(contentsOf: fixture("gpt2")), b = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        var scratch = EncoderScratch()
        var differing = 0
        for line in try Self.lines() {
            for tokenizer in [a, b, a] {
                let ids = try Array(line.utf8).withUnsafeBufferPointer { try tokenizer.encode($0, scratch: &scratch).ids }
                #expect(try ids == Self.fresh(tokenizer, line))
            }
            if try Self.fresh(a, line) != Self.fresh(b, line) { differing += 1 }
        }
        #expect(differing > 100)   // the two vocabularies really give different ids
        // Through the per-thread scratch too.
        for line in try Self.lines().prefix(50) {
            #expect(try a.encode(line).ids == Self.fresh(a, line))
            #expect(try b.encode(line).ids == Self.fresh(b, line))
        }
    }

    @Test("a scratch drops buffers a long text grew and keeps its piece cache")
    func longTextBuffers() throws {
        let unigram = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        let gpt2 = try Tokenizer(contentsOf: fixture("gpt2"))
        var scratch = EncoderScratch()
        let long = String(repeating: "abcdefgh", count: 20_000) // one piece of 160 KB for both
        _ = try Array(long.utf8).withUnsafeBufferPointer { try unigram.encode($0, scratch: &scratch) }
        _ = try Array(long.utf8).withUnsafeBufferPointer { try gpt2.encode($0, scratch: &scratch) }
        #expect(scratch.unigram.largestCapacity > ThreadScratch.keptBufferElements)
        #expect(scratch.bpe.symbols.capacity > ThreadScratch.keptBufferElements)
        // The front end keeps no array over the limit, even before dropBuffers.
        #expect(scratch.frontEnd.largestCapacity <= ThreadScratch.keptBufferElements)
        scratch.dropBuffers(over: ThreadScratch.keptBufferElements)
        #expect(scratch.unigram.largestCapacity == 0 && scratch.bpe.symbols.capacity == 0)
        #expect(scratch.bpe.cache.owner != nil)
        // Still right afterwards, through the per-thread scratch too.
        for text in ["a short one", long] {
            #expect(try unigram.encode(text, addsSpecialTokens: false).ids == Self.fresh(unigram, text))
            #expect(try gpt2.encode(text, addsSpecialTokens: false).ids == Self.fresh(gpt2, text))
        }
    }

    @Test("the front end's arrays, reused from text to text, give a fresh scratch's ids and offsets",
          arguments: ["sentencepiece/botchan_en_unigram_1000.model", "sentencepiece/mistral-tokenizer.model.v1",
                      "tiktoken/cl100k_base.tiktoken", "bert/tokenizer.json"])
    func frontEndBuffers(file: String) throws {
        let tokenizer = try Tokenizer(contentsOf: fixture(file))
        // Texts that take each path of the front end in turn, long after short and short after
        // long: spaces to collapse (the one-pass writer's pending spaces), characters the
        // normalizer rewrites (full-width, a ligature), rewrites that write spaces (the segment
        // path after a one pass that gave up: U+3000, NBSP and tabs become spaces),
        // invalid UTF-8 (repaired, not copied), added tokens (several stretches in one call),
        // a text too long to keep the arrays of, empty text, and the corpora's scripts.
        var texts: [[UInt8]] = [
            Array("  several   spaces  here  ".utf8), Array("ｆｕｌｌ－ｗｉｄｔｈ ﬁ text".utf8), [0x61, 0xFF, 0x62, 0x20, 0xE3, 0x81],
            Array("a\u{3000}b\u{00A0}c\td  e".utf8), Array("[CLS] <s> hi <|endoftext|> [SEP] there </s>".utf8),
            [], Array("a".utf8), Array(String(repeating: "long line of words ", count: 300).utf8), Array("x y".utf8),
            Array(String(repeating: "far too long for the spares ", count: 3_000).utf8),
        ]
        texts += try Self.lines().prefix(200).map { Array($0.utf8) }
        texts += texts.reversed()
        var strict = tokenizer
        strict.frontEnd.invalidUTF8 = .strict
        var scratch = EncoderScratch(), buffers = FrontEndBuffers()
        for text in texts {
            let reused = try text.withUnsafeBufferPointer { try tokenizer.encode($0, specialTokens: .recognized, scratch: &scratch) }
            var fresh = EncoderScratch()
            let expected = try text.withUnsafeBufferPointer { try tokenizer.encode($0, specialTokens: .recognized, scratch: &fresh) }
            #expect(reused.ids == expected.ids && reused.offsets == expected.offsets, "\(file): \(text.prefix(40))")
            var ids: [UInt32] = []
            try text.withUnsafeBufferPointer { _ = try tokenizer.encodeIds($0, specialTokens: .recognized, into: &ids, scratch: &scratch) }
            #expect(ids == expected.ids, "\(file), ids: \(text.prefix(40))")
            // The front end alone, against the call that allocates everything.
            let processed = try text.withUnsafeBufferPointer { try tokenizer.frontEnd.process($0, buffers: &buffers) }
            #expect(processed == (try tokenizer.frontEnd.process(text)), "\(file), front end: \(text.prefix(40))")
            var consumed = processed
            buffers.recycle(&consumed)
            // A text that throws part way leaves the scratch as good as before.
            _ = try? text.withUnsafeBufferPointer { try strict.encode($0, scratch: &scratch) }
        }
        let kept = scratch.frontEnd.byteAndPieceCapacities
        #expect(max(kept.bytes, kept.moreBytes) > 0 && kept.pieces > 0, "the arrays are kept between texts: \(kept)")
        // The SentencePiece one pass keeps the input's copy and its output both.
        if file.hasSuffix(".model") { #expect(min(kept.bytes, kept.moreBytes) > 0, "\(kept)") }
        #expect(scratch.frontEnd.largestCapacity <= FrontEndBuffers.keptElements)
    }

    @Test("changing a BPE setting gives the model a new cache identity")
    func settingChangesIdentity() throws {
        guard case .bpe(var model) = try Tokenizer(contentsOf: fixture("gpt2")).model else { Issue.record("gpt2 is BPE"); return }
        let copy = model
        #expect(copy.cacheIdentity === model.cacheIdentity)
        model.ignoresMerges = true
        #expect(copy.cacheIdentity !== model.cacheIdentity)
        let before = model.cacheIdentity
        model.byteFallback = false
        #expect(before !== model.cacheIdentity)
    }

    @Test("threads each keep their own scratch")
    func threads() throws {
        let tokenizer = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        let lines = try Self.lines()
        let expected = try lines.map { try Self.fresh(tokenizer, $0) }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            for k in lines.indices {
                let index = (k * 7 + worker * 13) % lines.count
                if (try? tokenizer.encode(lines[index], addsSpecialTokens: false).ids) != expected[index] { failures.increment() }
            }
        }
        #expect(failures.value == 0)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() { lock.lock(); count += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    }
}
