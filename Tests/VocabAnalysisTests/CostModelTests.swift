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
        model.layers = 2
        model.contextLength = 10
        let cost = VocabularyCost(size: 1000, model: model, tokensPerByte: 0.25, adaptiveTailMass: [0.2, 0.1])
        #expect(cost.embeddingParameters == 100_000 && cost.outputParameters == 100_000 && cost.totalParameters == 1_200_000)
        // Attention (Kaplan et al.): 6 x 2 layers x 10 context x 100 = 12,000 per token.
        #expect(cost.attentionTrainingFLOPsPerToken == 12_000)
        // Per token 6 x (1e6 + 1e5) + 12,000 = 6,612,000; per byte 0.25 x that = 1,653,000.
        #expect(cost.trainingFLOPsPerToken == 6_612_000)
        #expect(abs(cost.trainingFLOPsPerByte! - 1_653_000) < 1e-6)
        #expect(abs(cost.nonEmbeddingFLOPsShare - 6e6 / 6_612_000) < 1e-12 && abs(cost.attentionFLOPsShare - 12_000.0 / 6_612_000) < 1e-12)
        #expect(abs(cost.nonEmbeddingFLOPsShare + cost.outputFLOPsShare + cost.attentionFLOPsShare - 1) < 1e-12)
        // Output layer: 6·V·d = 6e5 full; 6·(k + 1)·d = 6e4 sampled; 0.25 x (6e6 + 6e4 + 12,000) = 1,518,000 per byte.
        #expect(cost.outputTrainingFLOPsPerToken == 600_000 && cost.sampledSoftmaxTrainingFLOPsPerToken == 60_000)
        #expect(abs(cost.sampledSoftmaxTrainingFLOPsPerByte! - 1_518_000) < 1e-6)
        // Factorized: 2 x (1000·20 + 20·100) = 44,000; 0.25 x (6 x (1e6 + 2,000 + 20,000) + 12,000) = 1,536,000.
        #expect(cost.factorizedVocabularyParameters == 44_000)
        #expect(abs(cost.factorizedTrainingFLOPsPerByte! - 1_536_000) < 1e-6)
        // Adaptive output layer in training: 3 x its forward FLOPs, in place of 6·V·d.
        let forward = AdaptiveSoftmax.forwardFLOPsPerToken(vocabularySize: 1000, dModel: 100, tailMass: [0.2, 0.1])
        #expect(abs(cost.adaptiveSoftmaxTrainingFLOPsPerByte! - 0.25 * (6e6 + 3 * forward + 12_000)) < 1e-6)
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

    @Test("Attention: about 16% of the default model's training FLOPs per token at 16k (Kaplan et al.'s context term)")
    func attentionShare() {
        let cost = VocabularyCost(size: 16_000, model: ModelConfiguration())
        // 6 x 12 x 2048 x 768 = 113,246,208; 6 x (84,934,656 + 16,000 x 768) = 583,335,936.
        #expect(cost.attentionTrainingFLOPsPerToken == 113_246_208)
        #expect(abs(cost.attentionFLOPsShare - 113_246_208.0 / (113_246_208 + 583_335_936)) < 1e-12)
        #expect(cost.attentionFLOPsShare > 0.15 && cost.attentionFLOPsShare < 0.17)
    }

    @Test("Tao et al. (2024): the three approaches give the published predictions")
    func taoPredictions() {
        // Reference values: the authors' released predictor (optimal_Nv_predict.py) for the same
        // N_nv and d; the paper's headline is that Llama 2 70B should have at least 216K.
        let cases: [(n: Int, d: Int, expected: [Double])] = [
            (84_934_656, 768, [8430, 9022, 7027]),              // the default model
            (7_000_000_000, 4096, [62_280, 67_450, 59_547]),    // Llama 2 7B's width
            (70_000_000_000, 8192, [211_860, 230_861, 217_961]), // Llama 2 70B's width
        ]
        for (n, d, expected) in cases {
            var model = ModelConfiguration()
            model.nonEmbeddingParameters = n
            model.dModel = d
            let predictions = TaoVocabularyScaling.predictions(model: model)
            #expect(predictions.map(\.approach) == [.isoFLOPs, .derivative, .parametricLoss])
            for (prediction, want) in zip(predictions, expected) {
                #expect(abs(Double(prediction.vocabularySize) - want) / want < 0.002, "N_nv \(n): \(prediction.approach) gave \(prediction.vocabularySize), expected about \(want)")
            }
        }
        var llama70 = ModelConfiguration()
        (llama70.nonEmbeddingParameters, llama70.dModel) = (70_000_000_000, 8192)
        #expect(TaoVocabularyScaling.predictions(model: llama70).filter { $0.approach != .isoFLOPs }.allSatisfy { $0.vocabularySize >= 216_000 })
        // Approach 3 at a larger budget than compute-optimal prefers a larger vocabulary.
        let optimal = TaoVocabularyScaling.computeOptimalFLOPs(nonVocabularyParameters: 1e9)
        #expect(TaoVocabularyScaling.parametricLoss(nonVocabularyParameters: 1e9, dModel: 2048, flops: optimal * 10)
                > TaoVocabularyScaling.parametricLoss(nonVocabularyParameters: 1e9, dModel: 2048, flops: optimal))
    }

    @Test("The corpus estimate uses only all-fold points, never lets tokens per character rise with V, and does not extrapolate")
    func corpusEstimate() throws {
        var model = ModelConfiguration()
        model.dModel = 512
        model.nonEmbeddingParameters = 10_000_000
        // A measured curve that rises at the end (noise), and a point measured on 1 of 5 folds.
        let points: [(size: Int, tokensPerCharacter: Double, folds: Int)] = [
            (1000, 0.40, 1), (2000, 0.33, 5), (4000, 0.29, 5), (8000, 0.26, 5), (16000, 0.255, 5), (32000, 0.258, 5),
        ]
        let estimate = try #require(CorpusComputeEstimate(points: points, allFolds: 5, model: model))
        #expect(estimate.sizes == [2000, 4000, 8000, 16000, 32000], "the 1-fold point is left out")
        #expect(zip(estimate.tokensPerCharacter, estimate.tokensPerCharacter.dropFirst()).allSatisfy { $0 >= $1 }, "\(estimate.tokensPerCharacter)")
        // Pool-adjacent-violators: 16k and 32k become their mean.
        #expect(abs(estimate.tokensPerCharacter[3] - 0.2565) < 1e-12 && abs(estimate.tokensPerCharacter[4] - 0.2565) < 1e-12)
        #expect(estimate.optimalSize >= 2000 && estimate.optimalSize <= 32000)
        // Brute force over the same interpolation.
        var best = (size: 0.0, cost: Double.infinity)
        var v = 2000.0
        while v <= 32000 {
            let x = log(v), logs = estimate.sizes.map { log(Double($0)) }
            let upper = logs.firstIndex { $0 >= x } ?? logs.count - 1
            let f = upper == 0 ? estimate.tokensPerCharacter[0]
                : estimate.tokensPerCharacter[upper - 1] + (x - logs[upper - 1]) / (logs[upper] - logs[upper - 1])
                    * (estimate.tokensPerCharacter[upper] - estimate.tokensPerCharacter[upper - 1])
            let cost = f * VocabularyCost.trainingFLOPsPerToken(size: v, model: model)
            if cost < best.cost { best = (v, cost) }
            v *= 1.0005
        }
        #expect(abs(log(estimate.optimalSize / best.size)) < 0.01, "\(estimate.optimalSize) vs \(best.size)")
        // A curve that keeps falling steeply puts the optimum at the largest size, flagged.
        let steep = try #require(CorpusComputeEstimate(points: [(1000, 1.0, 3), (2000, 0.5, 3), (4000, 0.25, 3)], allFolds: 3, model: model))
        #expect(steep.optimalSize > 3990 && steep.atMeasuredEdge)
        #expect(CorpusComputeEstimate(points: [(1000, 1.0, 3), (2000, 0.5, 2)], allFolds: 3, model: model) == nil)
    }
}

@Suite("Model presets")
struct ModelPresetTests {
    @Test("presets give the published parameter counts with their vocabularies")
    func publishedCounts() {
        // (preset, its vocabulary, published total parameters, tolerance)
        let cases: [(ModelPreset, Int, Double, Double)] = [
            (.gpt2Small, 50257, 124.4e6, 0.01), (.gpt2Medium, 50257, 354.8e6, 0.01), (.bertBase, 30522, 109.5e6, 0.02),
            (.llama2_7B, 32000, 6.74e9, 0.005), (.llama3_8B, 128_256, 8.03e9, 0.005),
        ]
        for (preset, vocabulary, total, tolerance) in cases {
            let cost = VocabularyCost(size: vocabulary, model: preset.configuration)
            #expect(abs(Double(cost.totalParameters) - total) / total < tolerance, "\(preset.rawValue): \(cost.totalParameters)")
        }
        #expect(ModelPreset.llama3_8B.configuration.contextLength == 8192 && !ModelPreset.llama3_8B.configuration.tiedEmbeddings)
        #expect(ModelPreset.gpt2Small.configuration.tiedEmbeddings && ModelPreset.bertBase.configuration.contextLength == 512)
    }
}
