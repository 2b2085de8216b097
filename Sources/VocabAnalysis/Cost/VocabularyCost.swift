import Foundation

/// What a vocabulary of one size costs a model, by the formulas the report prints.
///
/// With V the vocabulary size, d the model width, N the non-embedding parameters, e the factor
/// size, k the sampled-softmax samples and t the tokens per byte of text:
/// - embedding parameters V·d; output parameters V·d untied, 0 tied;
/// - training FLOPs per byte t · 6 · (N + V·d) (Kaplan et al. 2020's 6 FLOPs per parameter per
///   token; the output layer's V·d is paid whether or not it is tied, the lookup is free);
/// - full softmax 2·V·d FLOPs per token forward; adaptive softmax (Grave et al. 2017) with a
///   head of V/8 and tails of 3V/8 (projection d/4) and V/2 (projection d/16):
///   2·(d·(h + 2) + m1·(d·d/4 + d/4·n1) + m2·(d·d/16 + d/16·n2)), m the tails' held-out mass;
/// - sampled softmax: training pays 6·(k + 1)·d per token in the output layer instead of 6·V·d
///   (inference still pays the full softmax);
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
    /// Training FLOPs per token of the output layer: full, sampled and adaptive.
    public var outputTrainingFLOPsPerToken: Double
    public var sampledSoftmaxTrainingFLOPsPerToken: Double
    /// The measured tokens per byte the per-byte figures use.
    public var tokensPerByte: Double?
    /// Training FLOPs per byte of text (nil without a measured tokens-per-byte).
    public var trainingFLOPsPerByte: Double?
    /// Forward FLOPs per byte of an adaptive-softmax output layer.
    public var adaptiveSoftmaxFLOPsPerByte: Double? {
        guard let t = tokensPerByte, let perToken = adaptiveSoftmaxFLOPsPerToken else { return nil }
        return t * perToken
    }
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
        let factorTable = size * model.factorSize + model.factorSize * model.dModel
        factorizedVocabularyParameters = model.tiedEmbeddings ? factorTable : 2 * factorTable
        self.tokensPerByte = tokensPerByte
        if let t = tokensPerByte {
            trainingFLOPsPerByte = t * 6 * (n + v * d)
            sampledSoftmaxTrainingFLOPsPerByte = t * (6 * n + sampledSoftmaxTrainingFLOPsPerToken)
            factorizedTrainingFLOPsPerByte = t * 6 * (n + d * e + e * v)
        }
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

/// Tao et al. (2024)'s compute-optimal vocabulary: fit tokens per character as a quadratic in
/// ln V, then minimize the training FLOPs of a fixed amount of text, (N + V·d) · f(V).
public struct ComputeOptimalFit: Sendable, Codable, Equatable {
    /// f(V) = a·(ln V)^2 + b·ln V + c.
    public var a: Double, b: Double, c: Double
    public var optimalSize: Double
    /// Training FLOPs per character at the optimum.
    public var flopsPerCharacter: Double
    /// Characters of text the budget pays for at the optimum (with a budget).
    public var charactersForBudget: Double?

    /// Fits `points` (size, tokens per character) and searches V on a fine log grid within the
    /// measured sizes (no extrapolation). Nil with fewer than three sizes.
    public init?(points: [(size: Int, tokensPerCharacter: Double)], model: ModelConfiguration) {
        let usable = points.filter { $0.size > 1 && $0.tokensPerCharacter > 0 }
        guard Set(usable.map(\.size)).count >= 3 else { return nil }
        // 1. Least squares on (ln V, f): the 3x3 normal equations.
        var s = [Double](repeating: 0, count: 5), t = [Double](repeating: 0, count: 3)
        for point in usable {
            let x = log(Double(point.size))
            var power = 1.0
            for k in 0..<5 { s[k] += power; if k < 3 { t[k] += power * point.tokensPerCharacter }; power *= x }
        }
        let matrix = [[s[4], s[3], s[2]], [s[3], s[2], s[1]], [s[2], s[1], s[0]]]
        guard let solution = Self.solve(matrix, [t[2], t[1], t[0]]) else { return nil }
        (a, b, c) = (solution[0], solution[1], solution[2])
        // 2. Minimize (N + V d) f(V) over the measured range.
        let n = Double(model.resolvedNonEmbeddingParameters), d = Double(model.dModel)
        let low = log(Double(usable.map(\.size).min()!)), high = log(Double(usable.map(\.size).max()!))
        var best = (size: 0.0, cost: Double.infinity)
        for step in 0...2000 {
            let x = low + (high - low) * Double(step) / 2000
            let f = a * x * x + b * x + c
            guard f > 0 else { continue }
            let cost = 6 * (n + exp(x) * d) * f
            if cost < best.cost { best = (exp(x), cost) }
        }
        guard best.cost.isFinite else { return nil }
        optimalSize = best.size
        flopsPerCharacter = best.cost
        charactersForBudget = model.flopBudget.map { $0 / best.cost }
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ m: [[Double]], _ y: [Double]) -> [Double]? {
        var a = m, b = y
        let n = b.count
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot); b.swapAt(col, pivot)
            for row in (col + 1)..<n {
                let f = a[row][col] / a[col][col]
                for k in col..<n { a[row][k] -= f * a[col][k] }
                b[row] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<n { sum -= a[row][k] * x[k] }
            x[row] = sum / a[row][row]
        }
        return x
    }
}
