import Foundation
import Testing
import VocabKit
@testable import VocabTraining

@Suite("Word count table")
struct WordCountTableTests {
    @Test("Counts, table order and byte order equal a dictionary's, for words stored in their slot and apart")
    func matchesADictionary() {
        var random = SplitMix64(seed: 11)
        // Lengths 0 to 20 cross the 8-byte inline limit; NUL and 0xFF bytes test the zero padding.
        let alphabet: [UInt8] = [0, 1, 0x61, 0x62, 0x7A, 0xC3, 0xA9, 0xFF]
        var table = WordCountTable(capacity: 4), reference: [[UInt8]: Int64] = [:]
        for _ in 0..<20_000 {
            let length = Int(random.next() % 21)
            let word = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let amount = Int64(random.next() % 3) + 1
            word.withUnsafeBufferPointer { table.add($0, amount) }
            reference[word, default: 0] += amount
        }
        #expect(table.count == reference.count)
        var seen: [[UInt8]: Int64] = [:]
        table.forEach { seen[Array($0)] = $1 }
        #expect(seen == reference)
        var sorted: [([UInt8], Int64)] = []
        table.forEachSorted { sorted.append((Array($0), $1)) }
        let expected = reference.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        #expect(sorted.map(\.0) == expected.map(\.key) && sorted.map(\.1) == expected.map(\.value))
        #expect(table.sortedWords().map(\.word) == expected.map(\.key))
        // Merging adds counts.
        var doubled = table
        doubled.merge(table)
        var twice: [[UInt8]: Int64] = [:]
        doubled.forEach { twice[Array($0)] = $1 }
        #expect(twice == reference.mapValues { $0 * 2 })
    }
}
