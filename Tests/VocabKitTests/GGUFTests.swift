import Foundation
import Testing
@testable import VocabKit

/// GGUF: llama.cpp's own test vocabularies give HuggingFace's ids on llama.cpp's test strings;
/// written files read back to the same tokenizer; hostile files are errors.
@Suite struct GGUFTests {
    static let vocabularies = ["gpt-2", "llama-spm", "llama-bpe", "deepseek-coder", "bert-bge"]

    /// The test strings and expected ids of a fixture (llama.cpp's `.inp` / `.out` pair).
    static func cases(_ name: String) throws -> [(text: String, ids: [UInt32])] {
        let base = TestCorpora.fixture("gguf/ggml-vocab-\(name).gguf")
        let input = try String(contentsOf: base.appendingPathExtension("inp"), encoding: .utf8)
        let output = try String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
        var texts = input.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= texts.count, "\(name): \(texts.count) strings, \(lines.count) id lines")
        return texts.indices.map { index in
            (texts[index], lines[index].split(separator: " ").compactMap { UInt32($0) })
        }
    }

    static func load(_ name: String) throws -> Tokenizer {
        try Tokenizer(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-\(name).gguf"))
    }

    @Test(arguments: vocabularies)
    func fixtureIdsMatchHuggingFace(name: String) throws {
        let tokenizer = try Self.load(name)
        let cases = try Self.cases(name)
        #expect(cases.count > 30)
        var failures = 0
        for (text, expected) in cases {
            let ids = try tokenizer.encode(text, addsSpecialTokens: false).ids
            if ids != expected {
                failures += 1
                if failures <= 5 { Issue.record("\(name): \(text.debugDescription) → \(ids), expected \(expected)") }
            }
        }
        #expect(failures == 0, "\(name): \(failures) of \(cases.count) strings differ")
    }

    @Test func metadataAndSpecialTokens() throws {
        let llama = try Self.load("llama-spm")
        #expect(llama.specialTokenIds.beginOfSequence == 1)
        #expect(llama.specialTokenIds.endOfSequence == 2)
        #expect(llama.specialTokenIds.unknown == 0)
        // add_bos_token: <s> first when special tokens are added.
        #expect(try llama.encode("Hello").ids.first == 1)
        let bert = try Self.load("bert-bge")
        let encoded = try bert.encode("hello world")
        #expect(encoded.ids.first == 101 && encoded.ids.last == 102)
        #expect(try bert.decode(encoded.ids, skipsSpecialTokens: true) == "hello world")
        let llama3 = try Self.load("llama-bpe")
        #expect(try llama3.encode("Hi").ids.first == 128000)
        let file = try GGUFFile.read(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-gpt-2.gguf"))
        #expect(file.version == 3)
        if case .string(let bytes)? = file["tokenizer.ggml.pre"] { #expect(String(decoding: bytes, as: UTF8.self) == "gpt-2") }
        else { Issue.record("no tokenizer.ggml.pre") }
    }

    /// A written GGUF reads back as a tokenizer with the same ids, and its tokenizer keys equal
    /// the source file's.
    @Test(arguments: vocabularies)
    func writtenFilesReadBack(name: String) throws {
        let url = TestCorpora.fixture("gguf/ggml-vocab-\(name).gguf")
        let source = try GGUFFile.read(contentsOf: url)
        let tokenizer = try Tokenizer(contentsOf: url)
        let written = try GGUFTokenizer.file(for: tokenizer)
        let bytes = written.serialized()
        #expect(bytes.count % 32 == 0)
        let reread = try GGUFFile.read(bytes)
        #expect(reread == written)
        // token_type_count is BERT's segment-embedding count (a model parameter), and only
        // byte-level BPE reads the pre-tokenizer name (others are written as "default").
        let notCarried: Set<String> = Set(["tokenizer.ggml.token_type_count"] + (name == "bert-bge" ? ["tokenizer.ggml.pre"] : []))
        for (key, value) in source.metadata where key.hasPrefix("tokenizer.ggml.") && !notCarried.contains(key) {
            #expect(reread[key] == value, "\(name): \(key) differs after writing")
        }
        let again = try GGUFTokenizer.tokenizer(from: reread)
        for (text, expected) in try Self.cases(name) {
            #expect(try again.encode(text, addsSpecialTokens: false).ids == expected)
        }
        #expect(try again.encode("Hello world").ids == tokenizer.encode("Hello world").ids)
    }

    /// Converting to tokenizer.json (where it can hold the model) keeps every id.
    @Test(arguments: ["gpt-2", "llama-bpe", "deepseek-coder", "bert-bge", "llama-spm"])
    func convertsToTokenizerJSON(name: String) throws {
        let tokenizer = try Self.load(name)
        let json = try TokenizerJSON.read(try TokenizerJSON.write(tokenizer))
        for (text, expected) in try Self.cases(name) {
            #expect(try json.encode(text, addsSpecialTokens: false).ids == expected, "\(name): \(text.debugDescription)")
        }
    }

    /// SentencePiece BPE (merges by piece score) written as tokenizer.json ranks merges so that
    /// every corpus line keeps its ids: Mistral's .model on the first 300 lines of each corpus.
    @Test func sentencePieceBPEToTokenizerJSON() throws {
        let mistral = try Tokenizer(contentsOf: TestCorpora.fixture("sentencepiece/mistral-tokenizer.model.v1"))
        let json = try TokenizerJSON.read(try TokenizerJSON.write(mistral))
        guard case .bpe(let bpe) = json.model else { Issue.record("not a BPE model"); return }
        #expect(bpe.byteFallback && !bpe.isByteLevel)
        var lines = 0, differ = 0
        for name in TestCorpora.names {
            for line in TestCorpora.lines(name).prefix(300) {
                let text = String(decoding: line, as: UTF8.self)
                lines += 1
                let (ours, theirs) = (try json.encode(text).ids, try mistral.encode(text).ids)
                if ours != theirs {
                    differ += 1
                    if differ <= 3 { Issue.record("\(name): \(text.prefix(60).debugDescription) \(ours.prefix(12)) vs \(theirs.prefix(12))") }
                }
                if lines % 50 == 0 { #expect(try json.decode(ours) == mistral.decode(theirs)) }
            }
        }
        #expect(differ == 0, "\(differ) of \(lines) lines differ")
    }

    /// Tokenizers from other formats write GGUF files that read back with the same ids.
    @Test func otherFormatsWriteGGUF() throws {
        let texts = ["Hello world", " tabs\tand  spaces\n", "ÄÖÜ straße 12345 日本語", "<|endoftext|> done"]
        for file in ["bert/tokenizer.json", "sentencepiece/mistral-tokenizer.model.v1",
                     "sentencepiece/botchan_en_unigram_1000.model", "gpt2"] {
            var original = try Tokenizer(contentsOf: TestCorpora.fixture(file))
            // Padding and truncation settings are not part of a GGUF vocabulary.
            (original.padding, original.truncation) = (nil, nil)
            let copy = try GGUFTokenizer.tokenizer(from: try GGUFFile.read(try GGUFTokenizer.file(for: original).serialized()))
            for text in texts {
                let (got, expected) = (try copy.encode(text, specialTokens: .recognized).ids, try original.encode(text, specialTokens: .recognized).ids)
                #expect(got == expected, "\(file): \(text.debugDescription)")
            }
        }
    }

    /// cl100k's split differs from every rule set llama.cpp names (Llama 3's regex is close but
    /// splits runs of newlines differently), so writing it is refused rather than approximated.
    @Test func splitRulesWithoutAGGUFNameAreRefused() throws {
        let cl100k = try Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"))
        #expect { try GGUFTokenizer.file(for: cl100k) } throws: { "\($0)".contains("no tokenizer.ggml.pre name") }
        let llama3 = try Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"), pattern: "llama3")
        #expect(try GGUFTokenizer.file(for: llama3)["tokenizer.ggml.pre"] == .string(Array("llama-bpe".utf8)))
    }

    @Test func unknownPreTokenizerIsNamed() throws {
        var file = try GGUFFile.read(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-gpt-2.gguf"))
        let index = try #require(file.metadata.firstIndex(where: { $0.key == "tokenizer.ggml.pre" }))
        file.metadata[index].value = .string(Array("no-such-rules".utf8))
        #expect { try GGUFTokenizer.tokenizer(from: file) } throws: { "\($0)".contains("unknown pre-tokenizer \"no-such-rules\"") }
        file.metadata[index].value = .string(Array("kimi-k2".utf8))
        #expect { try GGUFTokenizer.tokenizer(from: file) } throws: { "\($0)".contains("kimi-k2") }
        for name in GGUFPreTokenizer.all.flatMap(\.names) {
            file.metadata[index].value = .string(Array(name.utf8))
            _ = try GGUFTokenizer.tokenizer(from: file)
        }
    }

    // MARK: Hostile files

    static func header(version: UInt32 = 3, pairs: UInt64) -> [UInt8] {
        var bytes = Array("GGUF".utf8)
        withUnsafeBytes(of: version.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt64(0).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: pairs.littleEndian) { bytes += $0 }
        return bytes
    }

    static func key(_ name: String, type: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(name.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(name.utf8)
        withUnsafeBytes(of: type.littleEndian) { bytes += $0 }
        return bytes
    }

    static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    static func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    @Test func hostileFilesAreErrors() throws {
        let real = try Data(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-llama-spm.gguf"))
        var cases: [(String, [UInt8])] = [
            ("wrong magic", Array("GGUX".utf8) + Self.header(pairs: 0).dropFirst(4)),
            ("version 1", Self.header(version: 1, pairs: 0)),
            ("big-endian", Self.header(version: UInt32(3).byteSwapped, pairs: 0)),
            ("unknown version", Self.header(version: 99, pairs: 0)),
            ("huge pair count", Self.header(pairs: 1 << 62)),
            ("key past the end", Self.header(pairs: 1) + Self.u64(1 << 40) + Array("abc".utf8)),
            ("2^63 array count", Self.header(pairs: 1) + Self.key("a", type: 9) + Self.u32(8) + Self.u64(1 << 63)),
            ("array count past the end", Self.header(pairs: 1) + Self.key("a", type: 9) + Self.u32(5) + Self.u64(1000) + [1, 2, 3, 4]),
            ("unknown value type", Self.header(pairs: 1) + Self.key("a", type: 13) + [0, 0, 0, 0]),
            ("unknown array type", Self.header(pairs: 1) + Self.key("a", type: 9) + Self.u32(77) + Self.u64(1)),
            ("bad bool", Self.header(pairs: 1) + Self.key("a", type: 7) + [2]),
            ("duplicate key", Self.header(pairs: 2) + Self.key("a", type: 0) + [1] + Self.key("a", type: 0) + [2]),
            ("no tokenizer", Self.header(pairs: 1) + Self.key("general.name", type: 8) + Self.u64(1) + [0x41]),
            ("wrong token type", Self.header(pairs: 2) + Self.key("tokenizer.ggml.model", type: 8) + Self.u64(4) + Array("gpt2".utf8)
                + Self.key("tokenizer.ggml.tokens", type: 5) + Self.u32(1)),
        ]
        // Deep nesting: arrays of arrays past the limit.
        var nested = Self.header(pairs: 1) + Self.key("a", type: 9)
        for _ in 0..<20 { nested += Self.u32(9) + Self.u64(1) }
        cases.append(("deep nesting", nested))
        // Every truncation of a real file (at a stride; metadata is all there is).
        for length in stride(from: 0, to: min(real.count - 1, 4000), by: 97) {
            cases.append(("truncated at \(length)", Array(real.prefix(length))))
        }
        cases.append(("truncated near the end", Array(real.prefix(real.count - 40))))
        for (what, bytes) in cases {
            #expect(throws: ModelError.self, "\(what)") {
                try GGUFTokenizer.tokenizer(from: try GGUFFile.read(Data(bytes)))
            }
        }
    }

    /// Scalar arrays of the types tokenizers do not use keep the file's bytes (memory about the
    /// file's size) and write back unchanged; a bool array holding 2 and an array of arrays are
    /// errors, as in llama.cpp.
    @Test func scalarArraysAndNesting() throws {
        let file = GGUFFile(metadata: [
            ("a.u64", .array(.scalars(type: 10, raw: (0..<24).map { UInt8($0) }))),
            ("a.bools", .array(.scalars(type: 7, raw: [0, 1, 1]))),
            ("a.f64", .float64(2.5)), ("a.i16", .int16(-3)),
        ])
        let read = try GGUFFile.read(file.serialized())
        #expect(read == file)
        if case .array(let array)? = read["a.u64"] { #expect(array.count == 3) } else { Issue.record("a.u64 missing") }
        var badBool = Self.header(pairs: 1) + Self.key("b", type: 9) + Self.u32(7) + Self.u64(2)
        badBool += [1, 2]
        #expect(throws: ModelError.self) { try GGUFFile.read(Data(badBool)) }
        let nested = Self.header(pairs: 1) + Self.key("n", type: 9) + Self.u32(9) + Self.u64(1) + Self.u32(0) + Self.u64(0)
        #expect { try GGUFFile.read(Data(nested)) } throws: { "\($0)".contains("array of arrays") }
    }

    /// SentencePiece BPE with user-defined pieces has no tokenizer.json form with piece-score
    /// merges (SentencePiece matches them inside normalized text): refused, not approximated.
    @Test func userDefinedPiecesRefuseTokenizerJSON() throws {
        var file = try GGUFFile.read(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-llama-spm.gguf"))
        let index = try #require(file.metadata.firstIndex(where: { $0.key == "tokenizer.ggml.token_type" }))
        guard case .array(.int32s(var types)) = file.metadata[index].value else { Issue.record("no types"); return }
        types[31000] = 4
        file.metadata[index].value = .array(.int32s(types))
        let tokenizer = try GGUFTokenizer.tokenizer(from: file)
        #expect { try TokenizerJSON.write(tokenizer) } throws: { "\($0)".contains("user-defined") }
    }

    /// Out-of-range ids and inconsistent arrays in otherwise valid metadata.
    @Test func inconsistentMetadataIsAnError() throws {
        let base = try GGUFFile.read(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-llama-spm.gguf"))
        func altered(_ key: String, _ value: GGUFFile.Value) -> GGUFFile {
            var file = base
            if let index = file.metadata.firstIndex(where: { $0.key == key }) { file.metadata[index].value = value }
            else { file.metadata.append((key, value)) }
            return file
        }
        let bad: [(String, GGUFFile.Value)] = [
            ("tokenizer.ggml.bos_token_id", .uint32(1_000_000)),
            ("tokenizer.ggml.eos_token_id", .int32(-1)),
            ("tokenizer.ggml.scores", .array(.float32s([0, 1]))),
            ("tokenizer.ggml.token_type", .array(.int32s([1, 2, 3]))),
            ("tokenizer.ggml.model", .string(Array("rwkv".utf8))),
            ("tokenizer.ggml.model", .uint32(3)),
            ("tokenizer.ggml.add_bos_token", .uint8(1)),
            ("tokenizer.ggml.tokens", .array(.strings([]))),
        ]
        for (key, value) in bad {
            #expect(throws: ModelError.self, "\(key)") { try GGUFTokenizer.tokenizer(from: altered(key, value)) }
        }
    }
}
