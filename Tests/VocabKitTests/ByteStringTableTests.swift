import Testing
@testable import VocabKit

/// The byte-string table under every model's token look-ups, and the flat string list it can
/// index in place, checked against a dictionary.
@Suite("Byte string table")
struct ByteStringTableTests {
    /// Random keys over small alphabets (so they share prefixes, hashes' low bits and repeats).
    static func keys(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let alphabet = UInt64(2 + generator.next() % 30)
            return (0..<Int(generator.next() % 14)).map { _ in UInt8(generator.next() % alphabet) }
        }
    }

    @Test("inserting keys into a table that grows from 16 slots: each found with its last id, absent keys not found")
    func insertAndGrow() {
        var table = ByteStringTable()
        var expected: [[UInt8]: UInt32] = [:]
        for (id, key) in Self.keys(8000, seed: 5).enumerated() {
            table.insert(key, id: UInt32(id))
            expected[key] = UInt32(id)
        }
        #expect(table.count == expected.count)
        for (key, id) in expected { #expect(table.id(of: key) == id) }
        for key in Self.keys(2000, seed: 6) where expected[key] == nil { #expect(table.id(of: key) == nil) }
    }

    @Test("indexing a flat list: each string maps to its position; the first repeat is reported")
    func indexing() throws {
        var seen = Set<[UInt8]>()
        let distinct = Self.keys(6000, seed: 7).filter { seen.insert($0).inserted }
        #expect(distinct.contains([]))
        let list = FlatByteStrings(distinct)
        #expect(list.count == distinct.count && list.arrays == distinct)
        for index in [0, 1, distinct.count / 2, distinct.count - 1] { #expect(list[index] == distinct[index]) }
        let (table, duplicate) = try #require(ByteStringTable.indexing(list))
        #expect(duplicate == nil && table.count == distinct.count)
        for (index, key) in distinct.enumerated() { #expect(table.id(of: key) == UInt32(index)) }
        #expect(table.id(of: [255, 255, 255]) == nil)
        // The table shares the list's bytes; inserting afterwards copies them, not the list.
        var grown = table
        grown.insert([255, 255, 255], id: 99_999)
        #expect(grown.id(of: [255, 255, 255]) == 99_999 && table.id(of: [255, 255, 255]) == nil)
        for (index, key) in distinct.enumerated() { #expect(grown.id(of: key) == UInt32(index)) }
        // A repeat: reported at its position, with the strings before it indexed.
        let repeated = FlatByteStrings(Array(distinct[..<100]) + [distinct[40]] + Array(distinct[100...]))
        let (partial, firstDuplicate) = try #require(ByteStringTable.indexing(repeated))
        #expect(firstDuplicate == 100 && partial.count == 100)
        for index in 0..<100 { #expect(partial.id(of: distinct[index]) == UInt32(index)) }
        for key in distinct[100...] { #expect(partial.id(of: key) == nil) }
    }
}
