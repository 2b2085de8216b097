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
    var words: [Int32]

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
