import Foundation
import Testing
import VocabTestSupport

/// The `vocab` command end to end: exit codes, messages, and files written or not.
@Suite("vocab command line", .serialized)
struct CommandLineTests {
    /// `vocab`, built by `swift test` next to the test binary.
    static let executable: URL = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("vocab").path) && directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("vocab")
    }()

    struct Run {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    /// Runs `vocab`; with `fileSizeLimit` (in kilobytes), under `ulimit -f` with SIGXFSZ ignored,
    /// so writes past it fail as they would on a full disk.
    func vocab(_ arguments: [String], input: Data? = nil, fileSizeLimit: Int? = nil) throws -> Run {
        let process = Process()
        let arguments = arguments + (arguments.first == "train" ? ["--quiet"] : [])
        if let fileSizeLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(fileSizeLimit); exec \"$0\" \"$@\"", Self.executable.path] + arguments
        } else {
            process.executableURL = Self.executable
            process.arguments = arguments
        }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(input) }
        try inPipe.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    func temporary(_ name: String) -> String { temporaryPath(name) }

    @Test("formats of ids alone (the encodeIds path) give the ids of the Encoding path (--format offsets)",
          arguments: [["tiktoken/cl100k_base.tiktoken"], ["tiktoken/cl100k_base.tiktoken", "--append", "<|endoftext|>"],
                      ["tiktoken/cl100k_base.tiktoken", "--append", "0"],
                      ["sentencepiece/botchan_en_unigram_1000.model"], ["sentencepiece/mistral-tokenizer.model.v1"],
                      ["bert/tokenizer.json"], ["bert/tokenizer.json", "--no-special-tokens"],
                      ["sentencepiece/botchan_en_unigram_1000.model", "--sample", "--seed", "5"]])
    func idsOnlyFormats(arguments: [String]) throws {
        let options = ["-t", fixture(arguments[0]).path] + arguments.dropFirst()
        var text = ""
        for name in ["en", "ja", "code-python"] {
            let corpus = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
            text += corpus.split(separator: "\n", omittingEmptySubsequences: false).prefix(150).joined(separator: "\n") + "\n"
        }
        text += "a <|endoftext|> b [SEP] c\n\n\u{0}\n"
        let input = Data(text.utf8)
        let ids = try vocab(["encode"] + options + ["--format", "ids", "--threads", "2"], input: input)
        let offsets = try vocab(["encode"] + options + ["--format", "offsets"], input: input)
        #expect(ids.status == 0 && offsets.status == 0, "\(ids.stderr) \(offsets.stderr)")
        let fromOffsets = String(decoding: offsets.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: " ").map { String($0.prefix { $0 != ":" }) }.joined(separator: " ") }
        let fromIds = String(decoding: ids.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(fromIds.count == fromOffsets.count)
        if let line = zip(fromIds, fromOffsets).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("line \(line + 1): \(fromIds[line]) but \(fromOffsets[line])")
        }
        // The binary format holds the same ids.
        let file = temporary("ids-only.u32")
        #expect(try vocab(["encode"] + options + ["--format", "u32", "-o", file], input: input).status == 0)
        let binary = try Data(contentsOf: URL(fileURLWithPath: file))
        let words = stride(from: 0, to: binary.count, by: 4).map { i in (0..<4).reduce(UInt32(0)) { $0 | UInt32(binary[i + $1]) << (8 * $1) } }
        #expect(words.map(String.init) == fromOffsets.flatMap { $0.split(separator: " ").map(String.init) }, "the u32 file's ids")
    }

    @Test("formats of ids keep truncation and padding when there is no post-processor (the Encoding path)")
    func idsFormatsKeepTruncationAndPadding() throws {
        // BERT's tokenizer.json without its template: truncation and padding to 128 stay.
        let data = try Data(contentsOf: fixture("bert/tokenizer.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        json["post_processor"] = NSNull()
        let file = temporary("bert-no-template.json")
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))
        let long = String(repeating: "word ", count: 300)
        let input = Data("a short line\n\(long)\n".utf8)
        for format in ["ids", "jsonl"] {
            let run = try vocab(["encode", "-t", file, "--format", format], input: input)
            #expect(run.status == 0, "\(run.stderr)")
            let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n")
            #expect(lines.map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).count } == [128, 128], "\(format)")
        }
        // Without special tokens (--no-special-tokens): neither, as before.
        let plain = try vocab(["encode", "-t", file, "--format", "ids", "--no-special-tokens"], input: input)
        #expect(String(decoding: plain.stdout, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").count } == [3, 300])
    }

    @Test("train, encode and decode round-trip a corpus in every format")
    func roundTrip() throws {
        let model = temporary("en.json")
        let corpus = corporaDirectory.appendingPathComponent("en.txt").path
        let train = try vocab(["train", "--vocab-size", "1000", "--special-token", "<|endoftext|>", corpus, "-o", model])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(!train.stderr.contains("wrote"), "--quiet prints no summary: \(train.stderr)")
        let text = Data("Hello world.\nIn the beginning God created the heaven and the earth. 日本語 ✓\n".utf8)
        for format in ["ids", "jsonl"] {
            let encoded = try vocab(["encode", "-t", model, "--format", format], input: text)
            #expect(encoded.status == 0, "\(encoded.stderr)")
            let decoded = try vocab(["decode", "-t", model, "--format", format], input: encoded.stdout)
            #expect(decoded.stdout == text, "\(format): \(decoded.stderr)")
        }
        for format in ["u16", "u32", "npy"] {
            let file = temporary("ids.\(format)")
            #expect(try vocab(["encode", "-t", model, "--format", format, "-o", file], input: text).status == 0)
            let decoded = try vocab(["decode", "-t", model, "--format", format, file])
            #expect(String(decoding: decoded.stdout, as: UTF8.self) == String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\n", with: ""))
        }
    }

    @Test("bad training input: a clear error, a non-zero exit, no output file",
          arguments: [
            ("empty", "", "no text"),
            ("binary", "\u{0}\u{1}\u{2}PK\u{0}", "does not look like text"),
          ])
    func badCorpus(name: String, content: String, message: String) throws {
        let corpus = temporary("\(name).txt")
        try Data(content.utf8).write(to: URL(fileURLWithPath: corpus))
        let output = temporary("out.json")
        let run = try vocab(["train", "--vocab-size", "1000", corpus, "-o", output])
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("vocab sweep writes the four report files and prints the recommendation; evaluate measures a trained file")
    func sweepAndEvaluate() throws {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
        let corpus = temporary("sweep.txt")
        try Data((text.split(separator: "\n").prefix(1200).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: corpus))
        let report = temporary("report")
        let run = try vocab(["sweep", "en=\(corpus)", "--algorithms", "bpe,word", "--sizes", "500,1k", "--folds", "3",
                             "--report", report, "--quiet", "--d-model", "512", "--tied"])
        #expect(run.status == 0, "\(run.stderr)")
        let stdout = String(decoding: run.stdout, as: UTF8.self)
        #expect(stdout.contains("Recommended: bpe with") && stdout.contains("<= recommended"), "\(stdout)")
        for file in ["report.md", "report.json", "report.csv", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: report + "/" + file), "\(file)")
        }
        // A byte sample: the report says what share of the input was used.
        let sampledReport = temporary("sampled")
        let sampled = try vocab(["sweep", "en=\(corpus)", "--algorithms", "bpe", "--sizes", "500", "--folds", "3", "--sample", "40K",
                                 "--report", sampledReport, "--quiet"])
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let markdown = (try? String(contentsOfFile: sampledReport + "/report.md", encoding: .utf8)) ?? ""
        #expect(markdown.contains("| sampled |") && markdown.contains("of 1200 lines)"), "\(markdown.prefix(600))")
        // evaluate: a word-level file trained on the same text loses some words to <unk>.
        let words = temporary("words.json")
        #expect(try vocab(["train", "--algorithm", "word", "--vocab-size", "800", corpus, "-o", words]).status == 0)
        let evaluated = try vocab(["evaluate", "-t", words, corpus, "--json"])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let json = try JSONSerialization.jsonObject(with: evaluated.stdout) as? [String: Any]
        let measures = json?["measures"] as? [String: Any]
        let unknown = (measures?["unknownRate"] as? NSNumber)?.doubleValue ?? -1
        #expect(unknown > 0.01 && unknown < 0.9, "unknown rate \(unknown)")
        #expect(((json?["cost"] as? [String: Any])?["embeddingParameters"] as? NSNumber)?.intValue == 800 * 768)
    }

    @Test("vocab sweep refuses bad options with a clear message",
          arguments: [
            (["--sizes", "8k,abc"], "is not a size"),
            (["--algorithms", "bpe,sentencepiece"], "unknown algorithm"),
            (["--folds", "1"], "at least 2"),
            (["--pivot", "fr"], "not one of the groups"),
            (["--sample", "lots"], "--sample: 'lots' is not a size"),
            (["--sample", "0"], "is not a size"),
          ])
    func badSweep(arguments: [String], message: String) throws {
        let corpus = temporary("tiny.txt")
        try Data("one line\ntwo lines\nthree lines\nfour\n".utf8).write(to: URL(fileURLWithPath: corpus))
        let run = try vocab(["sweep", "en=\(corpus)", "--report", temporary("r"), "--quiet"] + arguments)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
    }

    @Test("other errors name the problem")
    func otherErrors() throws {
        let output = temporary("out.json")
        let corpus = corporaDirectory.appendingPathComponent("en.txt").path
        let small = try vocab(["train", "--vocab-size", "100", corpus, "-o", output])
        #expect(small.status != 0 && small.stderr.contains("smaller than"), "\(small.stderr)")
        let missing = try vocab(["train", "--vocab-size", "1000", "/nonexistent.txt", "-o", output])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent.txt"))
        #expect(!FileManager.default.fileExists(atPath: output))
        let broken = temporary("broken.json")
        try Data(#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "zz"]]}}"#.utf8).write(to: URL(fileURLWithPath: broken))
        let load = try vocab(["encode", "-t", broken], input: Data("a\n".utf8))
        #expect(load.status != 0 && load.stderr.contains("merges[0]"), "\(load.stderr)")
        let unknownType = temporary("unknown.json")
        try Data(#"{"model": {"type": "Mystery"}}"#.utf8).write(to: URL(fileURLWithPath: unknownType))
        let mystery = try vocab(["encode", "-t", unknownType], input: Data("a\n".utf8))
        #expect(mystery.status != 0 && mystery.stderr.contains("Mystery"), "\(mystery.stderr)")
        let tiktoken = corporaDirectory.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/tiktoken/cl100k_base.tiktoken").path
        let badId = try vocab(["decode", "-t", tiktoken], input: Data("1 2 99999999\n".utf8))
        #expect(badId.status != 0 && badId.stderr.contains("line 1"), "\(badId.stderr)")
    }

    @Test("a full disk while counting, spilling or merging is a clear error and leaves no file behind")
    func fullDisk() throws {
        let folder = temporary("full-disk")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let corpora = ["en", "de", "ru", "zh"].map { corporaDirectory.appendingPathComponent("\($0).txt").path }
        let output = folder + "/all.counts"
        let whole = try vocab(["count", "--quiet"] + corpora + ["-o", output])
        #expect(whole.status == 0, "\(whole.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: output)[.size] as! Int
        try FileManager.default.removeItem(atPath: output)
        for (name, flags) in [("final write", [String]()), ("spilling", ["--memory", "2M"])] {
            let run = try vocab(["count", "--quiet"] + flags + corpora + ["-o", output], fileSizeLimit: size / 4096)
            #expect(run.status != 0, "\(name): a write past the limit must fail")
            #expect(run.stderr.contains("cannot write") && run.stderr.contains("free space"), "\(name): \(run.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "\(name): files left behind")
        }
        for part in ["a", "b"] { #expect(try vocab(["count", "--quiet", corpora[0], "-o", folder + "/\(part).counts"]).status == 0) }
        let merge = try vocab(["count", "--quiet", "--merge", folder + "/a.counts", folder + "/b.counts", "-o", output], fileSizeLimit: size / 8192)
        #expect(merge.status != 0 && merge.stderr.contains("cannot write"), "merge: \(merge.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["a.counts", "b.counts"])
    }

    @Test("parts of a file counted with --part-of-larger-file merge to the whole file's counts, blank and odd parts too")
    func partsOfAFile() throws {
        let folder = temporary("parts")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 70 kB of text, a part of blank lines, then a part with NUL bytes past the first 64 kB.
        let parts = [Data(String(repeating: "plain words here\n", count: 4_200).utf8), Data("\n\n\n".utf8),
                     Data("tail \u{0}\u{0} text\nlast line".utf8)]
        let whole = folder + "/whole.txt"
        try parts.reduce(Data(), +).write(to: URL(fileURLWithPath: whole))
        for flags in [["--no-line-breaks"], []] {
            let expected = folder + "/whole.counts"
            let one = try vocab(["count", "--quiet"] + flags + [whole, "-o", expected])
            #expect(one.status == 0, "\(one.stderr)")
            var files: [String] = []
            for (index, part) in parts.enumerated() {
                let file = folder + "/part-\(index).counts"
                let run = try vocab(["count", "--quiet", "--part-of-larger-file"] + flags + ["-", "-o", file], input: part)
                #expect(run.status == 0, "part \(index) \(flags): \(run.stderr)")
                files.append(file)
            }
            let merged = folder + "/merged.counts"
            #expect(try vocab(["count", "--quiet", "--merge"] + files + ["-o", merged]).status == 0)
            #expect(FileManager.default.contents(atPath: merged) == FileManager.default.contents(atPath: expected), "\(flags)")
            // Without the flag, the parts are checked as files of their own and refused.
            #expect(try vocab(["count", "--quiet"] + flags + ["-", "-o", folder + "/x.counts"], input: parts[2]).status != 0)
        }
        #expect(try vocab(["count", "--quiet", "--no-line-breaks", "-", "-o", folder + "/x.counts"], input: parts[1]).status != 0)
    }
}
