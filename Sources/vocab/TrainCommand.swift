import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

/// `vocab train`: maps flags onto a `Recipe`, trains, writes with `TokenizerFile`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a vocabulary on text files and write the tokenizer.",
        discussion: """
        The output format follows the extension: .json writes HuggingFace's tokenizer.json (loadable by tokenizers.Tokenizer.from_file, same ids), .model a SentencePiece model (Unigram), .tiktoken tiktoken ranks (byte-level BPE only; special tokens are not part of a rank file), .txt BERT's vocab.txt (WordPiece). The file is written only when training succeeded, atomically.

        WordPiece (--algorithm wordpiece) merges the most frequent pair by default (--criterion frequency, what HuggingFace's WordPieceTrainer does), or the pair whose merge most increases the training text's likelihood under a unigram model (--criterion likelihood, Schuster and Nakajima's exact gain), or the highest count(ab) / (count(a) * count(b)) (--criterion pmi). It uses BERT's normalizer, pre-tokenizer and special tokens unless told otherwise.

        Byte-level BPE (the default) starts from the 256 bytes, so every text is encodable. Character-level BPE (--characters) starts from the characters of the corpus, limited by --limit-alphabet or --character-coverage, with --byte-fallback or --unk-token for the rest.

        With the same corpus, options and seed the output is byte-identical, whatever --threads is.

        Example: vocab train --vocab-size 32000 --special-token '<|endoftext|>' Corpora/en.txt -o en.json
        """
    )

    @Option(help: "The algorithm: \(Algorithm.allCases.map(\.rawValue).joined(separator: ", ")) (word: the most frequent words, <unk> for the rest).")
    var algorithm: Algorithm = .bpe
    @Option(name: .customLong("vocab-size"), help: "Size of the vocabulary, special tokens included.") var vocabularySize: Int
    @Option(name: .shortAndLong, help: "The tokenizer file to write (\(TokenizerFile.extensionList)).") var output: String
    @Argument(help: "Corpus files ('-' for standard input).") var corpus: [String] = []
    @Option(name: .customLong("from-counts"), help: "Train on a counts file from `vocab count` (counted with this algorithm's front end) instead of text.")
    var fromCounts: String?
    @OptionGroup(title: "Front end and corpus") var input: InputFlags
    @OptionGroup(title: "Vocabulary") var vocabulary: VocabularyFlags
    @OptionGroup(title: "Algorithm settings") var settings: AlgorithmFlags
    @Flag(help: "No progress line and no summary on stderr (notes still print).") var quiet = false

    /// The recipe these flags describe; a flag not given leaves the recipe's default.
    var recipe: Recipe {
        var recipe = Recipe(algorithm, vocabularySize: vocabularySize)
        input.apply(to: &recipe)
        vocabulary.apply(to: &recipe)
        settings.apply(to: &recipe)
        return recipe
    }

    func validate() throws {
        guard vocabularySize > 0 else { throw ValidationError("--vocab-size must be positive") }
        guard corpus.isEmpty != (fromCounts == nil) else { throw ValidationError("give corpus files or --from-counts FILE (one of them)") }
        do {
            try recipe.checkOutput(output)
            try AtomicFile.checkWritable(output)
        } catch { throw ValidationError("--output: \(error)") }
    }

    func run() throws {
        let recipe = recipe
        let progress = ProgressLine(label: "train", quiet: quiet)
        defer { progress.finish() }
        let report: (TrainingProgress) -> Void = { report in
            if report.isReadingCorpus { progress.update(bytes: report.done, detail: report.phase) }
            else { progress.status(report.total.map { "\(report.phase) \(report.done)/\($0)" } ?? report.phase) }
        }
        let trained = try fromCounts.map { try recipe.train(countsFile: $0, progress: report) } ?? recipe.train(paths: corpus, progress: report)
        try trained.write(to: output)
        progress.finish()
        var message = quiet ? "" : trained.record.summary() + ", wrote \(output)\n"
        for note in trained.record.notes { message += "note: \(note)\n" }
        if !message.isEmpty { FileHandle.standardError.write(Data(message.utf8)) }
    }
}

/// The library's defaults, quoted in the help (they are defined in the library, not here).
private let unigramDefaults = UnigramTrainerOptions(vocabularySize: 1)
private let hybridDefaults = HybridTrainerOptions(vocabularySize: 1)

