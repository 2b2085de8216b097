import Foundation
import Testing
import VocabTestSupport

/// `vocab encode --input jsonl|documents|whole`, Megatron output, and decoding them back.
@Suite("dataset input and output", .serialized)
struct DatasetInputTests {
    let cli = CommandLineTests()
    let gpt2 = fixture("gpt2").path

    func write(_ text: String, _ name: String) throws -> String {
        let path = cli.temporary(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func lines(_ run: CommandLineTests.Run) -> [String] {
        String(decoding: run.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func unitsOfText() throws {
        let jsonl = try write(#"{"text": "Hello world\nagain", "id": 1}"# + "\n\n" + #""a bare string""# + "\n", "a.jsonl")
        let documents = try write("Hello world\nagain\n\n\r\na bare string\n\n\n", "a.txt")
        let fromJSON = try cli.vocab(["encode", "-t", gpt2, "--input", "jsonl", jsonl])
        let fromDocuments = try cli.vocab(["encode", "-t", gpt2, "--input", "documents", documents])
        #expect(fromJSON.status == 0 && fromDocuments.status == 0, "\(fromJSON.stderr) \(fromDocuments.stderr)")
        #expect(lines(fromJSON).count == 2, "a blank JSON line is no record")
        #expect(lines(fromJSON) == lines(fromDocuments))
        #expect(lines(fromJSON).first == "15496 995 198 17776", "the newline inside the text is encoded")
        // Whole: the file byte for byte, final newline included; an empty file is one empty text.
        let whole = try cli.vocab(["encode", "-t", gpt2, "--input", "whole", documents, try write("", "empty.txt")])
        #expect(lines(whole).count == 2 && lines(whole)[1] == "")
        let decoded = try cli.vocab(["decode", "-t", gpt2], input: Data((lines(whole)[0] + "\n").utf8))
        #expect(String(decoding: decoded.stdout, as: UTF8.self) == "Hello world\nagain\n\n\r\na bare string\n\n\n\n")
    }

    @Test func specialTokenTextPolicy() throws {
        let input = try write("plain\na<|endoftext|>b\n", "special.txt")
        let recognized = try cli.vocab(["encode", "-t", gpt2, input])
        #expect(recognized.status == 0 && lines(recognized)[1] == "64 50256 65", "\(recognized.stderr)")
        let asText = try cli.vocab(["encode", "-t", gpt2, "--special-tokens", "text", input])
        #expect(asText.status == 0 && !lines(asText)[1].split(separator: " ").contains("50256"))
        let refused = try cli.vocab(["encode", "-t", gpt2, "--special-tokens", "refuse", input])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("special.txt, line 2") && refused.stderr.contains("<|endoftext|>"), "\(refused.stderr)")
    }

    @Test func evaluateAndSweepReadJSONLines() throws {
        let texts = (0..<60).map { "line \($0) of the held-out text, with words \($0 % 7) and more words" }
        let plain = try write(texts.joined(separator: "\n") + "\n", "plain.txt")
        let jsonl = try write(texts.map { #"{"content": "\#($0)"}"# }.joined(separator: "\n") + "\n", "records.jsonl")
        let fromLines = try cli.vocab(["evaluate", "-t", gpt2, "--json", plain])
        let fromJSON = try cli.vocab(["evaluate", "-t", gpt2, "--json", "--input", "jsonl", "--text-key", "content", jsonl])
        #expect(fromLines.status == 0 && fromJSON.status == 0, "\(fromJSON.stderr)")
        #expect(fromLines.stdout == fromJSON.stdout, "records measure as the same texts one per line")
        let conflict = try cli.vocab(["evaluate", "-t", gpt2, "--input", "jsonl", "--unit", "document", jsonl])
        #expect(conflict.status != 0 && conflict.stderr.contains("--unit document"), "\(conflict.stderr)")
        let missingKey = try cli.vocab(["evaluate", "-t", gpt2, "--input", "jsonl", jsonl])
        #expect(missingKey.status != 0 && missingKey.stderr.contains("records.jsonl, line 1") && missingKey.stderr.contains("no \"text\" key"), "\(missingKey.stderr)")
        // The sweep: corpus lines as records give the report the line units give.
        let english = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
            .split(separator: "\n").prefix(400).map(String.init)
        let records = try english.map { (line: String) -> String in
            String(decoding: try JSONSerialization.data(withJSONObject: ["content": line]), as: UTF8.self)
        }
        let englishJSON = try write(records.joined(separator: "\n") + "\n", "en.jsonl")
        let report = cli.temporary("sweep-jsonl")
        let sweep = try cli.vocab(["sweep", "--quiet", "--input", "jsonl", "--text-key", "content", "--algorithms", "bpe", "--sizes", "500",
                                   "--folds", "2", "en=" + englishJSON, "--report", report])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let englishLines = try write(english.joined(separator: "\n") + "\n", "en.txt")
        let lineReport = cli.temporary("sweep-lines")
        let sweepLines = try cli.vocab(["sweep", "--quiet", "--algorithms", "bpe", "--sizes", "500", "--folds", "2", "--unit", "line",
                                        "en=" + englishLines, "--report", lineReport])
        #expect(sweepLines.status == 0, "\(sweepLines.stderr)")
        let measured = try String(contentsOfFile: report + "/report.csv", encoding: .utf8)
        #expect(measured == (try String(contentsOfFile: lineReport + "/report.csv", encoding: .utf8)))
    }

    @Test func malformedJSONLinesNameTheirPlace() throws {
        let bad = try write("{\"text\": \"ok\"}\n{\"txt\": 1}\n{broken\n{\"text\": 5}\n[1]\n", "bad.jsonl")
        let failed = try cli.vocab(["encode", "-t", gpt2, "--input", "jsonl", bad])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("bad.jsonl, line 2") && failed.stderr.contains("no \"text\" key"), "\(failed.stderr)")
        let other = try cli.vocab(["encode", "-t", gpt2, "--input", "jsonl", "--text-key", "txt", bad])
        #expect(other.stderr.contains("line 1") && other.stderr.contains("no \"txt\" key"), "\(other.stderr)")
        let skipped = try cli.vocab(["encode", "-t", gpt2, "--input", "jsonl", "--skip-bad-lines", bad])
        #expect(skipped.status == 0 && lines(skipped) == ["482"], "\(skipped.stderr)")
        #expect(skipped.stderr.contains("skipped 4 bad lines") && skipped.stderr.contains("line 2"), "\(skipped.stderr)")
        let misuse = try cli.vocab(["encode", "-t", gpt2, "--skip-bad-lines", bad])
        #expect(misuse.status != 0 && misuse.stderr.contains("--input jsonl"))
    }

    @Test("--append adds a special token with every annotation: --format encoding's arrays stay equally long")
    func appendedSeparatorIsAnnotated() throws {
        let input = try write("two words\nand three here\n", "append.txt")
        let encoded = try cli.vocab(["encode", "-t", gpt2, "--append", "<|endoftext|>", "--format", "encoding", input])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let records = try lines(encoded).map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 2)
        for record in records {
            let ids = record?["ids"] as? [Int] ?? [], mask = record?["special_tokens_mask"] as? [Int] ?? []
            let lengths = ["ids", "type_ids", "offsets", "special_tokens_mask", "attention_mask"].map { (record?[$0] as? [Any])?.count ?? -1 }
            #expect(Set(lengths).count == 1 && ids.count > 1, "\(lengths)")
            #expect(ids.last == 50256 && mask.last == 1 && mask.dropLast().allSatisfy { $0 == 0 }, "\(mask)")
        }
    }

    @Test func megatronDataset() throws {
        let jsonl = try write((0..<50).map { #"{"text": "document \#($0)\nwith two lines"}"# }.joined(separator: "\n") + "\n", "docs.jsonl")
        let prefix = cli.temporary("docs")
        let encoded = try cli.vocab(["encode", "-t", gpt2, "--input", "jsonl", "--append", "<|endoftext|>", "--format", "megatron", "-o", prefix + ".bin", jsonl])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let index = try Data(contentsOf: URL(fileURLWithPath: prefix + ".idx"))
        #expect(index.prefix(9) == Data("MMIDIDX".utf8 + [0, 0]))
        #expect(index[index.startIndex + 17] == 8, "uint16 for GPT-2")
        let decoded = try cli.vocab(["decode", "-t", gpt2, "--format", "megatron", prefix, "--output-format", "jsonl", "--keep-special-tokens"])
        let texts = try lines(decoded).map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(texts.count == 50 && texts[7]?["text"] == "document 7\nwith two lines<|endoftext|>", "\(decoded.stderr)")
        // A damaged index is an error naming it, never a crash.
        var broken = index
        broken[broken.startIndex + 18] = 0xFF
        try broken.write(to: URL(fileURLWithPath: prefix + ".idx"))
        let refused = try cli.vocab(["decode", "-t", gpt2, "--format", "megatron", prefix])
        #expect(refused.status != 0 && refused.stderr.contains(".idx"), "\(refused.stderr)")
        // Overlapping sequences (a pointer moved back) could make a small index demand huge
        // memory: refused.
        var overlapping = index
        let pointers = overlapping.startIndex + 34 + 4 * 50
        overlapping[pointers + 8] = 0
        overlapping[pointers + 9] = 0
        try overlapping.write(to: URL(fileURLWithPath: prefix + ".idx"))
        let refusedOverlap = try cli.vocab(["decode", "-t", gpt2, "--format", "megatron", prefix])
        #expect(refusedOverlap.status != 0 && refusedOverlap.stderr.contains("does not follow"), "\(refusedOverlap.stderr)")
        try index.prefix(40).write(to: URL(fileURLWithPath: prefix + ".idx"))
        #expect(try cli.vocab(["decode", "-t", gpt2, "--format", "megatron", prefix]).status != 0)
    }
}
