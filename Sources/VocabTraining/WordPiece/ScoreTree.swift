/// The best-scoring slot under updates: a segment tree over (score, key) slots.
///
/// "Best" is the highest score, and among equal scores the smallest key (a pair's left id, then
/// right id), so ties are broken the same way on every run. An update is O(log n); the best slot
/// is at the root. Unlike a lazy heap, it stays correct when scores rise as well as fall, which
/// the WordPiece likelihood score does (merging a pair lowers the counts in other pairs'
/// denominators), and it holds exactly one entry per slot.
struct ScoreTree {
    private(set) var scores: [Double] = []
    private(set) var keys: [UInt64] = []
    /// Tree nodes hold the index of the best slot below them; leaves start at `capacity`.
    private var nodes: [Int32] = []
    private var capacity = 0

    /// Adds a slot; returns its index.
    mutating func append(key: UInt64, score: Double) -> Int {
        let index = scores.count
        scores.append(score)
        keys.append(key)
        if index >= capacity { rebuild(capacity: max(1024, capacity * 2)) } else { update(index) }
        return index
    }

    /// Changes the score of a slot.
    mutating func set(_ index: Int, score: Double) {
        scores[index] = score
        update(index)
    }

    /// The index of the best slot, or nil when empty.
    var best: Int? { scores.isEmpty ? nil : Int(nodes[1]) }

    @inline(__always)
    private func better(_ a: Int32, _ b: Int32) -> Int32 {
        if a < 0 { return b }
        if b < 0 { return a }
        let sa = scores[Int(a)], sb = scores[Int(b)]
        if sa != sb { return sa > sb ? a : b }
        return keys[Int(a)] <= keys[Int(b)] ? a : b
    }

    private mutating func update(_ index: Int) {
        nodes[capacity + index] = Int32(index)
        var node = (capacity + index) / 2
        while node >= 1 {
            nodes[node] = better(nodes[2 * node], nodes[2 * node + 1])
            node /= 2
        }
    }

    private mutating func rebuild(capacity newCapacity: Int) {
        capacity = newCapacity
        nodes = [Int32](repeating: -1, count: 2 * capacity)
        for index in scores.indices { nodes[capacity + index] = Int32(index) }
        for node in stride(from: capacity - 1, through: 1, by: -1) {
            nodes[node] = better(nodes[2 * node], nodes[2 * node + 1])
        }
    }
}
