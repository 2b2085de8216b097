/// Splits text into words with ICU's word segmentation (dictionary-based for Thai, Lao, Khmer,
/// Burmese, Chinese and Japanese), dropping segments that are only whitespace.
///
/// "ภาษาไทยง่ายนิดเดียว" becomes "ภาษา", "ไทย", "ง่าย", "นิด", "เดียว"; punctuation segments are
/// kept as pieces of their own.
public struct WordBreakSplitter: PieceSplitter {
    package let breaker: ICUWordBreaker
    /// Whether whitespace-only segments are kept as pieces (default: dropped).
    public let keepsWhitespace: Bool

    public init(locale: String = "", keepsWhitespace: Bool = false) throws {
        self.breaker = try ICUWordBreaker(locale: locale)
        self.keepsWhitespace = keepsWhitespace
    }

    public func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) throws {
        for (segment, kind) in try breaker.segments(in: bytes, range) {
            if !keepsWhitespace && kind == .none && isAllWhitespace(bytes, segment) { continue }
            pieces.append(segment)
        }
    }

    private func isAllWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            let (scalar, length) = decodeScalar(bytes, i)
            if !UnicodeTables.isWhiteSpace(scalar) { return false }
            i += length
        }
        return true
    }
}

// The registry entries (see PreTokenizerComponent).
extension WordBreakSplitter { public var component: PreTokenizerComponent? { .wordBreak(locale: breaker.locale, keepsWhitespace: keepsWhitespace) } }
