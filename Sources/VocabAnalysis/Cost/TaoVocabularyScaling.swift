import Foundation

/// Tao et al. (2024)'s compute-optimal vocabulary ("Scaling Laws with Vocabulary: Larger Models
/// Deserve Larger Vocabularies", NeurIPS 2024), by their three approaches with the coefficients
/// they published.
///
/// Assumptions, as the paper makes them: N_nv is the non-vocabulary parameter count (VocabKit's
/// N); a prediction is the vocabulary parameter count N_v = V·d, so V = N_v / d for the model's
/// width d; the coefficients were fitted on the authors' own runs (33M to 3B non-vocabulary
/// parameters, SlimPajama, vocabularies of 4K to 96K, their tokenizer), not on this corpus;
/// approaches 1 and 2 assume compute-optimal training (data scaled with N_nv), approach 3 takes a
/// FLOP budget (by default the compute-optimal one for N_nv). Their characters-per-token curve
/// is only defined up to V = 200,000: larger predictions extrapolate their fits.
///
/// Checked against the published headline: N_nv = 70B with d = 8,192 (Llama 2 70B) gives
/// 212K, 231K and 218K (at least 216K, the paper says); the default model (N = 84.9M, d = 768)
/// gives about 8,400, 9,000 and 7,000.
public enum TaoVocabularyScaling {
    /// The three approaches.
    public enum Approach: String, Sendable, Codable, CaseIterable {
        /// Approach 1: power laws of the optimal N_nv and N_v in FLOPs, from IsoFLOPs curves.
        case isoFLOPs
        /// Approach 2: the derivative of FLOPs with respect to V, fitted as a power law in N_nv.
        case derivative
        /// Approach 3: the minimum over V of their parametric loss at a FLOP budget.
        case parametricLoss

        public var title: String {
            switch self {
            case .isoFLOPs: return "Approach 1 (IsoFLOPs power laws)"
            case .derivative: return "Approach 2 (derivative-based)"
            case .parametricLoss: return "Approach 3 (parametric loss fit)"
            }
        }
    }

    /// One approach's prediction.
    public struct Prediction: Sendable, Codable, Equatable {
        public var approach: Approach
        /// N_v = V·d.
        public var vocabularyParameters: Double
        public var vocabularySize: Int
    }

    // The published coefficients (Tao et al. 2024, section 4 and appendix; the authors' release).
    /// N_nv,opt = exp(ln k) · C^0.5: the compute-optimal non-vocabulary parameters for C FLOPs.
    static let nonVocabularyLogCoefficient = -2.4846510161625193, nonVocabularyExponent = 0.5
    /// Approach 1: N_v,opt = exp(ln k) · C^γ.
    static let isoFLOPsLogCoefficient = -1.589031299255507, isoFLOPsExponent = 0.4163622634135234
    /// Approach 2: N_v,opt = N_v,0 · (N_nv / 33M)^γ, with N_v,0 the best vocabulary parameters of
    /// their 33M model (3,145,728 = 6,144 x 512).
    static let derivativeBase = 3_145_728.0, derivativeReference = 33_000_000.0, derivativeExponent = 0.8353974035228025
    /// Approach 3: L = -E + A1 / N_nv^α1 + A2 / N_v^α2 + B / D^β, with N_nv in millions, d in
    /// thousands, V in thousands, FLOPs in 10^15 and D = C / (6 (N_nv + V·d)) tokens.
    static let lossA2 = 0.19584238398665638, lossB = 2.1241123120064955
    static let lossAlpha2 = 0.6707374679896795, lossBeta = 0.44660634152009615
    /// Their characters-per-token fit is capped at this vocabulary size.
    public static let vocabularyCap = 200_000

    /// The compute-optimal training FLOPs for `nonVocabularyParameters` (inverting N_nv,opt(C)).
    public static func computeOptimalFLOPs(nonVocabularyParameters: Double) -> Double {
        pow(nonVocabularyParameters / exp(nonVocabularyLogCoefficient), 1 / nonVocabularyExponent)
    }

    /// Approach 1's optimal vocabulary parameters.
    public static func isoFLOPs(nonVocabularyParameters: Double) -> Double {
        exp(isoFLOPsLogCoefficient) * pow(computeOptimalFLOPs(nonVocabularyParameters: nonVocabularyParameters), isoFLOPsExponent)
    }

    /// Approach 2's optimal vocabulary parameters.
    public static func derivative(nonVocabularyParameters: Double) -> Double {
        derivativeBase * pow(nonVocabularyParameters / derivativeReference, derivativeExponent)
    }

    /// Approach 3's optimal vocabulary parameters: the V where dL/dV = 0, found by bisection in
    /// ln V (dL/dV rises from negative to positive: the vocabulary term falls with V, the data
    /// term rises as a larger output layer leaves fewer tokens for the budget).
    /// - Complexity: 200 bisection steps.
    public static func parametricLoss(nonVocabularyParameters: Double, dModel: Int, flops: Double? = nil) -> Double {
        let n = nonVocabularyParameters / 1e6, d = Double(dModel) / 1e3
        let c = (flops ?? computeOptimalFLOPs(nonVocabularyParameters: nonVocabularyParameters)) / 1e15
        func slope(_ v: Double) -> Double {
            let vocabularyTerm = -lossAlpha2 * lossA2 * d / pow(v * d, lossAlpha2 + 1)
            let tokens = c / (6 * (n + v * d))
            let tokensSlope = c * d / (6 * pow(n + v * d, 2))
            return vocabularyTerm + lossBeta * lossB * tokensSlope / pow(tokens, lossBeta + 1)
        }
        var low = log(1e-3), high = log(1e4)
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if slope(exp(middle)) < 0 { low = middle } else { high = middle }
        }
        return exp((low + high) / 2) * 1e3 * Double(dModel)
    }

    /// The three predictions for `model` (approach 3 at `model.flopBudget` when given).
    public static func predictions(model: ModelConfiguration) -> [Prediction] {
        let n = Double(model.resolvedNonEmbeddingParameters)
        return Approach.allCases.map { approach in
            let parameters: Double
            switch approach {
            case .isoFLOPs: parameters = isoFLOPs(nonVocabularyParameters: n)
            case .derivative: parameters = derivative(nonVocabularyParameters: n)
            case .parametricLoss: parameters = parametricLoss(nonVocabularyParameters: n, dModel: model.dModel, flops: model.flopBudget)
            }
            return Prediction(approach: approach, vocabularyParameters: parameters,
                              vocabularySize: Int((parameters / Double(model.dModel)).rounded()))
        }
    }
}
