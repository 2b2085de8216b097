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

    @Test("pairMerges gives each adjacent pair's merge(_:_:), for 0 to 65 ids, pairs present and absent")
    func pairMergesMatchLookups() {
        var generator = SplitMix64(seed: 12)
        var table = MergeTable()
        for rank in 0..<3_000 {
            // Ids below 60: random sequences of them hit about half their pairs.
            table.insert(UInt32(generator.next() % 60), UInt32(generator.next() % 60), rank: UInt32(rank),
                         result: UInt32(generator.next() % 100_000))
        }
        var hits = 0, pairs = 0
        for round in 0..<2_000 {
            let count = round % 66
            // Dense ids (most pairs merge) and sparse ones (most are absent) at every count.
            let ids = (0..<count).map { _ in UInt32(generator.next() % ((round / 66) % 2 == 0 ? 60 : 200)) }
            var merges = [UInt64](repeating: 7, count: 70)
            merges.withUnsafeMutableBufferPointer { buffer in table.pairMerges(count: count, { ids[$0] }, into: buffer) }
            for i in 0..<max(0, count - 1) {
                let merge = table.merge(ids[i], ids[i + 1])
                #expect(merges[i] == merge.map { UInt64($0.rank) << 32 | UInt64($0.result) } ?? UInt64.max, "round \(round), pair \(i)")
                if merge != nil { hits += 1 }
                pairs += 1
            }
            // Nothing written past the pairs.
            #expect(merges[max(0, count - 1)...].allSatisfy { $0 == 7 })
        }
        #expect(hits > pairs / 10 && hits < pairs)
    }
}
