/// A Unigram model's lattice scores and their exps by piece id (`UnigramModel.latticeTable()`).
package struct UnigramLatticeTable: Sendable {
    package struct Entry: Sendable {
        package var score: Double
        package var probability: Double
    }

    /// By piece id; NaN scores where the lattice scores the piece apart.
    package let entries: [Entry]
    /// The unknown node's (an uncovered character).
    package let unknown: Entry
}
