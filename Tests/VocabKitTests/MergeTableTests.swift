import Testing
@testable import VocabKit

/// The BPE merge table and its filter, checked against a dictionary.
@Suite("Merge table")
struct MergeTableTests {
    @Test("merges inserted into a table that grows from 16 slots: each found with its last rank and result, absent pairs not found (the filter drops no key)")
    func insertAndGrow() {
        var generator = SplitMix64(seed: 11)
        var table = MergeTable()
        var expected: [UInt64: MergeTable.Merge] = [:]
        // Small id ranges make repeated pairs (a later one replaces the earlier) and pairs that
        // share a side; large ones spread the keys' hashes.
        for rank in 0..<20_000 {
            let range = UInt64(rank % 3 == 0 ? 40 : 1 << 20)
            let left = UInt32(generator.next() % range), right = UInt32(generator.next() % range)
            let merge = MergeTable.Merge(rank: UInt32(rank), result: UInt32(generator.next() % 100_000))
            table.insert(left, right, rank: merge.rank, result: merge.result)
            expected[MergeTable.key(left, right)] = merge
        }
        #expect(table.count == expected.count)
        for (key, merge) in expected {
            #expect(table.merge(UInt32(key >> 32), UInt32(key & 0xFFFF_FFFF)) == merge)
        }
        var absent = 0
        for _ in 0..<20_000 {
            let left = UInt32(generator.next() % 2_000_000), right = UInt32(generator.next() % 50)
            if expected[MergeTable.key(left, right)] == nil {
                absent += 1
                #expect(table.merge(left, right) == nil)
            }
        }
        #expect(absent > 10_000)
    }
}
