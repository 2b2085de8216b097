/// Builds the next version of a `NormalizedText` from left to right, composing alignments.
///
/// A normalizer walks its input once and says, for each region in order, either "keep these
/// bytes" or "replace these bytes with those". The builder copies bytes, carries the existing
/// alignment over kept regions and records a new span (in original coordinates) for each
/// replacement that changes length. A same-length replacement of a region that maps byte-for-byte
/// (ASCII lowercasing) records nothing.
///
/// Usage: `keep(upTo:)` / `replace(upTo:with:)` / `insert(_:)` with non-decreasing positions,
/// then `finish()`.
struct NormalizedTextBuilder {
    private let source: NormalizedText
    private var bytes: [UInt8]
    private var spans: [AlignmentSpan] = []
    /// Bytes of `source` consumed so far.
    private(set) var position = 0
    /// The first span of `source` not yet fully carried over or replaced.
    private var spanIndex = 0

    init(source: NormalizedText, extraCapacity: Int = 16) {
        self.source = source
        self.bytes = []
        bytes.reserveCapacity(source.bytes.count + extraCapacity)
    }

    /// How many bytes the new text has so far.
    var outputCount: Int { bytes.count }

    /// Copies `source.bytes[position..<end]` unchanged.
    mutating func keep(upTo end: Int) {
        guard end > position else { return }
        carrySpans(upTo: end)
        bytes.append(contentsOf: source.bytes[position..<end])
        position = end
    }

    /// Replaces `source.bytes[position..<end]` by `replacement`.
    mutating func replace<C: Collection>(upTo end: Int, with replacement: C) where C.Element == UInt8 {
        carryDeletions(at: position)
        if end - position == replacement.count && noSpanOverlaps(upTo: end) {
            bytes.append(contentsOf: replacement)
            position = end
            return
        }
        let originalStart = source.alignment.originalStart(position)
        let originalEnd = end > position ? max(originalStart, source.alignment.originalEnd(end)) : originalStart
        let start = bytes.count
        bytes.append(contentsOf: replacement)
        spans.append(AlignmentSpan(normalizedStart: start, normalizedEnd: bytes.count,
                                   originalStart: originalStart, originalEnd: originalEnd))
        skipSpans(upTo: end)
        position = end
    }

    /// Replaces `source.bytes[position..<end]` by `replacement` the way HuggingFace's `Replace`
    /// aligns it: the replacement stands for the last character of the region only, and the
    /// characters before it are deleted (so a token made of the replacement maps to that last
    /// character, as in `tokenizers`).
    mutating func replaceAlignedToLast<C: Collection>(upTo end: Int, with replacement: C) where C.Element == UInt8 {
        var last = end - 1
        while last > position && source.bytes[last] & 0xC0 == 0x80 { last -= 1 }
        if last > position { replace(upTo: last, with: EmptyCollection()) }
        replace(upTo: end, with: replacement)
    }

    /// Inserts `insertion` at the current position, aligned to an empty original range there.
    mutating func insert<C: Collection>(_ insertion: C) where C.Element == UInt8 {
        replace(upTo: position, with: insertion)
    }

    /// Keeps the rest of the source and returns the new text.
    mutating func finish() -> NormalizedText {
        keep(upTo: source.bytes.count)
        carryDeletions(at: source.bytes.count)
        return NormalizedText(bytes: bytes, originalCount: source.originalCount,
                              alignment: Alignment(spans: spans),
                              replacedInvalidSequences: source.replacedInvalidSequences)
    }

    // MARK: - Carrying the source alignment

    private var sourceSpans: [AlignmentSpan] { source.alignment.spans }

    /// Whether no source span (other than deletions at `position`, already carried) touches
    /// `position..<end`.
    private func noSpanOverlaps(upTo end: Int) -> Bool {
        spanIndex == sourceSpans.count || sourceSpans[spanIndex].normalizedStart >= end
    }

    /// Copies deletions (empty spans) at exactly `offset` into the output.
    private mutating func carryDeletions(at offset: Int) {
        while spanIndex < sourceSpans.count {
            let span = sourceSpans[spanIndex]
            guard span.normalizedStart == offset && span.normalizedEnd == offset else { return }
            spans.append(shifted(span, from: offset, to: offset))
            spanIndex += 1
        }
    }

    /// Copies the parts of source spans inside `position..<end`, shifted to output coordinates.
    private mutating func carrySpans(upTo end: Int) {
        while spanIndex < sourceSpans.count {
            let span = sourceSpans[spanIndex]
            if span.normalizedStart >= end { return }
            let from = max(span.normalizedStart, position)
            let to = min(span.normalizedEnd, end)
            spans.append(shifted(span, from: from, to: to))
            if span.normalizedEnd > end { return }
            spanIndex += 1
        }
    }

    /// Drops source spans that end at or before `end` (they were replaced).
    private mutating func skipSpans(upTo end: Int) {
        while spanIndex < sourceSpans.count {
            let span = sourceSpans[spanIndex]
            let isDeletion = span.normalizedStart == span.normalizedEnd
            if isDeletion ? span.normalizedStart >= end : span.normalizedEnd > end { return }
            spanIndex += 1
        }
    }

    private func shifted(_ span: AlignmentSpan, from: Int, to: Int) -> AlignmentSpan {
        let shift = bytes.count - position
        return AlignmentSpan(normalizedStart: from + shift, normalizedEnd: to + shift,
                             originalStart: span.originalStart, originalEnd: span.originalEnd)
    }
}
