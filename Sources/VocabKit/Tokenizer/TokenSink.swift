/// Where the tokenizer's encoder puts the tokens of a text: an `Encoding` (ids, offsets into the
/// input, annotations) or `TokenIds` (ids alone, for callers that want only them).
///
/// A sink that keeps no offsets spares the encoder mapping every token back to the input
/// through the normalizer's alignment, and the four arrays an `Encoding` fills besides its ids.
protocol TokenSink {
    /// Whether `appendPlain` uses its offsets (else the encoder passes empty ranges).
    static var keepsOffsets: Bool { get }
    var replacedInvalidSequences: Int { get set }
    /// Appends a plain token (segment 0, not special, attended); O(1) amortized.
    mutating func appendPlain(_ id: UInt32, offset: Range<Int>)
    /// Appends an added token found in the input, with its annotations; O(1) amortized.
    mutating func appendAdded(_ id: UInt32, offset: Range<Int>)
    /// Completes the annotations of the tokens `appendPlain` added since the last call.
    mutating func completeAnnotations()
}

extension Encoding: TokenSink {
    static var keepsOffsets: Bool { true }

    mutating func appendAdded(_ id: UInt32, offset: Range<Int>) { append(id, offset: offset) }
}

/// The ids of an encoded text, without offsets or annotations (`Tokenizer.encodeIds`).
struct TokenIds: TokenSink {
    var ids: [UInt32]
    var replacedInvalidSequences = 0

    static var keepsOffsets: Bool { false }

    @inline(__always)
    mutating func appendPlain(_ id: UInt32, offset _: Range<Int>) { ids.append(id) }

    mutating func appendAdded(_ id: UInt32, offset _: Range<Int>) { ids.append(id) }

    mutating func completeAnnotations() {}
}
