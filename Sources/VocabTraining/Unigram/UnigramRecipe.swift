import VocabKit

/// Unigram's part of a recipe: SentencePiece's defaults (`nmt-nfkc`, "▁" before each word,
/// coverage 0.9995, 16-character pieces, `<unk> <s> </s>`).
public struct UnigramRecipe: Trainer {
    /// Train on whole lines (pieces may span words), as SentencePiece without whitespace splitting.
    public var sentences = false
    /// The longest piece, in characters (nil: 16, SentencePiece's).
    public var maxPieceLength: Int?
    /// Share of pieces each pruning round keeps (nil: 0.75, SentencePiece's).
    public var shrinkingFactor: Double?
    /// How many frequent substrings seed the vocabulary (nil: 1,000,000, SentencePiece's).
    public var seedPieces: Int?
    /// Every digit is a piece of its own.
    public var splitDigits = false

    public init() {}

    /// SentencePiece's normalizer; Metaspace per word, or over the whole line with `sentences`.
    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames {
        sentences ? FrontEndNames(normalizer: "nmt-nfkc", preTokenizers: ["metaspace-whole"]) : .sentencePieceWords
    }

    public func modelKind(_ recipe: Recipe) -> TokenModel.Kind { .unigram }

    /// The E-step and pruning run on `recipe.threads` (the seed step on one thread); the seed step
    /// and EM hold several times the word counts.
    public var trainsWithThreads: Bool { true }

    func options(_ recipe: Recipe, size: Int) -> UnigramTrainerOptions {
        var options = UnigramTrainerOptions(vocabularySize: size)
        recipe.applySpecialTokens(to: &options)
        if let coverage = recipe.characterCoverage { options.characterCoverage = coverage }
        if let maxPieceLength { options.maxPieceLength = maxPieceLength }
        if let shrinkingFactor { options.shrinkingFactor = shrinkingFactor }
        if let seedPieces { options.seedPieceCount = seedPieces }
        options.splitDigits = splitDigits
        options.splitByWhitespace = !sentences
        options.byteFallback = recipe.byteFallback
        if let threads = recipe.threads { options.threads = threads }
        return options
    }

    /// The tokenizer of a Unigram model: its special tokens, and SentencePiece's decoder (control
    /// pieces decode as nothing).
    static func tokenizer(_ model: UnigramModel, frontEnd: TextFrontEnd, options: UnigramTrainerOptions) -> Tokenizer {
        let added = TrainedTokenizer.addedTokens(options.specialTokens, in: .unigram(model))
        let decoding = SentencePieceDecoding(unknownId: model.unknownId, controlIds: Set(added.map(\.id)).subtracting([model.unknownId]))
        return Tokenizer(frontEnd: frontEnd, model: .unigram(model), addedTokens: added, decoder: .sentencePiece(decoding))
    }

    public func train(_ counts: WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
                      progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer {
        let options = options(recipe, size: recipe.vocabularySize)
        let training = try UnigramTrainer(options: options).train(counts, progress: progress)
        var record = TrainingRecord(algorithm: .unigram, name: "Unigram", frontEnd: recipe.frontEndNames, counts: counts)
        record.wordUnit = sentences ? "lines" : "words"
        record.details = ["\(training.seedCount) seed pieces", "\(training.rounds.count) rounds"]
        record.sentencePieceSettings = SentencePieceModelFile.Settings(
            characterCoverage: Float(options.characterCoverage), maxPieceLength: options.maxPieceLength,
            splitDigits: options.splitDigits, splitByWhitespace: options.splitByWhitespace, shrinkingFactor: Float(options.shrinkingFactor),
            seedPieceCount: options.seedPieceCount, subIterations: options.subIterations)
        return TrainedTokenizer(tokenizer: Self.tokenizer(training.model, frontEnd: frontEnd, options: options), record: record)
    }

    /// Trains down to the smallest size (or the smallest the alphabet allows, when that is within
    /// `sizes`); larger sizes come from the pruning rounds.
    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        var options = options(recipe, size: sizes.lowerBound)
        let training: UnigramTraining
        do {
            training = try UnigramTrainer(options: options).train(counts, progress: progress)
        } catch TrainingError.vocabularyTooSmall(_, let minimum, _) where minimum <= sizes.upperBound {
            options.vocabularySize = minimum
            training = try UnigramTrainer(options: options).train(counts, progress: progress)
        }
        let seedSize = (training.rounds.first?.pieces.count ?? 0) + metaCount(options)
        let finalOptions = options
        return NestedVocabulary(algorithm: .unigram, minimumSize: training.model.vocabularySize,
                                maximumSize: max(training.model.vocabularySize, seedSize), specialTokens: []) { size in
            Self.tokenizer(try training.model(size: size), frontEnd: frontEnd, options: finalOptions)
        }
    }
}
