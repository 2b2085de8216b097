import Foundation
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

@Suite("README tokenizer example")
struct ReadmeTokenizerExampleTests {
    @Test("the Tokenizer example prints what the README says")
    func tokenizerExample() throws {
        let tokenizer = try Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"))
        let encoding = try tokenizer.encode("Hello world")
        #expect(encoding.ids == [9906, 1917])
        #expect(encoding.offsets == [0..<5, 5..<11])
        #expect(try tokenizer.decode(encoding.ids) == "Hello world")
        let batch = try tokenizer.encodeBatch(["one", "two"], threads: 2)
        #expect(batch.map(\.ids) == [try tokenizer.encode("one").ids, try tokenizer.encode("two").ids])
    }
}
