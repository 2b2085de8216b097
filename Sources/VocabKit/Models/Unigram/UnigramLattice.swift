/// Every segmentation of one piece of text under a Unigram model, as a graph of candidate
/// tokens over byte positions: the basis of n-best search, sampling and expected counts.
///
/// Nodes are the same candidates the Viterbi encoder relaxes (pieces from the trie, unknown
/// nodes for uncovered characters). Positions are byte offsets at character boundaries.
public struct UnigramLattice {
    public struct Node: Sendable, Equatable {
        public var id: UInt32
        public var start: Int32
        public var end: Int32
        public var score: Double
    }

    public let size: Int
    public private(set) var nodes: [Node] = []
    /// Node indices by end position.
    private(set) var endingAt: [[Int32]]

    /// Builds the lattice of `piece`.
    /// - Complexity: O(n x k) nodes for k pieces matching at a position.
    public init(model: UnigramModel, piece: UnsafeBufferPointer<UInt8>) {
        size = piece.count
        endingAt = [[Int32]](repeating: [], count: piece.count + 1)
        var start = 0
        while start < piece.count {
            let characterLength = model.forEachNode(in: piece, at: start) { length, id, score in
                add(Node(id: id, start: Int32(start), end: Int32(start + length), score: score))
            }
            start += characterLength
        }
    }

    private mutating func add(_ node: Node) {
        endingAt[Int(node.end)].append(Int32(nodes.count))
        nodes.append(node)
    }

    /// log Σ exp over paths from 0 to each position, with scores scaled by `theta`.
    /// - Complexity: O(nodes).
    public func forward(theta: Double = 1) -> [Double] {
        var alpha = [Double](repeating: -.infinity, count: size + 1)
        alpha[0] = 0
        for position in 1...max(1, size) where position <= size {
            var total = -Double.infinity
            for index in endingAt[position] {
                let node = nodes[Int(index)]
                total = logAddExp(total, alpha[Int(node.start)] + theta * node.score)
            }
            alpha[position] = total
        }
        return alpha
    }

    /// log Σ exp over paths from each position to the end.
    public func backward(theta: Double = 1) -> [Double] {
        var beta = [Double](repeating: -.infinity, count: size + 1)
        beta[size] = 0
        for position in stride(from: size, through: 1, by: -1) where beta[position] > -.infinity {
            for index in endingAt[position] {
                let node = nodes[Int(index)]
                beta[Int(node.start)] = logAddExp(beta[Int(node.start)], beta[position] + theta * node.score)
            }
        }
        return beta
    }

    /// The posterior probability of every node, and log Z (the log likelihood of the text).
    public func marginals() -> (probabilities: [Double], logZ: Double) {
        let alpha = forward(), beta = backward()
        let logZ = alpha[size]
        let probabilities = nodes.map { exp(alpha[Int($0.start)] + $0.score + beta[Int($0.end)] - logZ) }
        return (probabilities, logZ)
    }

    /// The `count` best segmentations, best first, with their total scores (A* search from the
    /// end, guided by exact forward Viterbi scores).
    /// - Complexity: O(count x n x k log agenda) in the worst case; the agenda is capped.
    public func nBest(_ count: Int) -> [(path: [Node], score: Double)] {
        guard count > 0, size > 0 else { return [] }
        // Forward Viterbi: the best score from 0 to each position.
        var best = [Double](repeating: -.infinity, count: size + 1)
        best[0] = 0
        for position in 1...size {
            for index in endingAt[position] {
                let node = nodes[Int(index)]
                best[position] = max(best[position], best[Int(node.start)] + node.score)
            }
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
                    path.append(nodes[Int(hypotheses[Int(cursor)].node)])
                    cursor = hypotheses[Int(cursor)].next
                }
                results.append((path, hypothesis.score))
                if results.count == count { break }
                continue
            }
            for index in endingAt[Int(hypothesis.position)] {
                let node = nodes[Int(index)]
                hypotheses.append(Hypothesis(position: node.start, score: hypothesis.score + node.score, node: index, next: top))
                agenda.push(Int32(hypotheses.count - 1))
            }
            if agenda.count > agendaLimit { agenda.shrink(to: agendaLimit / 2) }
        }
        return results
    }

    /// One segmentation drawn with probability ∝ exp(theta x score) over all segmentations
    /// (forward filtering, backward sampling).
    /// - Complexity: O(nodes).
    public func sample(theta: Double, using generator: inout some RandomNumberGenerator) -> [Node] {
        guard size > 0 else { return [] }
        let alpha = forward(theta: theta)
        var path: [Node] = []
        var position = size
        while position > 0 {
            let candidates = endingAt[position]
            var threshold = Double.random(in: 0..<1, using: &generator)
            var chosen = candidates[candidates.count - 1]
            for index in candidates {
                let node = nodes[Int(index)]
                threshold -= exp(alpha[Int(node.start)] + theta * node.score - alpha[position])
                if threshold < 0 { chosen = index; break }
            }
            let node = nodes[Int(chosen)]
            path.append(node)
            position = Int(node.start)
        }
        return path.reversed()
    }
}

/// log(exp(a) + exp(b)) without overflow.
@inline(__always)
public func logAddExp(_ a: Double, _ b: Double) -> Double {
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

import Foundation
