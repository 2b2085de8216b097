/// The o200k (GPT-4o) pre-tokenizer, as a hand-written scanner.
///
/// Pattern (tiktoken `o200k_base`), alternatives in order:
/// 1. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
/// 2. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
/// 3. `\p{N}{1,3}`
/// 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
/// 5. `\s*[\r\n]+`
/// 6. `\s+(?!\S)`
/// 7. `\s+`
///
/// The letter alternatives backtrack; the scanner reproduces the regex engine's choice exactly:
/// greedy "upper" run, then the longest "lower" run that the backtracking would find. Tested
/// against ICU's regex engine.
///
/// - Complexity: O(n) amortized (the backtracking step looks back within one letter run).
public struct O200kSplitter: PieceSplitter {
    public init() {}

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        Scanner.with(bytes, end: range.upperBound) { s in
            var i = range.lowerBound
            while i < range.upperBound {
                let next = nextMatchEnd(s, i)
                pieces.append(i..<next)
                i = next
            }
        }
    }

    @inline(__always)
    private func nextMatchEnd(_ s: Scanner, _ i: Int) -> Int {
        let (c, length) = s.classAt(i)
        let prefixAllowed = c.isDisjoint(with: [.lineBreak, .letter, .number])
        // 1-2. Letter words, first with the optional prefix character, then without it.
        if prefixAllowed, let end = casedWord(s, from: i + length) { return end }
        if let end = casedWord(s, from: i) { return end }
        if prefixAllowed, let end = upperWord(s, from: i + length) { return end }
        if let end = upperWord(s, from: i) { return end }
        // 3. One to three numbers.
        if c.contains(.number) {
            var j = i + length
            for _ in 0..<2 {
                let (c2, length2) = s.classAt(j)
                guard c2.contains(.number) else { break }
                j += length2
            }
            return j
        }
        // 4. An optional space, a run of other characters, then any of "\r", "\n", "/".
        var start = i, first = c, firstLength = length
        if s.p[i] == 0x20 {
            let (c2, length2) = s.classAt(i + 1)
            if length2 > 0 && c2.isDisjoint(with: [.space, .letter, .number]) {
                start = i + 1; first = c2; firstLength = length2
            }
        }
        if first.isDisjoint(with: [.space, .letter, .number]) {
            var j = s.runOfOther(from: start + firstLength)
            while j < s.end && (s.p[j] == 0x0A || s.p[j] == 0x0D || s.p[j] == 0x2F) { j += 1 }
            return j
        }
        // 5-7. Whitespace.
        let ws = s.whitespaceRun(from: i)
        if ws.afterLastLineBreak > i { return ws.afterLastLineBreak }  // \s*[\r\n]+
        if ws.end == s.end { return ws.end }                           // \s+(?!\S) at the end
        if ws.lastStart > i { return ws.lastStart }                    // \s+(?!\S)
        return ws.end                                                  // \s+
    }

    /// Alternative 1 from `start` (after the prefix choice): `U*W+` then an optional contraction.
    private func casedWord(_ s: Scanner, from start: Int) -> Int? {
        // Greedy U*: the run of "upper" characters, remembering the last one that is also "lower"
        // (Lm, Lo, M), where the regex would backtrack to when W+ cannot start after the run.
        var k = start, lastBoth = -1, lastBothEnd = -1
        while k < s.end {
            let (c, length) = s.classAt(k)
            guard c.contains(.upperish) else { break }
            if c.contains(.lowerish) { lastBoth = k; lastBothEnd = k + length }
            k += length
        }
        let (next, nextLength) = s.classAt(k)
        let wordEnd: Int
        if next.contains(.lowerish) {
            wordEnd = s.run(from: k + nextLength, while: .lowerish)
        } else if lastBoth >= 0 {
            wordEnd = lastBothEnd
        } else {
            return nil
        }
        return wordEnd + s.contraction(at: wordEnd, caseInsensitive: true)
    }

    /// Alternative 2 from `start`: `U+W*` then an optional contraction.
    private func upperWord(_ s: Scanner, from start: Int) -> Int? {
        let k = s.run(from: start, while: .upperish)
        guard k > start else { return nil }
        let wordEnd = s.run(from: k, while: .lowerish)
        return wordEnd + s.contraction(at: wordEnd, caseInsensitive: true)
    }
}

// The registry entries (see PreTokenizerComponent).
extension O200kSplitter { public var component: PreTokenizerComponent? { .pattern(.o200k) } }
