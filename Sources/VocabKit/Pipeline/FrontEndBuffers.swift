/// Spare buffers the text front end reuses from text to text on one thread (inside
/// `EncoderScratch`), so that encoding a short line does not allocate its validated copy, its
/// normalized bytes, their alignment spans and its piece list anew.
///
/// An encoder hands a text's arrays back with `recycle(_:)` when it is done with them; the next
/// text takes them (`takeBytes()`, ...), emptied with their capacity kept. Arrays are values, so a
/// caller that still holds one keeps its contents: taking it then costs the allocation it saves.
/// Bound: two byte arrays, one span, one piece and one pending-space array, each as large as
/// the largest text seen until `dropBuffers(over:)` frees those over its limit.
package struct FrontEndBuffers {
    private var bytes: [UInt8] = []
    private var moreBytes: [UInt8] = []
    private var spans: [AlignmentSpan] = []
    private var pieces: [Range<Int>] = []
    /// The one-pass SentencePiece normalizer's pending spaces and deletions.
    var waiting: [(source: Range<Int>, isSpace: Bool)] = []

    package init() {}

    /// An empty byte array, with the capacity of a spare one if there is one. O(1).
    mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        if bytes.capacity >= moreBytes.capacity { swap(&taken, &bytes) } else { swap(&taken, &moreBytes) }
        taken.removeAll(keepingCapacity: true)
        return taken
    }

    /// An empty span array, with the spare one's capacity. O(1).
    mutating func takeSpans() -> [AlignmentSpan] {
        var taken: [AlignmentSpan] = []
        swap(&taken, &spans)
        taken.removeAll(keepingCapacity: true)
        return taken
    }

    /// An empty piece array, with the spare one's capacity. O(1).
    mutating func takePieces() -> [Range<Int>] {
        var taken: [Range<Int>] = []
        swap(&taken, &pieces)
        taken.removeAll(keepingCapacity: true)
        return taken
    }

    /// Keeps `array` as a spare byte array in place of the smaller spare. O(1).
    mutating func recycle(bytes array: inout [UInt8]) {
        if bytes.capacity <= moreBytes.capacity { swap(&bytes, &array) } else { swap(&moreBytes, &array) }
        array = []
    }

    /// Keeps `array` as the spare span array if it holds more room. O(1).
    mutating func recycle(spans array: inout [AlignmentSpan]) {
        if array.capacity > spans.capacity { swap(&spans, &array) }
        array = []
    }

    /// Takes back a text's bytes, spans and pieces once its tokens are out (the text is left
    /// empty). O(1).
    package mutating func recycle(_ text: inout PreTokenizedText) {
        recycle(bytes: &text.text.bytes)
        recycle(spans: &text.text.alignment.spans)
        if text.pieces.capacity > pieces.capacity { swap(&pieces, &text.pieces) }
        text.pieces = []
    }

    /// The largest buffer's capacity.
    var largestCapacity: Int {
        max(bytes.capacity, moreBytes.capacity, spans.capacity, pieces.capacity, waiting.capacity)
    }

    /// Frees every spare buffer if one holds more than `limit` elements.
    package mutating func dropBuffers(over limit: Int) {
        if largestCapacity > limit { self = FrontEndBuffers() }
    }
}
