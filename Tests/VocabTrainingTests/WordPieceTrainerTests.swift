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
    @Test("the PMI criterion picks count(ab) / (count(a) count(b)), by hand")
    func handComputed() throws {
        // "hug" 10, "pug" 5, "pun" 12, "bun" 4, "hugs" 5 (the HuggingFace course's example).
        var options = WordPieceTrainerOptions(vocabularySize: 22)
        options.criterion = .pmi
        options.specialTokens = ["[UNK]"]
        let model = try WordPieceTrainer(options: options).train(counts([("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)]))
        let learned = model.tokens.suffix(model.tokens.count - 1 - 14).map { String(decoding: $0, as: UTF8.self) }
        // Step 1: ##g ##s scores 5/(20*5) = 1/20, the best (the course's first merge).
        #expect(learned.first == "##gs")
    }

    @Test("the incremental PMI trainer equals the plain one on a real corpus")
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
        options.criterion = .pmi
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

    /// Σ c(t) log(c(t) / N) over the symbols of segmented words.
    static func likelihood(_ words: [[UInt32]], _ counts: [Int64]) -> Double {
        var symbolCounts: [UInt32: Int64] = [:]
        for (word, count) in zip(words, counts) { for symbol in word { symbolCounts[symbol, default: 0] += count } }
        let n = Double(symbolCounts.values.reduce(0, +))
        return symbolCounts.values.reduce(0.0) { $0 + Double($1) * log(Double($1) / n) }
    }

    /// The words after merging (a, b) into `result` left to right, as the trainer merges.
    static func merged(_ words: [[UInt32]], _ a: UInt32, _ b: UInt32, into result: UInt32) -> [[UInt32]] {
        words.map { word in
            var word = word, i = 0
            while i + 1 < word.count {
                if word[i] == a && word[i + 1] == b { word[i] = result; word.remove(at: i + 1) }
                i += 1
            }
            return word
        }
    }

    @Test("the likelihood gain of every merge equals a brute-force recomputation, and is the best of all pairs",
          arguments: [("random", 0 as UInt64), ("random", 1), ("random", 2), ("english", 0)])
    func likelihoodGainMatchesBruteForce(corpus: String, seed: UInt64) throws {
        // Small corpora: random words over four letters (runs like "aaaa" test repeated pairs,
        // and different pairs spell the same token), and real English words.
        var words: [(String, Int64)] = []
        if corpus == "random" {
            var random = SplitMix64(seed: seed)
            var seen = Set<String>()
            while words.count < 60 {
                let length = 1 + Int(random.next() % 7)
                let word = String((0..<length).map { _ in "abca"[String.Index(utf16Offset: Int(random.next() % 4), in: "abca")] })
                if seen.insert(word).inserted { words.append((word, Int64(1 + random.next() % 9))) }
            }
        } else {
            let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
            var frequency: [String: Int64] = [:]
            for word in text.prefix(6_000).split(whereSeparator: { !$0.isLetter }) { frequency[word.lowercased(), default: 0] += 1 }
            words = frequency.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        var options = WordPieceTrainerOptions(vocabularySize: 10_000)
        options.specialTokens = ["[UNK]"]
        options.criterion = .likelihood
        var state = WordPieceState(options: options)
        state.addToken(Array("[UNK]".utf8))
        let wordCounts = counts(words)
        let alphabet = try characterAlphabet(wordCounts, limit: nil, coverage: nil)
        for character in alphabet { state.addToken(character) }
        for character in alphabet { state.addToken(Array("##".utf8) + character) }
        state.tokenizeWords(wordCounts, prefix: Array("##".utf8))
        state.countPairs()
        var steps = 0
        while steps < 40 {
            let before = state.words, weights = state.wordCounts
            let base = Self.likelihood(before, weights)
            // Every adjacent pair's brute-force gain.
            var candidates = Set<UInt64>()
            for word in before where word.count > 1 { for i in 0..<(word.count - 1) { candidates.insert(UInt64(word[i]) << 32 | UInt64(word[i + 1])) } }
            guard !candidates.isEmpty else { break }
            var gains: [UInt64: Double] = [:]
            for key in candidates {
                let a = UInt32(key >> 32), b = UInt32(key & 0xFFFF_FFFF)
                let result = state.ids[state.spelling(a, b)] ?? UInt32(state.tokens.count)
                gains[key] = Self.likelihood(Self.merged(before, a, b, into: result), weights) - base
            }
            let bestGain = gains.values.max()!
            let expected = gains.filter { abs($0.value - bestGain) <= 1e-9 * max(1, abs(bestGain)) }.keys.min()!
            guard let chosen = state.mergeBest() else {
                Issue.record("step \(steps): no pair merged")
                break
            }
            let key = UInt64(chosen.left) << 32 | UInt64(chosen.right)
            #expect(abs(chosen.score - gains[key]!) <= 1e-7 * max(1, abs(gains[key]!)), "step \(steps): gain \(chosen.score), brute force \(gains[key]!)")
            #expect(key == expected, "step \(steps): chose \(key), brute force's best is \(expected)")
            steps += 1
        }
        #expect(steps >= 20)
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
