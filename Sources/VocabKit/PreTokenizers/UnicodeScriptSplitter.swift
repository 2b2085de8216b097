/// Splits where the Unicode script changes (HuggingFace's `UnicodeScripts`).
///
/// As in HuggingFace: Hiragana, Katakana and the prolonged sound mark U+30FC count as Han, so
/// Japanese text is not cut between kana and kanji; the space U+0020 belongs to any script and
/// never causes a cut. Punctuation and digits are script Common and so are cut from letters
/// ("hello," → "hello", ","); combining marks are Inherited.
///
/// Also as in HuggingFace (for identical ids from its files): spaces before the first character
/// that is not a space are dropped, and a piece of only spaces yields nothing, because its cut
/// list starts at the first script change rather than at 0.
public struct UnicodeScriptSplitter: PieceSplitter {
    public init() {}

    // ICU UScriptCode values.
    private static let han: UInt16 = 17, hiragana: UInt16 = 20, katakana: UInt16 = 22
    private static let any = UInt16.max

    @inline(__always)
    static func fixedScript(_ scalar: UInt32) -> UInt16 {
        if scalar == 0x30FC { return han }
        if scalar == 0x20 { return any }
        let script = UnicodeTables.script(scalar)
        return script == hiragana || script == katakana ? han : script
    }

    /// No script seen yet.
    private static let none = UInt16.max - 1

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var start = -1  // no piece before the first cut
        var last = Self.none
        var i = range.lowerBound
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            let script = Self.fixedScript(scalar)
            if script != Self.any && last != Self.any && script != last {
                if start >= 0 && i > start { pieces.append(start..<i) }
                start = i
            }
            if script != Self.any { last = script }
            i += length
        }
        if start >= 0 && start < range.upperBound { pieces.append(start..<range.upperBound) }
    }
}

// The registry entries (see PreTokenizerComponent).
extension UnicodeScriptSplitter { public var component: PreTokenizerComponent? { .unicodeScripts } }
