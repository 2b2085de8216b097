/// Shared machinery for the hand-written splitters: decoding and classifying code points.
///
/// The splitters replace regular expressions on the hot path. They read valid UTF-8 (normalized
/// text always is) and classify each code point with one load from `UnicodeTables`.
struct Scanner {
    let p: UnsafeBufferPointer<UInt8>
    let end: Int
    private let table: UnsafePointer<UInt8>
    private let classes: UnsafePointer<ScannerClass>
    private let ascii: UnsafePointer<ScannerClass>

    /// Runs `body` with a scanner over `bytes[..<end]`.
    static func with<R>(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, _ body: (Scanner) throws -> R) rethrows -> R {
        try UnicodeTables.categories.withUnsafeBufferPointer { table in
            try ScannerClass.byTableByte.withUnsafeBufferPointer { classes in
                try ScannerClass.ascii.withUnsafeBufferPointer { ascii in
                    try body(Scanner(p: bytes, end: end, table: table.baseAddress!, classes: classes.baseAddress!,
                                     ascii: ascii.baseAddress!))
                }
            }
        }
    }

    /// The scalar at `i` and its length.
    @inline(__always)
    func scalar(at i: Int) -> (UInt32, Int) { decodeScalar(p, i) }

    /// The class and length of the code point at `i` (empty class past the end).
    @inline(__always)
    func classAt(_ i: Int) -> (ScannerClass, Int) {
        if i >= end { return ([], 0) }
        let b = p[i]
        if b < 0x80 { return (ascii[Int(b)], 1) }
        let (scalar, length) = decodeScalar(p, i)
        return (ScannerClass.of(scalar, table: table, classes: classes), length)
    }

    /// The end of the run of code points from `i` whose class intersects `wanted`.
    @inline(__always)
    func run(from i: Int, while wanted: ScannerClass) -> Int {
        var j = i
        while j < end {
            let (c, length) = classAt(j)
            if !c.contains(where: wanted) { break }
            j += length
        }
        return j
    }

    /// The end of the run of code points from `i` that are neither whitespace, letter nor number.
    @inline(__always)
    func runOfOther(from i: Int) -> Int {
        var j = i
        while j < end {
            let (c, length) = classAt(j)
            if !c.isDisjoint(with: [.space, .letter, .number]) { break }
            j += length
        }
        return j
    }

    /// The end of the run of whitespace from `i`, with the start of its last code point and the
    /// end of its last line break (`i` when it has none).
    @inline(__always)
    func whitespaceRun(from i: Int) -> (end: Int, lastStart: Int, afterLastLineBreak: Int) {
        var j = i, last = i, afterBreak = i
        while j < end {
            let (c, length) = classAt(j)
            if !c.contains(.space) { break }
            last = j
            j += length
            if c.contains(.lineBreak) { afterBreak = j }
        }
        return (j, last, afterBreak)
    }

    /// The length of an English contraction at `i` (`'s 't 're 've 'm 'll 'd`), or 0.
    ///
    /// Case-insensitive matching follows the regex engines' simple case folding: "S" and "ſ"
    /// (U+017F, which folds to "s") match "s".
    @inline(__always)
    func contraction(at i: Int, caseInsensitive: Bool) -> Int {
        guard i + 1 < end, p[i] == 0x27 else { return 0 }
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { caseInsensitive && b >= 0x41 && b <= 0x5A ? b + 32 : b }
        let b1 = lower(p[i + 1])
        switch b1 {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        case 0x6C, 0x76, 0x72:  // l v r
            guard i + 2 < end else { return 0 }
            let b2 = lower(p[i + 2])
            if (b1 == 0x6C && b2 == 0x6C) || (b1 != 0x6C && b2 == 0x65) { return 3 }
            return 0
        case 0xC5:  // ſ is C5 BF
            return caseInsensitive && i + 2 < end && p[i + 2] == 0xBF ? 3 : 0
        default:
            return 0
        }
    }
}

extension ScannerClass {
    @inline(__always)
    func contains(where wanted: ScannerClass) -> Bool { !isDisjoint(with: wanted) }
}
