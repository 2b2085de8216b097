import VocabKit

/// The char-word hybrid's part of a recipe: whole words where they pay, characters (or subwords)
/// for the rest; SentencePiece's normalizer and Metaspace words by default.
public struct HybridRecipe: Trainer {
    /// How whole words are ranked (nil: `HybridTrainerOptions`' default, frequency).
    public var ranking: HybridTrainerOptions.Ranking?
    /// BPE merges learned on the out-of-vocabulary words (0: characters only).
    public var subwordMerges = 0

    public init() {}

    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames { .sentencePieceWords }

    func options(_ recipe: Recipe, size: Int) -> HybridTrainerOptions {
        var options = HybridTrainerOptions(vocabularySize: size)
        recipe.applySpecialTokens(to: &options)
        if let ranking { options.ranking = ranking }
        options.subwordMerges = subwordMerges
        if let coverage = recipe.characterCoverage { options.characterCoverage = coverage }
        options.byteFallback = recipe.byteFallback
        options.minWordFrequency = recipe.minFrequency
        return options
    }

    /// The tokenizer of a hybrid model; Metaspace pieces decode their "▁" as spaces.
    static func tokenizer(_ model: HybridModel, frontEnd: TextFrontEnd, names: FrontEndNames, options: HybridTrainerOptions) -> Tokenizer {
        TrainedTokenizer.assemble(.hybrid(model), frontEnd: frontEnd, specialTokens: options.specialTokens,
                                  decoder: names.usesMetaspace ? .metaspace : .concatenate)
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
        return TrainedTokenizer(tokenizer: Self.tokenizer(model, frontEnd: frontEnd, names: record.frontEnd, options: options), record: record)
    }

    /// Trains at the largest size; smaller sizes keep the spelling model and fewer ranked words.
    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        let options = options(recipe, size: sizes.upperBound)
        let training = try HybridTrainer(options: options).train(counts, progress: progress)
        let spelling = training.model.spelling
        let ranking = training.ranking.filter { spelling.id(of: $0) == nil }
        let names = recipe.frontEndNames
        return NestedVocabulary(
            algorithm: .hybrid, minimumSize: spelling.vocabularySize, maximumSize: spelling.vocabularySize + ranking.count,
            specialTokens: spelling.unknownToken.map { [spelling.tokenString($0)] } ?? [],
            cut: { size in .hybrid(try HybridModel(spelling: spelling, words: Array(ranking.prefix(size - spelling.vocabularySize)))) },
            assemble: { model in
                guard case .hybrid(let hybrid) = model else { return Tokenizer(frontEnd: frontEnd, model: model) }
                return Self.tokenizer(hybrid, frontEnd: frontEnd, names: names, options: options)
            })
    }
}
