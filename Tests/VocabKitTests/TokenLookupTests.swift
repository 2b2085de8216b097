import Foundation
import Testing
@testable import VocabKit

/// Token ↔ id lookup is symmetric for every model type, special roles are found, and a model
/// folder with `tokenizer_config.json` loads as `transformers` loads it.
@Suite struct TokenLookupTests {
    @Test func lookupIsSymmetric() throws {
        for file in ["tiktoken/cl100k_base.tiktoken", "gpt2", "bert/tokenizer.json", "sentencepiece/mistral-tokenizer.model.v1",
                     "sentencepiece/botchan_en_unigram_1000.model", "gguf/ggml-vocab-llama-bpe.gguf"] {
            let tokenizer = try Tokenizer(contentsOf: TestCorpora.fixture(file))
            for id in stride(from: UInt32(0), to: UInt32(tokenizer.vocabularySize), by: 97) {
                guard let token = tokenizer.token(for: id) else { Issue.record("\(file): no token for \(id)"); continue }
                #expect(tokenizer.tokenId(for: token) == id, "\(file): \(token.debugDescription) ↔ \(id)")
            }
            #expect(tokenizer.token(for: UInt32(tokenizer.vocabularySize)) == nil)
            #expect(tokenizer.convertIdToToken(-1) == nil)
        }
        let gpt2 = try Tokenizer(contentsOf: TestCorpora.fixture("gpt2"))
        #expect(gpt2.convertTokenToId("Ġ") == 220)
        #expect(gpt2.convertTokenToId(" ") == nil, "raw text is not a spelling of a byte-level token")
        #expect(gpt2.convertTokenToId("Ġworld") == 995)
        #expect(gpt2.convertIdToToken(995) == "Ġworld")
        #expect(gpt2.convertTokenToId("<|endoftext|>") == 50256)
        let bert = try Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json"))
        #expect(bert.convertTokenToId("##ing") != nil)
        #expect(try bert.tokenize(text: "unaffable") == ["una", "##ffa", "##ble"])
    }

