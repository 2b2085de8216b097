import VocabKit

/// WordPiece's part of a recipe: BERT's normalizer, pre-tokenizer, special tokens and
/// `[CLS] A [SEP]` post-processing.
public struct WordPieceRecipe: Trainer {
    /// The merge criterion (nil: `WordPieceTrainerOptions`' default, frequency).
    public var criterion: WordPieceTrainerOptions.Criterion?
    /// The prefix of tokens that continue a word (nil: "##").
    public var continuingSubwordPrefix: String?

    public init() {}

    /// BERT's uncased normalizer and pre-tokenizer.
    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames {
        FrontEndNames(normalizer: "bert", preTokenizers: ["bert"])
    }

    public var keepsLineBreaks: Bool { true }

    /// One merge per token, each reported.
    public var growsOneTokenAtATime: Bool { true }

    public func modelKind(_ recipe: Recipe) -> TokenModel.Kind { .wordPiece }

    func options(_ recipe: Recipe, size: Int) -> WordPieceTrainerOptions {
        var options = WordPieceTrainerOptions(vocabularySize: size)
        if let criterion { options.criterion = criterion }
        options.minFrequency = recipe.minFrequency
        if let specialTokens = recipe.specialTokens { options.specialTokens = specialTokens }
        if let unknown = recipe.unknownToken {
            options.unknownToken = unknown
            if !options.specialTokens.contains(unknown) { options.specialTokens.append(unknown) }
        }
        options.limitAlphabet = recipe.limitAlphabet
        options.characterCoverage = recipe.characterCoverage
        if let continuingSubwordPrefix { options.continuingSubwordPrefix = continuingSubwordPrefix }
        return options
    }

    /// The tokenizer of a WordPiece model: its special tokens, the WordPiece decoder, and BERT's
    /// post-processor when the vocabulary has [CLS] and [SEP].
    static func tokenizer(_ model: WordPieceModel, frontEnd: TextFrontEnd, options: WordPieceTrainerOptions) -> Tokenizer {
        var tokenizer = Tokenizer(frontEnd: frontEnd, model: .wordPiece(model),
                                  addedTokens: TrainedTokenizer.addedTokens(options.specialTokens, in: .wordPiece(model)),
                                  decoder: .continuingPrefix(options.continuingSubwordPrefix, cleanup: true))
        if let cls = model.lookup("[CLS]"), let sep = model.lookup("[SEP]") { tokenizer.postProcessor = .bert(cls: cls, sep: sep) }
        return tokenizer
    }

    public func train(_ counts: WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
                      progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer {
        let options = options(recipe, size: recipe.vocabularySize)
        let model = try WordPieceTrainer(options: options).train(counts, progress: progress)
        let record = TrainingRecord(algorithm: .wordpiece, name: "WordPiece (\(options.criterion.rawValue))",
                                    frontEnd: recipe.frontEndNames, counts: counts)
        return TrainedTokenizer(tokenizer: Self.tokenizer(model, frontEnd: frontEnd, options: options), record: record)
    }

    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        let options = options(recipe, size: sizes.upperBound)
        let model = try WordPieceTrainer(options: options).train(counts, progress: progress)
        let specials = Set(options.specialTokens.map { Array($0.utf8) })
        let prefix = model.continuingSubwordPrefix
        // The alphabet: special tokens, then single characters with or without the prefix.
        let base = model.tokens.prefix { token in
            specials.contains(token) || scalarCount(token) == 1
                || (token.starts(with: prefix) && scalarCount(token.dropFirst(prefix.count)) == 1)
        }.count
        return NestedVocabulary(algorithm: .wordpiece, minimumSize: base, maximumSize: model.vocabularySize,
                                specialTokens: specials.map { String(decoding: $0, as: UTF8.self) }.sorted()) { size in
            let cut = try model.prefix(size: size)
            return Self.tokenizer(cut, frontEnd: frontEnd, options: options)
        }
    }
}

extension WordPieceModel {
    /// The model of the first `size` tokens, with the same unknown token, prefix and word limit
    /// (the unknown token must lie below `size`): what the sweep measures at each size and
    /// `vocab cut` writes.
    /// - Complexity: O(their bytes), plus building the model.
    package func prefix(size: Int) throws -> WordPieceModel {
        try WordPieceModel(tokenList: tokenList.prefix(size), unknownToken: tokenString(unknownToken),
                           continuingSubwordPrefix: String(decoding: continuingSubwordPrefix, as: UTF8.self),
                           maxInputCharactersPerWord: maxInputCharactersPerWord)
    }
}
