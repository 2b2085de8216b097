import Foundation

/// What a vocabulary of one size costs a model, by the formulas the report prints.
///
/// With V the vocabulary size, d the model width, N the non-embedding parameters, e the factor
/// size, k the sampled-softmax samples and t the tokens per byte of text:
/// - embedding parameters V·d; output parameters V·d untied, 0 tied;
/// - training FLOPs per token 6·(N + V·d) + 6·n_layer·n_ctx·d (Kaplan et al. 2020: 6 FLOPs per
///   parameter per token, and the attention context term 2·n_layer·n_ctx·d_attn forward, x3 for
///   training, with d_attn = d; the output layer's V·d is paid whether or not it is tied, the
///   embedding lookup is free); per byte, t times that;
/// - full softmax 2·V·d FLOPs per token forward; adaptive softmax (Grave et al. 2017) with a
///   head of V/8 and tails of 3V/8 (projection d/4) and V/2 (projection d/16):
///   2·(d·(h + 2) + m1·(d·d/4 + d/4·n1) + m2·(d·d/16 + d/16·n2)), m the tails' held-out mass;
/// - sampled softmax: training pays 6·(k + 1)·d per token in the output layer instead of 6·V·d
///   (inference still pays the full softmax); an adaptive output layer pays 3 x its forward
///   FLOPs in training (backward twice the forward), so every lever is whole-model training
///   FLOPs per byte, comparable column by column;
/// - factorized embeddings (ALBERT): V·e + e·d per table, paying off in parameters once
///   V > e·d / (d - e);
/// - table memory: vocabulary parameters x bytes per parameter at each precision.
public struct VocabularyCost: Sendable, Codable, Equatable {
    public var vocabularySize: Int
    public var embeddingParameters: Int
    public var outputParameters: Int
    public var vocabularyParameters: Int { embeddingParameters + outputParameters }
    public var totalParameters: Int
    /// Embedding and output parameters over all parameters.
    public var vocabularyShare: Double
    /// Memory of the embedding and output tables at the configured precision, and at each.
    public var tableMemoryBytes: Int
    public var tableMemoryBytesByPrecision: [String: Int]
    public var softmaxFLOPsPerToken: Double
    public var adaptiveSoftmaxFLOPsPerToken: Double?
    /// Training FLOPs per token of the output layer: full and sampled.
    public var outputTrainingFLOPsPerToken: Double
    public var sampledSoftmaxTrainingFLOPsPerToken: Double
    /// Kaplan et al.'s attention context term in training FLOPs per token: 6·n_layer·n_ctx·d.
    public var attentionTrainingFLOPsPerToken: Double
    /// Whole-model training FLOPs per token: 6·N + 6·V·d + the attention term.
    public var trainingFLOPsPerToken: Double
    /// The shares of `trainingFLOPsPerToken`: non-embedding parameters, output layer, attention.
    public var nonEmbeddingFLOPsShare: Double
    public var outputFLOPsShare: Double
    public var attentionFLOPsShare: Double
    /// The measured tokens per byte the per-byte figures use.
    public var tokensPerByte: Double?
    /// Training FLOPs per byte of text (nil without a measured tokens-per-byte).
    public var trainingFLOPsPerByte: Double?
    /// The same with an adaptive-softmax output layer: t·(6·N + 3·adaptive forward + attention).
    public var adaptiveSoftmaxTrainingFLOPsPerByte: Double?
    /// The same with a sampled softmax in the output layer.
    public var sampledSoftmaxTrainingFLOPsPerByte: Double?
    /// Factorized embedding tables: parameters (both tables when untied) and training FLOPs per byte.
    public var factorizedVocabularyParameters: Int
    public var factorizedTrainingFLOPsPerByte: Double?

