import Foundation

/// Entropy measures of a token distribution given as counts.
public enum InformationMeasures {
    /// Shannon entropy in bits: -sum p log2 p over the non-zero counts.
    /// - Complexity: O(counts).
    public static func shannonEntropy<C: Collection>(_ counts: C) -> Double where C.Element == Int64 {
        let total = Double(counts.reduce(0, +))
        guard total > 0 else { return 0 }
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / total
            h -= p * log2(p)
        }
        return h
    }

    /// Rényi entropy of order `alpha` (not 1) in bits: log2(sum p^alpha) / (1 - alpha).
    public static func renyiEntropy<C: Collection>(_ counts: C, alpha: Double) -> Double where C.Element == Int64 {
        precondition(alpha > 0 && alpha != 1, "Rényi order must be positive and not 1")
        let total = Double(counts.reduce(0, +))
        guard total > 0 else { return 0 }
        var sum = 0.0
        for c in counts where c > 0 { sum += pow(Double(c) / total, alpha) }
        return log2(sum) / (1 - alpha)
    }

    /// Entropy over the largest entropy a vocabulary of `size` can have (log2 size); 0 for size 1.
    public static func efficiency(entropy: Double, vocabularySize size: Int) -> Double {
        size > 1 ? entropy / log2(Double(size)) : 0
    }

    /// VOLT's marginal utility between two vocabularies (Xu et al. 2021): the fall in entropy
    /// per character from the smaller to the larger, per 1,000 extra tokens.
    public static func marginalUtility(smaller: (size: Int, entropyPerCharacter: Double),
                                       larger: (size: Int, entropyPerCharacter: Double)) -> Double {
        let extra = Double(larger.size - smaller.size)
        guard extra > 0 else { return 0 }
        return -(larger.entropyPerCharacter - smaller.entropyPerCharacter) / extra * 1000
    }
}
