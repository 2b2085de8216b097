import Testing
@testable import VocabKit

/// The per-code-point property tables, filled from ICU's ranges, against ICU's per-character
/// calls.
@Suite("Unicode tables")
struct UnicodeTablesTests {
    @Test("the category and script tables equal ICU's answer for every code point")
    func tablesEqualPerCharacterCalls() {
        let categories = UnicodeTables.categories, reference = UnicodeTables.referenceCategories()
        #expect(categories.count == 0x110000 && reference.count == 0x110000)
        let firstWrongCategory = (0..<0x110000).first { categories[$0] != reference[$0] }
        #expect(firstWrongCategory == nil)
        let scripts = UnicodeTables.scripts, referenceScripts = UnicodeTables.referenceScripts()
        let firstWrongScript = (0..<0x110000).first { scripts[$0] != referenceScripts[$0] }
        #expect(firstWrongScript == nil)
        // Not vacuous: the bits and the values vary as Unicode says.
        #expect(UnicodeTables.isWhiteSpace(0x3000) && !UnicodeTables.isWhiteSpace(0x41))
        #expect(categories[0x41] & UnicodeTables.alphabeticBit != 0 && categories[0x31] & UnicodeTables.alphabeticBit == 0)
        #expect(UnicodeTables.category(0x4E2D) == .otherLetter && UnicodeTables.category(0x10FFFF) == .unassigned)
        #expect(Set(scripts).count > 100)
    }
}
