import ArgumentParser
import VocabKit

@main
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Train, inspect and size tokenizer vocabularies.",
        discussion: """
        VocabKit's text front end (normalizers and pre-tokenizers) is shared by every trainer and \
        encoder. `vocab normalize` and `vocab pretokenize` show exactly what it does to your text.
        ICU \(ICUInfo.icuVersion), Unicode \(ICUInfo.unicodeVersion).
        """,
        subcommands: [TrainCommand.self, CountCommand.self, SweepCommand.self, EvaluateCommand.self, EncodeCommand.self, DecodeCommand.self, ConvertCommand.self, CutCommand.self, PruneCommand.self, ExtendCommand.self, NormalizeCommand.self, PretokenizeCommand.self]
    )

    /// Temporary files beside outputs are removed on Ctrl-C, SIGTERM and SIGHUP, then the command runs.
    static func main() {
        TemporaryFiles.removeOnSignals()
        main(nil)
    }
}

/// Options shared by commands that read text.
struct InputOptions: ParsableArguments {
    @Argument(help: "Text files to read, one line at a time; '-' or none for standard input.")
    var inputs: [String] = []

    @Flag(name: .customLong("strict-utf8"),
          help: "Fail on invalid UTF-8 (with the line and byte offset) instead of replacing each bad sequence with U+FFFD.")
    var strictUTF8 = false

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    var paths: [String] { inputs.isEmpty ? ["-"] : inputs }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

import Foundation
