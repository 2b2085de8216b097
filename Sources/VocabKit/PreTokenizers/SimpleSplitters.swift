/// Splits on whitespace (Unicode White_Space), dropping it (HuggingFace's `WhitespaceSplit`).
public struct WhitespaceSplitter: PieceSplitter {
    public init() {}

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        Scanner.with(bytes, end: range.upperBound) { s in
            var i = range.lowerBound
            while i < range.upperBound {
                let (c, length) = s.classAt(i)
                if c.contains(.space) { i += length; continue }
                var j = i + length
                while j < range.upperBound {
                    let (c2, length2) = s.classAt(j)
                    if c2.contains(.space) { break }
                    j += length2
                }
                pieces.append(i..<j)
                i = j
            }
        }
    }
}

/// Runs of word characters, and runs of other non-space characters (HuggingFace's `Whitespace`,
/// the regex `\w+|[^\w\s]+`); whitespace is dropped. Word characters are those of Unicode's
/// `\w` (UTS #18, as Oniguruma has it): Alphabetic, marks, decimal digits, connector punctuation
/// and the joiners U+200C and U+200D.
public struct WordPunctuationSplitter: PieceSplitter {
    public init() {}

    @inline(__always)
    static func isWordCharacter(_ scalar: UInt32) -> Bool {
        if scalar == 0x200C || scalar == 0x200D || UnicodeTables.isAlphabetic(scalar) { return true }
        let category = UnicodeTables.category(scalar)
        return category.isMark || category == .decimalNumber || category == .connectorPunctuation
    }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var i = range.lowerBound
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            if UnicodeTables.isWhiteSpace(scalar) { i += length; continue }
            let word = Self.isWordCharacter(scalar)
            var j = i + length
            while j < range.upperBound {
                let (next, nextLength) = decodeScalar(bytes, j)
                if UnicodeTables.isWhiteSpace(next) || Self.isWordCharacter(next) != word { break }
                j += nextLength
            }
            pieces.append(i..<j)
            i = j
        }
    }
}

/// BERT's pre-tokenizer: splits on whitespace (dropped) and makes every punctuation character a
/// piece of its own. Punctuation is ASCII punctuation or any Unicode P* character, as in
/// HuggingFace's `BertPreTokenizer` (so "$" and "+" are punctuation, "£" is not).
public struct BertPreTokenizer: PieceSplitter {
    public init() {}

    @inline(__always)
    static func isPunctuation(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<128: return false
        default: return UnicodeTables.category(scalar).isPunctuation
        }
    }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var i = range.lowerBound
        var wordStart = -1
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            let space = UnicodeTables.isWhiteSpace(scalar)
            if space || Self.isPunctuation(scalar) {
                if wordStart >= 0 { pieces.append(wordStart..<i); wordStart = -1 }
                if !space { pieces.append(i..<(i + length)) }
            } else if wordStart < 0 {
                wordStart = i
            }
            i += length
        }
        if wordStart >= 0 { pieces.append(wordStart..<range.upperBound) }
    }
}

/// Makes every punctuation character (as `BertPreTokenizer` defines it) a delimiter, with a
/// chosen behavior (HuggingFace's `Punctuation`; `isolated` by default).
public struct PunctuationSplitter: PieceSplitter {
    public let behavior: SplitDelimiterBehavior

    public init(behavior: SplitDelimiterBehavior = .isolated) { self.behavior = behavior }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var delimiters: [Range<Int>] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            if BertPreTokenizer.isPunctuation(scalar) { delimiters.append(i..<(i + length)) }
            i += length
        }
        behavior.apply(delimiters, in: range, into: &pieces)
    }
}

/// Separates numbers (Unicode N*: Nd, Nl, No) from the text around them.
///
/// `maxRun` says how many number characters one piece may hold: 1 puts every digit alone
/// (HuggingFace's `Digits(individual_digits=True)`, Llama 2's split digits), 3 cuts runs into
/// groups of up to three from the left (as `\p{N}{1,3}` in cl100k), nil keeps whole runs
/// (`Digits(individual_digits=False)`). Text between numbers stays one piece.
public struct DigitsSplitter: PieceSplitter {
    public let maxRun: Int?

    public init(maxRun: Int? = 1) { self.maxRun = maxRun.map { max(1, $0) } }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var i = range.lowerBound
        var otherStart = -1
        var digitStart = -1, digitCount = 0
        func closeDigits(at end: Int) {
            if digitStart >= 0 { pieces.append(digitStart..<end); digitStart = -1; digitCount = 0 }
        }
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            if UnicodeTables.category(scalar).isNumber {
                if otherStart >= 0 { pieces.append(otherStart..<i); otherStart = -1 }
                if let maxRun, digitCount == maxRun { closeDigits(at: i) }
                if digitStart < 0 { digitStart = i }
                digitCount += 1
            } else {
                closeDigits(at: i)
                if otherStart < 0 { otherStart = i }
            }
            i += length
        }
        closeDigits(at: range.upperBound)
        if otherStart >= 0 { pieces.append(otherStart..<range.upperBound) }
    }
}

// The registry entries (see PreTokenizerComponent).
extension WhitespaceSplitter { public var component: PreTokenizerComponent? { .whitespaceSplit } }
extension WordPunctuationSplitter { public var component: PreTokenizerComponent? { .wordPunctuation } }
extension BertPreTokenizer { public var component: PreTokenizerComponent? { .bert } }
extension PunctuationSplitter { public var component: PreTokenizerComponent? { .punctuation(behavior) } }
extension DigitsSplitter { public var component: PreTokenizerComponent? { .digits(maxRun: maxRun) } }
