/// A bit per hashed pair that stands side by side inside some token: two two- or three-byte
/// characters (by code, below U+10000), a byte then such a character, or such a character
/// then a byte. A clear bit proves that no token holds the pair, so byte-level BPE never merges
/// across it when the character starts from its token (`BPEModel` cuts its pieces there): such
/// a merge's result would be a token holding the character whole and the byte or character
/// beside it. That needs every merge's result to be its sides' bytes; `CharacterStarts`
/// checks, and gives a vocabulary where one is not a full filter instead.
///
/// Memory: 2^19 bits (64 KB, so it stays in a core's L2 cache), allocated by the first pair.
/// Llama 3's tokens hold 6,998 pairs of characters, 9,126 of a byte then a character and
/// 3,289 of a character then a byte (cl100k's 761, 1,461 and 882): at most 3.7% of the bits
/// set, so at most 3.7% of the pairs of no token read as "may join" (a cut missed, never a
/// wrong one). On 2 MB of Chinese prose, Llama 3's pieces are cut at 65% of the places
/// between two characters that start whole and at 51% of those between one and a byte (cl100k:
/// 79% and 76%); in Japanese at 54% and 31% (cl100k: 70% and 70%).
struct JoinFilter: Sendable {
    static let bits = 19
    /// The bits (`AbsenceFilter`'s, one bucket per hashed pair); nil until the first pair.
    private var filter: AbsenceFilter?

    /// An empty filter: no pair is present.
    init() {}

    /// A filter where every pair may be present (nothing is ever cut).
    init(full: Void) { filter = AbsenceFilter(slots: 1 << (Self.bits - 3), everyBucket: true) }

    @inline(__always)
    private static func bit(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }
    /// The keys of the three kinds of pair, apart by construction: two characters below 2^32,
    /// a byte then a character tagged with bit 40, a character then a byte with bit 41.
    @inline(__always)
    private static func characters(_ left: Int, _ right: Int) -> UInt64 { UInt64(truncatingIfNeeded: left << 16 | right) }
    @inline(__always)
    private static func byteFirst(_ byte: UInt8, _ code: Int) -> UInt64 { 1 << 40 | UInt64(byte) << 16 | UInt64(truncatingIfNeeded: code) }
    @inline(__always)
    private static func byteLast(_ code: Int, _ byte: UInt8) -> UInt64 { 2 << 40 | UInt64(truncatingIfNeeded: code) << 8 | UInt64(byte) }

    private mutating func insert(_ key: UInt64) {
        if filter == nil { filter = AbsenceFilter(slots: 1 << (Self.bits - 3)) }
        filter?.insert(bucket: Self.bit(key))
    }

    @inline(__always)
    private func contains(_ key: UInt64) -> Bool { filter?.mayContain(bucket: Self.bit(key)) ?? false }

    /// Adds, at every offset of `token` (a token may start inside a character), each two- or
    /// three-byte character with the character or the byte after it and the byte before it.
    /// O(token bytes).
    mutating func add(pairsIn token: [UInt8]) {
        token.withUnsafeBufferPointer { bytes in
            for i in 0..<bytes.count where bytes[i] >= 0xC2 {
                guard let first = CharacterStarts.code(bytes, at: i) else { continue }
                let end = i + first.length
                if i > 0 { insert(Self.byteFirst(bytes[i - 1], first.code)) }
                guard end < bytes.count else { continue }
                insert(Self.byteLast(first.code, bytes[end]))
                if let second = CharacterStarts.code(bytes, at: end) { insert(Self.characters(first.code, second.code)) }
            }
        }
    }

    /// False when no token holds the character `left` followed by the character `right`. O(1).
    @inline(__always)
    func mayContain(_ left: Int, _ right: Int) -> Bool { contains(Self.characters(left, right)) }

    /// False when no token holds `byte` followed by the character `code`. O(1).
    @inline(__always)
    func mayContain(byte: UInt8, then code: Int) -> Bool { contains(Self.byteFirst(byte, code)) }

    /// False when no token holds the character `code` followed by `byte`. O(1).
    @inline(__always)
    func mayContain(_ code: Int, thenByte byte: UInt8) -> Bool { contains(Self.byteLast(code, byte)) }
}
