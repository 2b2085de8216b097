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
    package func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout BPEScratch) {
        if let id = wordTable.id(of: piece) {
            output.append(PieceToken(id: id, start: 0, end: Int32(piece.count)))
            return
        }
        spelling.encode(piece: piece, into: &output, scratch: &scratch)
    }
}
