/// A char-word hybrid: frequent whole words are single tokens; every other word is spelled with
/// a character-level BPE model (characters, optionally a budget of subword merges learned on the
/// out-of-vocabulary words, and byte fallback or an unknown token for the rest).
///
/// Spelling needs no extra marker: words are the pieces of the pre-tokenizer, which carry their
/// own word-initial "▁" (Metaspace) and cover the normalized text exactly, so concatenating the
/// tokens of every piece restores the normalized text whether a word was one token or spelled.
/// The "▁" of a spelled word is its word-start marker (a character token of its own or merged
/// into the first subword).
///
/// Ids: the spelling model's tokens first (special tokens, byte tokens, characters, merges), then
/// the whole words in ranking order.
public struct HybridModel: Sendable {
    public let spelling: BPEModel
    public let words: [[UInt8]]
    let wordTable: ByteStringTable
    let allTokens: [[UInt8]]

    public init(spelling: BPEModel, words: [[UInt8]]) throws {
        guard !spelling.isByteLevel else { throw ModelError.invalidModel("hybrid: the spelling model must be character-level") }
        var table = ByteStringTable(capacity: words.count)
        for (index, word) in words.enumerated() {
            guard !word.isEmpty else { throw ModelError.invalidModel("hybrid: word \(index) is empty") }
            guard spelling.id(of: word) == nil, table.id(of: word) == nil else {
                throw ModelError.invalidModel("hybrid: word \(String(decoding: word, as: UTF8.self).debugDescription) is defined twice")
            }
            table.insert(word, id: UInt32(spelling.vocabularySize + index))
        }
        self.spelling = spelling
        self.words = words
        self.wordTable = table
        self.allTokens = spelling.tokens + words
    }

    public var vocabularySize: Int { allTokens.count }
    public var tokens: [[UInt8]] { allTokens }

    public func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8 {
        wordTable.id(of: token) ?? spelling.id(of: token)
    }

    public func tokenString(_ id: UInt32) -> String {
        Int(id) < allTokens.count ? String(decoding: allTokens[Int(id)], as: UTF8.self) : ""
    }

    /// Whether `id` is a whole-word token.
    public func isWord(_ id: UInt32) -> Bool { Int(id) >= spelling.vocabularySize }

    /// Encodes one word: its id if it is in the vocabulary, else its spelling.
    /// - Complexity: O(1) expected for a known word; the spelling model's cost otherwise.
    @inline(__always)
    public func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout BPEScratch) {
        if let id = wordTable.id(of: piece) {
            output.append(PieceToken(id: id, start: 0, end: Int32(piece.count)))
            return
        }
        spelling.encode(piece: piece, into: &output, scratch: &scratch)
    }

    /// How the vocabulary is spent and how it covers `counts` (usually held-out word counts).
    public func measure(_ counts: [(word: [UInt8], count: Int64)]) -> HybridMeasures {
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
