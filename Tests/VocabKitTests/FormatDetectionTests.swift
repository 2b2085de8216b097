import Foundation
import Testing
@testable import VocabKit
import VocabTestSupport

/// Files are recognized by content; a `.model` by a walk over its protobuf fields, not a parse.
@Suite("Format detection")
struct FormatDetectionTests {
    @Test("every shipped file is recognized as its format")
    func shippedFiles() throws {
        let expected: [(String, TokenizerFile.Format)] = [
            ("sentencepiece/botchan_en_bpe_1000.model", .sentencePieceModel),
            ("sentencepiece/botchan_en_unigram_1000.model", .sentencePieceModel),
            ("sentencepiece/mistral-tokenizer.model.v1", .sentencePieceModel),
            ("bert/tokenizer.json", .json), ("bert/vocab.txt", .vocabText), ("gpt2/encoder.json", .json),
            ("tiktoken/r50k_base.tiktoken", .tiktoken), ("tiktoken/cl100k_base.tiktoken", .tiktoken),
        ]
        for (file, format) in expected {
            #expect(TokenizerFile.Format.detect(try Data(contentsOf: fixture(file))) == format, "\(file)")
        }
    }

    @Test("cut, altered or text files are not taken for a .model")
    func notModels() throws {
        let model = try Data(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        #expect(SentencePieceModelFile.looksLikeModel(model))
        // Cut anywhere inside its last field, or with a byte appended that starts no field.
        for cut in [1, 2, 100, 5_000, model.count - 1] { #expect(!SentencePieceModelFile.looksLikeModel(model.prefix(cut)), "cut at \(cut)") }
        #expect(!SentencePieceModelFile.looksLikeModel(model + Data([0x07])))
        // Wire types 3, 4, 6 and 7 and field number 0 are refused; an empty first piece too.
        for bytes: [UInt8] in [[0x0B], [0x0C], [0x0E, 0x00], [0x0F], [0x02, 0x00], [0x0A, 0x00], []] {
            #expect(!SentencePieceModelFile.looksLikeModel(Data(bytes)), "\(bytes)")
        }
        // A vocab.txt that starts with an empty line is still a vocab.txt.
        #expect(TokenizerFile.Format.detect(Data("\n[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##lo\n".utf8)) == .vocabText)
        // A truncated model is an error, not another format.
        let path = temporaryPath("cut.model")
        try model.prefix(model.count / 2).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ModelError.self) { try Tokenizer(contentsOf: URL(fileURLWithPath: path)) }
    }
}
