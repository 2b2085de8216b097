import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

/// `VocabularyCut`: the nested smaller vocabulary of a trained tokenizer.
@Suite("Vocabulary cut")
struct VocabularyCutTests {
    static func lines() throws -> [String] {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
        return text.split(separator: "\n").suffix(200).map(String.init)
    }

    @Test("BPE and WordPiece cut to k equal training at k (the sweep's nested vocabularies)",
          arguments: [Algorithm.bpe, .wordpiece])
    func cutEqualsTraining(algorithm: Algorithm) throws {
        let corpus = try corpusSlice("en", lines: 2000)
        let large = try Recipe(algorithm, vocabularySize: 1500).train(paths: [corpus]).tokenizer
        let small = try Recipe(algorithm, vocabularySize: 900).train(paths: [corpus]).tokenizer
        let cut = try VocabularyCut.cut(large, to: 900)
        #expect(cut.tokenizer.model.tokens == small.model.tokens)
        #expect(cut.idMap.prefix(900) == ArraySlice((0..<900).map(Int32.init)) && cut.idMap.dropFirst(900).allSatisfy { $0 == -1 })
        for line in try Self.lines() {
            #expect(try cut.tokenizer.encode(line, specialTokens: .recognized).ids == small.encode(line, specialTokens: .recognized).ids)
        }
    }

    @Test("tiktoken ranks cut: ids below the cut unchanged, special tokens renumbered after it, text round-trips")
    func tiktoken() throws {
        let cl100k = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        let cut = try VocabularyCut.cut(cl100k, to: 30_000)
        #expect(cut.tokenizer.model.vocabularySize == 30_000)
        let endOfText = try #require(cut.tokenizer.addedTokens.first { $0.content == "<|endoftext|>" })
        #expect(endOfText.id >= 30_000 && cut.idMap[100_257] == Int32(endOfText.id))
        #expect(cut.tokenizer.specialTokenIds.endOfSequence == endOfText.id)
        var longer = 0
        for line in try Self.lines() {
            let ids = try cut.tokenizer.encode(line).ids
            #expect(ids.allSatisfy { $0 < 30_000 })
            #expect(try cut.tokenizer.decode(ids) == line)
            let original = try cl100k.encode(line).ids
            if ids.count > original.count { longer += 1 }
            #expect(ids.count >= original.count)
            // Tokens the cut keeps give the same ids where the full vocabulary used only them.
            if original.allSatisfy({ $0 < 30_000 }) { #expect(ids == original) }
        }
        #expect(longer > 0)
    }

    @Test("Unigram cut keeps special, byte and single-character pieces and the best scores")
    func unigram() throws {
        let model = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        let cut = try VocabularyCut.cut(model, to: 600)
        guard case .unigram(let before) = model.model, case .unigram(let after) = cut.tokenizer.model else {
            Issue.record("not Unigram")
            return
        }
        #expect(after.pieces.count == 600)
        let kept = Set(after.pieces)
        for (id, piece) in before.pieces.enumerated() where before.kinds[id] != .normal || String(decoding: piece, as: UTF8.self).unicodeScalars.count == 1 {
            #expect(kept.contains(piece))
        }
        let lowestKept = after.pieces.indices.filter { after.kinds[$0] == .normal && String(decoding: after.pieces[$0], as: UTF8.self).unicodeScalars.count > 1 }
            .map { after.scores[$0] }.min()!
        let bestDropped = before.pieces.indices.filter { cut.idMap[$0] < 0 }.map { before.scores[$0] }.max()!
        #expect(lowestKept >= bestDropped)
        for line in try Self.lines().prefix(50) {
            let ids = try cut.tokenizer.encode(line).ids
            #expect(try cut.tokenizer.decode(ids) == (try model.decode(try model.encode(line).ids)))
        }
    }

    @Test("refusals: a size that is not smaller, a base symbol past the cut, a model kind that cannot be cut")
    func refusals() throws {
        let gpt2 = try Tokenizer(contentsOf: fixture("gpt2"))
        #expect(throws: TrainingError.self) { try VocabularyCut.cut(gpt2, to: 60_000) }
        #expect(throws: TrainingError.self) { try VocabularyCut.cut(gpt2, to: 0) }
        do {
            _ = try VocabularyCut.cut(gpt2, to: 100)
            Issue.record("a cut below the 256 bytes was accepted")
        } catch let error as TrainingError {
            #expect("\(error)".contains("base symbol"), "\(error)")
        }
        // GPT-2's <|endoftext|> (50256, in the model and an added token) survives as an added token.
        let cut = try VocabularyCut.cut(gpt2, to: 10_000)
        #expect(cut.tokenizer.addedTokens.first { $0.content == "<|endoftext|>" }?.id == 10_000)
        let corpus = try corpusSlice("en", lines: 500)
        let hybrid = try Recipe(.hybrid, vocabularySize: 600).train(paths: [corpus]).tokenizer
        #expect(throws: TrainingError.self) { try VocabularyCut.cut(hybrid, to: 500) }
    }
}
