import Foundation
import VocabKit

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
    /// The seed of the line sample, when the corpus was sampled.
    public var seed: UInt64?
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
    public func summary() -> String {
        let sample = sampledFrom.map { ", a sample of \(lines) of \($0) lines (seed \(seed.map(String.init) ?? "?"))" } ?? ""
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
