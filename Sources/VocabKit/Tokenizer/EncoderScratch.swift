/// Reusable encoding state, one per thread: each model's buffers and piece cache, and the subword
/// sampling settings with their seeded generator. Keep one per thread and pass it to
/// `Tokenizer.encode(_:allowsAddedTokens:scratch:)` to encode without allocating per call.
///
/// Opaque: what it holds depends on the models (`BPEScratch`, `UnigramScratch`).
public struct EncoderScratch {
    package var bpe = BPEScratch()
    package var unigram = UnigramScratch()
    package var scoredBPE = ScoredBPEScratch()
    /// One piece's tokens, reused from piece to piece and from call to call.
    package var pieceTokens: [PieceToken] = []
    /// The front end's arrays, reused from text to text.
    package var frontEnd = FrontEndBuffers()
    /// Subword regularization (Unigram sampling, SentencePiece BPE dropout); nil encodes the best
    /// segmentation.
    public var sampling: SubwordSampling?
    package var generator: SplitMix64

    public init(sampling: SubwordSampling? = nil) {
        self.sampling = sampling
        self.generator = SplitMix64(seed: sampling?.seed ?? 0)
    }

    /// Frees the models' buffers that hold more than `limit` elements (the piece cache stays).
    package mutating func dropBuffers(over limit: Int) {
        bpe.dropBuffers(over: limit)
        if unigram.largestCapacity > limit { unigram = UnigramScratch() }
        if scoredBPE.largestCapacity > limit { scoredBPE = ScoredBPEScratch() }
        if pieceTokens.capacity > limit { pieceTokens = [] }
        frontEnd.dropBuffers(over: limit)
    }

    /// Restarts the sampling generator at `seed` (so results do not depend on which thread
    /// encodes which text).
    public mutating func reseed(_ seed: UInt64) { generator = SplitMix64(seed: seed) }
}
