extension SentencePieceNormalizer {
    /// Normalizes text whose alignment is still the identity in one pass over its bytes, writing
    /// the output and its alignment spans directly; nil when a rewrite or a user-defined symbol
    /// puts a space in the output, or a rule starts with one (`normalizeBySegments` handles those).
    ///
    /// Gives exactly what `normalizeBySegments` gives, spans included (tested against it):
    /// 1. Characters no rule starts with are copied as runs; a rule's output is copied, with a
    ///    span when its length differs from what it replaced.
    /// 2. With `removesExtraWhitespace`, leading spaces are one deletion. A space or the dummy
    ///    prefix, and the spaces and deletions after it, wait until something is written: the
    ///    dummy prefix and the first space (unless the text so far is empty or ends in a space)
    ///    are then written as "▁" and the others are deletions. At the end of the text they all
    ///    become deletions (trailing spaces are dropped).
    /// 3. Without it, every space and the dummy prefix are written at once.
    /// - Complexity: O(n x longest rule); one output buffer and one span per changed region.
    package func normalizeInOnePass(_ text: NormalizedText) -> NormalizedText? {
        var buffers = FrontEndBuffers()
        return normalizeInOnePass(text, buffers: &buffers)
    }

    /// `normalizeInOnePass(_:)` writing into spare arrays taken from `buffers` (given back
    /// when it returns nil).
    /// - Complexity: O(n x longest rule).
    func normalizeInOnePass(_ text: NormalizedText, buffers: inout FrontEndBuffers) -> NormalizedText? {
        // A rule or symbol that starts with a space could rewrite spaces: the segment path.
        guard !mayRewrite[0x20] else { return nil }
        guard !text.bytes.isEmpty else { return text }
        var writer = OnePassWriter(capacity: text.bytes.count, space: escapesWhitespace ? Self.escapedSpace : [0x20],
                                   spanForSpace: escapesWhitespace, collapses: removesExtraWhitespace, buffers: &buffers)
        defer { buffers.recycle(waiting: &writer.waiting) }
        let outputs = charsMap?.outputs ?? []
        let collapses = removesExtraWhitespace
        let completed: Bool = text.bytes.withUnsafeBufferPointer { p in
            outputs.withUnsafeBufferPointer { mapped in
                let count = p.count
                var i = 0
                // Phase 1: leading spaces, then the dummy prefix.
                if collapses {
                    while i < count && p[i] == 0x20 { i += 1 }
                    if i > 0 { writer.delete(0..<i) }
                    if i == count { return true }
                }
                if addsDummyPrefix && !treatsWhitespaceAsSuffix {
                    if collapses { writer.wait(i..<i, isSpace: true) } else { writer.writeSpace(i..<i, alwaysSpan: true) }
                }
                // Phase 2: runs, spaces and rewrites.
                while i < count {
                    let lead = p[i]
                    if lead == 0x20 {
                        if collapses { writer.wait(i..<(i + 1), isSpace: true) } else { writer.writeSpace(i..<(i + 1), alwaysSpan: false) }
                        i += 1
                        continue
                    }
                    if !mayRewriteCharacter(p, at: i) {
                        let runStart = i
                        repeat {
                            i += min(count - i, Self.leadLength(p[i]))
                        } while i < count && p[i] != 0x20 && !mayRewriteCharacter(p, at: i)
                        writer.write(UnsafeBufferPointer(rebasing: p[runStart..<i]), replacing: runStart..<i)
                        continue
                    }
                    let (length, replacement) = rewrite(p, at: i)
                    let source = i..<(i + length)
                    let output = replacement.map { UnsafeBufferPointer(rebasing: mapped[$0]) } ?? UnsafeBufferPointer(rebasing: p[source])
                    if output.contains(0x20) { return false }
                    if output.isEmpty {
                        if writer.isWaiting { writer.wait(source, isSpace: false) } else { writer.delete(source) }
                    } else {
                        writer.write(output, replacing: source)
                    }
                    i += length
                }
                return true
            }
        }
        guard completed else {
            buffers.recycle(bytes: &writer.bytes)
            buffers.recycle(spans: &writer.spans)
            return nil
        }
        // Phase 3: trailing spaces, then the suffix space.
        writer.flush(atEnd: true)
        if addsDummyPrefix && treatsWhitespaceAsSuffix && !writer.bytes.isEmpty {
            writer.writeSpace(text.bytes.count..<text.bytes.count, alwaysSpan: true)
        }
        return NormalizedText(bytes: writer.bytes, originalCount: text.originalCount, alignment: Alignment(spans: writer.spans),
                              replacedInvalidSequences: text.replacedInvalidSequences)
    }

