/// Linear-time WordPiece matching (LinMaxMatch, Song et al. 2021, "Fast WordPiece Tokenization").
///
/// One trie holds every token, continuation tokens under the node of their prefix ("##"). Each
/// node v gets a failure link f(v) and failure pops F(v): when the next byte cannot extend the
/// match at v, the tokens F(v) are the ones greedy longest-match-first would emit, and matching
/// resumes at f(v). Both are computed once, breadth first, so encoding a word touches each input
/// byte once and each emitted token once: O(n + tokens) per word, where walking a trie from each
/// start (the plain way) is O(n · L).
struct LinMaxMatch: Sendable {
    private static let none = Int32(-1)
    private var trie = ByteTrie()
    private var failure: [Int32] = []
    private var popStart: [Int32] = []
    private var popCount: [Int32] = []
    private var pops: [UInt32] = []
    /// The node of the continuation prefix ("##"), where matching continues after a token.
    private(set) var continuationRoot: Int32 = 0
    /// Each token's length in bytes, without its continuation prefix.
    private var lengths: [Int32]

    /// Builds the matcher over the tokens `isMatchable` accepts, or returns nil when the failure
    /// pops would pass `maximumPops` entries. Pops are the tokens greedy matching emits on each
    /// failure, at most a node's depth each, so a hostile vocabulary of long tokens sharing no
    /// prefixes makes them quadratic in token length; the caller then walks tries instead.
    /// - Complexity: O(trie nodes + pops).
    init?(tokens: [[UInt8]], prefix: [UInt8], isContinuation: (Int) -> Bool, isMatchable: (Int) -> Bool,
          maximumPops: Int) {
        lengths = tokens.enumerated().map { Int32($0.element.count - (isContinuation($0.offset) ? prefix.count : 0)) }
        // 1. The trie of the tokens, and the prefix node.
        for (id, token) in tokens.enumerated() where isMatchable(id) { trie.insert(token, id: UInt32(id)) }
        continuationRoot = Int32(trie.insert(prefix, id: nil))
        let terminal = trie.terminal, parent = trie.parent, label = trie.label
        // 2. Failure links and pops, breadth first from both roots: depth below the prefix node
        //    counts from the prefix node, because a failure link from a word-initial node points
        //    into the continuation subtree, up to prefix-length levels deeper in the trie.
        let count = terminal.count
        failure = [Int32](repeating: Self.none, count: count)
        popStart = [Int32](repeating: 0, count: count)
        popCount = [Int32](repeating: 0, count: count)
        var byDepth: [[Int32]] = [[0]]
        // A node is created after its parent, so one forward pass gives every depth.
        var depthOf = [Int](repeating: 0, count: count)
        for node in 1..<count where node != Int(continuationRoot) {
            let p = Int(parent[node])
            depthOf[node] = p == 0 || p == Int(continuationRoot) ? 1 : depthOf[p] + 1
        }
        for node in 1..<count {
            while byDepth.count <= depthOf[node] { byDepth.append([]) }
            byDepth[depthOf[node]].append(Int32(node))
        }
        for level in byDepth.dropFirst() {
            for node in level where node != continuationRoot {
                let v = Int(node)
                if terminal[v] != UInt32.max {
                    // A token: pop it, continue after the prefix.
                    failure[v] = continuationRoot
                    popStart[v] = Int32(pops.count)
                    pops.append(terminal[v])
                    popCount[v] = 1
                    continue
                }
                let u = Int(parent[v]), c = label[v]
                var z = failure[u]
                var collected = Array(pops[Int(popStart[u])..<Int(popStart[u] + popCount[u])])
                while z != Self.none && step(z, c) == Self.none {
                    collected += pops[Int(popStart[Int(z)])..<Int(popStart[Int(z)] + popCount[Int(z)])]
                    z = failure[Int(z)]
                }
                if z != Self.none {
                    failure[v] = step(z, c)
                    popStart[v] = Int32(pops.count)
                    pops += collected
                    popCount[v] = Int32(collected.count)
                    if pops.count > maximumPops { return nil }
                }
            }
        }
    }

    @inline(__always)
    private func step(_ node: Int32, _ byte: UInt8) -> Int32 { trie.child(node, byte) }

    /// The tokens of one word, or nil when greedy matching fails somewhere (the word is unknown).
    func match(_ word: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken]) -> Bool {
        let first = output.count
        var position: Int32 = 0
        func emit(_ node: Int32) {
            for k in Int(popStart[Int(node)])..<Int(popStart[Int(node)] + popCount[Int(node)]) {
                let id = pops[k]
                output.append(PieceToken(id: id, start: position, end: position + lengths[Int(id)]))
                position += lengths[Int(id)]
            }
        }
        var u: Int32 = 0
        for byte in word {
            var next = step(u, byte)
            while next == Self.none {
                guard failure[Int(u)] != Self.none else { output.removeSubrange(first...); return false }
                emit(u)
                u = failure[Int(u)]
                next = step(u, byte)
            }
            u = next
        }
        while u != continuationRoot {
            guard failure[Int(u)] != Self.none else { output.removeSubrange(first...); return false }
            emit(u)
            u = failure[Int(u)]
        }
        return Int(position) == word.count
    }
}
