/// A trie over byte strings, for longest-prefix matching without building substrings.
///
/// Nodes are numbers; a node's child for a byte is found in one open-addressing table keyed by
/// (node, byte), each slot holding its key and the child together (12 bytes), so a step is one
/// multiply and usually one probe into one cache line. The table is at most half full and at
/// least a quarter full once it has grown: 24 to 48 bytes per edge, plus 9 per node for
/// `terminal`, `parent` and `label`.
struct ByteTrie: Sendable {
    /// One edge: the parent node (`UInt32.max` when the slot is empty), the child, the byte.
    private struct Slot {
        var node: UInt32
        var child: UInt32
        var byte: UInt8
    }

    private var slots: [Slot]
    private var mask: Int
    private var shift: UInt64
    private var edges = 0
    /// The token id that ends at each node, or UInt32.max.
    private(set) var terminal: [UInt32] = [UInt32.max]
    /// Each node's parent (-1 for the root) and the byte on the edge into it.
    private(set) var parent: [Int32] = [-1]
    private(set) var label: [UInt8] = [0]

    /// An empty trie sized for at least `capacity` edges (as many as its power-of-two table holds
    /// half full), so building it does not rehash until it has more; it doubles when it does.
    init(capacity: Int = 512) {
        (slots, mask, shift) = Self.table(for: capacity)
        let nodes = slots.count / 2 + 1
        terminal.reserveCapacity(nodes)
        parent.reserveCapacity(nodes)
        label.reserveCapacity(nodes)
    }

    /// An empty table of the smallest power-of-two size at least twice `capacity` (and 16).
    private static func table(for capacity: Int) -> ([Slot], Int, UInt64) {
        var size = 16, bits: UInt64 = 4
        while size < capacity * 2 { size <<= 1; bits += 1 }
        return ([Slot](repeating: Slot(node: UInt32.max, child: 0, byte: 0), count: size), size - 1, 64 - bits)
    }

    @inline(__always)
    private func slot(_ node: UInt32, _ byte: UInt8) -> Int {
        Int(truncatingIfNeeded: ((UInt64(node) << 8 | UInt64(byte)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The number of nodes (the root is node 0).
    var count: Int { terminal.count }

    /// Adds `key`, ending at token `id` (or only its path, with `id` nil); returns its node.
    /// - Complexity: O(key length), amortized over the table's doubling.
    @discardableResult
    mutating func insert<C: Collection>(_ key: C, id: UInt32?) -> Int where C.Element == UInt8 {
        var node: UInt32 = 0
        // Below a node made by this key nothing exists yet: no look-up for the rest of it.
        var fresh = false
        for byte in key {
            if !fresh {
                let next = child(Int32(bitPattern: node), byte)
                if next >= 0 { node = UInt32(next); continue }
                fresh = true
            }
            let next = UInt32(terminal.count)
            terminal.append(UInt32.max)
            parent.append(Int32(node))
            label.append(byte)
            addEdge(node, byte, next)
            node = next
        }
        if let id { terminal[Int(node)] = id }
        return Int(node)
    }

    /// Records the new edge `node` —`byte`→ `child` (absent until now).
    private mutating func addEdge(_ node: UInt32, _ byte: UInt8, _ child: UInt32) {
        if (edges + 1) * 2 > slots.count {
            let old = slots
            (slots, mask, shift) = Self.table(for: slots.count)
            for entry in old where entry.node != UInt32.max { place(entry) }
        }
        place(Slot(node: node, child: child, byte: byte))
        edges += 1
    }

    private mutating func place(_ entry: Slot) {
        var index = slot(entry.node, entry.byte)
        let mask = mask
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[index].node != UInt32.max { index = (index + 1) & mask }
            slots[index] = entry
        }
    }

    /// The child of `node` along `byte`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32 {
        let key = UInt32(bitPattern: node)
        var index = slot(key, byte)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let entry = slots[index]
                // Empty first: an empty slot's node is UInt32.max, which a negative node has too.
                if entry.node == UInt32.max { return -1 }
                if entry.node == key && entry.byte == byte { return Int32(bitPattern: entry.child) }
                index = (index + 1) & mask
            }
        }
    }

    /// The longest key that is a prefix of `bytes[start...]`: its end offset and token id. With
    /// `root`, keys are read below that node (the continuation tokens below "##", say).
    /// - Complexity: O(length of the longest key that is a prefix of `bytes[start...]`).
    @inline(__always)
    func longestPrefix(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32 = 0) -> (end: Int, id: UInt32)? {
        var node = root
        var best: (Int, UInt32)?
        var i = start
        while i < bytes.count {
            node = child(node, bytes[i])
            if node < 0 { break }
            i += 1
            let id = terminal[Int(node)]
            if id != UInt32.max { best = (i, id) }
        }
        return best
    }
}
