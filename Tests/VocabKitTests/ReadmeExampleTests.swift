import Foundation
import Testing
import VocabTestSupport
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

@Suite("README model-code example")
struct ReadmeModelCodeExampleTests {
    /// A Llama 2 folder as `transformers` saves it (its tokenizer.json, here converted from
    /// llama.cpp's Llama 2 test vocabulary, and a tokenizer_config.json).
    @Test("the model-code example prints what the README says")
    func modelCodeExample() throws {
        let folder = URL(fileURLWithPath: temporaryFolder("Llama-2-7b-hf"))
        let llama = try Tokenizer(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-llama-spm.gguf"))
        var plain = llama
        plain.postProcessor = nil
        try TokenizerJSON.write(plain).write(to: folder.appendingPathComponent("tokenizer.json"))
        try Data(#"{"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": null}"#.utf8)
            .write(to: folder.appendingPathComponent("tokenizer_config.json"))

        var tokenizer = try Tokenizer(contentsOf: folder)
        let ids = try tokenizer.encode(text: "Hello world")
        #expect(ids == [1, 15043, 3186])
        #expect(try tokenizer.decode(tokens: ids, skipSpecialTokens: true) == "Hello world")
        #expect(tokenizer.convertTokenToId("▁Hello") == 15043)
        #expect(tokenizer.bosTokenId == 1)
        #expect(tokenizer.padTokenId == nil)
        #expect { try tokenizer.encodeBatchMatrix(["a", "longer text"], maxLength: 512) } throws: { "\($0)".contains("no padding token") }
        tokenizer.specialTokenIds.padding = 0
        let batch = try tokenizer.encodeBatchMatrix(["a", "longer text"], maxLength: 512)
        #expect(batch.shape == [2, 3], "\(batch.inputIds)")
        var stream = tokenizer.decodeStream()
        let pieces = try [15043, 3186].compactMap { try stream.step($0) }
        #expect(pieces == ["Hello", " world"])
    }

    func temporaryFolder(_ name: String) -> String {
        // In the test process's scratch folder, removed when the process exits (even after a crash).
        let path = VocabTestSupport.temporaryPath("readme") + "/" + name
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
