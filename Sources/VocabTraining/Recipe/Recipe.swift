import Foundation
import VocabKit

/// Everything that defines one training: the algorithm, its size, its front end and its options.
/// The defaults live here and in the algorithm's `Trainer` (its folder), nowhere else: `vocab
/// train` and `vocab sweep` map their flags onto a recipe.
///
/// ```swift
/// let trained = try Recipe.bpe(vocabularySize: 32_000).train(files: [corpusURL])
/// let ids = try trained.tokenizer.encode("Hello world").ids
/// try trained.write(to: "tokenizer.json")
/// ```
///
/// A setting left nil takes the algorithm's default (documented where it is defined).
public struct Recipe: Sendable {
    /// The algorithm trained.
    public var algorithm: Algorithm
    /// The size of the vocabulary, special tokens included.
    public var vocabularySize: Int

    /// The normalizer by name (`FrontEndSpecification`; nil: the algorithm's, see `frontEndNames`).
    public var normalizer: String?
    /// The pre-tokenizers by name (nil: the algorithm's).
    public var preTokenizers: [String]?

    /// Count each line with its "\n" (nil: the algorithm's default).
    public var keepsLineBreaks: Bool?
    /// Train on a seeded random sample of this many lines.
    public var maxLines: Int?
    /// The seed of the line sample (nil: `TrainingDefaults.seed`).
    public var seed: UInt64?
    /// Counting skips pieces longer than this many bytes (nil: `TrainingDefaults.maxPieceBytes`).
    public var maxPieceBytes: Int?
    /// Worker threads for counting and for Unigram's E-step (nil or 0: all cores). Results do not
    /// depend on it.
    public var threads: Int?

    // Settings most algorithms read.
    /// Special tokens, first ids (nil: the algorithm's: none for BPE, BERT's five for WordPiece,
    /// `<unk> <s> </s>` for Unigram, `<unk>` for the hybrid and word level).
    public var specialTokens: [String]?
    /// The unknown token (nil: the algorithm's); added to the special tokens if missing.
    public var unknownToken: String?
    /// Pairs (BPE, WordPiece) or words (hybrid, word level) seen fewer times are not used.
    public var minFrequency = TrainingDefaults.minFrequency
    /// Characters covering this share of the text make the alphabet (nil: the algorithm's; BPE
    /// and WordPiece keep every character, Unigram and the hybrid use their trainer's default).
    public var characterCoverage: Double?
    /// Keep at most this many characters (character-level BPE, WordPiece).
    public var limitAlphabet: Int?
    /// Add `<0x00>`..`<0xFF>` tokens for characters outside the alphabet.
    public var byteFallback = false

    // Each algorithm's own settings.
    public var bpe = BPERecipe()
    public var superBPE = SuperBPERecipe()
    public var wordPiece = WordPieceRecipe()
    public var unigram = UnigramRecipe()
    public var hybrid = HybridRecipe()
    public var wordLevel = WordLevelRecipe()

    public init(_ algorithm: Algorithm, vocabularySize: Int) {
        self.algorithm = algorithm
        self.vocabularySize = vocabularySize
    }

    /// Byte-level BPE (GPT-2 style).
    public static func bpe(vocabularySize: Int) -> Recipe { Recipe(.bpe, vocabularySize: vocabularySize) }
    /// WordPiece with BERT's front end and special tokens.
    public static func wordPiece(vocabularySize: Int) -> Recipe { Recipe(.wordpiece, vocabularySize: vocabularySize) }
    /// SentencePiece-style Unigram.
    public static func unigram(vocabularySize: Int) -> Recipe { Recipe(.unigram, vocabularySize: vocabularySize) }
    /// The char-word hybrid.
    public static func hybrid(vocabularySize: Int) -> Recipe { Recipe(.hybrid, vocabularySize: vocabularySize) }
    /// Word level.
    public static func wordLevel(vocabularySize: Int) -> Recipe { Recipe(.word, vocabularySize: vocabularySize) }

