/// One region of normalized text that does not map byte-for-byte onto the original.
///
/// Normalized bytes `normalizedStart..<normalizedEnd` came from original bytes
/// `originalStart..<originalEnd`. An empty normalized range is a deletion; an empty original
/// range is an insertion.
struct AlignmentSpan: Equatable, Sendable {
    var normalizedStart: Int
    var normalizedEnd: Int
    var originalStart: Int
    var originalEnd: Int
}

/// The map from normalized byte offsets back to original byte offsets.
///
/// Only the regions that changed length are stored; everywhere else a normalized byte maps to
/// the original byte at a constant shift (the shift after the preceding span). Text that a
/// normalizer left unchanged, or changed only byte-for-byte (ASCII lowercasing), has no spans at
/// all, so alignment costs nothing on the common path. Spans are sorted by normalized offset and
/// do not overlap; their original ranges never decrease.
struct Alignment: Equatable, Sendable {
    var spans: [AlignmentSpan] = []

    /// The original offset where a piece that starts at normalized offset `n` starts.
    ///
    /// A start inside a replaced region maps to the start of what it replaced; a start right after
    /// a deletion maps to after the deleted bytes.
    /// - Complexity: O(log s) for s spans.
    func originalStart(_ n: Int) -> Int {
        var hint = -1
        return originalStart(n, hint: &hint)
    }

    /// `originalStart(n)`, starting the search at `hint` (the number of spans starting at or
    /// before an earlier, smaller offset: 0 at first; -1 searches from scratch) and leaving there
    /// the number starting at or before `n`.
    /// - Complexity: amortized O(1) for offsets in increasing order, else O(log s).
    @inline(__always)
    func originalStart(_ n: Int, hint: inout Int) -> Int {
        let found = Self.advance(spans, &hint) { $0 <= n }
        guard found > 0 else { return n }
        let span = spans[found - 1]
        if n < span.normalizedEnd { return span.originalStart }
        return span.originalEnd + (n - span.normalizedEnd)
    }

    /// The original offset where a piece that ends at normalized offset `n` ends.
    ///
    /// An end inside a replaced region maps to the end of what it replaced; an end right before a
    /// deletion maps to before the deleted bytes.
    /// - Complexity: O(log s) for s spans.
    func originalEnd(_ n: Int) -> Int {
        var hint = -1
        return originalEnd(n, hint: &hint)
    }

    /// `originalEnd(n)` with a search hint, as `originalStart(_:hint:)`.
    /// - Complexity: amortized O(1) for offsets in increasing order, else O(log s).
    @inline(__always)
    func originalEnd(_ n: Int, hint: inout Int) -> Int {
        let found = Self.advance(spans, &hint) { $0 < n }
        guard found > 0 else { return n }
        let span = spans[found - 1]
        if n <= span.normalizedEnd { return span.originalEnd }
        return span.originalEnd + (n - span.normalizedEnd)
    }

    /// The number of spans whose normalized start satisfies `isBefore` (true on a prefix of the
    /// spans): from `hint` forward while `hint` is still inside that prefix, else (or with a
    /// negative hint) by binary search.
    @inline(__always)
    private static func advance(_ spans: [AlignmentSpan], _ hint: inout Int, _ isBefore: (Int) -> Bool) -> Int {
        if hint < 0 || hint > spans.count || (hint > 0 && !isBefore(spans[hint - 1].normalizedStart)) {
            var lo = 0, hi = spans.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if isBefore(spans[mid].normalizedStart) { lo = mid + 1 } else { hi = mid }
            }
            hint = lo
        }
        while hint < spans.count && isBefore(spans[hint].normalizedStart) { hint += 1 }
        return hint
    }
}
