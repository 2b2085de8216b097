import Foundation
import Testing
import VocabTestSupport
@testable import VocabAnalysis

@Suite("Cost model")
struct CostModelTests {
    @Test("GPT-2 small: 50257 x 768 embedding parameters, about 124M in all")
    func gpt2Small() {
        var model = ModelConfiguration()
        model.dModel = 768
        model.layers = 12
        model.tiedEmbeddings = true
        let cost = VocabularyCost(size: 50257, model: model)
        #expect(cost.embeddingParameters == 38_597_376)
        #expect(cost.outputParameters == 0)
        // 12 x 12 x 768^2 = 84,934,656 non-embedding; published total 124,439,808 (which also counts
        // 786,432 position embeddings and the biases and layer norms): within 1%.
        #expect(model.resolvedNonEmbeddingParameters == 84_934_656)
        #expect(abs(Double(cost.totalParameters) - 124_439_808) / 124_439_808 < 0.01)
        #expect(abs(cost.vocabularyShare - 38_597_376.0 / 123_532_032) < 1e-12)
        // bf16 table: 2 bytes per parameter.
        #expect(cost.tableMemoryBytes == 77_194_752)
        #expect(cost.tableMemoryBytesByPrecision["fp32"] == 154_389_504 && cost.tableMemoryBytesByPrecision["int8"] == 38_597_376)
        #expect(cost.softmaxFLOPsPerToken == 2 * 50257 * 768)
    }

    @Test("Untied tables double; FLOPs per byte, sampled and factorized by hand")
    func formulas() {
        var model = ModelConfiguration()
        model.dModel = 100
        model.nonEmbeddingParameters = 1_000_000
        model.factorSize = 20
        model.sampledSoftmaxSamples = 99
        let cost = VocabularyCost(size: 1000, model: model, tokensPerByte: 0.25)
        #expect(cost.embeddingParameters == 100_000 && cost.outputParameters == 100_000 && cost.totalParameters == 1_200_000)
        // 0.25 x 6 x (1e6 + 1e5) = 1.65e6.
        #expect(abs(cost.trainingFLOPsPerByte! - 1_650_000) < 1e-6)
        // Output layer: 6·V·d = 6e5 full; 6·(k + 1)·d = 6e4 sampled; 0.25 x (6e6 + 6e4) = 1.515e6 per byte.
        #expect(cost.outputTrainingFLOPsPerToken == 600_000 && cost.sampledSoftmaxTrainingFLOPsPerToken == 60_000)
        #expect(abs(cost.sampledSoftmaxTrainingFLOPsPerByte! - 1_515_000) < 1e-6)
        // Factorized: 2 x (1000·20 + 20·100) = 44,000; 0.25 x 6 x (1e6 + 2,000 + 20,000) = 1,533,000.
        #expect(cost.factorizedVocabularyParameters == 44_000)
        #expect(abs(cost.factorizedTrainingFLOPsPerByte! - 1_533_000) < 1e-6)
        // Break-even e·d/(d - e) = 2000/80 = 25; GPT-2 small with e = 128: 153.6.
        #expect(VocabularyCost.factorizationBreakEven(dModel: 100, factorSize: 20) == 25)
        #expect(abs(VocabularyCost.factorizationBreakEven(dModel: 768, factorSize: 128)! - 153.6) < 1e-9)
        #expect(VocabularyCost.factorizationBreakEven(dModel: 64, factorSize: 64) == nil)
    }

    @Test("Adaptive softmax: cluster sizes and FLOPs by hand")
    func adaptiveSoftmax() {
        let clusters = AdaptiveSoftmax.clusterSizes(vocabularySize: 800)
        #expect(clusters.head == 100 && clusters.tail1 == 300 && clusters.tail2 == 400)
        // d = 64: 2 x (64·102 + 0.2·(64·16 + 16·300) + 0.1·(64·4 + 4·400)) = 2 x (6528 + 1164.8 + 185.6).
        let flops = AdaptiveSoftmax.forwardFLOPsPerToken(vocabularySize: 800, dModel: 64, tailMass: [0.2, 0.1])
        #expect(abs(flops - 2 * (6528 + 1164.8 + 185.6)) < 1e-9)
        // With no tail mass it is the head alone, far below the full 2·V·d.
        #expect(AdaptiveSoftmax.forwardFLOPsPerToken(vocabularySize: 800, dModel: 64, tailMass: [0, 0]) < 2 * 800 * 64)
    }

    @Test("Compute optimum: the fit recovers a known curve and its minimum")
    func computeOptimal() throws {
        var model = ModelConfiguration()
        model.dModel = 512
        model.nonEmbeddingParameters = 10_000_000
        let (a, b, c) = (0.004, -0.11, 0.95)
        let sizes = [1000, 2000, 4000, 8000, 16000, 32000, 64000]
        let points = sizes.map { size -> (size: Int, tokensPerCharacter: Double) in
            let x = log(Double(size))
            return (size, a * x * x + b * x + c)
        }
        let fit = try #require(ComputeOptimalFit(points: points, model: model))
        #expect(abs(fit.a - a) < 1e-9 && abs(fit.b - b) < 1e-8 && abs(fit.c - c) < 1e-7)
        // Brute force over the same range.
        var best = (size: 0.0, cost: Double.infinity)
        var v = 1000.0
        while v <= 64000 {
            let x = log(v)
            let cost = 6 * (1e7 + v * 512) * (a * x * x + b * x + c)
            if cost < best.cost { best = (v, cost) }
            v *= 1.001
        }
        #expect(abs(log(fit.optimalSize / best.size)) < 0.01)
        #expect(ComputeOptimalFit(points: Array(points.prefix(2)), model: model) == nil)
    }
}
