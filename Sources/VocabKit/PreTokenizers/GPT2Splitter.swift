/// GPT-2's pre-tokenizer (also r50k and p50k), as a hand-written scanner.
///
/// Produces exactly the matches of tiktoken's form of the GPT-2 pattern
/// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`,
/// which splits the same as the original `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
/// ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`. Tested against ICU's regex engine on every corpus file.
///
/// - Complexity: O(n), each byte decoded once or twice.
public struct GPT2Splitter: PieceSplitter {
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
        // 1. 's 't 're 've 'm 'll 'd (lowercase only).
        let contraction = s.contraction(at: i, caseInsensitive: false)
        if contraction > 0 { return i + contraction }
        // 2-4. An optional space, then a run of letters, of numbers, or of anything else.
        var (c, length) = s.classAt(i)
        var start = i
        if s.p[i] == 0x20 {
            let (c2, length2) = s.classAt(i + 1)
            if length2 > 0 && !c2.contains(.space) {
                start = i + 1
                c = c2
                length = length2
            }
        }
        if c.contains(.letter) { return s.run(from: start + length, while: .letter) }
        if c.contains(.number) { return s.run(from: start + length, while: .number) }
        if !c.contains(.space) { return s.runOfOther(from: start + length) }
        // 5-7. Whitespace: all of it at the end; otherwise all but its last character, which
        // then starts the next piece (or stands alone).
        let ws = s.whitespaceRun(from: i)
        if ws.end == s.end { return ws.end }
        if ws.lastStart > i { return ws.lastStart }
        return i + length
    }
}

// The registry entries (see PreTokenizerComponent).
extension GPT2Splitter { public var component: PreTokenizerComponent? { .pattern(.gpt2) } }
