/// A bit per bucket of a hash table's keys, set when some key falls in the bucket: a clear bit
/// proves a key absent without reading the table (`MergeTable`, `ByteStringTable`: encoders
/// look up mostly absent pairs and pieces on CJK text, and each probe of a multi-megabyte table
/// was a cache miss).
///
/// Eight buckets per table slot: the bucket index is the slot's hash with three more bits. For
/// tables of 16-byte slots at most half full, that is 1/16 of the table's memory (256 KB for
/// 100k keys) with at most 1/16 of the bits set.
struct AbsenceFilter: Sendable {
    private var words: [UInt64]

    /// An empty filter for a table of `slots` slots (a power of two, at least 8); with
    /// `everyBucket`, one whose every bit is set (nothing is proved absent).
    init(slots: Int, everyBucket: Bool = false) { words = [UInt64](repeating: everyBucket ? ~0 : 0, count: slots / 8) }

    @inline(__always)
    mutating func insert(bucket: Int) { words[bucket >> 6] |= 1 &<< UInt64(bucket & 63) }

    /// 1 when some key fell in `bucket`, else 0 (no branch, for batches). O(1).
    @inline(__always)
    func bit(bucket: Int) -> UInt64 {
        (words.withUnsafeBufferPointer { $0[bucket >> 6] } &>> UInt64(bucket & 63)) & 1
    }

    /// False when no key fell in `bucket`. O(1).
    @inline(__always)
    func mayContain(bucket: Int) -> Bool { bit(bucket: bucket) != 0 }
}
