import Testing
import VocabKit

/// The README's library example, verbatim, so it keeps compiling and saying the truth.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("the library example prints what the README says")
    func libraryExample() throws {
        let frontEnd = try TextFrontEnd(normalizer: "nfkc", preTokenizers: ["cl100k"])
        let text = try frontEnd.process("Ｈｅｌｌｏ  world!")
        #expect(text.pieceStrings == ["Hello", " ", " world", "!"])
        #expect(text.originalRange(ofPiece: 2) == 16..<22)
        let custom = PreTokenizerSequence([WhitespaceSplitter(), Metaspace(prependScheme: .first)])
        #expect(try custom.preTokenize("a b") == ["▁a", "b"])
    }
}
