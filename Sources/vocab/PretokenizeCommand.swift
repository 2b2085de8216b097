import ArgumentParser
import Foundation
import VocabKit

struct PretokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretokenize",
        abstract: "Print the pieces the text front end cuts each line into, or a summary per file.",
        discussion: """
        Pre-tokenizers (repeat --pre-tokenizer to chain them): \(FrontEndSpecification.preTokenizerNames.joined(separator: ", ")),
        word-break:LOCALE, regex:PATTERN (each match a piece), regex-BEHAVIOR:PATTERN with BEHAVIOR one of
        removed, isolated, merged-with-previous, merged-with-next, contiguous.

        --format text prints the pieces of a line separated by " | " (for reading); --format jsonl prints
        {"pieces": [...], "offsets": [[start, end], ...]} with byte offsets into the input line.
        --summary prints, per input, lines, bytes, pieces, distinct pieces and throughput instead.

        Example: vocab pretokenize --pre-tokenizer o200k --byte-level <<< "Hello  world's 12345"
        """
    )

    @Option(name: .shortAndLong, help: "Comma-separated normalizer steps or a preset (see `vocab normalize --help`).")
    var normalizer = "nfc"

    @Option(name: [.short, .customLong("pre-tokenizer")], help: "A pre-tokenizer; repeat to chain several.")
    var preTokenizers: [String] = ["cl100k"]

    @Option(help: "Output format: text or jsonl.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("byte-level"), help: "Show pieces in GPT-2's byte alphabet (a space is Ġ, a newline Ċ).")
    var byteLevel = false

    @Flag(help: "Print a summary table per input instead of the pieces.")
    var summary = false

    @OptionGroup var input: InputOptions

    func run() throws {
        let frontEnd = try TextFrontEnd(normalizer: normalizer, preTokenizers: preTokenizers,
                                        invalidUTF8: input.strictUTF8 ? .strict : .replace)
        let format = self.format, byteLevel = self.byteLevel, summaryOnly = self.summary
        var output = OutputWriter()
        let job = ParallelLines<PieceStatistics>(threads: input.threads, quiet: input.quiet, label: "pretokenize")
        if summaryOnly {
            try output.write(PieceStatistics.header(normalizer: normalizer, preTokenizers: preTokenizers))
        }
        let total = try job.run(inputs: input.paths, initial: PieceStatistics(), job: { line, location, out, stats in
            let text: PreTokenizedText
            do {
                text = try frontEnd.process(line)
            } catch let error as TextError {
                throw CLIError.invalidInput(path: location.path, line: location.line, reason: error.description)
            }
            if summaryOnly {
                stats.add(text, lineBytes: line.count)
                return
            }
            switch format {
            case .text:
                for (index, piece) in text.pieces.enumerated() {
                    if index > 0 { out.append(contentsOf: [0x20, 0x7C, 0x20]) }
                    let bytes = text.text.bytes[piece]
                    if byteLevel { out.append(contentsOf: Array(ByteLevelAlphabet.encode(bytes).utf8)) } else { out.append(contentsOf: bytes) }
                }
            case .jsonl:
                out.append(contentsOf: Array(#"{"pieces":["#.utf8))
                for (index, piece) in text.pieces.enumerated() {
                    if index > 0 { out.append(0x2C) }
                    let bytes = text.text.bytes[piece]
                    if byteLevel { appendJSONString(Array(ByteLevelAlphabet.encode(bytes).utf8), to: &out) } else { appendJSONString(bytes, to: &out) }
                }
                out.append(contentsOf: Array(#"],"offsets":["#.utf8))
                for index in text.pieces.indices {
                    if index > 0 { out.append(0x2C) }
                    let range = text.originalRange(ofPiece: index)
                    out.append(contentsOf: Array("[\(range.lowerBound),\(range.upperBound)]".utf8))
                }
                out.append(contentsOf: Array("]}".utf8))
            }
            out.append(0x0A)
        }, merge: { $0.merge($1) }, perInput: summaryOnly ? { path, stats, seconds in
            Array(stats.row(name: path, seconds: seconds).utf8)
        } : nil, output: &output)
        if summaryOnly && input.paths.count > 1 {
            try output.write(total.row(name: "total", seconds: nil))
            try output.flush()
        }
    }
}

/// Counts for `vocab pretokenize --summary`.
struct PieceStatistics {
    var lines = 0
    var bytes = 0
    var normalizedBytes = 0
    var pieces = 0
    var invalidSequences = 0
    var distinct: [ArraySlice<UInt8>: Int] = [:]

    mutating func add(_ text: PreTokenizedText, lineBytes: Int) {
        lines += 1
        bytes += lineBytes
        normalizedBytes += text.text.bytes.count
        pieces += text.pieces.count
        invalidSequences += text.text.replacedInvalidSequences
        for piece in text.pieces { distinct[text.text.bytes[piece], default: 0] += 1 }
    }

    mutating func merge(_ other: PieceStatistics) {
        lines += other.lines
        bytes += other.bytes
        normalizedBytes += other.normalizedBytes
        pieces += other.pieces
        invalidSequences += other.invalidSequences
        distinct.merge(other.distinct, uniquingKeysWith: +)
    }

    static func header(normalizer: String, preTokenizers: [String]) -> String {
        "normalizer \(normalizer), pre-tokenizer \(preTokenizers.joined(separator: " + "))\n"
            + columns(["input", "lines", "bytes", "normalized", "pieces", "distinct", "bytes/piece", "invalid", "MB/s"])
    }

    func row(name: String, seconds: Double?) -> String {
        let rate = seconds.map { String(format: "%.1f", Double(bytes) / 1e6 / max($0, 1e-9)) } ?? "-"
        let bytesPerPiece = String(format: "%.2f", Double(normalizedBytes) / Double(max(pieces, 1)))
        return Self.columns([name, "\(lines)", "\(bytes)", "\(normalizedBytes)", "\(pieces)", "\(distinct.count)",
                             bytesPerPiece, "\(invalidSequences)", rate])
    }

    /// The first column left-aligned in 28 characters, the others right-aligned in 11.
    private static func columns(_ values: [String]) -> String {
        var line = ""
        for (index, value) in values.enumerated() {
            if index == 0 {
                let name = value.count > 28 ? "…" + value.suffix(27) : value
                line += name + String(repeating: " ", count: 28 - name.count)
            } else {
                line += String(repeating: " ", count: max(1, 12 - value.count)) + value
            }
        }
        return line + "\n"
    }
}
