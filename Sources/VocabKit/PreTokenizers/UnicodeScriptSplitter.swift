/// Splits where the Unicode script changes (HuggingFace's `UnicodeScripts`).
///
/// As in HuggingFace: Hiragana, Katakana and the prolonged sound mark U+30FC count as Han, so
/// Japanese text is not cut between kana and kanji; the space U+0020 belongs to any script and
/// never causes a cut. Punctuation and digits are script Common and so are cut from letters
/// ("hello," → "hello", ","); combining marks are Inherited.
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

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var start = range.lowerBound
        var last = Self.any
        var i = range.lowerBound
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            let script = Self.fixedScript(scalar)
            if script != Self.any && last != Self.any && script != last && i > start {
                pieces.append(start..<i)
                start = i
            }
            if script != Self.any { last = script }
            i += length
        }
        if start < range.upperBound { pieces.append(start..<range.upperBound) }
    }
}