/// How the corpus is read and split (the front end defaults to the algorithm's).
struct InputFlags: ParsableArguments {
    @Option(name: .shortAndLong, help: "Normalizer steps or preset (see `vocab normalize --help`; default: the algorithm's).") var normalizer: String?
    @Option(name: [.short, .customLong("pre-tokenizer")], help: "Pre-tokenizer (repeat to chain; default: the algorithm's).") var preTokenizers: [String] = []
    @Option(help: "Train on a seeded random sample of this many lines.") var maxLines: Int?
    @Option(help: "Seed of the sample (default: \(TrainingDefaults.seed)).") var seed: UInt64?
    @Flag(help: "Count lines without their \"\\n\" (HuggingFace keeps it when training from files).") var noLineBreaks = false
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Skip pre-tokenized pieces longer than this many bytes, and report them (default: \(TrainingDefaults.maxPieceBytes); training time grows with the square of a piece's length).")
    var maxPieceBytes: Int?

    func apply(to recipe: inout Recipe) {
        recipe.maxPieceBytes = maxPieceBytes
        recipe.normalizer = normalizer
        recipe.preTokenizers = preTokenizers.isEmpty ? nil : preTokenizers
        recipe.maxLines = maxLines
        if let seed { recipe.seed = seed }
        if noLineBreaks { recipe.keepsLineBreaks = false }
        if let threads { recipe.threads = threads }
    }
}

/// Settings most algorithms read.
struct VocabularyFlags: ParsableArguments {
    @Option(name: .customLong("special-token"), help: "A special token (repeat for several); they take the first ids.") var specialTokens: [String] = []
    @Option(name: .customLong("unk-token"), help: "The unknown token (added to the special tokens if needed).") var unknownToken: String?
    @Option(help: "Pairs (BPE, WordPiece) or words (hybrid, word) seen fewer times are not used (default: \(TrainingDefaults.minFrequency)).") var minFrequency: Int64?
    @Option(help: "Keep the characters covering this share of the text (default: \(TrainingDefaults.characterCoverage) for Unigram and hybrid, every character otherwise).") var characterCoverage: Double?
    @Option(help: "Character-level BPE, WordPiece: keep at most this many characters.") var limitAlphabet: Int?
    @Flag(help: "Add <0x00>..<0xFF> tokens for characters outside the alphabet.") var byteFallback = false

    func apply(to recipe: inout Recipe) {
        recipe.specialTokens = specialTokens.isEmpty ? nil : specialTokens
        recipe.unknownToken = unknownToken
        if let minFrequency { recipe.minFrequency = minFrequency }
        (recipe.characterCoverage, recipe.limitAlphabet, recipe.byteFallback) = (characterCoverage, limitAlphabet, byteFallback)
    }
}

/// Each algorithm's own settings.
struct AlgorithmFlags: ParsableArguments {
    @Flag(help: "BPE: character-level instead of byte-level.") var characters = false
    @Option(help: "BPE, WordPiece: prefix of tokens that continue a word, e.g. ##.") var continuingSubwordPrefix: String?
    @Option(help: "BPE: suffix of tokens that end a word, e.g. </w>.") var endOfWordSuffix: String?
    @Option(help: "BPE: the longest token, in symbols.") var maxTokenLength: Int?
    @Option(help: "SuperBPE: the size at which superword training starts (default: 90% of --vocab-size).") var transition: Int?
    @Option(help: "WordPiece: \(WordPieceTrainerOptions.Criterion.allCases.map(\.rawValue).joined(separator: " or ")) (default: \(WordPieceTrainerOptions(vocabularySize: 1).criterion.rawValue)).")
    var criterion: WordPieceTrainerOptions.Criterion?
    @Flag(help: "Unigram: train on whole lines (SentencePiece without whitespace splitting; pieces may span words).") var sentences = false
    @Option(help: "Unigram: the longest piece, in characters (default: \(unigramDefaults.maxPieceLength)).") var maxPieceLength: Int?
    @Option(help: "Unigram: share of pieces each pruning round keeps (default: \(unigramDefaults.shrinkingFactor)).") var shrinkingFactor: Double?
    @Option(help: "Unigram: how many frequent substrings seed the vocabulary (default: \(unigramDefaults.seedPieceCount)).") var seedPieces: Int?
    @Flag(help: "Unigram: every digit is a piece of its own.") var splitDigits = false
    @Option(help: "Hybrid: rank whole words by \(HybridTrainerOptions.Ranking.allCases.map(\.rawValue).joined(separator: " or ")) (default: \(hybridDefaults.ranking.rawValue)).")
    var wordRanking: HybridTrainerOptions.Ranking?
    @Option(help: "Hybrid: BPE merges learned on the out-of-vocabulary words (default: \(hybridDefaults.subwordMerges); 0 spells with characters only).") var subwordMerges: Int?

    func apply(to recipe: inout Recipe) {
        recipe.bpe.characters = characters
        (recipe.bpe.continuingSubwordPrefix, recipe.bpe.endOfWordSuffix) = (continuingSubwordPrefix, endOfWordSuffix)
        recipe.bpe.maxTokenLength = maxTokenLength
        recipe.superBPE.transition = transition
        (recipe.wordPiece.criterion, recipe.wordPiece.continuingSubwordPrefix) = (criterion, continuingSubwordPrefix)
        (recipe.unigram.sentences, recipe.unigram.maxPieceLength) = (sentences, maxPieceLength)
        (recipe.unigram.shrinkingFactor, recipe.unigram.seedPieces) = (shrinkingFactor, seedPieces)
        recipe.unigram.splitDigits = splitDigits
        recipe.hybrid.ranking = wordRanking
        if let subwordMerges { recipe.hybrid.subwordMerges = subwordMerges }
    }
}

extension Algorithm: ExpressibleByArgument {}
extension HybridTrainerOptions.Ranking: ExpressibleByArgument {}
extension WordPieceTrainerOptions.Criterion: ExpressibleByArgument {}
