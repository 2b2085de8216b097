import Testing
@testable import VocabKit

@Suite("Join filter")
struct JoinFilterTests {
    static func code(_ character: Character) -> Int { Int(character.unicodeScalars.first!.value) }

    @Test("holds every pair of adjacent two- or three-byte characters of a token, and of such a character and a byte, at any offset, and nothing else")
    func pairs() {
        var filter = JoinFilter()
        #expect(!filter.mayContain(Self.code("中"), Self.code("文")))  // empty
        // A token that starts inside a character (AD, the end of 中) and ends inside one (E6 96).
        filter.add(pairsIn: [0xAD] + Array("日本éü".utf8) + [0xE6, 0x96])
        #expect(filter.mayContain(Self.code("日"), Self.code("本")))
        #expect(filter.mayContain(Self.code("本"), Self.code("é")))
        #expect(filter.mayContain(Self.code("é"), Self.code("ü")))  // two-byte characters
        #expect(!filter.mayContain(Self.code("ü"), Self.code("文")))  // cut at the token's end
        #expect(!filter.mayContain(Self.code("本"), Self.code("日")))  // order matters
        // A byte then a character, a character then a byte, at the token's edges too.
        #expect(filter.mayContain(byte: 0xAD, then: Self.code("日")) && filter.mayContain(Self.code("ü"), thenByte: 0xE6))
        #expect(filter.mayContain(byte: 0xA5, then: Self.code("本")) && filter.mayContain(Self.code("日"), thenByte: 0xE6))
        #expect(!filter.mayContain(byte: 0xAD, then: Self.code("本")) && !filter.mayContain(Self.code("日"), thenByte: 0xC3))
        #expect(!filter.mayContain(byte: 0x97, then: Self.code("日")))  // 日 starts the token after AD only
        // Four-byte characters and ASCII are not characters here; they break pairs.
        filter.add(pairsIn: Array("中😀文a字".utf8))
        #expect(!filter.mayContain(Self.code("中"), Self.code("文")) && !filter.mayContain(Self.code("文"), Self.code("字")))
        // Pairs of no token: with 2^19 bits and a few dozen keys set, random pairs read absent.
        var present = 0
        for left in 0x4E00..<0x4F00 { for right in 0x3040..<0x3050 where filter.mayContain(left, right) { present += 1 } }
        #expect(present < 10)
        #expect(JoinFilter(full: ()).mayContain(Self.code("ü"), Self.code("文")))
        // The kinds are apart: E9 then 中 is not é (U+00E9) then 中.
        var tags = JoinFilter()
        tags.add(pairsIn: [0xE9, 0xE4, 0xB8, 0xAD])
        #expect(tags.mayContain(byte: 0xE9, then: Self.code("中")) && !tags.mayContain(0xE9, Self.code("中")))
    }
}
