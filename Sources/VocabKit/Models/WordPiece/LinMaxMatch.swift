/// Linear-time WordPiece matching (LinMaxMatch, Song et al. 2021, "Fast WordPiece Tokenization").
///
/// One trie holds every matchable token, continuation tokens under the node of their prefix ("##"). Each
/// node v gets a failure link f(v) and failure pops F(v): when the next byte cannot extend the
/// match at v, the tokens F(v) are the ones greedy longest-match-first would emit, and matching
/// resumes at f(v). Both are computed once, breadth first, so encoding a word touches each input
/// byte once and each emitted token once: O(n + tokens) per word, where walking a trie from each
/// start (the plain way) is O(n · L).
struct LinMaxMatch: Sendable {
    private static let none = Int32(-1)
    /// Every matchable token as written; continuation tokens are below `continuationRoot`.
    private(set) var trie: ByteTrie
    private var failure: [Int32] = []
    private var popStart: [Int32] = []
    private var popCount: [Int32] = []
    private var pops: [UInt32] = []
    /// The node of the continuation prefix ("##"), where matching continues after a token.
    private(set) var continuationRoot: Int32 = 0
    /// Each token's length in bytes, without its continuation prefix.
    private var lengths: [Int32]

    /// Builds the matcher over the tokens `matchable` marks, or returns nil when the failure
    /// pops would pass `maximumPops` entries. A token is a continuation token when it is longer
    /// than a non-empty `prefix` and starts with it. Pops are the tokens greedy matching emits on
    /// each failure, at most a node's depth each, so a hostile vocabulary of long tokens sharing
    /// no prefixes makes them quadratic in token length; the caller then refuses the vocabulary.
    /// - Complexity: O(trie nodes + pops).
    init?(tokens: FlatByteStrings, prefix: [UInt8], matchable: [Bool], maximumPops: Int) {
        precondition(matchable.count == tokens.count)
        // 1. Each token's length without its prefix, and the trie of the matchable tokens, sized
        //    for 5/16 of their bytes (and the prefix's) as edges. Tokens share prefixes: BERT's
        //    have 0.32 edges per byte (65,016 edges), which the power-of-two table sized for 5/16
        //    holds without growing (65,536); a vocabulary with more edges per byte makes it
        //    double once.
        var trie: ByteTrie
        let lengths: [Int32]
        (trie, lengths) = tokens.withView { view in
            var bytes = prefix.count
            for id in 0..<view.count where matchable[id] { bytes += view[id].count }
            var trie = ByteTrie(capacity: bytes * 5 / 16)
            let lengths = [Int32](unsafeUninitializedCapacity: view.count) { lengths, initialized in
                for id in 0..<view.count {
                    let token = view[id]
                    let continuation = !prefix.isEmpty && token.count > prefix.count && token.starts(with: prefix)
                    lengths[id] = Int32(token.count - (continuation ? prefix.count : 0))
                    if matchable[id] { trie.insert(token, id: UInt32(id)) }
                }
                initialized = view.count
            }
            return (trie, lengths)
        }
        self.lengths = lengths
        let root = Int32(trie.insert(prefix, id: nil))
        self.trie = trie
        continuationRoot = root
        let terminal = trie.terminal, parent = trie.parent, label = trie.label
        // 2. Nodes in breadth-first order (a counting sort by depth): depth below the prefix node
        //    counts from the prefix node, because a failure link from a word-initial node points
        //    into the continuation subtree, up to prefix-length levels deeper in the trie. A node
        //    is created after its parent, so one forward pass gives every depth.
        let count = terminal.count
        var depthOf = [Int32](repeating: 0, count: count)
        var maximumDepth: Int32 = 0
        for node in 1..<count where node != Int(root) {
            let p = Int(parent[node])
            depthOf[node] = p == 0 || p == Int(root) ? 1 : depthOf[p] + 1
            maximumDepth = max(maximumDepth, depthOf[node])
        }
        var levelStart = [Int](repeating: 0, count: Int(maximumDepth) + 2)
        for node in 1..<count where node != Int(root) { levelStart[Int(depthOf[node]) + 1] += 1 }
        for depth in 1..<levelStart.count { levelStart[depth] += levelStart[depth - 1] }
        var order = [Int32](repeating: 0, count: levelStart.last!)
        for node in 1..<count where node != Int(root) {
            order[levelStart[Int(depthOf[node])]] = Int32(node)
            levelStart[Int(depthOf[node])] += 1
        }
        // 3. Failure links and pops in that order. A node's pops are its parent's, then those of
        //    each failure link tried, written straight into `pops` (dropped when none leads on).
        var failure = [Int32](repeating: Self.none, count: count)
        var popStart = [Int32](repeating: 0, count: count)
        var popCount = [Int32](repeating: 0, count: count)
        var pops: [UInt32] = []
        for node in order {
            let v = Int(node)
            if terminal[v] != UInt32.max {
                // A token: pop it, continue after the prefix.
                failure[v] = root
                popStart[v] = Int32(pops.count)
                pops.append(terminal[v])
                popCount[v] = 1
                continue
            }
            let u = Int(parent[v]), c = label[v]
            let start = pops.count
            for k in Int(popStart[u])..<Int(popStart[u] + popCount[u]) { pops.append(pops[k]) }
            var z = failure[u]
            while z != Self.none && trie.child(z, c) == Self.none {
                for k in Int(popStart[Int(z)])..<Int(popStart[Int(z)] + popCount[Int(z)]) { pops.append(pops[k]) }
                z = failure[Int(z)]
            }
            if z != Self.none {
                failure[v] = trie.child(z, c)
                popStart[v] = Int32(start)
                popCount[v] = Int32(pops.count - start)
                if pops.count > maximumPops { return nil }
            } else {
                pops.removeSubrange(start...)
            }
        }
        self.failure = failure
        self.popStart = popStart
        self.popCount = popCount
        self.pops = pops
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
