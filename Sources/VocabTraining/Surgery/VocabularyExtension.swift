import VocabKit

/// Continues training a vocabulary on a new corpus, as `vocab extend` writes it: every existing
/// token and id unchanged, new tokens after the model's.
///
/// BPE (this file): new merges appended after the base's.
/// 1. Count the corpus's words with the tokenizer's own front end.
/// 2. Segment each distinct word with the base model: training starts from the tokens the base
///    gives, not from bytes.
/// 3. Merge the most frequent adjacent pair (ties: the smaller pair of ids) in every word, as
///    BPE training does, until the model has `size` tokens or no pair reaches `minFrequency`.
///    A pair that spells an existing token adds a merge but no token.
/// 4. Append the merges. New merges rank after every base merge, so BPE applies them only where
///    no base merge applies: the base's segmentation is reached first, and each new merge then
///    only joins two of its tokens. Text therefore never encodes to more tokens than before.
///    Added tokens whose ids lie past the base model (Llama 3's specials) move after the new
///    tokens; the id map says where.
/// - Complexity: counting, one base encoding per distinct word, and O(pairs re-scored · log
///   pairs) per merge. Memory: the distinct words as ids, about 40 bytes per distinct pair.
///
/// WordPiece (`WordPieceExtension.swift`) and Unigram (`UnigramExtension.swift`) keep their own
/// phases; hybrid, word-level and SentencePiece BPE models are refused.
public enum VocabularyExtension {
    public struct Result: Sendable {
        public var tokenizer: Tokenizer
        /// Old id → new id, for every id of the input (only added tokens past the model move).
        public var idMap: [Int32]
        /// New tokens and new merges (a merge may spell an existing token).
        public var addedTokens: Int
        public var addedMerges: Int
    }

    public static func extend(_ tokenizer: Tokenizer, to size: Int, paths: [String], minFrequency: Int64 = 2,
                              threads: Int = 0, progress: ((TrainingProgress) -> Void)? = nil) throws -> Result {
        let base: BPEModel
        switch tokenizer.model {
        case .bpe(let model): base = model
        case .wordPiece, .unigram:
            return try extendScored(tokenizer, to: size, paths: paths, minFrequency: minFrequency, threads: threads, progress: progress)
        default:
            throw TrainingError.invalidOption("vocab extend continues BPE, WordPiece and Unigram training; a \(tokenizer.model.kind) model cannot be extended (retrain it, or cut or prune it)")
        }
        guard !base.ranksByResult else {
            throw TrainingError.invalidOption("a tiktoken rank file ranks merges by the token they make, so appended merges could not rank last; convert it to tokenizer.json first (vocab convert), whose merges are explicit")
        }
        guard base.endOfWordSuffix == nil else {
            throw TrainingError.invalidOption("BPE with an end-of-word suffix cannot be extended yet; retrain it")
        }
        let baseSize = base.vocabularySize
        guard size > baseSize else {
            throw TrainingError.invalidOption("the base has \(baseSize) tokens; extend it to a larger size, not \(size)")
        }
        // 1. Words.
        var counting = WordCountingOptions(frontEnd: tokenizer.frontEnd)
        counting.threads = threads
        let counts = try WordCounter.count(paths: paths, options: counting, progress: progress)
        // 2-3. The base's segmentation of each word, then merges.
        let (tokens, merges) = try continueTraining(base, words: counts, size: size, minFrequency: minFrequency, progress: progress)
        guard tokens.count > baseSize else {
            throw TrainingError.invalidOption("the corpus adds nothing: no pair of the base's tokens occurs \(max(1, minFrequency)) times or more beyond what the base already merges")
        }
        // 4. The extended model; added tokens past the base model follow the new tokens.
        var model = try BPEModel(tokens: tokens, merges: base.merges + merges, isByteLevel: base.isByteLevel,
                                 ignoresMerges: base.ignoresMerges, unknownToken: base.unknownToken,
                                 fusesUnknown: base.fusesUnknown, byteFallback: base.byteFallback)
        model.continuingSubwordPrefix = base.continuingSubwordPrefix
        let (result, idMap) = try SurgeryIds.assemble(tokenizer, model: .bpe(model), modelMap: (0..<baseSize).map(Int32.init))
        return Result(tokenizer: result, idMap: idMap, addedTokens: tokens.count - baseSize, addedMerges: merges.count)
    }

    /// WordPiece and Unigram: count, extend the model, then renumber added tokens after it.
    private static func extendScored(_ tokenizer: Tokenizer, to size: Int, paths: [String], minFrequency: Int64,
                                     threads: Int, progress: ((TrainingProgress) -> Void)?) throws -> Result {
        let baseSize = tokenizer.model.vocabularySize
        guard size > baseSize else {
            throw TrainingError.invalidOption("the base has \(baseSize) tokens; extend it to a larger size, not \(size)")
        }
        var counting = WordCountingOptions(frontEnd: tokenizer.frontEnd)
        counting.threads = threads
        let counts = try WordCounter.count(paths: paths, options: counting, progress: progress)
        let model: TokenModel
        switch tokenizer.model {
        case .wordPiece(let base):
            model = .wordPiece(try extendWordPiece(base, words: counts, size: size, minFrequency: minFrequency, progress: progress))
        case .unigram(let base):
            model = .unigram(try extendUnigram(base, words: counts, size: size, threads: threads, progress: progress))
        default:
            preconditionFailure("extendScored takes WordPiece and Unigram models")
        }
        guard model.vocabularySize > baseSize else {
            throw TrainingError.invalidOption("the corpus adds nothing: no new character or piece occurs \(max(1, minFrequency)) times or more beyond what the base already has")
        }
        let (result, idMap) = try SurgeryIds.assemble(tokenizer, model: model, modelMap: (0..<baseSize).map(Int32.init))
        return Result(tokenizer: result, idMap: idMap, addedTokens: model.vocabularySize - baseSize, addedMerges: 0)
    }

    /// Phases 2 and 3: the base's tokens followed by the new ones, and the new merges, from
    /// `words` (pieces as the final tokenizer's front end cuts them). SuperBPE's second stage.
    /// - Complexity: one base encoding per distinct word, then O(pairs re-scored · log pairs)
    ///   per merge.
    static func continueTraining(_ base: BPEModel, words: WordCounts, size: Int, minFrequency: Int64,
                                 progress: ((TrainingProgress) -> Void)?) throws -> (tokens: [[UInt8]], merges: [(UInt32, UInt32, UInt32)]) {
        let prefix = base.continuingSubwordPrefix.map { String(decoding: $0, as: UTF8.self) } ?? ""
        var state = WordPieceState.segmented(words, by: .bpe(base), tokens: base.tokens, size: size, minFrequency: minFrequency,
                                                  prefix: prefix) { !$0.isEmpty }
        var merges: [(UInt32, UInt32, UInt32)] = []
        while state.tokens.count < size, let merge = state.mergeBest() {
            merges.append((merge.left, merge.right, state.ids[state.spelling(merge.left, merge.right)]!))
            if let progress, state.tokens.count % 256 == 0 {
                progress(TrainingProgress(phase: "merge", done: state.tokens.count, total: size))
            }
        }
        return (state.tokens, merges)
    }
}
