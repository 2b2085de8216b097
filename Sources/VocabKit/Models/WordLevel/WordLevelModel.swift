/// A word-level vocabulary: every pre-tokenizer piece is one token, or the unknown token.
///
/// The baseline that shows what subwords buy: no spelling, so any word outside the vocabulary
/// is lost to `<unk>`. Behaves as HuggingFace's `WordLevel` model (same ids from the same
/// `tokenizer.json`).
///
/// ```swift
/// let model = try WordLevelModel(tokens: ["<unk>", "▁the", "▁cat"].map { Array($0.utf8) }, unknownToken: "<unk>")
/// // "▁the" -> 1, "▁dog" -> 0
/// ```
public struct WordLevelModel: Sendable {
    /// Token bytes by id.
    public let tokens: [[UInt8]]
    public let unknownToken: UInt32
    let lookup: ByteStringTable

    /// Builds the model; throws when a token repeats or the unknown token is not in `tokens`.
    public init(tokens: [[UInt8]], unknownToken: String) throws {
        var lookup = ByteStringTable(capacity: tokens.count)
        for (id, token) in tokens.enumerated() {
            guard lookup.id(of: token) == nil else {
                throw ModelError.invalidModel("word-level: token \(String(decoding: token, as: UTF8.self).debugDescription) appears twice")
            }
            lookup.insert(token, id: UInt32(id))
        }
        guard let unknown = lookup.id(of: Array(unknownToken.utf8)) else {
            throw ModelError.invalidModel("word-level: the unknown token \(unknownToken.debugDescription) is not in the vocabulary")
        }
        self.tokens = tokens
        self.unknownToken = unknown
        self.lookup = lookup
    }

    public var vocabularySize: Int { tokens.count }

    public func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8 { lookup.id(of: token) }

    public func tokenString(_ id: UInt32) -> String {
        Int(id) < tokens.count ? String(decoding: tokens[Int(id)], as: UTF8.self) : ""
    }

    /// Encodes one piece: its id, or the unknown token spanning it.
    /// - Complexity: O(piece length) for the hash.
    @inline(__always)
    public func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken]) {
        guard !piece.isEmpty else { return }
        output.append(PieceToken(id: lookup.id(of: piece) ?? unknownToken, start: 0, end: Int32(piece.count)))
    }
}
