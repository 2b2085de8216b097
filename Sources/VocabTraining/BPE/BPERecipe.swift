import VocabKit

/// BPE's part of a recipe: byte-level by default (GPT-2: no normalizer, GPT-2's split, the 256
/// bytes as alphabet), character-level with `characters`.
public struct BPERecipe: Trainer {
    /// Character-level BPE (alphabet from the corpus) instead of byte-level.
    public var characters = false
    /// A prefix for symbols that do not start a word, such as "##".
    public var continuingSubwordPrefix: String?
    /// A suffix for symbols that end a word, such as "</w>".
    public var endOfWordSuffix: String?
    /// The longest token, in symbols.
    public var maxTokenLength: Int?

    public init() {}

    /// No normalizer; GPT-2's split for byte-level, whitespace and punctuation for character-level.
    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames {
        FrontEndNames(normalizer: "none", preTokenizers: [characters ? "whitespace" : "gpt2"])
    }

    /// HuggingFace keeps "\n" when training from files.
    public var keepsLineBreaks: Bool { true }

    /// One merge per token, each reported.
    public var growsOneTokenAtATime: Bool { true }

    public func modelKind(_ recipe: Recipe) -> TokenModel.Kind { .bpe(byteLevel: !characters) }

    func options(_ recipe: Recipe, size: Int) -> BPETrainerOptions {
        var options = BPETrainerOptions(vocabularySize: size)
        options.minFrequency = recipe.minFrequency
        options.specialTokens = recipe.specialTokens ?? []
        if let unknown = recipe.unknownToken, !options.specialTokens.contains(unknown) { options.specialTokens.append(unknown) }
        options.isByteLevel = !characters
        (options.limitAlphabet, options.characterCoverage) = (recipe.limitAlphabet, recipe.characterCoverage)
        (options.byteFallback, options.unknownToken) = (recipe.byteFallback, recipe.unknownToken)
        (options.continuingSubwordPrefix, options.endOfWordSuffix) = (continuingSubwordPrefix, endOfWordSuffix)
        options.maxTokenLength = maxTokenLength
        return options
    }

    /// Character-level vocabularies decode their suffix or prefix; byte-level ones concatenate.
    var decoder: TokenDecoder {
        guard characters else { return .concatenate }
        if let suffix = endOfWordSuffix { return .endOfWordSuffix(suffix) }
        if let prefix = continuingSubwordPrefix { return .continuingPrefix(prefix) }
        return .concatenate
    }

    public func train(_ counts: consuming WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
                      progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer {
        var record = TrainingRecord(algorithm: .bpe, name: characters ? "character-level BPE" : "byte-level BPE",
                                    frontEnd: recipe.frontEndNames, counts: copy counts)
        let result = try BPETrainer(options: options(recipe, size: recipe.vocabularySize)).train(consume counts, progress: progress)
        record.details = ["\(result.mergeCount) merges"]
        return TrainedTokenizer(tokenizer: Tokenizer(frontEnd: frontEnd, model: result.model, addedTokens: result.specialTokens, decoder: decoder),
                                record: record)
    }

    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        let result = try BPETrainer(options: options(recipe, size: sizes.upperBound)).train(counts, progress: progress)
        let model = result.model, added = result.specialTokens, decoder = decoder
        let firstMerged = model.merges.map { Int($0.2) }.min() ?? model.vocabularySize
        return NestedVocabulary(algorithm: .bpe, minimumSize: firstMerged, maximumSize: model.vocabularySize,
                                specialTokens: added.map(\.content)) { size in
            Tokenizer(frontEnd: frontEnd, model: .bpe(try model.prefix(size: size)), addedTokens: added, decoder: decoder)
        }
    }
}

extension BPEModel {
    /// The first `size` ids and the merges among them: the model training stopped at `size`
    /// would give (and `vocab cut`'s BPE cut, tiktoken's ranks included).
    /// - Complexity: O(tokens + merges).
    package func prefix(size: Int) throws -> BPEModel {
        try BPEModel(tokens: Array(tokens.prefix(size)), merges: merges.filter { Int($0.0) < size && Int($0.1) < size && Int($0.2) < size },
                     isByteLevel: isByteLevel, ranksByResult: ranksByResult, ignoresMerges: ignoresMerges,
                     unknownToken: unknownToken.flatMap { Int($0) < size ? $0 : nil }, fusesUnknown: fusesUnknown,
                     byteFallback: byteFallback,
                     continuingSubwordPrefix: continuingSubwordPrefix.map { String(decoding: $0, as: UTF8.self) },
                     endOfWordSuffix: endOfWordSuffix.map { String(decoding: $0, as: UTF8.self) })
    }
}
