import VocabKit

/// The word level's part of a recipe: the most frequent words, `<unk>` for the rest;
/// SentencePiece's normalizer and Metaspace words by default.
public struct WordLevelRecipe: Trainer {
    public init() {}

    /// SentencePiece's front end: every word has its "▁", so decoding restores the spaces.
    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames { .sentencePieceWords }
    public func modelKind(_ recipe: Recipe) -> TokenModel.Kind { .wordLevel }

    /// The trainer's options: the recipe's special tokens and minimum frequency.
    func options(_ recipe: Recipe, size: Int) -> WordLevelTrainerOptions {
        var options = WordLevelTrainerOptions(vocabularySize: size)
        options.minFrequency = recipe.minFrequency
        recipe.applySpecialTokens(to: &options)
        return options
    }

    /// The tokenizer of a word-level model: Metaspace words decode their "▁", others are joined
    /// with spaces (what HuggingFace does without a decoder).
    static func tokenizer(_ model: WordLevelModel, frontEnd: TextFrontEnd, specialTokens: [String]) -> Tokenizer {
        TrainedTokenizer.assemble(.wordLevel(model), frontEnd: frontEnd, specialTokens: specialTokens,
                                  decoder: frontEnd.usesMetaspace ? .metaspace : .spaceSeparated)
    }

    public func train(_ counts: WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
                      progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer {
        let options = options(recipe, size: recipe.vocabularySize)
        let training = try WordLevelTrainer(options: options).train(counts, progress: progress)
        let model = training.model
        var record = TrainingRecord(algorithm: .word, name: "word-level", frontEnd: recipe.frontEndNames, counts: counts)
        let (covered, total) = counts.words.reduce((Int64(0), Int64(0))) { sums, word in
            (sums.0 + (model.id(of: word.word) != nil ? word.count : 0), sums.1 + word.count)
        }
        record.details = ["\(training.ranking.count) words seen --min-frequency \(recipe.minFrequency) times",
                          String(format: "%.2f%% of training words covered", Double(covered) / Double(max(1, total)) * 100)]
        record.vocabularySizeTrained = model.vocabularySize
        record.noteShortfall(words: training.ranking.count, minFrequency: recipe.minFrequency, asked: recipe.vocabularySize)
        return TrainedTokenizer(tokenizer: Self.tokenizer(model, frontEnd: frontEnd, specialTokens: options.specialTokens),
                                record: record)
    }

    /// Trains at the largest size; smaller sizes keep fewer ranked words.
    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        let options = options(recipe, size: sizes.upperBound)
        let training = try WordLevelTrainer(options: options).train(counts, progress: progress)
        return NestedVocabulary(algorithm: .word, minimumSize: options.specialTokens.count + 1,
                                maximumSize: options.specialTokens.count + training.ranking.count, specialTokens: training.specialTokens) { size in
            Self.tokenizer(try training.model(size: size), frontEnd: frontEnd, specialTokens: options.specialTokens)
        }
    }
}
