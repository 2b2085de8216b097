#if canImport(Glibc)
import Glibc
#endif
import VocabKit

/// Counts of distinct byte strings (pre-tokens), growable, with no allocation per lookup.
///
/// Open addressing with linear probing, at most half full. Words of up to 8 bytes are kept in
/// their slot (most pieces of text are that short), longer ones in one flat byte buffer, so a
/// lookup of a short word reads no key buffer. Counts are 64-bit: HuggingFace's counters once
/// overflowed at 32 bits on large corpora.
public struct WordCountTable: Sendable {
    private struct Slot: Sendable {
        var hash: UInt64 = 0
        /// Where the word starts in `keys`, or, for words of up to 8 bytes, the word itself
        /// (byte i in bits 8i..<8i+8, the rest zero).
        var offset: Int = 0
        var length: Int32 = -1  // -1: empty
        var count: Int64 = 0
        var isInline: Bool { length <= 8 }
    }

    /// A word of up to 8 bytes packed as a slot holds it.
    @inline(__always)
    private static func packed(_ word: UnsafeBufferPointer<UInt8>) -> Int {
        var value: UInt64 = 0
        if let base = word.baseAddress { withUnsafeMutableBytes(of: &value) { $0.baseAddress!.copyMemory(from: base, byteCount: word.count) } }
        return Int(bitPattern: UInt(value.littleEndian))
    }

    /// Calls `body` with the bytes of the word in `slot`.
    @inline(__always)
    private static func withWord<R>(_ slot: Slot, keys: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard slot.isInline else { return try body(UnsafeBufferPointer(rebasing: keys[slot.offset..<(slot.offset + Int(slot.length))])) }
        var value = UInt64(UInt(bitPattern: slot.offset)).littleEndian
        return try withUnsafeBytes(of: &value) { try body(UnsafeBufferPointer(start: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Int(slot.length))) }
    }

    private var slots: [Slot]
    private var keys: [UInt8] = []
    private var mask: Int
    /// The number of distinct words.
    public private(set) var count = 0

    /// The bytes the table holds: its slots and its keys.
    public var memoryBytes: Int { slots.count * MemoryLayout<Slot>.stride + keys.capacity }

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    /// Adds `amount` to the count of `word`.
    /// - Complexity: O(length of word), amortized.
    public mutating func add(_ word: UnsafeBufferPointer<UInt8>, _ amount: Int64 = 1) {
        if (count + 1) * 2 > slots.count { grow() }
        let h = ByteStringTable.hash(word)
        let inline = word.count <= 8
        let packed = inline ? Self.packed(word) : 0
        var index = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[index]
            if slot.length < 0 { break }
            if slot.hash == h && Int(slot.length) == word.count && (inline ? slot.offset == packed : keys.withUnsafeBufferPointer({
                memcmp($0.baseAddress! + slot.offset, word.baseAddress!, word.count) == 0
            })) {
                slots[index].count += amount
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(hash: h, offset: inline ? packed : keys.count, length: Int32(word.count), count: amount)
        if !inline { keys.append(contentsOf: word) }
        count += 1
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: WordCountTable) {
        other.forEach { word, amount in add(word, amount) }
    }

    /// Calls `body` with every word and its count, in table order.
    public func forEach(_ body: (UnsafeBufferPointer<UInt8>, Int64) -> Void) {
        keys.withUnsafeBufferPointer { keys in
            for slot in slots where slot.length >= 0 { Self.withWord(slot, keys: keys) { body($0, slot.count) } }
        }
    }

    /// Calls `body` with every word and its count in byte order, without copying the words.
    /// - Complexity: O(n log n) comparisons of the words; memory about 6 bytes per word (the order and the sort's scratch).
    public func forEachSorted(_ body: (UnsafeBufferPointer<UInt8>, Int64) throws -> Void) rethrows {
        precondition(slots.count <= Int(UInt32.max), "a word table of 2^32 slots")
        var order: [UInt32] = []
        order.reserveCapacity(count)
        for (index, slot) in slots.enumerated() where slot.length >= 0 { order.append(UInt32(index)) }
        try keys.withUnsafeBufferPointer { keys in
            try slots.withUnsafeBufferPointer { slots in
                order.sort { a, b in
                    Self.withWord(slots[Int(a)], keys: keys) { x in
                        Self.withWord(slots[Int(b)], keys: keys) { y in
                            let common = min(x.count, y.count)
                            let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                            return order != 0 ? order < 0 : x.count < y.count
                        }
                    }
                }
                for index in order { try Self.withWord(slots[Int(index)], keys: keys) { try body($0, slots[Int(index)].count) } }
            }
        }
    }

    /// Every word with its count, sorted by bytes (a deterministic order, whatever the thread count).
    public func sortedWords() -> WordList {
        var result = WordList()
        result.reserveCapacity(words: count, bytes: slots.reduce(0) { $0 + max(0, Int($1.length)) })
        forEachSorted { result.append($0, count: $1) }
        return result
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.length >= 0 {
            var index = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[index].length >= 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
