import VocabKit

/// The vocabulary algorithms VocabKit trains.
///
/// Adding one: see "To add … an algorithm" in `docs/ARCHITECTURE.md`.
public enum Algorithm: String, Sendable, Codable, CaseIterable {
    /// Byte-pair encoding, byte- or character-level.
    case bpe
    /// WordPiece (BERT).
    case wordpiece
    /// SentencePiece-style Unigram.
    case unigram
    /// The char-word hybrid: whole words plus a spelling model.
    case hybrid
    /// Word-level: one token per frequent word, the unknown token for the rest; the baseline
    /// that shows what subwords buy.
    case word
    /// SuperBPE: byte-level BPE whose second stage learns tokens across whitespace (last, so the
    /// report's colours of the others stay; not in the sweep's default set).
    case superbpe

    /// The sweep's algorithms when none are named: all but SuperBPE, which is asked for by name
    /// (its nested sizes share one transition, 90% of the largest size).
    public static let sweepDefaults: [Algorithm] = [.bpe, .wordpiece, .unigram, .hybrid, .word]

    /// The algorithm's part of `recipe`: the one switch over the algorithms.
    func trainer(_ recipe: Recipe) -> any Trainer {
        switch self {
        case .bpe: return recipe.bpe
        case .superbpe: return recipe.superBPE
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
        case .superbpe: return "SuperBPE"
        case .wordpiece: return "WordPiece"
        case .unigram: return "Unigram"
        case .hybrid: return "hybrid"
        case .word: return "word-level"
        }
    }
}