    /// The recipe a sweep compares for `algorithm`: `vocab train`'s, with three changes for a fair
    /// comparison across languages and algorithms.
    /// - Word level splits into ICU word segments (`nmt-nfkc + word-break`), so Chinese, Japanese
    ///   and Thai have words too.
    /// - WordPiece merges by frequency (HuggingFace's WordPieceTrainer), the trainer's default:
    ///   it ties with the exact likelihood gain on held-out likelihood and gives fewer tokens
    ///   per word; PMI, count(ab) / (count(a) · count(b)), gave 3.61 tokens per word at 8k on
    ///   10 MB of English against 1.63, because it merges rare pairs first.
    /// - WordPiece keeps the characters covering `TrainingDefaults.characterCoverage` of the text,
    ///   as Unigram and the hybrid do.
    /// - WordPiece sees the text with its case and accents (`bert-cased`: BERT's cleanup and CJK
    ///   spacing): BERT-uncased's normalizer removes every combining mark (17% of Hindi's
    ///   characters, 19% of Thai's), decomposes Korean syllables and lowercases everything, so
    ///   WordPiece would be measured on other text than the rest.
    public static func sweep(_ algorithm: Algorithm) -> Recipe {
        var recipe = Recipe(algorithm, vocabularySize: 0)
        switch algorithm {
        case .word: recipe.preTokenizers = ["word-break"]
        case .wordpiece:
            recipe.wordPiece.criterion = .frequency
            recipe.characterCoverage = TrainingDefaults.characterCoverage
            recipe.normalizer = "bert-cased"
        case .bpe, .superbpe, .unigram, .hybrid: break
        }
        return recipe
    }

    /// The algorithm's part of this recipe.
    public var trainer: any Trainer { algorithm.trainer(self) }

    /// The front end names: the recipe's, or the algorithm's defaults.
    public var frontEndNames: FrontEndNames {
        let defaults = trainer.defaultFrontEnd(self)
        return FrontEndNames(normalizer: normalizer ?? defaults.normalizer, preTokenizers: preTokenizers ?? defaults.preTokenizers)
    }

    /// Throws unless the trained tokenizer can be written to `path` (call it before training).
    public func checkOutput(_ path: String) throws {
        let format = try TokenizerFile.format(forWriting: path)
        guard format.holds(trainer.modelKind(self)) else {
            throw TrainingError.invalidOption(".\(format.fileExtension) files hold \(format.holdsDescription), not \(algorithm.displayName) "
                                              + "vocabularies as this recipe trains them; write .json (tokenizer.json) instead")
        }
    }

    /// Whether counting keeps line breaks as pieces: the recipe's setting, else the algorithm's.
    private var countsLineBreaks: Bool { keepsLineBreaks ?? trainer.keepsLineBreaks }

    /// How the corpus is counted for this recipe.
    public func countingOptions(frontEnd: TextFrontEnd) -> WordCountingOptions {
        var counting = WordCountingOptions(frontEnd: frontEnd)
        counting.keepsLineBreaks = countsLineBreaks
        counting.maxLines = maxLines
        if let seed { counting.seed = seed }
        if let threads { counting.threads = threads }
        if let maxPieceBytes { counting.maxPieceBytes = maxPieceBytes }
        return counting
    }

