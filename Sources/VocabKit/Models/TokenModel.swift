/// The third stage of the pipeline: the model that turns each piece into tokens.
public enum TokenModel: Sendable {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)
    case unigram(UnigramModel)
    /// SentencePiece's BPE (merges ranked by piece score, from `.model` files).
    case scoredBPE(ScoredBPEModel)
    /// Whole words plus a character-level spelling model (VocabKit's char-word hybrid).
    case hybrid(HybridModel)
    /// One token per word, or the unknown token (HuggingFace's `WordLevel`).
    case wordLevel(WordLevelModel)

    /// The model's vocabulary: the one switch over the models besides `encode`.
    public var vocabulary: any TokenVocabulary {
        switch self {
        case .bpe(let model): return model
        case .wordPiece(let model): return model
        case .unigram(let model): return model
        case .scoredBPE(let model): return model
        case .hybrid(let model): return model
        case .wordLevel(let model): return model
        }
    }

    /// The number of tokens.
    public var vocabularySize: Int { vocabulary.vocabularySize }

    /// Token bytes by id (`TokenVocabulary.tokens`: read it once, not per token).
    public var tokens: [[UInt8]] { vocabulary.tokens }

    /// The kinds of model, as file formats see them.
    public enum Kind: Sendable, Equatable {
        case bpe(byteLevel: Bool), wordPiece, unigram, scoredBPE, hybrid, wordLevel
    }

    /// This model's kind.
    public var kind: Kind {
        switch self {
        case .bpe(let model): return .bpe(byteLevel: model.isByteLevel)
        case .wordPiece: return .wordPiece
        case .unigram: return .unigram
        case .scoredBPE: return .scoredBPE
        case .hybrid: return .hybrid
        case .wordLevel: return .wordLevel
        }
    }

    /// Whether tokens are raw bytes written in GPT-2's byte alphabet (byte-level BPE).
    public var isByteLevel: Bool {
        if case .bpe(let model) = self { return model.isByteLevel }
        return false
    }

    /// The id of a token given as bytes.
    public func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8 { vocabulary.id(of: token) }

    /// The token of `id` as a display string.
    public func tokenString(_ id: UInt32) -> String { vocabulary.tokenString(id) }

    /// Encodes one piece, appending its tokens (offsets relative to the piece). With
    /// `scratch.sampling` set, Unigram samples a segmentation and SentencePiece BPE drops merges.
    @inline(__always)
    public func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout EncoderScratch) {
        withPieceEncoder { $0(piece, &output, &scratch) }
    }

    /// One piece's encoder (`encode(piece:into:scratch:)`), given to `body` for a run of pieces.
    package typealias PieceEncoder = (UnsafeBufferPointer<UInt8>, inout [PieceToken], inout EncoderScratch) -> Void

    /// Calls `body` with this model's piece encoder. The switch over the model type binds the
    /// model once for the whole run: binding it per piece retained and released each of the
    /// model's arrays per piece (5% of encoding English with cl100k).
    @inline(__always)
    package func withPieceEncoder<R>(_ body: (PieceEncoder) throws -> R) rethrows -> R {
        switch self {
        case .bpe(let model):
            return try body { model.encode(piece: $0, into: &$1, scratch: &$2.bpe) }
        case .wordPiece(let model):
            return try body { piece, output, _ in model.encode(piece: piece, into: &output) }
        case .unigram(let model):
            return try body { piece, output, scratch in
                if let sampling = scratch.sampling {
                    model.encodeSampled(piece: piece, into: &output, sampling: sampling, generator: &scratch.generator)
                } else {
                    model.encode(piece: piece, into: &output, scratch: &scratch.unigram)
                }
            }
        case .scoredBPE(let model):
            return try body { piece, output, scratch in
                model.encode(piece: piece, into: &output, dropout: scratch.sampling?.alpha ?? 0, generator: &scratch.generator,
                             scratch: &scratch.scoredBPE)
            }
        case .hybrid(let model):
            return try body { model.encode(piece: $0, into: &$1, scratch: &$2.bpe) }
        case .wordLevel(let model):
            return try body { piece, output, _ in model.encode(piece: piece, into: &output) }
        }
    }
}
