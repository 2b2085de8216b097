/// What to do with byte sequences that are not valid UTF-8.
public enum InvalidUTF8Policy: Sendable, Equatable {
    /// Replace each maximal ill-formed subsequence with U+FFFD and count it (the Unicode "maximal
    /// subpart" practice, as ICU, Python's `errors="replace"` and Swift's `String(decoding:)` do).
    case replace
    /// Throw `TextError.invalidUTF8` with the offset of the first bad sequence.
    case strict
}

/// UTF-8 validation and repair, written for speed on ASCII-heavy text.
package enum UTF8Validation {
    /// The length of the well-formed sequence starting at `i`, or the negated length of the
    /// maximal ill-formed subpart there (at least 1) when it is not well formed.
    ///
    /// Follows Table 3-7 of the Unicode Standard (well-formed UTF-8 byte sequences).
    @inline(__always)
    package static func sequenceLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b0 = p[i]
        if b0 < 0x80 { return 1 }
        let n = p.count
        @inline(__always) func isContinuation(_ j: Int) -> Bool { j < n && p[j] & 0xC0 == 0x80 }
        @inline(__always) func inRange(_ j: Int, _ lo: UInt8, _ hi: UInt8) -> Bool { j < n && p[j] >= lo && p[j] <= hi }
        switch b0 {
        case 0xC2...0xDF:
            return isContinuation(i + 1) ? 2 : -1
        case 0xE0...0xEF:
            let ok1: Bool
            switch b0 {
            case 0xE0: ok1 = inRange(i + 1, 0xA0, 0xBF)
            case 0xED: ok1 = inRange(i + 1, 0x80, 0x9F)
            default: ok1 = isContinuation(i + 1)
            }
            if !ok1 { return -1 }
            return isContinuation(i + 2) ? 3 : -2
        case 0xF0...0xF4:
            let ok1: Bool
            switch b0 {
            case 0xF0: ok1 = inRange(i + 1, 0x90, 0xBF)
            case 0xF4: ok1 = inRange(i + 1, 0x80, 0x8F)
            default: ok1 = isContinuation(i + 1)
            }
            if !ok1 { return -1 }
            if !isContinuation(i + 2) { return -2 }
            return isContinuation(i + 3) ? 4 : -3
        default:
            return -1
        }
    }

    /// The offset of the first ill-formed sequence, or nil when `p` is valid UTF-8.
    ///
    /// Runs of three-byte characters (Chinese, Japanese, Korean) take a fast path: a lead byte
    /// other than E0 and ED (whose second byte has a narrower range) followed by two
    /// continuation bytes is valid without `sequenceLength`'s cases (a Unigram encode of Japanese: +2%).
    /// - Complexity: O(n); eight ASCII bytes per step.
    static func firstInvalidOffset(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = p.count
        while i < n {
            let lead = p[i]
            if lead < 0x80 {
                i = skipASCII(p, from: i)
                continue
            }
            if lead > 0xE0 && lead <= 0xEF && lead != 0xED && i + 2 < n && p[i + 1] & 0xC0 == 0x80 && p[i + 2] & 0xC0 == 0x80 {
                i += 3
                continue
            }
            let length = sequenceLength(p, at: i)
            if length < 0 { return i }
            i += length
        }
        return nil
    }

    /// `firstInvalidOffset` by `sequenceLength` alone: the reference it is tested against.
    static func firstInvalidOffsetBySequences(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < p.count {
            let length = sequenceLength(p, at: i)
            if length < 0 { return i }
            i += length
        }
        return nil
    }

    /// The first index at or after `i` whose byte is not ASCII (or `p.count`).
    @inline(__always)
    static func skipASCII(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let n = p.count
        guard let base = p.baseAddress else { return n }
        while i + 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n && p[i] < 0x80 { i += 1 }
        return i
    }
}

/// Decodes one scalar from valid UTF-8 at `i`: the code point and its length in bytes.
@inlinable @inline(__always)
package func decodeScalar(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (scalar: UInt32, length: Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
        return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return ((b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
        | UInt32(p[i + 3] & 0x3F), 4)
}

/// The number of scalars in valid UTF-8 `bytes` (bytes that are not continuation bytes).
/// - Complexity: O(bytes).
@inlinable
package func scalarCount<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
    bytes.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
}

/// Appends the UTF-8 encoding of `scalar` to `bytes`.
@inlinable @inline(__always)
package func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | scalar >> 6)); bytes.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | scalar >> 12)); bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | scalar & 0x3F))
    default:
        bytes.append(UInt8(0xF0 | scalar >> 18)); bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F)); bytes.append(UInt8(0x80 | scalar & 0x3F))
    }
}

/// The length of the UTF-8 sequence a leading byte starts (1 for ASCII and for a stray
/// continuation byte; valid text only has leading bytes here).
@inline(__always)
package func utf8SequenceLength(leading byte: UInt8) -> Int {
    byte < 0xC0 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
}
