import VocabKit

extension HybridModel {
    /// How the vocabulary is spent and how it covers `counts` (usually held-out word counts).
    public func measure<Counts: Sequence>(_ counts: Counts) -> HybridMeasures where Counts.Element == (word: [UInt8], count: Int64) {
        var measures = HybridMeasures()
        measures.wordTokens = words.count
        measures.spellingTokens = spelling.vocabularySize
        measures.mergeTokens = spelling.merges.count
        var scratch = BPEScratch()
        var tokens: [PieceToken] = []
        for (word, count) in counts where !word.isEmpty {
            measures.wordOccurrences += count
            tokens.removeAll(keepingCapacity: true)
            word.withUnsafeBufferPointer { encode(piece: $0, into: &tokens, scratch: &scratch) }
            measures.tokens += count * Int64(tokens.count)
            if !(tokens.count == 1 && isWord(tokens[0].id)) { measures.spelledOccurrences += count }
            if tokens.contains(where: { $0.id == spelling.unknownToken }) { measures.unknownOccurrences += count }
        }
        return measures
    }
}

/// Word-level coverage of a hybrid vocabulary.
public struct HybridMeasures: Sendable, Equatable {
    public var wordOccurrences: Int64 = 0
    /// Occurrences of words that are not one whole-word token (spelled out).
    public var spelledOccurrences: Int64 = 0
    /// Occurrences of words with an unknown token in their spelling.
    public var unknownOccurrences: Int64 = 0
    public var tokens: Int64 = 0
    public var wordTokens = 0
    /// Special, byte, character and merge tokens.
    public var spellingTokens = 0
    public var mergeTokens = 0

    /// The word-level out-of-vocabulary rate: the share of word occurrences spelled out.
    public var outOfVocabularyRate: Double { wordOccurrences == 0 ? 0 : Double(spelledOccurrences) / Double(wordOccurrences) }
    public var tokensPerWord: Double { wordOccurrences == 0 ? 0 : Double(tokens) / Double(wordOccurrences) }
    /// The share of the vocabulary spent on whole words.
    public var wordShare: Double { Double(wordTokens) / Double(max(1, wordTokens + spellingTokens)) }
}
