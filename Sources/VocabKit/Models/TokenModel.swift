/// The third stage of the pipeline: the model that turns each piece into tokens.
public enum TokenModel: Sendable {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)

    /// The number of tokens.
    public var vocabularySize: Int {
        switch self {
        case .bpe(let model): return model.vocabularySize
        case .wordPiece(let model): return model.vocabularySize
        }
    }

    /// Token bytes by id.
    public var tokens: [[UInt8]] {
        switch self {
        case .bpe(let model): return model.tokens
        case .wordPiece(let model): return model.tokens
        }
    }

    /// Whether tokens are raw bytes written in GPT-2's byte alphabet (byte-level BPE).
    public var isByteLevel: Bool {
        if case .bpe(let model) = self { return model.isByteLevel }
        return false
    }

    /// The id of a token given as bytes.
    public func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8 {
        switch self {
        case .bpe(let model): return model.id(of: token)
        case .wordPiece(let model): return model.lookup.id(of: token)
        }
    }

    /// The token of `id` as a display string.
    public func tokenString(_ id: UInt32) -> String {
        switch self {
        case .bpe(let model): return model.tokenString(id)
        case .wordPiece(let model):
            return Int(id) < model.tokens.count ? String(decoding: model.tokens[Int(id)], as: UTF8.self) : ""
        }
    }

    /// Encodes one piece, appending its tokens (offsets relative to the piece).
    @inline(__always)
    public func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout BPEScratch) {
        switch self {
        case .bpe(let model): model.encode(piece: piece, into: &output, scratch: &scratch)
        case .wordPiece(let model): model.encode(piece: piece, into: &output)
        }
    }
}
