import VocabKit

/// The char-word hybrid's part of a recipe: whole words where they pay, characters (or subwords)
/// for the rest; SentencePiece's normalizer and Metaspace words by default.
public struct HybridRecipe: Trainer {
    /// How whole words are ranked (nil: `HybridTrainerOptions`' default, frequency).
    public var ranking: HybridTrainerOptions.Ranking?
    /// BPE merges learned on the out-of-vocabulary words (nil: the trainer's default, characters only).
    public var subwordMerges: Int?

    public init() {}

    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames { .sentencePieceWords }

    public func modelKind(_ recipe: Recipe) -> TokenModel.Kind { .hybrid }

    func options(_ recipe: Recipe, size: Int) -> HybridTrainerOptions {
        var options = HybridTrainerOptions(vocabularySize: size)
        recipe.applySpecialTokens(to: &options)
        if let ranking { options.ranking = ranking }
        if let subwordMerges { options.subwordMerges = subwordMerges }
        if let coverage = recipe.characterCoverage { options.characterCoverage = coverage }
        options.byteFallback = recipe.byteFallback
        options.minWordFrequency = recipe.minFrequency
        return options
    }

    /// The tokenizer of a hybrid model; Metaspace pieces decode their "▁" as spaces.
    static func tokenizer(_ model: HybridModel, frontEnd: TextFrontEnd, options: HybridTrainerOptions) -> Tokenizer {
        TrainedTokenizer.assemble(.hybrid(model), frontEnd: frontEnd, specialTokens: options.specialTokens,
                                  decoder: frontEnd.usesMetaspace ? .metaspace : .concatenate)
    }

    public func train(_ counts: WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
                      progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer {
        let options = options(recipe, size: recipe.vocabularySize)
        let training = try HybridTrainer(options: options).train(counts, progress: progress)
        let (model, alphabet) = (training.model, training.alphabetSize)
        var record = TrainingRecord(algorithm: .hybrid, name: "hybrid", frontEnd: recipe.frontEndNames, counts: counts)
        record.details = ["\(alphabet) characters", "\(model.spelling.merges.count) merges", "\(model.words.count) whole words"]
        record.vocabularySizeTrained = model.vocabularySize
        record.noteShortfall(words: model.words.count, minFrequency: recipe.minFrequency, asked: recipe.vocabularySize)
        return TrainedTokenizer(tokenizer: Self.tokenizer(model, frontEnd: frontEnd, options: options), record: record)
    }

    /// Trains at the largest size; smaller sizes keep the spelling model and fewer ranked words.
    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        let options = options(recipe, size: sizes.upperBound)
        let training = try HybridTrainer(options: options).train(counts, progress: progress)
        let spelling = training.model.spelling
        let ranking = training.ranking.filter { spelling.id(of: $0) == nil }
        return NestedVocabulary(algorithm: .hybrid, minimumSize: spelling.vocabularySize, maximumSize: spelling.vocabularySize + ranking.count,
                                specialTokens: spelling.unknownToken.map { [spelling.tokenString($0)] } ?? []) { size in
            let words = Array(ranking.prefix(size - spelling.vocabularySize))
            return Self.tokenizer(try HybridModel(spelling: spelling, words: words), frontEnd: frontEnd, options: options)
        }
    }
}
