/// What every model offers about its vocabulary: its size, token bytes by id, the id of a token,
/// and a display string (`TokenModel.vocabulary`).
public protocol TokenVocabulary: Sendable {
    /// The number of tokens.
    var vocabularySize: Int { get }
    /// Token bytes by id. Read it once, not per token: SentencePiece BPE and WordPiece models
    /// keep their tokens in one buffer and build these arrays on every call (O(vocabulary bytes)).
    var tokens: [[UInt8]] { get }
    /// The id of a token given as bytes.
    func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8
    /// The token of `id` as a display string ("" for an id outside the vocabulary).
    func tokenString(_ id: UInt32) -> String
    /// For each byte value, the id of the byte-fallback piece (`<0xAB>`) that stands for it, or
    /// `UInt32.max`; empty (or all `UInt32.max`) when the model has no such pieces. Decoders turn only these pieces into
    /// their byte: another token merely spelled `<0x41>` is text, as in `sentencepiece`.
    var bytePieceIds: [UInt32] { get }
}

extension TokenVocabulary {
    public var vocabularySize: Int { tokens.count }

    public var bytePieceIds: [UInt32] { [] }

    public func tokenString(_ id: UInt32) -> String {
        Int(id) < tokens.count ? String(decoding: tokens[Int(id)], as: UTF8.self) : ""
    }
}

extension BPEModel: TokenVocabulary {
    public var bytePieceIds: [UInt32] { byteFallback ? fallbackIds : [] }
}
extension HybridModel: TokenVocabulary {
    /// The spelling model's byte pieces (its ids come first).
    public var bytePieceIds: [UInt32] { spelling.bytePieceIds }
}
extension WordLevelModel: TokenVocabulary {}

extension UnigramModel: TokenVocabulary {
    public var tokens: [[UInt8]] { pieces }
    /// BYTE-type pieces (and, with HuggingFace's byte fallback, the pieces spelled `<0xAB>`).
    public var bytePieceIds: [UInt32] { byteIds }
}

extension ScoredBPEModel: TokenVocabulary {
    public var tokens: [[UInt8]] { pieces }
    /// BYTE-type pieces.
    public var bytePieceIds: [UInt32] { byteIds }
}

/// A model that keeps its tokens as one `FlatByteStrings`, which the tokenizer's decoding table
/// (`TokenBytesTable`) then shares instead of copying the vocabulary.
package protocol FlatTokenStorage {
    /// Every token's bytes, by id.
    var tokenList: FlatByteStrings { get }
}

extension ScoredBPEModel: FlatTokenStorage {
    package var tokenList: FlatByteStrings { pieceList }
}

extension WordPieceModel: FlatTokenStorage {}

extension WordPieceModel: TokenVocabulary {
    public func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8 { lookup.id(of: token) }
}
