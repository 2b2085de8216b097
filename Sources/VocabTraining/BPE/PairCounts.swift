/// Counts of adjacent symbol pairs (left id << 32 | right id), open addressing, never shrinking.
struct PairCounts {
    private var keys: [UInt64]
    private var values: [Int64]
    private var mask: Int
    private var shift: UInt64
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16, bits: UInt64 = 4
        while size < capacity * 2 { size <<= 1; bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Int64](repeating: 0, count: size)
        mask = size - 1
        shift = 64 - bits
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    subscript(key: UInt64) -> Int64 {
        var index = slot(key)
        while true {
            let k = keys[index]
            if k == key { return values[index] }
            if k == Self.empty { return 0 }
            index = (index + 1) & mask
        }
    }

    mutating func add(_ key: UInt64, _ amount: Int64) {
        if (count + 1) * 2 > keys.count { grow() }
        var index = slot(key)
        while keys[index] != key && keys[index] != Self.empty { index = (index + 1) & mask }
        if keys[index] == Self.empty { keys[index] = key; count += 1 }
        values[index] += amount
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        self = PairCounts(capacity: oldKeys.count)
        for (index, key) in oldKeys.enumerated() where key != Self.empty { add(key, oldValues[index]) }
    }
}

/// A pair's entry in the merge queue: its count when queued and the words it was seen in.
///
/// As in HuggingFace's trainer, an entry carries its own word list, and a pair can have several
/// entries (one per time it gained occurrences); merging a pair applies it to the words of the
/// entry that was popped.
struct MergeCandidate {
    var count: Int64
    var pair: UInt64
    var words: WordIndexList

    /// Higher count first; among equal counts the smaller pair (left id, then right id).
    @inline(__always)
    func precedes(_ other: MergeCandidate) -> Bool {
        count != other.count ? count > other.count : pair < other.pair
    }
}

/// A binary max-heap of merge candidates.
struct MergeQueue {
    private var items: [MergeCandidate] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ item: MergeCandidate) {
        items.append(item)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> MergeCandidate? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let left = 2 * i + 1, right = left + 1
            var best = i
            if left < items.count && items[left].precedes(items[best]) { best = left }
            if right < items.count && items[right].precedes(items[best]) { best = right }
            if best == i { break }
            items.swapAt(i, best)
            i = best
        }
        return top
    }
}

/// Ascending word indices, each stored as its gap from the previous one in a LEB128 varint:
/// 1 byte for gaps under 128, so about 1–2 bytes per index for the pairs that matter, against 4.
/// Most lists are short (a pair seen in a few words); their first 8 bytes live in the value
/// itself, so such a list allocates nothing: 24 bytes in all, against 64 or more with a buffer.
struct WordIndexList {
    /// The first 8 bytes of the code (byte i in bits 8i..<8i+8).
    private var head: UInt64 = 0
    /// The bytes after the first 8.
    private var tail: [UInt8] = []
    /// The last index appended (-1 when empty).
    private(set) var last: Int32 = -1
    /// Bytes in `head` (at most 8).
    private var headCount: UInt8 = 0

    /// The bytes of the code.
    var byteCount: Int { Int(headCount) + tail.count }

    @inline(__always)
    private mutating func appendByte(_ byte: UInt8) {
        if headCount < 8 {
            head |= UInt64(byte) << (8 * UInt64(headCount))
            headCount += 1
        } else {
            tail.append(byte)
        }
    }

    /// Appends `index`, which must be greater than every index before it.
    @inline(__always)
    mutating func append(_ index: Int32) {
        var gap = UInt32(index - last)
        last = index
        while gap >= 0x80 {
            appendByte(UInt8(gap & 0x7F) | 0x80)
            gap >>= 7
        }
        appendByte(UInt8(gap))
    }

    /// The same list in exactly the memory it needs (appending leaves up to half its buffer free).
    func compacted() -> WordIndexList {
        var copy = self
        if tail.capacity > tail.count { copy.tail = exactCopy(tail) }
        return copy
    }

    /// Calls `body` with each index, in order.
    @inline(__always)
    func forEach(_ body: (Int) -> Void) {
        var index = -1, gap = 0, shift = 0
        @inline(__always) func take(_ byte: UInt8) {
            gap |= Int(byte & 0x7F) << shift
            if byte < 0x80 {
                index += gap
                body(index)
                (gap, shift) = (0, 0)
            } else {
                shift += 7
            }
        }
        for i in 0..<Int(headCount) { take(UInt8(truncatingIfNeeded: head >> (8 * UInt64(i)))) }
        for byte in tail { take(byte) }
    }
}