    /// Whether a rule or symbol may start at `i` (false: the character there is copied as is).
    /// A character of three bytes takes one look-up, by code point: its bit is set only where
    /// the first-byte and pair filters pass (`updateFilters`), so it alone gives their answer.
    @inline(__always)
    private func mayRewriteCharacter(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let lead = p[i]
        if lead & 0xF0 == 0xE0 && i + 2 < p.count {
            let scalar = Int(lead & 0x0F) << 12 | Int(p[i + 1] & 0x3F) << 6 | Int(p[i + 2] & 0x3F)
            return Self.isSet(mayRewriteTriple, scalar)
        }
        guard mayRewrite[Int(lead)] else { return false }
        guard lead >= 0xC0, i + 1 < p.count else { return true }
        // Two or four bytes (or three cut short, which valid UTF-8 rules out): by the pair.
        return Self.isSet(mayRewritePair, Int(lead) << 8 | Int(p[i + 1]))
    }

    /// The length of the character a lead byte starts (the text is valid UTF-8).
    @inline(__always)
    private static func leadLength(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }
}

/// The output of `normalizeInOnePass`: bytes, spans, and the spaces waiting to be written.
private struct OnePassWriter {
    var bytes: [UInt8] = []
    var spans: [AlignmentSpan] = []
    /// Waiting source ranges in order, each a space (the dummy prefix: empty) or a deletion: the
    /// first `waitingCount` entries (the array is reused).
    var waiting: [FrontEndBuffers.Pending]
    private var waitingCount = 0
    private let space: [UInt8]
    private let spanForSpace: Bool
    /// Whether the last thing written is a space, or nothing is written yet and spaces collapse
    /// (SentencePiece then drops the next space).
    private var afterSpace: Bool

    /// A writer whose arrays are `buffers`' spares (the pending spaces go back when it is done:
    /// `waiting`).
    init(capacity: Int, space: [UInt8], spanForSpace: Bool, collapses: Bool, buffers: inout FrontEndBuffers) {
        bytes = buffers.takeBytes(minimumCapacity: capacity + capacity / 2 + 4)
        spans = buffers.takeSpans()
        waiting = buffers.takeWaiting()
        // A span per escaped space: about one per 6 bytes of prose. Reserved up front (at most
        // 64 spans, 2 KB; longer text grows as before), a 100-byte line's spans take one
        // allocation instead of six.
        if spanForSpace { spans.reserveCapacity(min(capacity / 5, 60) + 4) }
        self.space = space
        self.spanForSpace = spanForSpace
        self.afterSpace = collapses
    }

    var isWaiting: Bool { waitingCount > 0 }

    /// Appends a few bytes one by one (a word, the escaped space): the array's bulk append is a
    /// call that costs more than the copy for these lengths (5% of Unigram English samples).
    @inline(__always)
    private static func append<C: RandomAccessCollection>(_ source: C, to bytes: inout [UInt8]) where C.Element == UInt8, C.Index == Int {
        if source.count <= 16 {
            for index in source.indices { bytes.append(source[index]) }
        } else {
            bytes.append(contentsOf: source)
        }
    }

    mutating func wait(_ source: Range<Int>, isSpace: Bool) {
        if waitingCount < waiting.count { waiting[waitingCount] = (source, isSpace) } else { waiting.append((source, isSpace)) }
        waitingCount += 1
    }

    /// A span from normalized `start` to the end of the output, replacing `source`.
    private mutating func span(from start: Int, _ source: Range<Int>) {
        spans.append(AlignmentSpan(normalizedStart: start, normalizedEnd: bytes.count,
                                   originalStart: source.lowerBound, originalEnd: source.upperBound))
    }

    mutating func delete(_ source: Range<Int>) { span(from: bytes.count, source) }

    /// Writes a space for `source` (a span when escaping, or always for the dummy prefix).
    mutating func writeSpace(_ source: Range<Int>, alwaysSpan: Bool) {
        let start = bytes.count
        Self.append(space, to: &bytes)
        if alwaysSpan || spanForSpace { span(from: start, source) }
    }

    /// Writes the waiting items, then `output` in place of `source`.
    mutating func write(_ output: UnsafeBufferPointer<UInt8>, replacing source: Range<Int>) {
        if waitingCount > 0 { flush(atEnd: false) }
        let start = bytes.count
        Self.append(output, to: &bytes)
        if output.count != source.count { span(from: start, source) }
        afterSpace = false
    }

    /// The dummy prefix and the first waiting space (unless one was just written) are written
    /// and the rest deleted; `atEnd`, all are deleted.
    mutating func flush(atEnd: Bool) {
        if waitingCount == 1 && !atEnd {  // the usual case: one space between words
            let (source, isSpace) = waiting[0]
            waitingCount = 0
            if source.isEmpty || (isSpace && !afterSpace) { writeSpace(source, alwaysSpan: source.isEmpty) } else { delete(source) }
            return
        }
        var wrote = atEnd || afterSpace
        for index in 0..<waitingCount {
            let (source, isSpace) = waiting[index]
            if source.isEmpty && !atEnd {  // the dummy prefix, written even after a space
                writeSpace(source, alwaysSpan: true)
                wrote = true
            } else if isSpace && !wrote {
                writeSpace(source, alwaysSpan: false)
                wrote = true
            } else if !source.isEmpty {
                delete(source)
            }
        }
        waitingCount = 0
    }
}
