/// The BPE merge rules: for a pair of adjacent token ids, its rank (lower merges first) and the
/// id of the merged token.
///
/// Open addressing over 64-bit keys (left id << 32 | right id), at most half full: one multiply
/// and usually one probe per lookup.
package struct MergeTable: Sendable {
    package struct Merge: Sendable, Equatable {
        package var rank: UInt32
        package var result: UInt32
    }

    private var keys: [UInt64]
    private var values: [Merge]
    private var mask: Int
    private var shift: UInt64
    package private(set) var count = 0
    private static let empty = UInt64.max

    package init(capacity: Int = 16) {
        var size = 16, bits: UInt64 = 4
        while size < capacity * 2 { size <<= 1; bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Merge](repeating: Merge(rank: 0, result: 0), count: size)
        mask = size - 1
        shift = 64 - bits
    }

    @inline(__always)
    static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    private func slot(for key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The merge of `left` then `right`, or nil.
    @inline(__always)
    package func merge(_ left: UInt32, _ right: UInt32) -> Merge? {
        let key = Self.key(left, right)
        var index = slot(for: key)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let k = keys[index]
                if k == key { return values[index] }
                if k == Self.empty { return nil }
                index = (index + 1) & mask
            }
        }
    }

    /// Adds or replaces a merge (a later duplicate replaces the earlier, as HuggingFace's map does).
    package mutating func insert(_ left: UInt32, _ right: UInt32, rank: UInt32, result: UInt32) {
        if (count + 1) * 2 > keys.count { grow() }
        let key = Self.key(left, right)
        var index = slot(for: key)
        while keys[index] != Self.empty && keys[index] != key { index = (index + 1) & mask }
        if keys[index] == Self.empty { count += 1 }
        keys[index] = key
        values[index] = Merge(rank: rank, result: result)
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        self = MergeTable(capacity: oldKeys.count)
        for (index, key) in oldKeys.enumerated() where key != Self.empty {
            insert(UInt32(key >> 32), UInt32(key & 0xFFFF_FFFF), rank: oldValues[index].rank, result: oldValues[index].result)
        }
    }
}
