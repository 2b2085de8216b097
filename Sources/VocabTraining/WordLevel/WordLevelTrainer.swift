import VocabKit

/// Options for word-level training.
public struct WordLevelTrainerOptions: Sendable {
    public var vocabularySize: Int
    /// Words seen fewer times are left out (HuggingFace's `min_frequency`, default 0).
    public var minFrequency: Int64 = 0
    /// They take the first ids; the unknown token must be one of them.
    public var specialTokens = ["<unk>"]
    public var unknownToken = "<unk>"

    public init(vocabularySize: Int) { self.vocabularySize = vocabularySize }
}

/// What word-level training produced: the model and the full ranking (smaller vocabularies are
/// prefixes of it).
public struct WordLevelTraining: Sendable {
    public var model: WordLevelModel
    /// Every word kept by `minFrequency`, most frequent first.
    public var ranking: [[UInt8]]
    public var specialTokens: [String]
    public var unknownToken: String

    /// The vocabulary of the special tokens and the `size - specials` best-ranked words.
    public func model(size: Int) throws -> WordLevelModel {
        let specials = specialTokens.map { Array($0.utf8) }
        guard size >= specials.count + 1 else {
            throw TrainingError.vocabularyTooSmall(requested: size, minimum: specials.count + 1, reason: "special tokens plus one word")
        }
        return try WordLevelModel(tokens: specials + ranking.prefix(size - specials.count), unknownToken: unknownToken)
    }
}

/// Trains a word-level vocabulary: the most frequent words, as HuggingFace's `WordLevelTrainer`.
///
/// 1. Special tokens take the first ids.
/// 2. Words seen at least `minFrequency` times, by count (descending), ties by bytes (ascending):
///    HuggingFace's order. Words equal to a special token are skipped (HuggingFace would give the
///    string two ids).
/// 3. The first `vocabularySize - specials` words.
public struct WordLevelTrainer: Sendable {
    public var options: WordLevelTrainerOptions

    public init(options: WordLevelTrainerOptions) { self.options = options }

    /// - Complexity: O(words · log words) for the sort.
    public func train(_ counts: WordCounts, progress: ((TrainingProgress) -> Void)? = nil) throws -> WordLevelTraining {
        // Phase 1.
        guard options.specialTokens.contains(options.unknownToken) else {
            throw TrainingError.invalidOption("the unknown token \(options.unknownToken) must be one of the special tokens")
        }
        guard Set(options.specialTokens).count == options.specialTokens.count else {
            throw TrainingError.invalidOption("a special token is given twice")
        }
        let specials = Set(options.specialTokens.map { Array($0.utf8) })
        guard options.vocabularySize > specials.count else {
            throw TrainingError.vocabularyTooSmall(requested: options.vocabularySize, minimum: specials.count + 1,
                                                   reason: "\(specials.count) special tokens plus one word")
        }
        // Phase 2.
        progress?(TrainingProgress(phase: "ranking words", done: 0, total: counts.words.count))
        var ranked = counts.words.filter { !$0.word.isEmpty && $0.count >= options.minFrequency && !specials.contains($0.word) }
        guard !ranked.isEmpty else { throw TrainingError.invalidOption("the corpus has no words seen at least \(options.minFrequency) times") }
        ranked.sort { $0.count != $1.count ? $0.count > $1.count : $0.word.lexicographicallyPrecedes($1.word) }
        // Phase 3.
        let ranking = ranked.map(\.word)
        let tokens = options.specialTokens.map { Array($0.utf8) } + ranking.prefix(options.vocabularySize - options.specialTokens.count)
        return WordLevelTraining(model: try WordLevelModel(tokens: tokens, unknownToken: options.unknownToken), ranking: ranking,
                                 specialTokens: options.specialTokens, unknownToken: options.unknownToken)
    }
}
