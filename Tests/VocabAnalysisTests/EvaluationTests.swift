import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabAnalysis

@Suite("Evaluating a tokenizer")
struct EvaluationTests {
    static let fixtures: URL = corporaDirectory.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures")

    /// Distinct-piece evaluation counts exactly the tokens of encoding every line as running text.
    @Test("Token, unknown and length counts equal running-text encoding",
          arguments: ["gpt2", "bert/vocab.txt", "sentencepiece/botchan_en_unigram_1000.model", "tiktoken/r50k_base.tiktoken"])
    func runningText(fixture: String) throws {
        let tokenizer = try Tokenizer(contentsOf: Self.fixtures.appendingPathComponent(fixture))
        for name in ["en", "de", "zh"] {
            let path = try corpusSlice(name, lines: 400)
            let measures = try TokenizerEvaluation.evaluate(tokenizer, paths: [path])
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            var tokens = 0, unknown = 0, lengths: [Int] = []
            let unknownIds: Set<UInt32> = {
                switch tokenizer.model {
                case .wordPiece(let model): return [model.unknownToken]
                case .unigram(let model): return [model.unknownId]
                default: return []
                }
            }()
            for line in lines {
                let ids = try tokenizer.encode(line, allowsAddedTokens: false, addsSpecialTokens: false).ids
                tokens += ids.count
                unknown += ids.filter { unknownIds.contains($0) }.count
                lengths.append(ids.count)
            }
            #expect(measures.tokens == tokens, "\(fixture) \(name)")
            #expect(measures.units == lines.count)
            #expect(abs(measures.unknownRate - Double(unknown) / Double(tokens)) < 1e-12, "\(fixture) \(name)")
            lengths.sort()
            #expect(measures.lengthP50 == Double(lengths[(lines.count + 1) / 2 - 1]))
            #expect(measures.bytes == lines.reduce(0) { $0 + $1.utf8.count })
        }
    }
}

@Suite("README sweep example")
struct ReadmeSweepExampleTests {
    @Test("The README's VocabAnalysis snippet runs (small corpus)")
    func snippet() throws {
        let corpus = try SweepCorpus(groups: [("en", [try corpusSlice("en", lines: 1500)])], unit: .line, folds: 5, seed: 42)
        var options = SweepOptions()
        options.sizes = [600, 1200]
        options.algorithms = [.bpe, .word]
        let results = try Sweep.run(corpus, options: options)
        var model = ModelConfiguration()
        model.dModel = 1024
        let cost = VocabularyCost(size: 50257, model: model)
        let tao = TaoVocabularyScaling.predictions(model: model)               // Tao et al.'s three approaches
        let estimate = CorpusComputeEstimate(points: [(4000, 0.31, 5), (8000, 0.27, 5), (16000, 0.245, 5)], allFolds: 5, model: model)
        #expect(results.cells(.bpe, size: 1200).count == 5)
        #expect(cost.embeddingParameters == 50257 * 1024 && cost.outputParameters == 50257 * 1024)
        #expect(estimate.map { $0.optimalSize > 3999 && $0.optimalSize < 16001 } == true)
        #expect(tao.count == 3 && tao.allSatisfy { $0.vocabularySize > 1000 })
    }
}
