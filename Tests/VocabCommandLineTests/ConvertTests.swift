import Foundation
import Testing
import VocabKit
import VocabTestSupport

/// `vocab convert` writes every format `vocab train` writes, and the file loads back with the
/// same ids.
@Suite("vocab convert", .serialized)
struct ConvertTests {
    let cli = CommandLineTests()

    @Test("vocab cut writes the smaller tokenizer and the id map as JSON and .npy; bad sizes are clear errors")
    func cut() throws {
        let gpt2 = fixture("gpt2").path
        let output = cli.temporary("gpt2-10k.json"), npy = cli.temporary("map.npy"), json = cli.temporary("map.json")
        let run = try cli.vocab(["cut", "-t", gpt2, "--vocab-size", "10000", "-o", output, "--id-map", npy])
        #expect(run.status == 0 && run.stderr.contains("50257 to 10000 tokens") && run.stderr.contains("1 added token renumbered"), "\(run.stderr)")
        let cut = try Tokenizer(contentsOf: URL(fileURLWithPath: output))
        #expect(cut.model.vocabularySize == 10000 && cut.addedTokens.map(\.id) == [10000])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: npy))
        #expect(bytes.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(bytes[bytes.startIndex + 8]) | Int(bytes[bytes.startIndex + 9]) << 8
        #expect((10 + headerLength) % 64 == 0 && bytes.count == 10 + headerLength + 4 * 50257)
        #expect(String(decoding: bytes[(bytes.startIndex + 10)..<(bytes.startIndex + 10 + headerLength)], as: UTF8.self).contains("'<i4'"))
        let asJSON = try cli.vocab(["cut", "--quiet", "-t", gpt2, "--vocab-size", "10000", "-o", cli.temporary("again.json"), "--id-map", json])
        #expect(asJSON.status == 0 && asJSON.stderr.isEmpty)
        let map = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [Int])
        #expect(map.count == 50257 && map[9999] == 9999 && map[10000] == -1 && map[50256] == 10000)
        let tooLarge = try cli.vocab(["cut", "-t", gpt2, "--vocab-size", "60000", "-o", cli.temporary("x.json")])
        #expect(tooLarge.status != 0 && tooLarge.stderr.contains("must be smaller"), "\(tooLarge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.temporary("x.json")))
        let belowBytes = try cli.vocab(["cut", "-t", gpt2, "--vocab-size", "200", "-o", cli.temporary("y.json")])
        #expect(belowBytes.status != 0 && belowBytes.stderr.contains("base symbol"), "\(belowBytes.stderr)")
    }

    /// Text in several scripts, with digits, punctuation and runs of spaces.
    func sample() throws -> [String] {
        let lines = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
            .split(separator: "\n").prefix(200).map(String.init)
        return lines + ["Hello, world! 12345  tabs\tand  spaces", "日本語のテキスト", "Привет, мир", "naïve café ﬁ"]
    }

    /// Converts `source` to `name` (its extension picks the format) and checks that every sample
    /// line encodes to the same ids with the converted file.
    func convertKeepsIds(_ source: URL, to name: String, pattern: String? = nil, allowsAddedTokens: Bool = true) throws -> String {
        let output = temporaryPath(name)
        let run = try cli.vocab(["convert", "-t", source.path, "-o", output])
        #expect(run.status == 0, "convert to \(name): \(run.stderr)")
        // Padding and truncation are encoding settings, not vocabulary: only tokenizer.json keeps them.
        var original = try Tokenizer(contentsOf: source), converted = try Tokenizer(contentsOf: URL(fileURLWithPath: output), pattern: pattern)
        (original.padding, original.truncation, converted.padding, converted.truncation) = (nil, nil, nil, nil)
        for line in try sample() {
            let want = try original.encode(line, allowsAddedTokens: allowsAddedTokens).ids
            let got = try converted.encode(line, allowsAddedTokens: allowsAddedTokens).ids
            #expect(want == got, "\(source.lastPathComponent) -> \(name): \(line.prefix(40))")
            if want != got { break }
        }
        return output
    }

    @Test("tokenizer.json from every readable format gives the same ids")
    func toJSON() throws {
        // (SentencePiece .model files need tokenizer.json's Precompiled normalizer, not written yet.)
        for source in ["tiktoken/r50k_base.tiktoken", "gpt2", "bert/vocab.txt"] {
            _ = try convertKeepsIds(fixture(source), to: "converted.json")
        }
    }

    @Test(".model from .model (Unigram, SentencePiece BPE) and from a trained tokenizer.json, with the same ids")
    func toModel() throws {
        for source in ["sentencepiece/botchan_en_unigram_1000.model", "sentencepiece/botchan_en_bpe_1000.model",
                       "sentencepiece/mistral-tokenizer.model.v1"] {
            _ = try convertKeepsIds(fixture(source), to: "back.model")
        }
        // A Unigram tokenizer.json trained by vocab train converts to a .model.
        let trained = temporaryPath("uni.json")
        let train = try cli.vocab(["train", "--algorithm", "unigram", "--vocab-size", "800", try corpusSlice("en", lines: 1500), "-o", trained])
        #expect(train.status == 0, "\(train.stderr)")
        _ = try convertKeepsIds(URL(fileURLWithPath: trained), to: "trained.model")
    }

    @Test(".tiktoken from a GPT-2 folder and from tokenizer.json (ordinary text: rank files hold no special tokens)")
    func toTiktoken() throws {
        _ = try convertKeepsIds(fixture("gpt2"), to: "gpt2.tiktoken", pattern: "gpt2", allowsAddedTokens: false)
        let json = try convertKeepsIds(fixture("tiktoken/cl100k_base.tiktoken"), to: "cl100k.json")
        let back = try convertKeepsIds(URL(fileURLWithPath: json), to: "cl100k_base.tiktoken", allowsAddedTokens: false)
        #expect(FileManager.default.contentsEqual(atPath: back, andPath: fixture("tiktoken/cl100k_base.tiktoken").path),
                "cl100k ranks written back are byte-identical")
    }

    @Test("vocab.txt from BERT's tokenizer.json is BERT's vocab.txt")
    func toVocabText() throws {
        let output = try convertKeepsIds(fixture("bert/tokenizer.json"), to: "vocab.txt")
        #expect(FileManager.default.contentsEqual(atPath: output, andPath: fixture("bert/vocab.txt").path))
    }

    @Test("a format that cannot hold the model is refused before anything is written",
          arguments: [("tiktoken/cl100k_base.tiktoken", "x.txt", "WordPiece"), ("bert/vocab.txt", "x.model", "Unigram"),
                      ("bert/vocab.txt", "x.tiktoken", "byte-level BPE"), ("gpt2", "x.bin", "must end in")])
    func refused(source: String, name: String, message: String) throws {
        let output = temporaryPath(name)
        let run = try cli.vocab(["convert", "-t", fixture(source).path, "-o", output])
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
