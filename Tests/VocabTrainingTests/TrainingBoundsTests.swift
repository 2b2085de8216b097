import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

/// Training on hostile corpora and settings: long words, empty corpora, settings at zero.
@Suite("Training bounds")
struct TrainingBoundsTests {
    @Test("a 1M-byte word without spaces is skipped and reported; the rest trains as without it")
    func longPiecesAreSkipped() throws {
        let normal = Array(repeating: "the cat sat on the mat and the dog sat on the log", count: 50)
        let long = String(repeating: "abcdefghij", count: 100_000)
        for algorithm in Algorithm.allCases {
            var recipe = Recipe(algorithm, vocabularySize: 300)
            recipe.maxPieceBytes = 4096
            let started = Date()
            let withLong = try recipe.train(texts: normal + [long])
            #expect(Date().timeIntervalSince(started) < 120, "\(algorithm)")
            #expect(withLong.record.notes.contains { $0.hasPrefix("skipped 1 pieces over the piece length limit (100000") }, "\(algorithm): \(withLong.record.notes)")
            // Without the long line the vocabulary is the same, except where a trainer's alphabet
            // or character counts include the skipped text (none do: it is skipped before counting).
            let without = try recipe.train(texts: normal + [""])
            #expect(withLong.tokenizer.model.tokens == without.tokenizer.model.tokens, "\(algorithm)")
        }
    }

    @Test("a corpus of only over-long pieces is refused with the reason")
    func onlyLongPieces() throws {
        var recipe = Recipe.bpe(vocabularySize: 300)
        recipe.maxPieceBytes = 10
        recipe.keepsLineBreaks = false
        #expect {
            _ = try recipe.train(texts: ["abcdefghijklmnop"])
        } throws: { error in
            "\(error)".contains("skipped 1 pieces over the piece length limit")
        }
        recipe.maxPieceBytes = 0
        #expect(throws: TrainingError.self) { _ = try recipe.train(texts: ["a b"]) }
    }

    @Test("the piece length limit is recorded in counts files and adds up when they merge")
    func longPiecesInCountsFiles() throws {
        let corpus = try temporaryFile("short words here\n" + String(repeating: "x", count: 50) + "\n")
        let recipe = Recipe.bpe(vocabularySize: 300)
        var options = recipe.countingOptions(frontEnd: try recipe.frontEndNames.frontEnd())
        options.maxPieceBytes = 20
        let a = temporaryPath("a.counts"), b = temporaryPath("b.counts"), merged = temporaryPath("ab.counts")
        for path in [a, b] {
            _ = try WordCounter.countToFile(paths: [corpus], options: options, frontEnd: recipe.frontEndNames, memoryBudget: 1 << 24, output: path)
        }
        #expect(try CountsFile.read(a).header.longPieces == LongPieces(count: 1, bytes: 50))
        _ = try CountsFile.merge([a, b], into: merged)
        let (header, counts) = try CountsFile.read(merged)
        #expect(header.longPieces == LongPieces(count: 2, bytes: 100))
        #expect(counts.longPieces == header.longPieces)
    }

    @Test("Unigram with 0 seed pieces trains from characters; negative counts are refused")
    func zeroSeedPieces() throws {
        var recipe = Recipe.unigram(vocabularySize: 40)
        recipe.unigram.seedPieces = 0
        let trained = try recipe.train(texts: Array(repeating: "the cat sat on the mat", count: 20))
        #expect(trained.tokenizer.model.vocabularySize > 0)
        recipe.unigram.seedPieces = -1
        #expect(throws: TrainingError.self) { _ = try recipe.train(texts: ["the cat"]) }
    }

    @Test("counts near 2^63 in a counts file are an error, not an overflow trap")
    func hugeCounts() throws {
        let path = temporaryPath("huge.counts")
        let header = CountsFile.Header(frontEnd: Recipe.bpe(vocabularySize: 300).frontEndNames, keepsLineBreaks: true, lines: 1, bytes: 2)
        try CountsFile.write(WordCounts(words: [(Array("a".utf8), 5)], lines: 1, bytes: 2), header: header, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (old, new) in [("5\ta", "4611686018427387904\ta"), ("# lines: 1", "# lines: 9223372036854775807")] {
            let mutant = temporaryPath("mutant.counts")
            try text.replacingOccurrences(of: old, with: new).write(toFile: mutant, atomically: true, encoding: .utf8)
            #expect(throws: InputError.self, "\(new)") { _ = try CountsFile.read(mutant) }
        }
        let half = CountsFile.maximumOccurrences / 2 + 1
        #expect(throws: InputError.self) {
            try CountsFile.write(WordCounts(words: [(Array("a".utf8), half), (Array("b".utf8), half)], lines: 1, bytes: 2),
                                 header: header, to: temporaryPath("over.counts"))
        }
    }

    @Test("every algorithm refuses an empty or whitespace-only corpus alike")
    func whitespaceOnly() throws {
        for algorithm in Algorithm.allCases {
            let recipe = Recipe(algorithm, vocabularySize: 300)
            for texts in [["   ", "\t \u{3000}", ""], [""], ["\u{00A0}\u{2028}"]] {
                #expect(throws: InputError.self, "\(algorithm) \(texts)") { _ = try recipe.train(texts: texts) }
            }
            #expect(throws: Never.self, "\(algorithm)") { _ = try recipe.train(texts: ["a b c d e f g", "a b c d e f g", "  "]) }
        }
    }

    @Test("an alphabet limit of 0 is refused instead of writing an empty vocabulary")
    func zeroAlphabet() throws {
        for algorithm in [Algorithm.bpe, .wordpiece] {
            var recipe = Recipe(algorithm, vocabularySize: 100)
            recipe.bpe.characters = true
            recipe.limitAlphabet = 0
            #expect(throws: TrainingError.self, "\(algorithm)") { _ = try recipe.train(texts: ["the cat sat on the mat"]) }
        }
    }
}
