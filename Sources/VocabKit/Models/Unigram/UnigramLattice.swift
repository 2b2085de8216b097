import Foundation

/// Every segmentation of one piece of text under a Unigram model, as a graph of candidate
/// tokens over byte positions: the one forward-backward implementation, used by the trainer's
/// E-step (expected counts), n-best search and sampling.
///
/// Nodes are the candidates the Viterbi encoder relaxes (`UnigramModel.forEachNode`: pieces from
/// the trie, an unknown node for an uncovered character), stored as one flat array in order of
/// start position, so one pass in that order is the forward recursion and one in reverse the
/// backward. Positions are byte offsets at character boundaries. Build once per thread and
/// `build` again for each piece: the buffers are reused.
package struct UnigramLattice {
    package struct Node: Sendable, Equatable {
        package var id: UInt32
        package var start: Int32
        package var end: Int32
        package var score: Double
    }

    /// A node and its probability, exp(score) (NaN until known).
    private struct Stored {
        var node: Node
        var probability: Double
    }

    /// The nodes in order of start position (one array: one append per node in `build`).
    private var nodes: [Stored] = []
    /// Whether every node's probability is stored (`build(_:_:table:)`), so `accumulate` need
    /// not look for missing ones.
    private var probabilitiesKnown = false
    private var alpha: [Double] = [], beta: [Double] = []
    private(set) var size = 0
    private var unknownId: UInt32 = .max

    package init() {}

    /// The lattice of `piece`.
    /// - Complexity: O(n x k) nodes for k pieces matching at a position.
    package init(model: UnigramModel, piece: UnsafeBufferPointer<UInt8>) {
        build(model, piece)
    }

    /// Rebuilds the lattice for `piece`, reusing the buffers.
    package mutating func build(_ model: UnigramModel, _ piece: UnsafeBufferPointer<UInt8>) {
        var nodes = self.nodes
        self.nodes = []
        nodes.removeAll(keepingCapacity: true)
        size = piece.count
        unknownId = model.unknownId
        var start = 0
        while start < piece.count {
            let characterLength = model.forEachNode(in: piece, at: start) { length, id, score in
                nodes.append(Stored(node: Node(id: id, start: Int32(start), end: Int32(start + length), score: score), probability: .nan))
            }
            start += characterLength
        }
        self.nodes = nodes
        probabilitiesKnown = false
    }

    /// Rebuilds the lattice for `piece` with scores and probabilities from `table`
    /// (`model.latticeTable()`): the E-step's build, with the same nodes and scores as
    /// `build(_:_:)`.
    /// - Complexity: O(n x k) nodes for k pieces matching at a position.
    package mutating func build(_ model: UnigramModel, _ piece: UnsafeBufferPointer<UInt8>, table: UnigramLatticeTable) {
        precondition(table.entries.count == model.pieces.count, "a lattice table of another model")
        var nodes = self.nodes
        self.nodes = []
        nodes.removeAll(keepingCapacity: true)
        size = piece.count
        unknownId = model.unknownId
        table.entries.withUnsafeBufferPointer { entries in
            var start = 0
            while start < piece.count {
                let characterLength = model.forEachNode(in: piece, at: start, table: entries, unknown: table.unknown) { length, id, entry in
                    nodes.append(Stored(node: Node(id: id, start: Int32(start), end: Int32(start + length), score: entry.score),
                                        probability: entry.probability))
                }
                start += characterLength
            }
        }
        self.nodes = nodes
        probabilitiesKnown = true
    }

    package func node(_ k: Int) -> Node { nodes[k].node }

    /// The number of nodes.
    package var nodeCount: Int { nodes.count }

    /// Node indices by end position, in node order (CSR: `offsets[p]..<offsets[p + 1]`).
    private func nodesByEnd() -> (offsets: [Int], indices: [Int32]) {
        var offsets = [Int](repeating: 0, count: size + 2)
        for stored in nodes { offsets[Int(stored.node.end) + 1] += 1 }
        for p in 0...size { offsets[p + 1] += offsets[p] }
        var fill = offsets, indices = [Int32](repeating: 0, count: nodes.count)
        for (k, stored) in nodes.enumerated() {
            indices[fill[Int(stored.node.end)]] = Int32(k)
            fill[Int(stored.node.end)] += 1
        }
        return (offsets, indices)
    }

    // MARK: Forward-backward

    /// log Σ exp over paths from 0 to each position, with scores scaled by `theta`.
    /// - Complexity: O(nodes).
    package func forward(theta: Double = 1) -> [Double] {
        var alpha = [Double](repeating: -.infinity, count: size + 1)
        alpha[0] = 0
        for stored in nodes {
            let node = stored.node, e = Int(node.end)
            alpha[e] = logAddExp(alpha[e], alpha[Int(node.start)] + theta * node.score)
        }
        return alpha
    }

    /// The E-step for one word: adds `weight` x each node's posterior probability to
    /// `expected[id]` (unknown nodes are skipped) and returns log Z.
    ///
    /// In probability space (one multiply-add per node instead of exp and log1p) when Z stays a
    /// normal double, which it does for all but very long or very unlikely words; in log space
    /// otherwise. A node's probability, exp(score), is the one `build(_:_:table:)` stored, else
    /// computed here: the result is bit-identical either way.
    /// - Complexity: O(nodes).
    package mutating func accumulate(into expected: inout [Double], weight: Double) -> Double {
        if alpha.count < size + 1 {
            alpha = [Double](repeating: 0, count: size + 1)
            beta = [Double](repeating: 0, count: size + 1)
        }
        if !probabilitiesKnown {
            for k in nodes.indices { nodes[k].probability = exp(nodes[k].node.score) }
            probabilitiesKnown = true
        }
        for i in 0...size { alpha[i] = 0; beta[i] = 0 }
        alpha[0] = 1
        beta[size] = 1
        for stored in nodes { alpha[Int(stored.node.end)] += alpha[Int(stored.node.start)] * stored.probability }
        let linearZ = alpha[size]
        if linearZ.isNormal && linearZ > 1e-250 {
            for stored in nodes.reversed() { beta[Int(stored.node.start)] += beta[Int(stored.node.end)] * stored.probability }
            let scale = weight / linearZ
            for stored in nodes where stored.node.id != unknownId {
                let node = stored.node
                expected[Int(node.id)] += scale * alpha[Int(node.start)] * stored.probability * beta[Int(node.end)]
            }
            return log(linearZ)
        }
        return accumulateInLogSpace(into: &expected, weight: weight)
    }

    private mutating func accumulateInLogSpace(into expected: inout [Double], weight: Double) -> Double {
        for i in 0...size { alpha[i] = -.infinity; beta[i] = -.infinity }
        alpha[0] = 0
        beta[size] = 0
        for stored in nodes {
            let node = stored.node
            alpha[Int(node.end)] = logAddExp(alpha[Int(node.end)], alpha[Int(node.start)] + node.score)
        }
        for stored in nodes.reversed() {
            let node = stored.node
            beta[Int(node.start)] = logAddExp(beta[Int(node.start)], beta[Int(node.end)] + node.score)
        }
        let z = alpha[size]
        for stored in nodes where stored.node.id != unknownId {
            let node = stored.node
            expected[Int(node.id)] += weight * exp(alpha[Int(node.start)] + node.score + beta[Int(node.end)] - z)
        }
        return z
    }

    // MARK: Search and sampling

    /// The `count` best segmentations, best first, with their total scores (A* search from the
    /// end, guided by exact forward Viterbi scores).
    /// - Complexity: O(count x n x k log agenda) in the worst case; the agenda is capped.
    package func nBest(_ count: Int) -> [(path: [Node], score: Double)] {
        guard count > 0, size > 0 else { return [] }
        let (offsets, byEnd) = nodesByEnd()
        // Forward Viterbi: the best score from 0 to each position.
        var best = [Double](repeating: -.infinity, count: size + 1)
        best[0] = 0
        for stored in nodes {
            let node = stored.node, e = Int(node.end)
            best[e] = max(best[e], best[Int(node.start)] + node.score)
        }
        // Hypotheses are suffixes from `position` to the end; priority = suffix score + best[position].
        struct Hypothesis { var position: Int32; var score: Double; var node: Int32; var next: Int32 }
        var hypotheses: [Hypothesis] = [Hypothesis(position: Int32(size), score: 0, node: -1, next: -1)]
        func priority(_ index: Int32) -> Double { hypotheses[Int(index)].score + best[Int(hypotheses[Int(index)].position)] }
        var agenda = PriorityHeap<Int32> { priority($0) > priority($1) }
        agenda.push(0)
        var results: [(path: [Node], score: Double)] = []
        let agendaLimit = 10_000
        while let top = agenda.pop() {
            let hypothesis = hypotheses[Int(top)]
            if hypothesis.position == 0 {
                var path: [Node] = []
                var cursor = top
                while hypotheses[Int(cursor)].node >= 0 {
                    path.append(node(Int(hypotheses[Int(cursor)].node)))
                    cursor = hypotheses[Int(cursor)].next
                }
                results.append((path, hypothesis.score))
                if results.count == count { break }
                continue
            }
            let position = Int(hypothesis.position)
            for index in byEnd[offsets[position]..<offsets[position + 1]] {
                hypotheses.append(Hypothesis(position: nodes[Int(index)].node.start, score: hypothesis.score + nodes[Int(index)].node.score, node: index, next: top))
                agenda.push(Int32(hypotheses.count - 1))
            }
            if agenda.count > agendaLimit { agenda.shrink(to: agendaLimit / 2) }
        }
        return results
    }

    /// One segmentation drawn with probability ∝ exp(theta x score) over all segmentations
    /// (forward filtering, backward sampling).
    /// - Complexity: O(nodes).
    package func sample(theta: Double, using generator: inout some RandomNumberGenerator) -> [Node] {
        guard size > 0 else { return [] }
        let alpha = forward(theta: theta)
        let (offsets, byEnd) = nodesByEnd()
        var path: [Node] = []
        var position = size
        while position > 0 {
            let candidates = byEnd[offsets[position]..<offsets[position + 1]]
            var threshold = Double.random(in: 0..<1, using: &generator)
            var chosen = candidates[candidates.endIndex - 1]
            for index in candidates {
                let k = Int(index)
                threshold -= exp(alpha[Int(nodes[k].node.start)] + theta * nodes[k].node.score - alpha[position])
                if threshold < 0 { chosen = index; break }
            }
            let node = node(Int(chosen))
            path.append(node)
            position = Int(node.start)
        }
        return path.reversed()
    }
}

/// log(exp(a) + exp(b)) without overflow.
@inline(__always)
package func logAddExp(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
}

/// A binary heap: `first(a, b)` says whether `a` comes out before `b`.
struct PriorityHeap<Element> {
    private var items: [Element] = []
    private let first: (Element, Element) -> Bool

    init(first: @escaping (Element, Element) -> Bool) { self.first = first }

    var count: Int { items.count }

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !first(items[child], items[parent]) { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var next = parent
            if left < items.count && first(items[left], items[next]) { next = left }
            if right < items.count && first(items[right], items[next]) { next = right }
            if next == parent { break }
            items.swapAt(parent, next)
            parent = next
        }
        return top
    }

    /// Keeps the `limit` items that come out first.
    mutating func shrink(to limit: Int) {
        var kept: [Element] = []
        while kept.count < limit, let item = pop() { kept.append(item) }
        items = []
        for item in kept { push(item) }
    }
}
