import VocabKit

/// The vocabulary algorithms VocabKit trains.
///
/// To add one: a folder per module it needs (its model in `VocabKit/Models`, its trainer and its
/// `Trainer` conformance in `VocabTraining`), a case here, and its line in `trainer(_:)` and in
/// `Recipe` (its settings). See `docs/ARCHITECTURE.md`.
public enum Algorithm: String, Sendable, Codable, CaseIterable {
    case bpe, wordpiece, unigram, hybrid
    /// Word-level: one token per frequent word, the unknown token for the rest; the baseline
    /// that shows what subwords buy.
    case word

    /// The algorithm's part of `recipe`: the one switch over the algorithms.
    func trainer(_ recipe: Recipe) -> any Trainer {
        switch self {
        case .bpe: return recipe.bpe
        case .wordpiece: return recipe.wordPiece
        case .unigram: return recipe.unigram
        case .hybrid: return recipe.hybrid
        case .word: return recipe.wordLevel
        }
    }

    /// How messages name it.
    public var displayName: String {
        switch self {
        case .bpe: return "BPE"
        case .wordpiece: return "WordPiece"
        case .unigram: return "Unigram"
        case .hybrid: return "hybrid"
        case .word: return "word-level"
        }
    }
}
