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
        The output format follows the extension: .json writes HuggingFace's tokenizer.json (loadable by
        tokenizers.Tokenizer.from_file, same ids), .model a SentencePiece model (Unigram), .tiktoken tiktoken ranks
        (byte-level BPE only; special tokens are not part of a rank file), .txt BERT's vocab.txt (WordPiece). The
        file is written only when training succeeded, atomically.

        WordPiece (--algorithm wordpiece) merges by likelihood, count(ab) / (count(a) * count(b)), by default, or
        by frequency (--criterion frequency, what HuggingFace's WordPieceTrainer does). It defaults to BERT's
        normalizer, pre-tokenizer and special tokens ([PAD] [UNK] [CLS] [SEP] [MASK]).

        Byte-level BPE (the default) starts from the 256 bytes, so every text is encodable. Character-level BPE
        (--characters) starts from the characters of the corpus, limited by --limit-alphabet or
        --character-coverage, with --byte-fallback or --unk-token for the rest.

        With the same corpus, options and seed the output is byte-identical, whatever --threads is.

        Example: vocab train --vocab-size 32000 --special-token '<|endoftext|>' Corpora/en.txt -o en.json
        """
    )

    @Option(help: "The algorithm: bpe, wordpiece, unigram, hybrid or word (word-level: the most frequent words, <unk> for the rest).")
    var algorithm: Algorithm = .bpe
    @Option(name: .customLong("vocab-size"), help: "Size of the vocabulary, special tokens included.")
    var vocabularySize: Int
    @Option(name: .shortAndLong, help: "The tokenizer file to write (.json, .model, .tiktoken or .txt).")
    var output: String
    @Argument(help: "Corpus files ('-' for standard input).")
    var corpus: [String]

    @Option(name: .shortAndLong, help: "Normalizer steps or preset (see `vocab normalize --help`; default: the algorithm's: none for BPE, bert for WordPiece, nmt-nfkc otherwise).")
    var normalizer: String?
    @Option(name: [.short, .customLong("pre-tokenizer")], help: "Pre-tokenizer (repeat to chain; default: gpt2 for byte-level, whitespace for character-level BPE, bert for WordPiece, metaspace otherwise).")
    var preTokenizers: [String] = []
    @Option(name: .customLong("max-lines"), help: "Train on a seeded random sample of this many lines.")
    var maxLines: Int?
    @Option(help: "Seed of the sample.")
    var seed: UInt64?
    @Flag(name: .customLong("no-line-breaks"), help: "Count lines without their \"\\n\" (HuggingFace keeps it when training from files).")
    var noLineBreaks = false
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?
    @Flag(help: "No progress line on stderr.")
    var quiet = false

    @Option(name: .customLong("special-token"), help: "A special token (repeat for several); they take the first ids.")
    var specialTokens: [String] = []
    @Option(name: .customLong("unk-token"), help: "The unknown token (added to the special tokens if needed).")
    var unknownToken: String?
    @Option(name: .customLong("min-frequency"), help: "Do not merge pairs (BPE, WordPiece) or keep words (hybrid, word) seen fewer times (default: 2).")
    var minFrequency: Int64?
    @Option(name: .customLong("character-coverage"), help: "Keep the characters covering this share of the text (e.g. 0.9995).")
    var characterCoverage: Double?
    @Option(name: .customLong("limit-alphabet"), help: "Character-level BPE, WordPiece: keep at most this many characters.")
    var limitAlphabet: Int?
    @Flag(name: .customLong("byte-fallback"), help: "Add <0x00>..<0xFF> tokens for characters outside the alphabet.")
    var byteFallback = false

    @Flag(help: "BPE: character-level instead of byte-level.")
    var characters = false
    @Option(name: .customLong("continuing-subword-prefix"), help: "BPE, WordPiece: prefix of tokens that continue a word, e.g. ##.")
    var continuingSubwordPrefix: String?
    @Option(name: .customLong("end-of-word-suffix"), help: "BPE: suffix of tokens that end a word, e.g. </w>.")
    var endOfWordSuffix: String?
    @Option(name: .customLong("max-token-length"), help: "BPE: the longest token, in symbols.")
    var maxTokenLength: Int?
    @Option(help: "WordPiece: likelihood (default) or frequency.")
    var criterion: WordPieceTrainerOptions.Criterion?
    @Flag(help: "Unigram: train on whole lines (SentencePiece without whitespace splitting; pieces may span words).")
    var sentences = false
    @Option(name: .customLong("max-piece-length"), help: "Unigram: the longest piece, in characters (default: 16).")
    var maxPieceLength: Int?
    @Option(name: .customLong("shrinking-factor"), help: "Unigram: share of pieces each pruning round keeps (default: 0.75).")
    var shrinkingFactor: Double?
    @Option(name: .customLong("seed-pieces"), help: "Unigram: how many frequent substrings seed the vocabulary (default: 1000000).")
    var seedPieces: Int?
    @Flag(name: .customLong("split-digits"), help: "Unigram: every digit is a piece of its own.")
    var splitDigits = false
    @Option(name: .customLong("word-ranking"), help: "Hybrid: rank whole words by frequency (default) or savings (count x (characters - 1)).")
    var wordRanking: HybridTrainerOptions.Ranking?
    @Option(name: .customLong("subword-merges"), help: "Hybrid: BPE merges learned on the out-of-vocabulary words (default: 0, characters only).")
    var subwordMerges: Int?

    /// The recipe these flags describe; a flag not given leaves the recipe's default.
    var recipe: Recipe {
        var recipe = Recipe(algorithm, vocabularySize: vocabularySize)
        recipe.normalizer = normalizer
        recipe.preTokenizers = preTokenizers.isEmpty ? nil : preTokenizers
        recipe.maxLines = maxLines
        if let seed { recipe.seed = seed }
        if noLineBreaks { recipe.keepsLineBreaks = false }
        if let threads { recipe.threads = threads }
        recipe.specialTokens = specialTokens.isEmpty ? nil : specialTokens
        recipe.unknownToken = unknownToken
        if let minFrequency { recipe.minFrequency = minFrequency }
        recipe.characterCoverage = characterCoverage
        recipe.limitAlphabet = limitAlphabet
        recipe.byteFallback = byteFallback
        recipe.bpe.characters = characters
        recipe.bpe.continuingSubwordPrefix = continuingSubwordPrefix
        recipe.bpe.endOfWordSuffix = endOfWordSuffix
        recipe.bpe.maxTokenLength = maxTokenLength
        recipe.wordPiece.criterion = criterion
        recipe.wordPiece.continuingSubwordPrefix = continuingSubwordPrefix
        recipe.unigram.sentences = sentences
        recipe.unigram.maxPieceLength = maxPieceLength
        recipe.unigram.shrinkingFactor = shrinkingFactor
        recipe.unigram.seedPieces = seedPieces
        recipe.unigram.splitDigits = splitDigits
        recipe.hybrid.ranking = wordRanking
        if let subwordMerges { recipe.hybrid.subwordMerges = subwordMerges }
        return recipe
    }

    func validate() throws {
        guard vocabularySize > 0 else { throw ValidationError("--vocab-size must be positive") }
        guard !corpus.isEmpty else { throw ValidationError("give at least one corpus file") }
        do { try recipe.checkOutput(output) } catch { throw ValidationError("--output: \(error)") }
    }

    func run() throws {
        let recipe = recipe
        let progress = ProgressLine(label: "train", quiet: quiet)
        defer { progress.finish() }
        let trained = try recipe.train(paths: corpus) { report in
            if report.isReadingCorpus { progress.update(bytes: report.done, detail: report.phase) }
            else { progress.status("\(report.phase) \(report.done)/\(report.total ?? 0)") }
        }
        try trained.write(to: output)
        progress.finish()
        var message = trained.record.summary(seed: recipe.seed) + ", wrote \(output)\n"
        for note in trained.record.notes { message += "note: \(note)\n" }
        FileHandle.standardError.write(Data(message.utf8))
    }
}

extension Algorithm: ExpressibleByArgument {}
extension HybridTrainerOptions.Ranking: ExpressibleByArgument {}
extension WordPieceTrainerOptions.Criterion: ExpressibleByArgument {}
