import Testing
@testable import VocabKit

/// The front end's spare arrays: what is kept, what is refused, what a take hands out.
@Suite("Front-end buffers")
struct FrontEndBuffersTests {
    @Test("every kind of array is kept up to keptElements and refused above it")
    func bound() {
        let limit = FrontEndBuffers.keptElements
        for capacity in [16, limit / 2, limit + 1] {
            var buffers = FrontEndBuffers()
            var bytes: [UInt8] = [], spans: [AlignmentSpan] = [], waiting: [FrontEndBuffers.Pending] = []
            bytes.reserveCapacity(capacity)
            spans.reserveCapacity(capacity)
            waiting.reserveCapacity(capacity)
            var text = PreTokenizedText(NormalizedText("x"))
            text.pieces.reserveCapacity(capacity)
            buffers.recycle(bytes: &bytes)
            buffers.recycle(spans: &spans)
            buffers.recycle(waiting: &waiting)
            buffers.recycle(&text)
            if capacity > limit { #expect(max(buffers.byteAndPieceCapacities.bytes, buffers.byteAndPieceCapacities.moreBytes) <= limit) }
            #expect(bytes.isEmpty && spans.isEmpty && waiting.isEmpty && text.pieces.isEmpty && text.text.bytes.isEmpty)
            let kept = (buffers.takeSpans().capacity, buffers.takeWaiting().capacity, buffers.takePieces().capacity)
            if capacity > limit {
                #expect(buffers.largestCapacity <= limit)
                #expect(kept.0 <= limit && kept.1 <= limit && kept.2 <= limit, "\(kept)")
            } else {
                #expect(kept.0 >= capacity && kept.1 >= capacity && kept.2 >= capacity, "\(kept)")
                let spares = buffers.byteAndPieceCapacities
                #expect(max(spares.bytes, spares.moreBytes) >= capacity, "\(spares)")
            }
        }
    }

    @Test("takes hand out empty arrays: the smaller byte spare that fits, else the larger grown; none past the limit")
    func takes() {
        var buffers = FrontEndBuffers()
        var small = [UInt8](repeating: 1, count: 100), large = [UInt8](repeating: 2, count: 5_000)
        buffers.recycle(bytes: &small)
        buffers.recycle(bytes: &large)
        let fits = buffers.takeBytes(minimumCapacity: 50)
        #expect(fits.isEmpty && fits.capacity >= 100 && fits.capacity < 5_000)
        var back = fits
        buffers.recycle(bytes: &back)
        let grown = buffers.takeBytes(minimumCapacity: 6_000)
        #expect(grown.isEmpty && grown.capacity >= 6_000)
        // A text too long to keep gets a new array; the spares stay for the next short one.
        let huge = buffers.takeBytes(minimumCapacity: FrontEndBuffers.keptElements + 1)
        #expect(huge.isEmpty && huge.capacity > FrontEndBuffers.keptElements)
        #expect(buffers.takeBytes(minimumCapacity: 10).capacity >= 100)
        var spans = [AlignmentSpan(normalizedStart: 0, normalizedEnd: 1, originalStart: 0, originalEnd: 2)]
        buffers.recycle(spans: &spans)
        #expect(buffers.takeSpans().isEmpty)
    }
}
