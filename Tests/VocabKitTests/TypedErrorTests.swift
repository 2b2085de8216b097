import Foundation
import Testing
@testable import VocabKit
import VocabTestSupport

/// The error cases a caller can switch on, each raised where it says.
@Suite("Typed errors")
struct TypedErrorTests {
    @Test("loading: a missing path, an unknown format, a component VocabKit does not run")
    func loading() throws {
        let missing = temporaryPath("no-such-tokenizer.json")
        #expect(throws: ModelError.fileNotFound(path: missing)) { try Tokenizer(contentsOf: URL(fileURLWithPath: missing)) }
        let binary = try temporaryFile("\u{1}\u{2}not a tokenizer at all\n", name: "binary.bin")
        #expect(throws: ModelError.unrecognizedFormat(path: binary)) { try Tokenizer(contentsOf: URL(fileURLWithPath: binary)) }
        let foreign = try temporaryFile(#"{"model": {"type": "Foo", "vocab": {}}, "added_tokens": []}"#, name: "foreign.json")
        do {
            _ = try Tokenizer(contentsOf: URL(fileURLWithPath: foreign))
            Issue.record("a model type VocabKit does not run loaded")
        } catch ModelError.unsupported(let path, let feature) {
            #expect(path == foreign && feature.contains("\"Foo\""))
        }
    }

    @Test("encoding: special-token text, an id past the vocabulary, a batch with no padding token")
    func encoding() throws {
        let cl100k = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        #expect(throws: TextError.specialTokenInText(token: "<|endoftext|>", offset: 1)) { try cl100k.encode("a<|endoftext|>") }
        #expect(throws: ModelError.idOutOfRange(id: 200_000, vocabularySize: cl100k.vocabularySize)) { try cl100k.decode([200_000]) }
        #expect(throws: ModelError.noPaddingToken) { try cl100k.encodeBatchMatrix(["a", "a longer text"]) }
    }
}
