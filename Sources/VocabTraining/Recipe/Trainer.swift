import Foundation
import VocabKit

/// One algorithm's part of every recipe: its default front end, the trainer options it reads from
/// the recipe, the tokenizer it assembles, and the nested vocabularies a sweep cuts.
///
/// Training yields a whole tokenizer (front end, model, added tokens, post-processor, decoder),
/// ready to encode and to write with `TokenizerFile`. Conforming types live in their algorithm's
/// folder (`BPE/BPERecipe.swift`, ...); `Algorithm.trainer(_:)` is the one switch over them.
public protocol Trainer: Sendable {
    /// The front end used when the recipe names none.
    func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames
    /// Whether counting keeps each line's "\n" when the recipe does not say (HuggingFace keeps it
    /// when training from files; SentencePiece-style trainers drop it).
    var keepsLineBreaks: Bool { get }
    /// Whether training grows the vocabulary one token at a time and reports each "merge", so
    /// the time to reach every size is known (BPE, WordPiece).
    var growsOneTokenAtATime: Bool { get }
    /// Throws when the algorithm, with the recipe's settings, cannot be written in `format`.
    func check(_ format: TokenizerFile.Format, recipe: Recipe) throws
    /// Trains at `recipe.vocabularySize` on word counts made with `frontEnd`.
    func train(_ counts: WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
               progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer
    /// Trains once so that every size in `sizes` the corpus allows can be cut without retraining.
    func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                     progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary
}

extension Trainer {
    public var keepsLineBreaks: Bool { false }
    public var growsOneTokenAtATime: Bool { false }

    /// The default check: tokenizer.json holds every model; other formats are refused.
    public func check(_ format: TokenizerFile.Format, recipe: Recipe) throws {
        guard format == .json else { throw Self.unwritable(format, recipe.algorithm) }
    }

    /// The error for a format that cannot hold `algorithm`'s vocabularies.
    static func unwritable(_ format: TokenizerFile.Format, _ algorithm: Algorithm, _ detail: String = "") -> TrainingError {
        .invalidOption(".\(format.fileExtension) files hold \(format.holdsDescription)\(detail), not \(algorithm.displayName) "
                       + "vocabularies; write .json (tokenizer.json) instead")
    }
}

/// A front end by names (see `FrontEndSpecification`).
public struct FrontEndNames: Sendable, Equatable, Codable {
    public var normalizer: String
    public var preTokenizers: [String]

    public init(normalizer: String, preTokenizers: [String]) {
        self.normalizer = normalizer
        self.preTokenizers = preTokenizers
    }

    /// SentencePiece's default front end: `nmt_nfkc`, then words with "▁" in front.
    public static let sentencePieceWords = FrontEndNames(normalizer: "nmt-nfkc", preTokenizers: ["metaspace"])

    /// "nmt-nfkc + metaspace": how reports and messages name it.
    public var description: String { "\(normalizer) + \(preTokenizers.joined(separator: " + "))" }

    /// Whether the pieces carry Metaspace's "▁", so decoding turns it back into spaces.
    public var usesMetaspace: Bool { preTokenizers.first?.hasPrefix("metaspace") == true }

    public func frontEnd() throws -> TextFrontEnd {
        try TextFrontEnd(normalizer: normalizer, preTokenizers: preTokenizers)
    }
}

/// What a training produced: a ready tokenizer and the record of how it was made.
public struct TrainedTokenizer: Sendable {
    public var tokenizer: Tokenizer
    public var record: TrainingRecord

    /// Writes the tokenizer by the extension of `path` (see `TokenizerFile`), atomically, with the
    /// trainer settings a SentencePiece `.model` records.
    public func write(to path: String) throws {
        try TokenizerFile.write(tokenizer, to: path, sentencePiece: record.sentencePieceSettings)
    }
}

/// How a tokenizer was trained: the corpus, the time, and what the algorithm reports.
public struct TrainingRecord: Sendable {
    public var algorithm: Algorithm
    /// The algorithm as messages name it ("byte-level BPE", "WordPiece (frequency)").
    public var name: String
    public var frontEnd: FrontEndNames
    /// The counted corpus: lines, bytes, the lines sampled from (`maxLines`), distinct words.
    public var lines = 0
    public var bytes = 0
    public var sampledFrom: Int?
    public var distinctWords = 0
    /// What `distinctWords` counts: "words", or "lines" for whole-line Unigram.
    public var wordUnit = "words"
    /// Seconds spent counting and training.
    public var countingSeconds = 0.0
    public var trainingSeconds = 0.0
    /// Algorithm-specific facts, in the order they are reported ("31744 merges").
    public var details: [String] = []
    /// Things the user should know (a vocabulary smaller than asked for).
    public var notes: [String] = []
    /// The settings a SentencePiece `.model` records (Unigram only).
    public var sentencePieceSettings: SentencePieceModelFile.Settings?
    public var vocabularySize = 0
    /// The size the trainer reached (set by the trainer; `vocabularySize` is set by the recipe).
    var vocabularySizeTrained = 0

    public init(algorithm: Algorithm, name: String, frontEnd: FrontEndNames, counts: WordCounts) {
        self.algorithm = algorithm
        self.name = name
        self.frontEnd = frontEnd
        lines = counts.lines
        bytes = counts.bytes
        sampledFrom = counts.sampledFrom
        distinctWords = counts.words.count
    }

    /// One line: "trained byte-level BPE in 3.1 s: 1200 lines, 0.1 MB, 5300 distinct words, 744
    /// merges, vocabulary 1000".
    public func summary(seed: UInt64) -> String {
        let sample = sampledFrom.map { ", a sample of \(lines) of \($0) lines (seed \(seed))" } ?? ""
        let facts = details.isEmpty ? "" : details.joined(separator: ", ") + ", "
        return String(format: "trained %@ in %.1f s: %d lines, %.1f MB%@, %d distinct %@, %@vocabulary %d",
                      name, countingSeconds + trainingSeconds, lines, Double(bytes) / 1e6, sample, distinctWords, wordUnit,
                      facts, vocabularySize)
    }
}

extension TrainedTokenizer {
    /// The special tokens of `names` that `model` has, as added tokens (special, in that order).
    static func addedTokens(_ names: [String], in model: TokenModel) -> [AddedToken] {
        names.compactMap { name in model.id(of: Array(name.utf8)).map { AddedToken(content: name, id: $0) } }
    }

    /// A tokenizer of `model` whose added tokens are the special tokens it has.
    static func assemble(_ model: TokenModel, frontEnd: TextFrontEnd, specialTokens: [String], decoder: TokenDecoder) -> Tokenizer {
        Tokenizer(frontEnd: frontEnd, model: model, addedTokens: addedTokens(specialTokens, in: model), decoder: decoder)
    }
}

extension TrainingRecord {
    /// Notes a vocabulary smaller than asked for: only `words` words were frequent enough.
    mutating func noteShortfall(words: Int, minFrequency: Int64, asked: Int) {
        guard vocabularySizeTrained < asked else { return }
        notes.append("only \(words) words were seen --min-frequency \(minFrequency) times; "
                     + "the vocabulary has \(vocabularySizeTrained) of the \(asked) tokens asked for")
    }
}
