import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a vocabulary on text files and write the tokenizer.",
        discussion: """
        The output format follows the extension: .json writes HuggingFace's tokenizer.json (loadable by
        tokenizers.Tokenizer.from_file, same ids), .tiktoken writes tiktoken ranks (byte-level BPE only; special
        tokens are not part of a rank file), .txt writes BERT's vocab.txt (WordPiece). The file is written only when
        training succeeded, atomically.

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

    @Option(help: "WordPiece: likelihood (default) or frequency.")
    var criterion: WordPieceTrainerOptions.Criterion = .likelihood

    @Option(name: .customLong("vocab-size"), help: "Size of the vocabulary, special tokens included.")
    var vocabularySize: Int

    @Option(name: .customLong("min-frequency"), help: "Do not merge pairs seen fewer times than this.")
    var minFrequency: Int64 = 2

    @Option(name: .customLong("special-token"), help: "A special token (repeat for several); they take the first ids.")
    var specialTokens: [String] = []

    @Flag(help: "Character-level BPE instead of byte-level.")
    var characters = false

    @Option(name: .customLong("limit-alphabet"), help: "Character-level: keep at most this many characters.")
    var limitAlphabet: Int?

    @Option(name: .customLong("character-coverage"), help: "Character-level: keep the characters covering this share of the text (e.g. 0.9995).")
    var characterCoverage: Double?

    @Flag(name: .customLong("byte-fallback"), help: "Character-level: add <0x00>..<0xFF> tokens for characters outside the alphabet.")
    var byteFallback = false

    @Option(name: .customLong("unk-token"), help: "Character-level: the unknown token (added to the special tokens if needed).")
    var unknownToken: String?

    @Option(name: .customLong("continuing-subword-prefix"), help: "Prefix of tokens that continue a word, e.g. ##.")
    var continuingSubwordPrefix: String?

    @Option(name: .customLong("end-of-word-suffix"), help: "Suffix of tokens that end a word, e.g. </w>.")
    var endOfWordSuffix: String?

    @Option(name: .customLong("max-token-length"), help: "The longest token, in symbols.")
    var maxTokenLength: Int?

    @Option(name: .shortAndLong, help: "Normalizer steps or preset (see `vocab normalize --help`; default: none, bert for WordPiece).")
    var normalizer: String?

    @Option(name: [.short, .customLong("pre-tokenizer")], help: "Pre-tokenizer (repeat to chain; default: gpt2 for byte-level, whitespace for character-level BPE, bert for WordPiece).")
    var preTokenizers: [String] = []

    @Option(name: .customLong("max-lines"), help: "Train on a seeded random sample of this many lines.")
    var maxLines: Int?

    @Option(help: "Seed of the sample.")
    var seed: UInt64 = 42

    @Flag(name: .customLong("no-line-breaks"), help: "Count lines without their \"\\n\" (HuggingFace keeps it when training from files).")
    var noLineBreaks = false

    @Option(name: .shortAndLong, help: "The tokenizer file to write (.json or .tiktoken).")
    var output: String

    @Argument(help: "Corpus files ('-' for standard input).")
    var corpus: [String]

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    @Flag(help: "Unigram: train on whole lines (SentencePiece without whitespace splitting; pieces may span words).")
    var sentences = false

    @Option(name: .customLong("max-piece-length"), help: "Unigram: the longest piece, in characters.")
    var maxPieceLength = 16

    @Option(name: .customLong("shrinking-factor"), help: "Unigram: share of pieces each pruning round keeps.")
    var shrinkingFactor = 0.75

    @Option(name: .customLong("seed-pieces"), help: "Unigram: how many frequent substrings seed the vocabulary.")
    var seedPieces = 1_000_000

    @Flag(name: .customLong("split-digits"), help: "Unigram: every digit is a piece of its own.")
    var splitDigits = false

    @Option(name: .customLong("word-ranking"), help: "Hybrid: rank whole words by frequency or savings (count x (characters - 1)).")
    var wordRanking: HybridTrainerOptions.Ranking = .frequency

    @Option(name: .customLong("subword-merges"), help: "Hybrid: BPE merges learned on the out-of-vocabulary words (0: characters only).")
    var subwordMerges = 0

    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case bpe, wordpiece, unigram, hybrid, word }

    func validate() throws {
        guard output.hasSuffix(".json") || output.hasSuffix(".tiktoken") || output.hasSuffix(".txt") || output.hasSuffix(".model") else {
            throw ValidationError("--output must end in .json (tokenizer.json), .model (SentencePiece), .tiktoken or .txt (vocab.txt)")
        }
        if output.hasSuffix(".model") && algorithm != .unigram { throw ValidationError(".model files are written for Unigram vocabularies") }
        if (algorithm == .hybrid || algorithm == .word) && !output.hasSuffix(".json") {
            throw ValidationError("\(algorithm.rawValue) vocabularies are written as tokenizer.json (.json)")
        }
        if output.hasSuffix(".txt") && algorithm != .wordpiece { throw ValidationError(".txt (vocab.txt) holds WordPiece vocabularies only") }
        if output.hasSuffix(".tiktoken") && algorithm != .bpe { throw ValidationError(".tiktoken files hold byte-level BPE only") }
        if output.hasSuffix(".tiktoken") && characters { throw ValidationError(".tiktoken files hold byte-level vocabularies only") }
        guard vocabularySize > 0 else { throw ValidationError("--vocab-size must be positive") }
        guard !corpus.isEmpty else { throw ValidationError("give at least one corpus file") }
    }

    func run() throws {
        let started = Date()
        // 1. The front end and word counts.
        let wordPiece = algorithm == .wordpiece, unigram = algorithm == .unigram, hybrid = algorithm == .hybrid || algorithm == .word
        let defaultPreTokenizer = hybrid ? "metaspace" : unigram ? (sentences ? "metaspace-whole" : "metaspace")
            : wordPiece ? "bert" : characters ? "whitespace" : "gpt2"
        let preTokenizerNames = preTokenizers.isEmpty ? [defaultPreTokenizer] : preTokenizers
        let defaultNormalizer = unigram || hybrid ? "nmt-nfkc" : wordPiece ? "bert" : "none"
        let frontEnd = try TextFrontEnd(normalizer: normalizer ?? defaultNormalizer, preTokenizers: preTokenizerNames)
        var counting = WordCountingOptions(frontEnd: frontEnd)
        counting.keepsLineBreaks = !noLineBreaks && !unigram && !hybrid
        counting.maxLines = maxLines
        counting.seed = seed
        counting.threads = threads
        let progress = ProgressLine(label: "train", quiet: quiet)
        defer { progress.finish() }
        let counts = try WordCounter.count(paths: corpus, options: counting) { report in
            progress.update(bytes: report.done, detail: report.phase)
        }
        if wordPiece {
            try trainWordPiece(counts, frontEnd: frontEnd, progress: progress, started: started)
            return
        }
        if unigram {
            try trainUnigram(counts, frontEnd: frontEnd, progress: progress, started: started)
            return
        }
        if algorithm == .word {
            try trainWordLevel(counts, frontEnd: frontEnd, progress: progress, started: started)
            return
        }
        if hybrid {
            try trainHybrid(counts, frontEnd: frontEnd, progress: progress, started: started)
            return
        }
        // 2. Training.
        var options = BPETrainerOptions(vocabularySize: vocabularySize)
        options.minFrequency = minFrequency
        options.specialTokens = specialTokens
        if let unknownToken, !specialTokens.contains(unknownToken) { options.specialTokens.append(unknownToken) }
        options.isByteLevel = !characters
        options.limitAlphabet = limitAlphabet
        options.characterCoverage = characterCoverage
        options.byteFallback = byteFallback
        options.unknownToken = unknownToken
        options.continuingSubwordPrefix = continuingSubwordPrefix
        options.endOfWordSuffix = endOfWordSuffix
        options.maxTokenLength = maxTokenLength
        let result = try BPETrainer(options: options).train(counts) { report in
            progress.status("\(report.phase) \(report.done)/\(report.total ?? 0)")
        }
        // 3. The file.
        var decoder: TokenDecoder = .concatenate
        if characters {
            if let suffix = endOfWordSuffix { decoder = .endOfWordSuffix(suffix) }
            else if let prefix = continuingSubwordPrefix { decoder = .continuingPrefix(prefix) }
        }
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: result.model, addedTokens: result.specialTokens, decoder: decoder)
        let data: Data
        if output.hasSuffix(".tiktoken") {
            guard let ranks = TiktokenFile.write(tokenizer) else { throw ValidationError(".tiktoken files hold byte-level vocabularies only") }
            data = ranks
        } else {
            data = try TokenizerJSON.write(tokenizer)
        }
        try AtomicFile.write(data, to: output)
        progress.finish()
        let sample = counts.sampledFrom.map { ", a sample of \(counts.lines) of \($0) lines (seed \(seed))" } ?? ""
        let summary = String(format: "trained %@ in %.1f s: %d lines, %.1f MB%@, %d distinct words, vocabulary %d (%d merges), wrote %@\n",
                             characters ? "character-level BPE" : "byte-level BPE", Date().timeIntervalSince(started), counts.lines,
                             Double(counts.bytes) / 1e6, sample, counts.words.count, result.model.vocabularySize, result.mergeCount, output)
        FileHandle.standardError.write(Data(summary.utf8))
    }

    /// WordPiece: train, then write tokenizer.json (with BERT's post-processor) or vocab.txt.
    private func trainWordPiece(_ counts: WordCounts, frontEnd: TextFrontEnd, progress: ProgressLine, started: Date) throws {
        var options = WordPieceTrainerOptions(vocabularySize: vocabularySize)
        options.criterion = criterion
        options.minFrequency = minFrequency
        if !specialTokens.isEmpty { options.specialTokens = specialTokens }
        if let unknownToken {
            options.unknownToken = unknownToken
            if !options.specialTokens.contains(unknownToken) { options.specialTokens.append(unknownToken) }
        }
        options.limitAlphabet = limitAlphabet
        options.characterCoverage = characterCoverage
        if let prefix = continuingSubwordPrefix { options.continuingSubwordPrefix = prefix }
        let model = try WordPieceTrainer(options: options).train(counts) { report in
            progress.status("\(report.phase) \(report.done)/\(report.total ?? 0)")
        }
        let data: Data
        if output.hasSuffix(".txt") {
            data = Data(model.vocabText)
        } else {
            var tokenizer = Tokenizer(frontEnd: frontEnd, model: .wordPiece(model),
                                      addedTokens: options.specialTokens.compactMap { name in
                                          model.lookup(name).map { AddedToken(content: name, id: $0) } },
                                      decoder: .continuingPrefix(options.continuingSubwordPrefix, cleanup: true))
            if let cls = model.lookup("[CLS]"), let sep = model.lookup("[SEP]") { tokenizer.postProcessor = .bert(cls: cls, sep: sep) }
            data = try TokenizerJSON.write(tokenizer)
        }
        try AtomicFile.write(data, to: output)
        progress.finish()
        let summary = String(format: "trained WordPiece (%@) in %.1f s: %d lines, %.1f MB, %d distinct words, vocabulary %d, wrote %@\n",
                             criterion.rawValue, Date().timeIntervalSince(started), counts.lines, Double(counts.bytes) / 1e6,
                             counts.words.count, model.vocabularySize, output)
        FileHandle.standardError.write(Data(summary.utf8))
    }
}

extension TrainCommand {
    /// The special tokens and unknown token from --special-token and --unk-token over a trainer's
    /// defaults; an --unk-token not among the special tokens is put first.
    private func specialTokenList(defaults: [String], unknown: String) -> ([String], String) {
        var tokens = specialTokens.isEmpty ? defaults : specialTokens
        guard let unknownToken else { return (tokens, unknown) }
        if !tokens.contains(unknownToken) { tokens.insert(unknownToken, at: 0) }
        return (tokens, unknownToken)
    }

    /// The special tokens of a trained model as added tokens (those the model has).
    private func addedTokens(_ names: [String], in model: TokenModel) -> [AddedToken] {
        names.compactMap { name in model.id(of: Array(name.utf8)).map { AddedToken(content: name, id: $0) } }
    }

    /// Unigram: train, then write tokenizer.json or a SentencePiece .model.
    private func trainUnigram(_ counts: WordCounts, frontEnd: TextFrontEnd, progress: ProgressLine, started: Date) throws {
        var options = UnigramTrainerOptions(vocabularySize: vocabularySize)
        (options.specialTokens, options.unknownToken) = specialTokenList(defaults: options.specialTokens, unknown: options.unknownToken)
        options.characterCoverage = characterCoverage ?? 0.9995
        options.maxPieceLength = maxPieceLength
        options.shrinkingFactor = shrinkingFactor
        options.seedPieceCount = seedPieces
        options.splitDigits = splitDigits
        options.splitByWhitespace = !sentences
        options.byteFallback = byteFallback
        options.threads = threads
        let training = try UnigramTrainer(options: options).train(counts) { report in progress.status(report.phase) }
        let model = training.model
        let added = addedTokens(options.specialTokens, in: .unigram(model))
        let decoding = SentencePieceDecoding(unknownId: model.unknownId, controlIds: Set(added.map(\.id)).subtracting([model.unknownId]))
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: .unigram(model), addedTokens: added, decoder: .sentencePiece(decoding))
        let data: Data
        if output.hasSuffix(".model") {
            let settings = SentencePieceModelFile.Settings(
                characterCoverage: Float(options.characterCoverage), maxPieceLength: options.maxPieceLength,
                splitDigits: splitDigits, splitByWhitespace: !sentences, shrinkingFactor: Float(shrinkingFactor),
                seedPieceCount: seedPieces, subIterations: options.subIterations)
            data = try SentencePieceModelFile.write(tokenizer, settings: settings)
        } else {
            data = try TokenizerJSON.write(tokenizer)
        }
        try AtomicFile.write(data, to: output)
        progress.finish()
        let sample = counts.sampledFrom.map { ", a sample of \(counts.lines) of \($0) lines (seed \(seed))" } ?? ""
        let summary = String(format: "trained Unigram in %.1f s: %d lines, %.1f MB%@, %d distinct %@, %d seed pieces, %d rounds, vocabulary %d, wrote %@\n",
                             Date().timeIntervalSince(started), counts.lines, Double(counts.bytes) / 1e6, sample, counts.words.count,
                             sentences ? "lines" : "words", training.seedCount, training.rounds.count, model.vocabularySize, output)
        FileHandle.standardError.write(Data(summary.utf8))
    }
}

extension TrainCommand {
    /// Hybrid: train, then write tokenizer.json with the VocabKitHybrid model.
    private func trainHybrid(_ counts: WordCounts, frontEnd: TextFrontEnd, progress: ProgressLine, started: Date) throws {
        var options = HybridTrainerOptions(vocabularySize: vocabularySize)
        (options.specialTokens, options.unknownToken) = specialTokenList(defaults: options.specialTokens, unknown: options.unknownToken)
        options.ranking = wordRanking
        options.subwordMerges = subwordMerges
        options.characterCoverage = characterCoverage ?? 0.9995
        options.byteFallback = byteFallback
        options.minWordFrequency = minFrequency
        let training = try HybridTrainer(options: options).train(counts) { report in progress.status(report.phase) }
        let model = training.model
        let added = addedTokens(options.specialTokens, in: .hybrid(model))
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: .hybrid(model), addedTokens: added,
                                  decoder: usesMetaspace ? .metaspace : .concatenate)
        try AtomicFile.write(try TokenizerJSON.write(tokenizer), to: output)
        progress.finish()
        let summary = String(format: "trained hybrid in %.1f s: %d lines, %.1f MB, %d distinct words, %d characters, %d merges, %d whole words, vocabulary %d, wrote %@\n",
                             Date().timeIntervalSince(started), counts.lines, Double(counts.bytes) / 1e6, counts.words.count,
                             training.alphabetSize, model.spelling.merges.count, model.words.count, model.vocabularySize, output)
        FileHandle.standardError.write(Data(summary.utf8))
        if model.vocabularySize < vocabularySize {
            FileHandle.standardError.write(Data("note: only \(model.words.count) words were seen --min-frequency \(minFrequency) times; the vocabulary has \(model.vocabularySize) of the \(vocabularySize) tokens asked for\n".utf8))
        }
    }
}

extension TrainCommand {
    /// Word-level: the most frequent words; tokenizer.json with HuggingFace's WordLevel model.
    private func trainWordLevel(_ counts: WordCounts, frontEnd: TextFrontEnd, progress: ProgressLine, started: Date) throws {
        var options = WordLevelTrainerOptions(vocabularySize: vocabularySize)
        (options.specialTokens, options.unknownToken) = specialTokenList(defaults: options.specialTokens, unknown: options.unknownToken)
        options.minFrequency = minFrequency
        let training = try WordLevelTrainer(options: options).train(counts) { report in progress.status(report.phase) }
        let model = training.model
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: .wordLevel(model), addedTokens: addedTokens(options.specialTokens, in: .wordLevel(model)),
                                  decoder: usesMetaspace ? .metaspace : .spaceSeparated)
        try AtomicFile.write(try TokenizerJSON.write(tokenizer), to: output)
        progress.finish()
        let covered = counts.words.reduce(Int64(0)) { $0 + (model.id(of: $1.word) != nil ? $1.count : 0) }
        let total = counts.words.reduce(Int64(0)) { $0 + $1.count }
        let summary = String(format: "trained word-level in %.1f s: %d lines, %.1f MB, %d distinct words (%d seen --min-frequency %d times), vocabulary %d covering %.2f%% of training words, wrote %@\n",
                             Date().timeIntervalSince(started), counts.lines, Double(counts.bytes) / 1e6, counts.words.count, training.ranking.count,
                             minFrequency, model.vocabularySize, Double(covered) / Double(max(1, total)) * 100, output)
        FileHandle.standardError.write(Data(summary.utf8))
        if model.vocabularySize < vocabularySize {
            FileHandle.standardError.write(Data("note: only \(training.ranking.count) words were seen --min-frequency \(minFrequency) times; the vocabulary has \(model.vocabularySize) of the \(vocabularySize) tokens asked for\n".utf8))
        }
    }
}

extension TrainCommand {
    /// Whether the pieces carry Metaspace's "▁" (the default for the hybrid and word level), so
    /// decoding turns it back into spaces.
    var usesMetaspace: Bool { preTokenizers.isEmpty || preTokenizers.first?.hasPrefix("metaspace") == true }
}

extension HybridTrainerOptions.Ranking: ExpressibleByArgument {}

extension WordPieceTrainerOptions.Criterion: ExpressibleByArgument {}
