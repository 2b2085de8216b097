import Testing
@testable import VocabKit

/// The short-piece cache in front of BPE encoding, checked against a dictionary of what was
/// inserted last for each piece.
@Suite("Short piece cache")
struct ShortPieceCacheTests {
    @Test("a hit returns exactly the tokens last inserted for that piece, whatever the length (1-16 bytes) and the pieces sharing its slot or its first and last bytes")
    func hitsAreExact() {
        var generator = SplitMix64(seed: 23)
        var cache = ShortPieceCache(owner: CacheIdentity())
        var expected: [[UInt8]: [PieceToken]] = [:]
        var hits = 0
        for round in 0..<60_000 {
            // A small alphabet and lengths around the 4- and 8-byte word boundaries, so pieces
            // share first and last bytes and collide in slots.
            let length = 1 + Int(generator.next() % 16)
            var piece = (0..<length).map { _ in UInt8(0x61 + generator.next() % 3) }
            // Half of the longer pieces share their first 8 bytes: only the last 8 tell them apart.
            if length > 8, generator.next() % 2 == 0 { piece.replaceSubrange(0..<8, with: Array("abcabcab".utf8)) }
            if round % 2 == 0 {
                // Up to three tokens tiling the piece, at random splits.
                let count = min(length, 1 + Int(generator.next() % 3))
                var splits = Set<Int32>()
                while splits.count < count - 1 { splits.insert(Int32(1 + generator.next() % UInt64(length - 1))) }
                let bounds = [0] + splits.sorted() + [Int32(length)]
                let tokens: [PieceToken] = (0..<count).map { (k: Int) -> PieceToken in
                    PieceToken(id: UInt32(generator.next() % 200_000), start: bounds[k], end: bounds[k + 1])
                }
                let inserted = piece.withUnsafeBufferPointer { cache.insert($0, tokens[...]) }
                #expect(inserted)
                expected[piece] = tokens
            } else {
                var output: [PieceToken] = [PieceToken(id: 7, start: 0, end: 1)]
                let hit = piece.withUnsafeBufferPointer { cache.lookup($0, into: &output) }
                if hit {
                    hits += 1
                    #expect(Array(output.dropFirst()) == expected[piece], "\(piece)")
                } else {
                    #expect(output.count == 1)
                }
            }
        }
        #expect(hits > 5_000)
    }

    @Test("pieces it cannot hold are refused: too long, too many tokens, tokens that do not tile the piece (byte fallback's)")
    func refusals() {
        var cache = ShortPieceCache(owner: CacheIdentity())
        func insert(_ piece: [UInt8], _ tokens: [PieceToken]) -> Bool { piece.withUnsafeBufferPointer { cache.insert($0, tokens[...]) } }
        let long = [UInt8](repeating: 0x61, count: 17)
        #expect(!insert(long, [PieceToken(id: 1, start: 0, end: 17)]))
        let four: [PieceToken] = (0..<4).map { (k: Int) -> PieceToken in PieceToken(id: UInt32(k), start: Int32(k), end: Int32(k + 1)) }
        #expect(!insert(Array("abcd".utf8), four))
        #expect(!insert(Array("é".utf8), [PieceToken(id: 1, start: 0, end: 2), PieceToken(id: 2, start: 0, end: 2)]))
        #expect(!insert(Array("ab".utf8), [PieceToken(id: 1, start: 0, end: 1)]))
        #expect(!insert(Array("ab".utf8), []))
        var output: [PieceToken] = []
        let refused: [[UInt8]] = [long, Array("abcd".utf8), Array("é".utf8), Array("ab".utf8)]
        for piece in refused {
            let hit = piece.withUnsafeBufferPointer { cache.lookup($0, into: &output) }
            #expect(!hit)
        }
        #expect(insert(Array("ab".utf8), [PieceToken(id: 1, start: 0, end: 1), PieceToken(id: 2, start: 1, end: 2)]))
        let hit = Array("ab".utf8).withUnsafeBufferPointer { cache.lookup($0, into: &output) }
        #expect(hit)
        #expect(output == [PieceToken(id: 1, start: 0, end: 1), PieceToken(id: 2, start: 1, end: 2)])
    }
}
