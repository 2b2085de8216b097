/// The cl100k (GPT-4) and Llama 3 pre-tokenizers, as a hand-written scanner.
///
/// cl100k: `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
/// ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`.
/// Llama 3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
/// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
/// The two split identically except that cl100k's `\s++$` keeps trailing whitespace whole, where
/// Llama 3 first ends a piece after the last line break. Tested against ICU's regex engine.
///
/// - Complexity: O(n).
public struct CL100kSplitter: PieceSplitter {
    /// Whether trailing whitespace at the end of a piece stays one piece (`\s++$`, cl100k) or is
    /// cut after its last line break first (Llama 3).
    public let keepsTrailingWhitespaceWhole: Bool

    /// The cl100k_base splitter.
    public static let cl100k = CL100kSplitter(keepsTrailingWhitespaceWhole: true)
    /// The Llama 3 splitter.
    public static let llama3 = CL100kSplitter(keepsTrailingWhitespaceWhole: false)

    public init(keepsTrailingWhitespaceWhole: Bool) {
        self.keepsTrailingWhitespaceWhole = keepsTrailingWhitespaceWhole
    }

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
        // 1. Contractions, any case.
        let contraction = s.contraction(at: i, caseInsensitive: true)
        if contraction > 0 { return i + contraction }
        let (c, length) = s.classAt(i)
        // 2. Letters, with one optional leading character that is not a line break, letter or number.
        if c.contains(.letter) { return s.run(from: i + length, while: .letter) }
        if !c.contains(.lineBreak) && !c.contains(.number) {
            let (c2, length2) = s.classAt(i + length)
            if c2.contains(.letter) { return s.run(from: i + length + length2, while: .letter) }
        }
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
        // 4. An optional space, a run of other characters, then any line breaks.
        var start = i, first = c, firstLength = length
        if s.p[i] == 0x20 {
            let (c2, length2) = s.classAt(i + 1)
            if length2 > 0 && c2.isDisjoint(with: [.space, .letter, .number]) {
                start = i + 1; first = c2; firstLength = length2
            }
        }
        if first.isDisjoint(with: [.space, .letter, .number]) {
            let end = s.runOfOther(from: start + firstLength)
            return s.run(from: end, while: .lineBreak)
        }
        // 5-8. Whitespace.
        let ws = s.whitespaceRun(from: i)
        if keepsTrailingWhitespaceWhole && ws.end == s.end { return ws.end }   // \s++$
        if ws.afterLastLineBreak > i { return ws.afterLastLineBreak }         // \s*[\r\n]
        if ws.end == s.end { return ws.end }                                  // \s+(?!\S) at the end
        if ws.lastStart > i { return ws.lastStart }                           // \s+(?!\S)
        return i + length                                                     // \s
    }
}

// The registry entries (see PreTokenizerComponent).
extension CL100kSplitter { public var component: PreTokenizerComponent? { .pattern(keepsTrailingWhitespaceWhole ? .cl100k : .llama3) } }