    /// "é" (U+00E9) and "e" + U+0301 are different tokens although Swift's String calls them
    /// equal: a tokenizer.json with both keeps both (Llama 2's vocabulary has six such pairs).
    @Test func canonicallyEquivalentTokensStayDistinct() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        // Plain (non-byte-level) BPE: "e" + U+0301 merge into the decomposed token; the composed
        // one is a token of its own.
        let plain: [String] = ["e", "\u{301}", composed, decomposed]
        let json = """
        {"version": "1.0", "model": {"type": "BPE", "vocab": {\(plain.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ", "))},
        "merges": [["e", "\u{301}"]]}, "pre_tokenizer": {"type": "WhitespaceSplit"}}
        """
        let tokenizer = try TokenizerJSON.read(Data(json.utf8))
        #expect(tokenizer.model.vocabularySize == 4)
        #expect(try tokenizer.encode(decomposed).ids == [3])
        #expect(try tokenizer.encode(composed).ids == [2])
        #expect(tokenizer.token(for: 2).map { Array($0.unicodeScalars) } == Array(composed.unicodeScalars))
    }

    @Test func specialRoles() throws {
        let cl100k = try Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"))
        #expect(cl100k.eosTokenId == 100257 && cl100k.eosToken == "<|endoftext|>")
        #expect(cl100k.padTokenId == nil, "no padding id is invented")
        let bert = try Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json"))
        #expect(bert.bosTokenId == 101 && bert.eosTokenId == 102 && bert.unknownTokenId == 100)
        let mistral = try Tokenizer(contentsOf: TestCorpora.fixture("sentencepiece/mistral-tokenizer.model.v1"))
        #expect(mistral.bosTokenId == 1 && mistral.eosTokenId == 2 && mistral.unknownTokenId == 0)
        #expect(mistral.bosToken == "<s>")
        // sentencepiece adds no BOS unless asked.
        #expect(try mistral.encode(text: "Hello").first != 1)
        #expect(throws: ModelError.idOutOfRange(id: -5, vocabularySize: 30522)) { try bert.decode(tokens: [-5]) }
        #expect(throws: ModelError.idOutOfRange(id: 30522, vocabularySize: 30522)) { try bert.decode(tokens: [30522]) }
        #expect(try bert.decode(tokens: [101, 7592, 102], skipSpecialTokens: true) == "hello")
    }

    /// Folders as `transformers` saves them.
    @Test func modelFolders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vocabkit-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let llama = folder.appendingPathComponent("llama"), bert = folder.appendingPathComponent("bert")
        for path in [llama, bert] { try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(at: TestCorpora.fixture("sentencepiece/mistral-tokenizer.model.v1"),
                                         to: llama.appendingPathComponent("tokenizer.model"))
        try Data(#"{"add_bos_token": true, "add_eos_token": false, "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>", "unk_token": "<unk>", "pad_token": null, "model_max_length": 32768}"#.utf8)
            .write(to: llama.appendingPathComponent("tokenizer_config.json"))
        let mistral = try Tokenizer(contentsOf: llama)
        #expect(try mistral.encode(text: "Hello").first == 1)
        #expect(try mistral.encode(text: "Hello", addSpecialTokens: false).first != 1)
        #expect(mistral.modelMaxLength == 32768)
        #expect(mistral.padTokenId == nil)
        for name in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: TestCorpora.fixture("bert/\(name)"), to: bert.appendingPathComponent(name))
        }
        let minilm = try Tokenizer(contentsOf: bert)
        #expect(minilm.padTokenId == 0 && minilm.unknownTokenId == 100)
        #expect(try minilm.encode(text: "hello world").prefix(4) == [101, 7592, 2088, 102])
        // An empty folder names what it looks for; a bad config names its key.
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect { try Tokenizer(contentsOf: empty) } throws: { "\($0)".contains("tokenizer.json, tokenizer.model") }
        // A Llama-style config that names only add_eos_token keeps the BOS the template has.
        try Data(#"{"tokenizer_class": "LlamaTokenizer", "add_eos_token": true, "bos_token": "<s>", "eos_token": "</s>"}"#.utf8)
            .write(to: llama.appendingPathComponent("tokenizer_config.json"))
        var withBOS = try Tokenizer(contentsOf: TestCorpora.fixture("sentencepiece/mistral-tokenizer.model.v1"))
        withBOS.postProcessor = TemplatePostProcessor(single: [.special("<s>", id: 1, typeId: 0), .sequence(second: false, typeId: 0)],
                                                      pair: [.special("<s>", id: 1, typeId: 0), .sequence(second: false, typeId: 0), .sequence(second: true, typeId: 1)])
        try TokenizerConfig(contentsOf: llama.appendingPathComponent("tokenizer_config.json")).apply(to: &withBOS)
        let both = try withBOS.encode(text: "Hello")
        #expect(both.first == 1 && both.last == 2)
        // A BERT config's add flags leave BERT's template alone.
        var minilm2 = try Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json"))
        try TokenizerConfig(data: Data(#"{"tokenizer_class": "BertTokenizer", "add_bos_token": false}"#.utf8)).apply(to: &minilm2)
        #expect(try minilm2.encode(text: "hello").first == 101)
        try Data(#"{"add_bos_token": "yes"}"#.utf8).write(to: llama.appendingPathComponent("tokenizer_config.json"))
        #expect { try Tokenizer(contentsOf: llama) } throws: { "\($0)".contains("add_bos_token") }
    }
}

/// `encodeBatchMatrix`: one row-major Int32 matrix, padding only with a named padding token.
@Suite struct BatchMatrixTests {
    @Test func padsWithTheNamedTokenOnly() throws {
        var cl100k = try Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"))
        let texts = ["Hello world", "a much longer text than the first one", ""]
        #expect { try cl100k.encodeBatchMatrix(texts) } throws: { "\($0)".contains("no padding token") }
        // Equal lengths need no padding token.
        #expect(try cl100k.encodeBatchMatrix(["a", "b"]).shape == [2, 1])
        cl100k.specialTokenIds.padding = 100257
        let batch = try cl100k.encodeBatchMatrix(texts)
        let ids = try texts.map { try cl100k.encode($0).ids }
        #expect(batch.shape == [3, ids.map(\.count).max()!])
        for (row, expected) in ids.enumerated() {
            let got = Array(batch.ids(row: row))
            #expect(Array(got.prefix(expected.count)) == expected.map { Int32($0) })
            #expect(got.dropFirst(expected.count).allSatisfy { $0 == 100257 })
            #expect(batch.attentionMask[(row * batch.columns)..<((row + 1) * batch.columns)].reduce(0, +) == Int32(expected.count))
        }
        cl100k.padding = Padding(onLeft: true, padId: 100257)
        let left = try cl100k.encodeBatchMatrix(texts)
        #expect(Array(left.ids(row: 0)).last == Int32(ids[0].last!))
    }

    @Test func maxLengthKeepsSpecialTokens() throws {
        let bert = try Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json"))
        let batch = try bert.encodeBatchMatrix(["one two three four five six seven eight nine ten", "hi"], maxLength: 6)
        #expect(batch.shape == [2, 6])
        #expect(Array(batch.ids(row: 0)).first == 101 && Array(batch.ids(row: 0)).last == 102)
        #expect(Array(batch.ids(row: 1)) == [101, 7632, 102, 0, 0, 0])
        #expect(throws: ModelError.self) { try bert.encodeBatchMatrix(["x"], maxLength: 0) }
    }
}