    /// Trains on text files ("-" for standard input).
    ///
    /// 1. Build the front end. 2. Count the pre-tokenized pieces (in parallel). 3. Train.
    public func train(paths: [String], progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainedTokenizer {
        try validate()
        let started = Date()
        let frontEnd = try frontEndNames.frontEnd()
        let counting = countingOptions(frontEnd: frontEnd)
        let counts = try WordCounter.count(paths: paths, options: counting, progress: progress)
        let sampled = counts.sampledFrom != nil
        var trained = try train(counts: consume counts, frontEnd: frontEnd, progress: progress)
        trained.record.seed = sampled ? counting.seed : nil
        trained.record.countingSeconds = Date().timeIntervalSince(started) - trained.record.trainingSeconds
        return trained
    }

    /// Trains on text files.
    public func train(files: [URL], progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainedTokenizer {
        try train(paths: files.map(\.path), progress: progress)
    }

    /// Trains on texts from memory, each a line (HuggingFace's `train_from_iterator`): the same
    /// vocabulary as a file holding them one per line.
    public func train<Texts: Sequence>(texts: Texts, progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainedTokenizer
        where Texts.Element == String {
        try validate()
        let frontEnd = try frontEndNames.frontEnd()
        return try train(counts: WordCounter.count(texts: texts, options: countingOptions(frontEnd: frontEnd), progress: progress),
                         frontEnd: frontEnd, progress: progress)
    }

    /// Trains on a counts file (`CountsFile`, from `vocab count`), which must have been counted
    /// as this recipe counts (same front end, same line breaks): the vocabulary is then
    /// byte-identical to training on the text.
    /// - Complexity: reading the file, then the training.
    public func train(countsFile path: String, progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainedTokenizer {
        try validate()
        guard maxLines == nil else { throw TrainingError.invalidOption("a line sample (--max-lines) applies when counting; count with it instead") }
        let (header, counts) = try CountsFile.read(path)
        let names = frontEndNames, lineBreaks = countsLineBreaks
        guard header.frontEnd == names && header.keepsLineBreaks == lineBreaks else {
            throw TrainingError.invalidOption("\(path) was counted with \(header.frontEnd.description) (line breaks \(header.keepsLineBreaks)), "
                                              + "this \(algorithm.displayName) recipe counts with \(names.description) (line breaks \(lineBreaks)): "
                                              + "count with the same --algorithm, -n and -p, or train with the file's front end")
        }
        var trained = try train(counts: consume counts, frontEnd: try names.frontEnd(), progress: progress)
        trained.record.seed = nil   // a sampled count's seed is not recorded in the file
        if let pruned = header.pruned { trained.record.notes.append("trained on pruned counts (\(pruned))") }
        return trained
    }

    /// Trains on word counts made with this recipe's front end (or `frontEnd`).
    public func train(counts: consuming WordCounts, frontEnd: TextFrontEnd? = nil,
                      progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainedTokenizer {
        try validate()
        // Every trainer refuses a corpus with nothing but whitespace (before, byte-level BPE
        // trained on its spaces while WordPiece and Unigram refused it).
        guard counts.words.contains(where: { !Self.isWhitespace($0.word) }) else {
            throw InputError.invalidCorpus("the corpus has only whitespace (\(counts.lines) lines): nothing to train on")
        }
        let started = Date()
        let long = counts.longPieces.summary(textBytes: counts.bytes)
        var trained = try trainer.train(consume counts, frontEnd: try frontEnd ?? frontEndNames.frontEnd(), recipe: self, progress: progress)
        trained.record.trainingSeconds = Date().timeIntervalSince(started)
        trained.record.vocabularySize = trained.tokenizer.model.vocabularySize
        if let long { trained.record.notes.append(long) }
        return trained
    }

    /// Trains once on `counts` so that every size of `sizes` the corpus allows can be cut.
    public func trainNested(counts: WordCounts, sizes: [Int], frontEnd: TextFrontEnd? = nil,
                            progress: ((TrainingProgress) -> Void)? = nil) throws -> NestedVocabulary {
        guard let smallest = sizes.min(), let largest = sizes.max() else { throw TrainingError.invalidOption("no vocabulary sizes given") }
        return try trainer.trainNested(counts, frontEnd: try frontEnd ?? frontEndNames.frontEnd(), sizes: smallest...largest,
                                       recipe: self, progress: progress)
    }

    /// Whether a piece is only Unicode white space (or SentencePiece's "▁", which stands for a
    /// space). Stops at the first other character, so a corpus with words is decided at once.
    static func isWhitespace(_ piece: [UInt8]) -> Bool {
        for scalar in String(decoding: piece, as: UTF8.self).unicodeScalars
        where !scalar.properties.isWhitespace && scalar != "\u{2581}" { return false }
        return true
    }

    func validate() throws {
        guard vocabularySize > 0 else { throw TrainingError.invalidOption("the vocabulary size must be positive, not \(vocabularySize)") }
        if let maxPieceBytes, maxPieceBytes < 1 {
            throw TrainingError.invalidOption("the longest piece counted must be at least 1 byte, not \(maxPieceBytes) (--max-piece-bytes)")
        }
    }

    /// Puts the recipe's special tokens and unknown token over a trainer's defaults; an unknown
    /// token not among the special tokens is put first.
    func applySpecialTokens<Options: SpecialTokenOptions>(to options: inout Options) {
        if let specialTokens { options.specialTokens = specialTokens }
        guard let unknownToken else { return }
        if !options.specialTokens.contains(unknownToken) { options.specialTokens.insert(unknownToken, at: 0) }
        options.unknownToken = unknownToken
    }
}