    /// The cost of `size` tokens for `model`; `tokensPerByte` and the adaptive-softmax tail
    /// masses come from held-out text when measured.
    public init(size: Int, model: ModelConfiguration, tokensPerByte: Double? = nil, adaptiveTailMass: [Double]? = nil) {
        let v = Double(size), d = Double(model.dModel), n = Double(model.resolvedNonEmbeddingParameters)
        let e = Double(model.factorSize)
        vocabularySize = size
        embeddingParameters = size * model.dModel
        outputParameters = model.tiedEmbeddings ? 0 : size * model.dModel
        let vocabulary = embeddingParameters + outputParameters
        totalParameters = model.resolvedNonEmbeddingParameters + vocabulary
        vocabularyShare = Double(vocabulary) / Double(max(1, totalParameters))
        tableMemoryBytes = vocabulary * model.precision.bytes
        tableMemoryBytesByPrecision = Dictionary(uniqueKeysWithValues: ModelConfiguration.Precision.allCases.map { ($0.rawValue, vocabulary * $0.bytes) })
        softmaxFLOPsPerToken = 2 * v * d
        if let mass = adaptiveTailMass, mass.count == 2 {
            adaptiveSoftmaxFLOPsPerToken = AdaptiveSoftmax.forwardFLOPsPerToken(vocabularySize: size, dModel: model.dModel, tailMass: mass)
        }
        outputTrainingFLOPsPerToken = 6 * v * d
        sampledSoftmaxTrainingFLOPsPerToken = 6 * min(v, Double(model.sampledSoftmaxSamples + 1)) * d
        attentionTrainingFLOPsPerToken = Self.attentionTrainingFLOPsPerToken(model: model)
        trainingFLOPsPerToken = Self.trainingFLOPsPerToken(size: v, model: model)
        nonEmbeddingFLOPsShare = 6 * n / trainingFLOPsPerToken
        outputFLOPsShare = outputTrainingFLOPsPerToken / trainingFLOPsPerToken
        attentionFLOPsShare = attentionTrainingFLOPsPerToken / trainingFLOPsPerToken
        let factorTable = size * model.factorSize + model.factorSize * model.dModel
        factorizedVocabularyParameters = model.tiedEmbeddings ? factorTable : 2 * factorTable
        self.tokensPerByte = tokensPerByte
        if let t = tokensPerByte {
            let attention = attentionTrainingFLOPsPerToken
            trainingFLOPsPerByte = t * trainingFLOPsPerToken
            sampledSoftmaxTrainingFLOPsPerByte = t * (6 * n + sampledSoftmaxTrainingFLOPsPerToken + attention)
            factorizedTrainingFLOPsPerByte = t * (6 * (n + d * e + e * v) + attention)
            adaptiveSoftmaxTrainingFLOPsPerByte = adaptiveSoftmaxFLOPsPerToken.map { t * (6 * n + 3 * $0 + attention) }
        }
    }

    /// Kaplan et al. (2020)'s attention context term, in training FLOPs per token:
    /// 3 x 2·n_layer·n_ctx·d_attn, with d_attn = d_model.
    public static func attentionTrainingFLOPsPerToken(model: ModelConfiguration) -> Double {
        6 * Double(model.layers) * Double(model.contextLength) * Double(model.dModel)
    }

    /// Whole-model training FLOPs per token at vocabulary size `size`: 6·(N + V·d) + attention.
    public static func trainingFLOPsPerToken(size: Double, model: ModelConfiguration) -> Double {
        6 * (Double(model.resolvedNonEmbeddingParameters) + size * Double(model.dModel)) + attentionTrainingFLOPsPerToken(model: model)
    }

    /// The vocabulary size above which factorized tables (V·e + e·d) hold fewer parameters than
    /// full ones (V·d): e·d / (d - e); nil when e >= d (never).
    public static func factorizationBreakEven(dModel: Int, factorSize: Int) -> Double? {
        guard factorSize < dModel else { return nil }
        return Double(factorSize * dModel) / Double(dModel - factorSize)
    }
}

/// Grave et al. (2017)'s adaptive softmax, with fixed cluster proportions.
public enum AdaptiveSoftmax {
    /// Head V/8 (at least 1), first tail 3V/8, second tail the rest.
    public static func clusterSizes(vocabularySize v: Int) -> (head: Int, tail1: Int, tail2: Int) {
        let head = max(1, v / 8)
        let tail1 = min(v - head, (3 * v) / 8)
        return (head, tail1, v - head - tail1)
    }

    /// Forward FLOPs per token: the head (plus one logit per tail cluster) for every token, each
    /// tail's projection and logits only for the share of tokens that fall in it.
    public static func forwardFLOPsPerToken(vocabularySize v: Int, dModel: Int, tailMass: [Double]) -> Double {
        let c = clusterSizes(vocabularySize: v)
        let d = Double(dModel), d1 = Double(max(1, dModel / 4)), d2 = Double(max(1, dModel / 16))
        let head = d * Double(c.head + 2)
        let tail1 = tailMass[0] * (d * d1 + d1 * Double(c.tail1))
        let tail2 = tailMass[1] * (d * d2 + d2 * Double(c.tail2))
        return 2 * (head + tail1 + tail2)
    }
}

