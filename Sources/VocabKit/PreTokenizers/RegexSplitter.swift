/// Splits on the matches of a regular expression (HuggingFace's `Split` pre-tokenizer).
///
/// For GPT-style patterns use `isolated` (each match a piece); the named patterns have faster
/// hand-written equivalents (`SplitPattern`).
public struct RegexSplitter: PieceSplitter {
    package let regex: ICURegex
    public let behavior: SplitDelimiterBehavior
    public let invert: Bool
    /// Whether the pattern is `digitGroupPattern`, matched by hand (tested against ICU).
    let isDigitGroups: Bool

    /// SuperBPE's zero-width cut of digit runs into groups of three from the right.
    public static let digitGroupPattern = "(?=(\\d{3})+(?!\\d))"

    public init(pattern: String, behavior: SplitDelimiterBehavior = .isolated, invert: Bool = false) throws {
        self.regex = try ICURegex(pattern)
        self.behavior = behavior
        self.invert = invert
        self.isDigitGroups = pattern == Self.digitGroupPattern
    }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) throws {
        let matches = isDigitGroups ? Self.digitGroupCuts(bytes, range) : try regex.matches(in: bytes, range, keepsEmpty: true)
        behavior.apply(matches, in: range, invert: invert, into: &pieces)
    }

    /// The (empty) matches of `digitGroupPattern` in `bytes[range]`: in each run of decimal
    /// digits (\p{Nd}), every position followed by a positive multiple of three digits up to
    /// the run's end.
    /// - Complexity: O(n); memory: the positions of one run.
    static func digitGroupCuts(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Range<Int>] {
        var cuts: [Range<Int>] = []
        var starts: [Int] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            guard UnicodeTables.category(scalar) == .decimalNumber else {
                i += length
                continue
            }
            starts.removeAll(keepingCapacity: true)
            while i < range.upperBound {
                let (digit, width) = decodeScalar(bytes, i)
                guard UnicodeTables.category(digit) == .decimalNumber else { break }
                starts.append(i)
                i += width
            }
            for (k, start) in starts.enumerated() where (starts.count - k) % 3 == 0 { cuts.append(start..<start) }
        }
        return cuts
    }
}

/// Splits on every occurrence of a literal string (HuggingFace's `Split` with a string pattern).
public struct LiteralSplitter: PieceSplitter {
    public let delimiter: [UInt8]
    public let behavior: SplitDelimiterBehavior

    public init(_ delimiter: String, behavior: SplitDelimiterBehavior) {
        self.delimiter = Array(delimiter.utf8)
        self.behavior = behavior
    }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var matches: [Range<Int>] = []
        if let first = delimiter.first {
            var i = range.lowerBound
            while i + delimiter.count <= range.upperBound {
                if bytes[i] == first && delimiter.indices.allSatisfy({ bytes[i + $0] == delimiter[$0] }) {
                    matches.append(i..<(i + delimiter.count))
                    i += delimiter.count
                } else {
                    i += 1
                }
            }
        }
        behavior.apply(matches, in: range, into: &pieces)
    }
}

// The registry entries (see PreTokenizerComponent).
extension RegexSplitter { public var component: PreTokenizerComponent? { .regex(regex.pattern, behavior: behavior, invert: invert) } }
extension LiteralSplitter { public var component: PreTokenizerComponent? { .literal(String(decoding: delimiter, as: UTF8.self), behavior: behavior) } }
