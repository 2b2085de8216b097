import Foundation
import Testing
import VocabTestSupport
import VocabKit
import VocabAnalysis
@testable import VocabTraining

/// Word counts of the first 90% of a corpus's lines (training) and of the rest (held out).
func splitCounts(_ name: String, preTokenizers: [String]) throws -> (train: WordCounts, heldOut: WordCounts, frontEnd: TextFrontEnd) {
    let text = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let cut = lines.count * 9 / 10
    let train = try temporaryFile(lines[..<cut].joined(separator: "\n"), name: "hybrid-train-\(name)")
    let test = try temporaryFile(lines[cut...].joined(separator: "\n"), name: "hybrid-test-\(name)")
    let frontEnd = try TextFrontEnd(normalizer: "nmt-nfkc", preTokenizers: preTokenizers)
    var options = WordCountingOptions(frontEnd: frontEnd)
    options.keepsLineBreaks = false
    return (try WordCounter.count(paths: [train], options: options), try WordCounter.count(paths: [test], options: options), frontEnd)
}

@Suite("Char-word hybrid")
struct HybridTrainerTests {
    @Test("OOV rate and tokens per word fall as the word budget grows (English and Chinese, held out)",
          arguments: [("en", ["metaspace"], [4000, 8000, 12000]), ("zh", ["metaspace", "word-break"], [2000, 3000, 4000])])
    func oovFallsWithBudget(name: String, preTokenizers: [String], sizes: [Int]) throws {
        let (train, heldOut, _) = try splitCounts(name, preTokenizers: preTokenizers)
        var previous: HybridMeasures?
        for size in sizes {
            var options = HybridTrainerOptions(vocabularySize: size)
            options.byteFallback = true
            let training = try HybridTrainer(options: options).train(train)
            // Exactly the size, unless the corpus has too few words seen twice to fill it.
            #expect(training.model.vocabularySize == size || training.ranking.count <= training.model.words.count + 10)
            #expect(training.model.vocabularySize <= size)
            let measures = training.model.measure(heldOut.words)
            #expect(measures.unknownOccurrences == 0)
            if let previous {
                #expect(measures.outOfVocabularyRate < previous.outOfVocabularyRate, "\(name) \(size)")
                #expect(measures.tokensPerWord < previous.tokensPerWord, "\(name) \(size)")
                #expect(measures.wordShare > previous.wordShare)
            }
            previous = measures
        }
    }

    @Test("decode(encode(x)) restores the normalized text; tokenizer.json round-trips; training is deterministic")
    func roundTrips() throws {
        let (train, _, frontEnd) = try splitCounts("en", preTokenizers: ["metaspace"])
        var options = HybridTrainerOptions(vocabularySize: 3000)
        options.byteFallback = true
        options.subwordMerges = 500
        let training = try HybridTrainer(options: options).train(train)
        let again = try HybridTrainer(options: options).train(train)
        #expect(training.model.tokens == again.model.tokens)
        #expect(training.model.spelling.merges.count > 0)
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: .hybrid(training.model), decoder: .metaspace)
        let reread = try TokenizerJSON.read(try TokenizerJSON.write(tokenizer))
        var random = SplitMix64(seed: 23)
        var texts = (try String(contentsOf: corporaDirectory.appendingPathComponent("de.txt"), encoding: .utf8))
            .split(separator: "\n").prefix(300).map(String.init)
        for _ in 0..<300 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                let value = [UInt32.random(in: 0x21...0x7E, using: &random), UInt32.random(in: 0x4E00...0x9FFF, using: &random),
                             UInt32.random(in: 0x1F300...0x1F6FF, using: &random), 0x20].randomElement(using: &random)!
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            texts.append(String(scalars))
        }
        for text in texts {
            let ids = try tokenizer.encode(text).ids
            #expect(try reread.encode(text).ids == ids)
            let normalized = try frontEnd.normalizer.normalize(text)
            #expect(try tokenizer.decode(ids) == normalized, "\(text.debugDescription)")
        }
    }

    @Test("Ranking by savings prefers long words; a budget below the alphabet is an error")
    func rankingAndErrors() throws {
        let words = counts([("▁the", 100), ("▁a", 150), ("▁international", 30), ("▁of", 90)])
        var options = HybridTrainerOptions(vocabularySize: 1000)
        options.minWordFrequency = 1
        #expect(try HybridTrainer(options: options).train(words).ranking.first == Array("▁a".utf8))
        options.ranking = .savings
        #expect(try HybridTrainer(options: options).train(words).ranking.first == Array("▁international".utf8))
        #expect(throws: TrainingError.self) { try HybridTrainer(options: HybridTrainerOptions(vocabularySize: 5)).train(words) }
    }
}
