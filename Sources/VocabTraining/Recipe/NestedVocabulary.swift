import VocabKit

/// Every vocabulary size of one training, without retraining: the nested vocabularies that BPE
/// and WordPiece merge orders, Unigram pruning rounds and hybrid and word rankings give.
///
/// - BPE: the first k ids and the merges that make them (merge order is independent of the
///   target size, so this equals training at k; tested).
/// - WordPiece: the first k tokens, the vocabulary after k minus the alphabet merges.
/// - Unigram: trained down to the smallest size; each larger size takes the smallest pruning
///   round holding it and keeps the best-scored pieces (`UnigramTraining.model(size:)`).
/// - Hybrid: the spelling alphabet plus the first k minus alphabet words of the ranking.
/// - Word level: the special tokens plus the first words of the ranking.
///
/// Made by `Recipe.trainNested`; each algorithm's `Trainer` supplies the cut and the assembly.
public struct NestedVocabulary: Sendable {
    public let algorithm: Algorithm
    /// The smallest and largest sizes this training gives.
    public let minimumSize: Int
    public let maximumSize: Int
    /// The special tokens of this training (they are not counted as vocabulary in use).
    public let specialTokens: [String]
    private let cut: @Sendable (Int) throws -> Tokenizer

    /// A nested vocabulary whose sizes `minimumSize...maximumSize` are cut by `cut`, which
    /// assembles the whole tokenizer of one size as training at that size would.
    public init(algorithm: Algorithm, minimumSize: Int, maximumSize: Int, specialTokens: [String],
                cut: @escaping @Sendable (Int) throws -> Tokenizer) {
        self.algorithm = algorithm
        self.minimumSize = minimumSize
        self.maximumSize = maximumSize
        self.specialTokens = specialTokens
        self.cut = cut
    }

    /// Whether `size` can be cut from this training.
    public func offers(_ size: Int) -> Bool { size >= minimumSize && size <= maximumSize }

    /// The whole tokenizer of exactly `size` tokens.
    /// - Complexity: building the model of that size (its lookup tables), O(size) for most.
    public func tokenizer(size: Int) throws -> Tokenizer {
        guard offers(size) else {
            throw TrainingError.invalidOption("\(algorithm.rawValue) offers sizes \(minimumSize) to \(maximumSize) on this corpus, not \(size)")
        }
        return try cut(size)
    }

    /// The vocabulary of exactly `size` tokens.
    public func model(size: Int) throws -> TokenModel { try tokenizer(size: size).model }
}
