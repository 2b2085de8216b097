import Foundation
import Testing
import VocabTestSupport

/// The command's answers to hostile input and interrupted runs: clear errors, no partial files,
/// outputs that keep their permissions and never follow a planted link.
@Suite("vocab bad input and safe writes", .serialized)
struct BadInputTests {
    let cli = CommandLineTests()
    let bert = fixture("bert/tokenizer.json").path
    let tiktoken = fixture("tiktoken/cl100k_base.tiktoken").path

    func folder(_ name: String) throws -> String {
        let folder = temporaryPath(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("decode refuses malformed JSON id arrays and .npy files that are not 1-D")
    func malformedIds() throws {
        for line in ["[1,2", "1,2]", "[[1,2]]", "[1,,2]", "[1,[2]]", "{\"ids\": [1]}"] {
            let run = try cli.vocab(["decode", "-t", bert, "--format", "jsonl"], input: Data((line + "\n").utf8))
            #expect(run.status != 0 && run.stderr.contains("line 1"), "\(line): \(run.stderr)")
        }
        let good = try cli.vocab(["decode", "-t", bert, "--format", "jsonl"], input: Data("[7592, 2088]\n[]\n".utf8))
        #expect(good.status == 0 && String(decoding: good.stdout, as: UTF8.self) == "hello world\n\n", "\(good.stderr)")
        let npy = try folder("npy") + "/ids.npy"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let header = "{'descr': '<u4', 'fortran_order': False, 'shape': (2, 1), }".padding(toLength: 117, withPad: " ", startingAt: 0) + "\n"
        data += Data([UInt8(header.utf8.count), 0]) + Data(header.utf8) + Data(count: 8)
        try data.write(to: URL(fileURLWithPath: npy))
        let run = try cli.vocab(["decode", "-t", bert, "--format", "npy", npy])
        #expect(run.status != 0 && run.stderr.contains("1-D"), "\(run.stderr)")
    }

    @Test("sampling settings that cannot sample are refused")
    func samplingOptions() throws {
        for flags in [["--alpha", "nan"], ["--alpha=-1"], ["--nbest", "1000000"]] {
            let run = try cli.vocab(["encode", "-t", tiktoken, "--sample"] + flags, input: Data("a\n".utf8))
            #expect(run.status != 0 && run.stderr.contains("--alpha/--nbest"), "\(flags): \(run.stderr)")
        }
    }

    @Test("u16 output refuses a tokenizer whose ids do not fit, and a padding id outside the vocabulary is refused on load")
    func u16AndPadding() throws {
        let folder = try folder("u16")
        let run = try cli.vocab(["encode", "-t", tiktoken, "--format", "u16", "-o", folder + "/ids.u16"], input: Data("hello\n".utf8))
        #expect(run.status != 0 && run.stderr.contains("u16"), "\(run.stderr)")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bert))) as! [String: Any]
        var padding = json["padding"] as! [String: Any]
        padding["pad_id"] = 999_999
        json["padding"] = padding
        let mutant = folder + "/pad.json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: mutant))
        let load = try cli.vocab(["encode", "-t", mutant, "--format", "u16", "-o", folder + "/ids.u16"], input: Data("hello\n".utf8))
        #expect(load.status != 0 && load.stderr.contains("padding id 999999"), "\(load.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["pad.json"])
    }

    @Test("an unwritable output is refused before training, naming the folder")
    func outputCheckedFirst() throws {
        let corpus = corporaDirectory.appendingPathComponent("en.txt").path
        for output in ["/nonexistent-folder/out.json", NSTemporaryDirectory()] {
            let started = Date()
            let run = try cli.vocab(["train", "--vocab-size", "1000", corpus, "-o", output])
            #expect(run.status != 0 && run.stderr.contains("--output"), "\(output): \(run.stderr)")
            #expect(Date().timeIntervalSince(started) < 5, "checked before counting the corpus")
        }
        let count = try cli.vocab(["count", "--quiet", corpus, "-o", "/nonexistent-folder/x.counts"])
        #expect(count.status != 0 && count.stderr.contains("/nonexistent-folder"), "\(count.stderr)")
        let limit = try cli.vocab(["train", "--vocab-size", "100", "--characters", "--limit-alphabet", "0", corpus, "-o", temporaryPath("x.json")])
        #expect(limit.status != 0 && limit.stderr.contains("--limit-alphabet"), "\(limit.stderr)")
    }

    @Test("a replaced output keeps its permissions, stays a regular file, and no temporary file is left")
    func permissionsKept() throws {
        let folder = try folder("modes")
        let output = folder + "/ids.txt", model = folder + "/model.json"
        // A private file and a read-only one (a rename needs only the folder to be writable).
        let modes = [output: 0o600, model: 0o444]
        for (path, mode) in modes {
            try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        #expect(try cli.vocab(["encode", "-t", tiktoken, "-o", output], input: Data("hello\n".utf8)).status == 0)
        #expect(try cli.vocab(["convert", "-t", bert, "-o", model]).status == 0)
        for path in [output, model] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.posixPermissions] as? Int == modes[path], "\(path)")
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(path)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["ids.txt", "model.json"])
    }

    @Test("encode -o interrupted by SIGINT, SIGTERM or SIGHUP removes its temporary file")
    func interruptedEncode() throws {
        let folder = try folder("signals")
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            let process = Process()
            process.executableURL = CommandLineTests.executable
            process.arguments = ["encode", "-t", tiktoken, "-o", folder + "/ids.txt"]
            let input = Pipe()
            process.standardInput = input
            process.standardError = Pipe()
            try process.run()
            // Some input, then wait until the temporary file exists, while standard input stays open.
            input.fileHandleForWriting.write(Data(String(repeating: "hello world\n", count: 1000).utf8))
            let deadline = Date().addingTimeInterval(20)
            while try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty && Date() < deadline { usleep(20_000) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1, "signal \(signal): a temporary file while running")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal, "signal \(signal)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "signal \(signal): files left behind")
        }
    }

    @Test("kill -9 at any moment leaves the old output or the whole new one, never part of it")
    func killedWrites() throws {
        let folder = try folder("kill9")
        let output = folder + "/model.json", old = Data("old\n".utf8)
        let expected = folder + "/expected.json"
        #expect(try cli.vocab(["convert", "-t", bert, "-o", expected]).status == 0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: expected))
        // Kill points from before loading to after the rename, 21 of them.
        for delay in stride(from: 0, through: 2_000_000, by: 100_000) {
            try old.write(to: URL(fileURLWithPath: output))
            let process = Process()
            process.executableURL = CommandLineTests.executable
            process.arguments = ["convert", "-t", bert, "-o", output]
            process.standardError = Pipe()
            try process.run()
            usleep(useconds_t(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(now == old || now == whole, "killed after \(delay / 1000) ms: \(now.count) bytes")
        }
    }

    @Test("a write error names the file being written, not standard output")
    func writeErrorsNameTheFile() throws {
        let folder = try folder("write-error")
        let output = folder + "/ids.txt"
        // 60 kB fits the pipe's buffer, so writing it cannot block or fail when vocab stops early.
        let text = Data(String(repeating: "hello world, this is a line of text\n", count: 1_700).utf8)
        let run = try cli.vocab(["encode", "-t", tiktoken, "-o", output], input: text, fileSizeLimit: 16)
        #expect(run.status != 0 && run.stderr.contains(output) && !run.stderr.contains("standard output"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
