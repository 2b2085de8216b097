/// The BPE merge rules: for a pair of adjacent token ids, its rank (lower merges first) and the
/// id of the merged token.
///
/// Open addressing over 64-bit keys (left id << 32 | right id), at most half full: one multiply
/// and usually one probe per lookup. Each slot holds its key and its merge together (16 bytes),
/// so a hit reads one cache line: encoding CJK text is mostly these probes, and they miss the
/// cache (a 100k-merge table is 4 MB).
///
/// Most pairs probed while encoding have no merge (two Chinese characters that are tokens rarely
/// make one), so a one-bit-per-bucket filter with 8 buckets per slot (1/16 of the table's
/// memory: 256 KB for 100k merges, at most 1/16 of its bits set) answers "no merge" before the
/// table is read: a miss in a cache-sized bit array instead of the table's. A clear bit is exact
/// (every key sets its bit); a set bit is checked in the table.
package struct MergeTable: Sendable {
    package struct Merge: Sendable, Equatable {
        package var rank: UInt32
        package var result: UInt32
    }

    private struct Slot {
        var key: UInt64
        var merge: Merge
    }

    private var slots: [Slot]
    /// One bit per filter bucket: set when some key hashes to the bucket.
    private var filter: [UInt64]
    private var mask: Int
    private var shift: UInt64
    package private(set) var count = 0
    private static let empty = UInt64.max

    package init(capacity: Int = 16) {
        var size = 16, bits: UInt64 = 4
        while size < capacity * 2 { size <<= 1; bits += 1 }
        slots = [Slot](repeating: Slot(key: Self.empty, merge: Merge(rank: 0, result: 0)), count: size)
        filter = [UInt64](repeating: 0, count: size * Self.filterBucketsPerSlot / 64)
        mask = size - 1
        shift = 64 - bits
    }

    /// Filter buckets per table slot (a power of two); the filter's index is the slot's hash
    /// with three more bits.
    private static let filterBucketsPerSlot = 8

    @inline(__always)
    private static func hash(_ key: UInt64) -> UInt64 { key &* 0x9E37_79B9_7F4A_7C15 }

    @inline(__always)
    static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    private func slot(for key: UInt64) -> Int { Int(truncatingIfNeeded: Self.hash(key) >> shift) }

    /// The filter bucket of a hash: its top (slot bits + 3) bits.
    @inline(__always)
    private func bucket(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> (shift - 3)) }

    /// The merge of `left` then `right`, or nil.
    @inline(__always)
    package func merge(_ left: UInt32, _ right: UInt32) -> Merge? {
        let key = Self.key(left, right)
        let hash = Self.hash(key)
        let bucket = bucket(hash)
        let word = filter.withUnsafeBufferPointer { $0[bucket >> 6] }
        guard word & (1 &<< UInt64(bucket & 63)) != 0 else { return nil }
        var index = Int(truncatingIfNeeded: hash >> shift)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[index]
                if slot.key == key { return slot.merge }
                if slot.key == Self.empty { return nil }
                index = (index + 1) & mask
            }
        }
    }

    /// Adds or replaces a merge (a later duplicate replaces the earlier, as HuggingFace's map does).
    package mutating func insert(_ left: UInt32, _ right: UInt32, rank: UInt32, result: UInt32) {
        if (count + 1) * 2 > slots.count { grow() }
        let key = Self.key(left, right)
        var index = slot(for: key)
        while slots[index].key != Self.empty && slots[index].key != key { index = (index + 1) & mask }
        if slots[index].key == Self.empty { count += 1 }
        slots[index] = Slot(key: key, merge: Merge(rank: rank, result: result))
        let bucket = bucket(Self.hash(key))
        filter[bucket >> 6] |= 1 &<< UInt64(bucket & 63)
    }

    private mutating func grow() {
        let old = slots
        self = MergeTable(capacity: old.count)
        for slot in old where slot.key != Self.empty {
            insert(UInt32(slot.key >> 32), UInt32(slot.key & 0xFFFF_FFFF), rank: slot.merge.rank, result: slot.merge.result)
        }
    }
}
