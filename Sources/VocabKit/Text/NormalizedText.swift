/// UTF-8 text after normalization, with the alignment back to the original bytes.
///
/// Every normalizer step rewrites `bytes` and keeps the alignment, so an encoder can report, for
/// any piece of normalized text, the byte range of the original input it came from.
///
/// ```swift
/// var text = try NormalizedText(validating: Array("Ｈｅｌｌｏ".utf8))
/// try UnicodeFormNormalizer(.nfkc).normalize(&text)
/// text.string                      // "Hello"
/// text.originalRange(of: 1..<2)    // 3..<6: the bytes of "ｅ"
/// ```
public struct NormalizedText: Sendable, Equatable {
    /// The normalized text, always valid UTF-8.
    public internal(set) var bytes: [UInt8]
    /// The length in bytes of the original input.
    public let originalCount: Int
    /// How many ill-formed UTF-8 sequences of the input were replaced by U+FFFD.
    public internal(set) var replacedInvalidSequences: Int
    var alignment: Alignment

    /// Validates `utf8` and wraps it, unnormalized, with an identity alignment.
    ///
    /// With `.replace`, each maximal ill-formed subsequence becomes U+FFFD aligned to the bad
    /// bytes, and `replacedInvalidSequences` counts them. With `.strict`, the first one throws.
    /// - Complexity: O(n).
    public init(validating utf8: UnsafeBufferPointer<UInt8>, policy: InvalidUTF8Policy = .replace) throws {
        try self.init(validating: utf8, policy: policy, storage: [])
    }

    /// `init(validating:policy:)`, valid input copied into `storage` (an empty array whose
    /// capacity is reused: `FrontEndBuffers`) instead of a new array.
    /// - Complexity: O(n).
    init(validating utf8: UnsafeBufferPointer<UInt8>, policy: InvalidUTF8Policy, storage: [UInt8]) throws {
        assert(storage.isEmpty)
        guard utf8.count < Int(Int32.max) else { throw TextError.textTooLarge(bytes: utf8.count) }
        self.originalCount = utf8.count
        self.alignment = Alignment()
        guard let firstInvalid = UTF8Validation.firstInvalidOffset(utf8) else {
            var bytes = storage
            bytes.append(contentsOf: utf8)
            self.bytes = bytes
            self.replacedInvalidSequences = 0
            return
        }
        if policy == .strict { throw TextError.invalidUTF8(offset: firstInvalid) }
        (self.bytes, self.alignment, self.replacedInvalidSequences) = Self.repair(utf8, from: firstInvalid)
    }

    /// Validates and wraps an array of bytes (see `init(validating:policy:)`).
    public init(validating utf8: [UInt8], policy: InvalidUTF8Policy = .replace) throws {
        self = try utf8.withUnsafeBufferPointer { try NormalizedText(validating: $0, policy: policy) }
    }

    /// Validates and wraps a slice of bytes (see `init(validating:policy:)`).
    public init(validating utf8: ArraySlice<UInt8>, policy: InvalidUTF8Policy = .replace) throws {
        self = try utf8.withUnsafeBufferPointer { try NormalizedText(validating: $0, policy: policy) }
    }

    /// Wraps a Swift string (always valid UTF-8).
    public init(_ string: String) {
        self.bytes = Array(string.utf8)
        self.originalCount = bytes.count
        self.replacedInvalidSequences = 0
        self.alignment = Alignment()
    }

    init(bytes: [UInt8], originalCount: Int, alignment: Alignment, replacedInvalidSequences: Int) {
        self.bytes = bytes
        self.originalCount = originalCount
        self.alignment = alignment
        self.replacedInvalidSequences = replacedInvalidSequences
    }

    /// The normalized text as a `String`.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The byte range of the original input that normalized bytes `range` came from.
    /// - Complexity: O(log s) for s changed regions.
    public func originalRange(of range: Range<Int>) -> Range<Int> {
        var hints = (-1, -1)
        return originalRange(of: range, hints: &hints)
    }

    /// `originalRange(of:)` for ranges taken in increasing order: `hints` (start at (0, 0); any
    /// order stays exact, only slower) carry the search from one call to the next.
    /// - Complexity: amortized O(1) when starts and ends increase, else O(log s).
    @inline(__always)
    func originalRange(of range: Range<Int>, hints: inout (Int, Int)) -> Range<Int> {
        let start = alignment.originalStart(range.lowerBound, hint: &hints.0)
        if range.isEmpty { return start..<start }
        return start..<max(start, alignment.originalEnd(range.upperBound, hint: &hints.1))
    }

    /// How many regions of the text changed length under normalization (for diagnostics).
    public var changedRegionCount: Int { alignment.spans.count }

    private static func repair(_ p: UnsafeBufferPointer<UInt8>, from firstInvalid: Int) -> ([UInt8], Alignment, Int) {
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var output: [UInt8] = []
        output.reserveCapacity(p.count + 8)
        var alignment = Alignment()
        var count = 0
        do {
            output.append(contentsOf: p[0..<firstInvalid])
            var i = firstInvalid
            while i < p.count {
                let length = UTF8Validation.sequenceLength(p, at: i)
                if length > 0 {
                    output.append(contentsOf: p[i..<(i + length)])
                    i += length
                    continue
                }
                let start = output.count
                output.append(contentsOf: replacement)
                alignment.spans.append(AlignmentSpan(
                    normalizedStart: start, normalizedEnd: output.count,
                    originalStart: i, originalEnd: i - length))
                count += 1
                i -= length
            }
        }
        return (output, alignment, count)
    }
}

extension NormalizedText {
    /// The regions that did not map one-to-one onto the original, as (normalized start,
    /// normalized end, original start, original end) byte offsets.
    public var changedRegions: [(Int, Int, Int, Int)] {
        alignment.spans.map { ($0.normalizedStart, $0.normalizedEnd, $0.originalStart, $0.originalEnd) }
    }
}
