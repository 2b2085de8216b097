/// A hash table from byte strings to token ids, built once and read by many threads.
///
/// Keys live in one flat byte buffer; 16-byte slots hold (hash, offset, length, id) in open
/// addressing with linear probing, at most half full. Lookups take a byte slice and allocate nothing, which
/// the encoder needs on its hot path (Swift's `Dictionary<[UInt8], UInt32>` would allocate an
/// array per lookup and hash with SipHash).
///
/// An `AbsenceFilter` answers most look-ups of absent keys before a slot is read: encoders look
/// up whole pieces that are mostly not tokens on CJK text.
package struct ByteStringTable: Sendable {
    private struct Slot: Sendable {
        /// The high half of the key's hash (`slotHash`): the slot's home is its low bits.
        var hash: UInt32 = 0
        var offset: UInt32 = 0
        var length: UInt32 = 0
        var id: UInt32 = UInt32.max  // max: empty
    }

    private var slots: [Slot]
    private var keys: [UInt8] = []
    private var filter: AbsenceFilter
    private var mask: Int
    package private(set) var count = 0

    package init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        filter = AbsenceFilter(slots: size)
        mask = size - 1
    }

    /// The filter bucket of a slot hash (its low bits, 3 more than a slot's), for a table whose
    /// slot mask is `mask`.
    @inline(__always)
    private static func bucket(_ h: UInt32, mask: Int) -> Int { Int(h) & (mask << 3 | 7) }

    /// A table from each of `strings` to its position, whose keys are `strings`' own buffer (no
    /// copy). Nil when `strings` has 4 GiB of bytes or more (offsets are 32-bit); otherwise the
    /// table and the position of the first string equal to an earlier one, if any (the table
    /// then holds the strings before it).
    /// - Complexity: O(total bytes) expected.
    package static func indexing(_ strings: FlatByteStrings) -> (table: ByteStringTable, firstDuplicate: Int?)? {
        guard strings.bytes.count <= Int(UInt32.max) else { return nil }
        var table = ByteStringTable(capacity: strings.count)   // at most half full: never grows here
        table.keys = strings.bytes
        let mask = table.mask
        var inserted = 0
        var duplicate: Int?
        table.slots.withUnsafeMutableBufferPointer { slots in
            strings.withView { view in
                for id in 0..<view.count {
                    let range = view.range(id), key = view[id]
                    let h = slotHash(key)
                    var index = Int(h) & mask
                    while slots[index].id != UInt32.max {
                        let slot = slots[index]
                        if slot.hash == h && Int(slot.length) == key.count
                            && (key.count == 0 || memcmp(view.bytes.baseAddress! + Int(slot.offset), key.baseAddress!, key.count) == 0) {
                            duplicate = id
                            return
                        }
                        index = (index + 1) & mask
                    }
                    slots[index] = Slot(hash: h, offset: UInt32(range.lowerBound), length: UInt32(key.count), id: UInt32(id))
                    table.filter.insert(bucket: bucket(h, mask: mask))
                    inserted += 1
                }
            }
        }
        table.count = inserted
        return (table, duplicate)
    }

    /// The 32 bits of `hash` a slot keeps and is placed by (the high half, which the final
    /// multiply mixes best): 16-byte slots instead of 24, so a third fewer cache lines per
    /// table (the encoders' look-ups are mostly cache misses).
    @inline(__always)
    static func slotHash(_ p: UnsafeBufferPointer<UInt8>) -> UInt32 { UInt32(truncatingIfNeeded: hash(p) >> 32) }

    /// FNV-1a over 8-byte words, then a final mix: fast on short tokens, good spread.
    @inlinable @inline(__always)
    package static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(p.count)
        var i = 0
        if let base = p.baseAddress {
            while i + 8 <= p.count {
                h = (h ^ UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) &* 0x0000_0100_0000_01B3
                i += 8
            }
        }
        while i < p.count {
            h = (h ^ UInt64(p[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    /// The id of `key`, or nil.
    @inline(__always)
    package func id(of key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let h = Self.slotHash(key)
        guard filter.mayContain(bucket: Self.bucket(h, mask: mask)) else { return nil }
        var index = Int(h) & mask
        return slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                while true {
                    let slot = slots[index]
                    if slot.id == UInt32.max { return nil }
                    if slot.hash == h && Int(slot.length) == key.count
                        && (key.count == 0 || memcmp(keys.baseAddress! + Int(slot.offset), key.baseAddress!, key.count) == 0) {
                        return slot.id
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// The id of `key`, or nil.
    package func id<C: Collection>(of key: C) -> UInt32? where C.Element == UInt8 {
        let bytes = Array(key)
        return bytes.withUnsafeBufferPointer { id(of: $0) }
    }

    /// Inserts or replaces `key` → `id`.
    package mutating func insert<C: Collection>(_ key: C, id: UInt32) where C.Element == UInt8 {
        if key.withContiguousStorageIfAvailable({ insert(buffer: $0, id: id) }) != nil { return }
        let bytes = Array(key)
        _ = bytes.withUnsafeBufferPointer { insert(buffer: $0, id: id) }
    }

    /// Inserts `key` → `id` if `key` is absent; returns false (and changes nothing) if present.
    /// One probe sequence, where `id(of:)` then `insert` would take two.
    package mutating func insertNew<C: Collection>(_ key: C, id: UInt32) -> Bool where C.Element == UInt8 {
        if let inserted = key.withContiguousStorageIfAvailable({ insert(buffer: $0, id: id, replacing: false) }) { return inserted }
        let bytes = Array(key)
        return bytes.withUnsafeBufferPointer { insert(buffer: $0, id: id, replacing: false) }
    }

    /// Inserts `key` → `id`, or replaces its id if `replacing`: one probe sequence, no copy of the
    /// key unless it is new. Returns whether the key was new.
    /// - Complexity: O(key length) expected.
    @discardableResult
    private mutating func insert(buffer key: UnsafeBufferPointer<UInt8>, id: UInt32, replacing: Bool = true) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        let h = Self.slotHash(key)
        var index = Int(h) & mask
        let mask = self.mask
        let existing: Bool = slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                while slots[index].id != UInt32.max {
                    let slot = slots[index]
                    if slot.hash == h && Int(slot.length) == key.count
                        && (key.count == 0 || memcmp(keys.baseAddress! + Int(slot.offset), key.baseAddress!, key.count) == 0) {
                        return true
                    }
                    index = (index + 1) & mask
                }
                return false
            }
        }
        if existing {
            if replacing { slots[index].id = id }
            return false
        }
        slots[index] = Slot(hash: h, offset: UInt32(keys.count), length: UInt32(key.count), id: id)
        filter.insert(bucket: Self.bucket(h, mask: mask))
        keys.append(contentsOf: key)
        count += 1
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        filter = AbsenceFilter(slots: slots.count)
        mask = slots.count - 1
        for slot in old where slot.id != UInt32.max {
            var index = Int(slot.hash) & mask
            while slots[index].id != UInt32.max { index = (index + 1) & mask }
            slots[index] = slot
            filter.insert(bucket: Self.bucket(slot.hash, mask: mask))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
