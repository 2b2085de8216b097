import Foundation
import Testing
import VocabTestSupport

/// Every fuzz target replays its seed corpus and its regressions (inputs that once crashed,
/// Fuzz/regressions/<target>/) through the plain build of `vocab-fuzz`, so a crash found by
/// fuzzing stays fixed without a fuzzing build.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let targets = ["tokenizer-json", "sentencepiece-model", "tiktoken", "vocab-txt", "gpt2", "counts", "gguf",
                          "encode-bpe", "encode-tiktoken", "encode-wordpiece", "encode-unigram", "encode-scored-bpe",
                          "encode-hybrid", "encode-word-level"]

    @Test("each fuzz target replays its seeds and regressions without a crash", arguments: targets)
    func replay(target: String) throws {
        let binary = CommandLineTests.executable.deletingLastPathComponent().appendingPathComponent("vocab-fuzz")
        var inputs: [String] = []
        for folder in ["seeds", "regressions"] {
            let path = repositoryDirectory.appendingPathComponent("Fuzz/\(folder)/\(target)").path
            if FileManager.default.fileExists(atPath: path) { inputs.append(path) }
        }
        #expect(!inputs.isEmpty, "Fuzz/seeds/\(target) is missing")
        let process = Process()
        process.executableURL = binary
        process.arguments = inputs
        process.environment = ProcessInfo.processInfo.environment.merging(["FUZZ_TARGET": target, "SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && output.contains("no crash"), "\(target): \(output.suffix(2000))")
    }
}
