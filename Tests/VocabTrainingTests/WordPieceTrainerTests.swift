import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabTraining

/// The plain likelihood WordPiece trainer: every step recounts all pairs and symbols from
/// scratch and merges the best pair everywhere. The oracle for the incremental trainer.
func referenceWordPieceTokens(_ words: [(word: [String], count: Int64)], initial: [String], size: Int) -> [String] {
    var vocabulary = initial
    var corpus = words
    while vocabulary.count < size {
        var pairs: [String: (Int64, Int, Int)] = [:], symbols: [String: Int64] = [:]
        for (word, count) in corpus {
            for symbol in word { symbols[symbol, default: 0] += count }
        }
        var best: (score: Double, left: Int, right: Int, a: String, b: String)?
        var pairCounts: [[String]: Int64] = [:]
        for (word, count) in corpus where word.count > 1 {
            for i in 0..<(word.count - 1) { pairCounts[[word[i], word[i + 1]], default: 0] += count }
        }
        _ = pairs
        for (pair, count) in pairCounts where count > 0 {
            let score = Double(count) / (Double(symbols[pair[0]]!) * Double(symbols[pair[1]]!))
            let left = vocabulary.firstIndex(of: pair[0])!, right = vocabulary.firstIndex(of: pair[1])!
            if best == nil || score > best!.score || (score == best!.score && (left, right) < (best!.left, best!.right)) {
                best = (score, left, right, pair[0], pair[1])
            }
        }
        guard let best else { break }
        let merged = best.a + (best.b.hasPrefix("##") ? String(best.b.dropFirst(2)) : best.b)
        if !vocabulary.contains(merged) { vocabulary.append(merged) }
        corpus = corpus.map { entry in
            var word = entry.word, i = 0
            while i < word.count - 1 {
                if word[i] == best.a && word[i + 1] == best.b { word[i] = merged; word.remove(at: i + 1) }
                i += 1
            }
            return (word, entry.count)
        }
        pairs = [:]
    }
    return vocabulary
}

@Suite("WordPiece trainer")
struct WordPieceTrainerTests {
    @Test("the likelihood criterion picks count(ab) / (count(a) count(b)), by hand")
    func handComputed() throws {
        // "hug" 10, "pug" 5, "pun" 12, "bun" 4, "hugs" 5 (the HuggingFace course's example).
        var options = WordPieceTrainerOptions(vocabularySize: 22)
        options.specialTokens = ["[UNK]"]
        let model = try WordPieceTrainer(options: options).train(counts([("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)]))
        let learned = model.tokens.suffix(model.tokens.count - 1 - 14).map { String(decoding: $0, as: UTF8.self) }
        // Step 1: ##g ##s scores 5/(20*5) = 1/20, the best (the course's first merge).
        #expect(learned.first == "##gs")
    }

    @Test("the incremental trainer equals the plain one on a real corpus")
    func matchesReference() throws {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
        let frontEnd = try TextFrontEnd(normalizer: "bert", preTokenizers: ["bert"])
        let sample = text.split(separator: "\n").prefix(400).joined(separator: "\n")
        let path = try temporaryFile(sample)
        var counting = WordCountingOptions(frontEnd: frontEnd)
        counting.threads = 1
        let words = try WordCounter.count(paths: [path], options: counting)
        var options = WordPieceTrainerOptions(vocabularySize: 0)
        options.specialTokens = ["[UNK]"]
        // The alphabet the trainer uses, then 150 merges.
        options.vocabularySize = 1
        let alphabetSize = try characterAlphabet(words, limit: nil, coverage: nil).count
        options.vocabularySize = 1 + 2 * alphabetSize + 150
        let model = try WordPieceTrainer(options: options).train(words)
        let ours = model.tokens.map { String(decoding: $0, as: UTF8.self) }
        let initial = Array(ours.prefix(1 + 2 * alphabetSize))
        let split = words.words.map { entry -> ([String], Int64) in
            let characters = String(decoding: entry.word, as: UTF8.self).unicodeScalars.map(String.init)
            return (characters.enumerated().map { $0.offset == 0 ? $0.element : "##" + $0.element }, entry.count)
        }
        let expected = referenceWordPieceTokens(split.map { (word: $0.0, count: $0.1) }, initial: initial, size: options.vocabularySize)
        #expect(ours == expected)
    }

    @Test("frequency criterion, errors, and a trained tokenizer that round-trips")
    func frequencyAndErrors() throws {
        let path = corporaDirectory.appendingPathComponent("en.txt").path
        let frontEnd = try TextFrontEnd(normalizer: "bert", preTokenizers: ["bert"])
        let words = try WordCounter.count(paths: [path], options: WordCountingOptions(frontEnd: frontEnd))
        var options = WordPieceTrainerOptions(vocabularySize: 2000)
        options.criterion = .frequency
        let model = try WordPieceTrainer(options: options).train(words)
        #expect(model.vocabularySize == 2000 && model.tokens[1] == Array("[UNK]".utf8))
        var tokenizer = Tokenizer(frontEnd: frontEnd, model: .wordPiece(model), decoder: .continuingPrefix("##", cleanup: true))
        tokenizer.postProcessor = .bert(cls: model.lookup("[CLS]")!, sep: model.lookup("[SEP]")!)
        let ids = try tokenizer.encode("In the beginning God created the heaven").ids
        #expect(try tokenizer.decode(Array(ids.dropFirst().dropLast())) == "in the beginning god created the heaven")
        #expect(throws: TrainingError.self) { try WordPieceTrainer(options: WordPieceTrainerOptions(vocabularySize: 50)).train(words) }
        var noUnknown = WordPieceTrainerOptions(vocabularySize: 2000)
        noUnknown.specialTokens = ["[PAD]"]
        #expect(throws: TrainingError.self) { try WordPieceTrainer(options: noUnknown).train(words) }
    }
}