/// VocabKit's own corpus-specific estimate of the compute-optimal size: the vocabulary that makes
/// training on a fixed amount of this corpus's text cheapest at fixed N, minimizing
/// f(V) · (training FLOPs per token at V), with f(V) the tokens per character measured here.
///
/// 1. Only sizes measured on every fold are used.
/// 2. f is made non-increasing in V (pool-adjacent-violators: a larger vocabulary cannot need
///    more tokens), then interpolated linearly in ln V between measured sizes.
/// 3. The minimum is searched on a fine grid between the smallest and largest measured sizes:
///    nothing is extrapolated, and an optimum at either end is flagged (the true one may lie
///    beyond).
///
/// It differs from Tao et al. (2024) (`TaoVocabularyScaling`): it only trades the output layer's
/// cost against compression on this corpus; it does not model how the loss depends on V (rare
/// tokens are seen less often and learned worse), which is what pulls their predictions lower.
public struct CorpusComputeEstimate: Sendable, Codable, Equatable {
    /// The measured sizes and their tokens per character after the monotone correction.
    public var sizes: [Int]
    public var tokensPerCharacter: [Double]
    public var optimalSize: Double
    /// Training FLOPs per character at the optimum.
    public var flopsPerCharacter: Double
    /// Characters of text the budget pays for at the optimum (with a budget).
    public var charactersForBudget: Double?
    /// Whether the optimum is the smallest or largest measured size (it may lie beyond).
    public var atMeasuredEdge: Bool

    /// Nil with fewer than two sizes measured on every fold.
    /// - Complexity: O(points + 2,000 grid steps).
    public init?(points: [(size: Int, tokensPerCharacter: Double, folds: Int)], allFolds: Int, model: ModelConfiguration) {
        // 1. Full-fold points, one per size, by size.
        var bySize: [Int: Double] = [:]
        for point in points where point.folds == allFolds && point.size > 1 && point.tokensPerCharacter > 0 {
            bySize[point.size] = point.tokensPerCharacter
        }
        let sizes = bySize.keys.sorted()
        guard sizes.count >= 2 else { return nil }
        // 2. Pool adjacent violators (weights 1): blocks of equal value, non-increasing.
        var blocks: [(value: Double, count: Int)] = []
        for size in sizes {
            blocks.append((bySize[size]!, 1))
            while blocks.count >= 2 && blocks[blocks.count - 2].value < blocks[blocks.count - 1].value {
                let last = blocks.removeLast()
                let previous = blocks.removeLast()
                let count = previous.count + last.count
                blocks.append(((previous.value * Double(previous.count) + last.value * Double(last.count)) / Double(count), count))
            }
        }
        let monotone = blocks.flatMap { Array(repeating: $0.value, count: $0.count) }
        self.sizes = sizes
        tokensPerCharacter = monotone
        // 3. Minimize on a grid in ln V.
        let logs = sizes.map { log(Double($0)) }
        func f(_ x: Double) -> Double {
            guard let upper = logs.firstIndex(where: { $0 >= x }) else { return monotone.last! }
            if upper == 0 { return monotone[0] }
            let t = (x - logs[upper - 1]) / (logs[upper] - logs[upper - 1])
            return monotone[upper - 1] + t * (monotone[upper] - monotone[upper - 1])
        }
        var best = (x: logs[0], cost: Double.infinity)
        for step in 0...2000 {
            let x = logs[0] + (logs.last! - logs[0]) * Double(step) / 2000
            let cost = f(x) * VocabularyCost.trainingFLOPsPerToken(size: exp(x), model: model)
            if cost < best.cost { best = (x, cost) }
        }
        optimalSize = exp(best.x)
        flopsPerCharacter = best.cost
        charactersForBudget = model.flopBudget.map { $0 / best.cost }
        let edge = (logs.last! - logs[0]) / 2000 * 1.5
        atMeasuredEdge = best.x - logs[0] < edge || logs.last! - best.x < edge
    }
}
