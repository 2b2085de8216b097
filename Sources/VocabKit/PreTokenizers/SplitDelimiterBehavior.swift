/// What a splitter does with the delimiters it finds (HuggingFace's `SplitDelimiterBehavior`).
///
/// For "the-final--countdown" split on "-":
/// - `removed`: the, final, countdown
/// - `isolated`: the, -, final, -, -, countdown
/// - `mergedWithPrevious`: the-, final-, -, countdown
/// - `mergedWithNext`: the, -final, -, -countdown
/// - `contiguous`: the, -, final, --, countdown
public enum SplitDelimiterBehavior: String, Sendable, CaseIterable {
    case removed, isolated, mergedWithPrevious, mergedWithNext, contiguous

    /// The name used in `tokenizer.json` ("Removed", "MergedWithPrevious", ...).
    public var jsonName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// Cuts `range` at the delimiter ranges `delimiters` (sorted, disjoint, inside `range`) and
    /// appends the resulting pieces. With `invert`, the given ranges are the pieces and the gaps
    /// between them are the delimiters. An empty delimiter takes part like any other and empty
    /// pieces are dropped at the end, as in HuggingFace (so a zero-width match cuts there).
    ///
    /// - Complexity: O(d) for d delimiters.
    public func apply(_ delimiters: [Range<Int>], in range: Range<Int>, invert: Bool = false,
                      into pieces: inout [Range<Int>]) {
        // 1. Alternate gaps and matches over the whole range, flagging the delimiters.
        var parts: [(range: Range<Int>, isDelimiter: Bool)] = []
        parts.reserveCapacity(delimiters.count * 2 + 1)
        var position = range.lowerBound
        for match in delimiters {
            if match.lowerBound > position { parts.append((position..<match.lowerBound, invert)) }
            parts.append((match, !invert))
            position = match.upperBound
        }
        if position < range.upperBound { parts.append((position..<range.upperBound, invert)) }
        // 2. Combine them as the behavior says.
        let start = pieces.count
        var previousWasDelimiter = false
        switch self {
        case .removed:
            for part in parts where !part.isDelimiter { pieces.append(part.range) }
        case .isolated:
            for part in parts { pieces.append(part.range) }
        case .mergedWithPrevious:
            for part in parts {
                if part.isDelimiter && !previousWasDelimiter && pieces.count > start {
                    pieces[pieces.count - 1] = pieces[pieces.count - 1].lowerBound..<part.range.upperBound
                } else {
                    pieces.append(part.range)
                }
                previousWasDelimiter = part.isDelimiter
            }
        case .mergedWithNext:
            var reversed: [Range<Int>] = []
            for part in parts.reversed() {
                if part.isDelimiter && !previousWasDelimiter && !reversed.isEmpty {
                    reversed[reversed.count - 1] = part.range.lowerBound..<reversed[reversed.count - 1].upperBound
                } else {
                    reversed.append(part.range)
                }
                previousWasDelimiter = part.isDelimiter
            }
            pieces.append(contentsOf: reversed.reversed())
        case .contiguous:
            for part in parts {
                if part.isDelimiter == previousWasDelimiter && pieces.count > start {
                    pieces[pieces.count - 1] = pieces[pieces.count - 1].lowerBound..<part.range.upperBound
                } else {
                    pieces.append(part.range)
                }
                previousWasDelimiter = part.isDelimiter
            }
        }
        // 3. Empty pieces (from empty delimiters) go.
        if parts.contains(where: { $0.range.isEmpty }) {
            var kept = start
            for index in start..<pieces.count where !pieces[index].isEmpty {
                pieces[kept] = pieces[index]
                kept += 1
            }
            pieces.removeSubrange(kept...)
        }
    }
}
