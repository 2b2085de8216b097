/// A trie over byte strings, for longest-prefix matching without building substrings.
///
/// Nodes are numbers; a node's child for a byte is found in one hash table keyed by
/// (node << 8 | byte), so the trie costs about 16 bytes per edge and a step is one probe.
struct ByteTrie: Sendable {
    private var children: MergeTable
    /// The token id that ends at each node, or UInt32.max.
    private(set) var terminal: [UInt32] = [UInt32.max]
    /// Each node's parent (-1 for the root) and the byte on the edge into it.
    private(set) var parent: [Int32] = [-1]
    private(set) var label: [UInt8] = [0]

    /// An empty trie sized for about `capacity` edges (the total bytes of the keys is a bound),
    /// so building it does not rehash.
    init(capacity: Int = 512) {
        children = MergeTable(capacity: max(capacity, 16))
        terminal.reserveCapacity(capacity + 1)
        parent.reserveCapacity(capacity + 1)
        label.reserveCapacity(capacity + 1)
    }

    /// The number of nodes (the root is node 0).
    var count: Int { terminal.count }

    /// Adds `key`, ending at token `id` (or only its path, with `id` nil); returns its node.
    @discardableResult
    mutating func insert<C: Collection>(_ key: C, id: UInt32?) -> Int where C.Element == UInt8 {
        var node: UInt32 = 0
        // Below a node made by this key nothing exists yet: no look-up for the rest of it.
        var fresh = false
        for byte in key {
            if !fresh, let child = children.merge(node, UInt32(byte)) {
                node = child.result
            } else {
                fresh = true
                let child = UInt32(terminal.count)
                terminal.append(UInt32.max)
                parent.append(Int32(node))
                label.append(byte)
                children.insert(node, UInt32(byte), rank: 0, result: child)
                node = child
            }
        }
        if let id { terminal[Int(node)] = id }
        return Int(node)
    }

    /// The child of `node` along `byte`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32 {
        guard let child = children.merge(UInt32(node), UInt32(byte)) else { return -1 }
        return Int32(child.result)
    }

    /// The longest key that is a prefix of `bytes[start...]`: its end offset and token id. With
    /// `root`, keys are read below that node (the continuation tokens below "##", say).
    /// - Complexity: O(length of the longest key that is a prefix of `bytes[start...]`).
    @inline(__always)
    func longestPrefix(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32 = 0) -> (end: Int, id: UInt32)? {
        var node = UInt32(root)
        var best: (Int, UInt32)?
        var i = start
        while i < bytes.count, let child = children.merge(node, UInt32(bytes[i])) {
            node = child.result
            i += 1
            let id = terminal[Int(node)]
            if id != UInt32.max { best = (i, id) }
        }
        return best
    }
}
