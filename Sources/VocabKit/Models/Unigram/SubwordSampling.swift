/// Subword regularization settings (Kudo 2018; Provilkov et al. 2020): sample a segmentation
/// instead of taking the best one.
///
/// Unigram: with `nBestSize` < 0, draw from all segmentations with probability ∝ P(x)^alpha
/// (forward filtering, backward sampling); with `nBestSize` > 1, from the n best. SentencePiece
/// BPE: `alpha` is the probability of skipping each merge (BPE-dropout).
public struct SubwordSampling: Sendable, Equatable {
    public var alpha: Double
    public var nBestSize: Int
    public var seed: UInt64

    public init(alpha: Double = 0.1, nBestSize: Int = -1, seed: UInt64 = 0) {
        self.alpha = alpha
        self.nBestSize = nBestSize
        self.seed = seed
    }

    /// The largest n-best list sampling searches: each of the n paths is kept with its nodes,
    /// so a request like 1,000,000 would hold millions of paths per piece. SentencePiece
    /// users take 1 to 64; 512 leaves room and keeps a piece's search in megabytes.
    public static let maximumNBestSize = 512

    /// Throws `ModelError.invalidModel` for settings that cannot sample: `alpha` not a finite
    /// number ≥ 0 (for BPE-dropout also ≤ 1), or `nBestSize` above `maximumNBestSize`.
    public func validate() throws {
        guard alpha.isFinite && alpha >= 0 else {
            throw ModelError.invalidModel("sampling alpha \(alpha) is not a finite number of at least 0")
        }
        guard nBestSize <= Self.maximumNBestSize else {
            throw ModelError.invalidModel("n-best size \(nBestSize) is above \(Self.maximumNBestSize); use -1 to sample from all segmentations")
        }
    }
}

extension UnigramModel {
    /// Encodes one piece with a sampled segmentation (see `SubwordSampling`).
    /// - Complexity: O(nodes) for full sampling; n-best search for `nBestSize` > 1.
    package func encodeSampled(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken],
                              sampling: SubwordSampling, generator: inout SplitMix64) {
        guard piece.count > 0 else { return }
        let lattice = UnigramLattice(model: self, piece: piece)
        let path: [UnigramLattice.Node]
        if sampling.nBestSize < 0 || sampling.nBestSize == 0 {
            path = lattice.sample(theta: sampling.alpha, using: &generator)
        } else {
            // Settings are checked by `validate()`; clamp here too so that an unchecked value
            // cannot make the search unbounded.
            let candidates = lattice.nBest(min(sampling.nBestSize, SubwordSampling.maximumNBestSize))
            // Probability ∝ exp(alpha x score), normalised over the n best.
            let top = candidates.map(\.score).max() ?? 0
            let weights = candidates.map { exp(sampling.alpha * ($0.score - top)) }
            let total = weights.reduce(0, +)
            var threshold = total.isFinite && total > 0 ? Double.random(in: 0..<total, using: &generator) : 0
            var chosen = candidates.count - 1
            for (index, weight) in weights.enumerated() {
                threshold -= weight
                if threshold < 0 { chosen = index; break }
            }
            path = candidates.isEmpty ? [] : candidates[chosen].path
        }
        appendTokensFusingUnknowns(path.map { PieceToken(id: $0.id, start: $0.start, end: $0.end) }, piece: piece,
                                   unknownId: unknownId, byteIds: byteFallback ? byteIds : nil, into: &output)
    }
}

import Foundation
