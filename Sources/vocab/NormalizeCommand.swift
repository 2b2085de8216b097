import ArgumentParser
import Foundation
import VocabKit

struct NormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Print text after normalization, one output line per input line.",
        discussion: """
        Normalizer names, applied in order (comma-separated): \(FrontEndSpecification.normalizerNames.joined(separator: ", ")).
        Presets: bert (HuggingFace BertNormalizer), bert-cased, nmt-nfkc (SentencePiece's default).

        With --format jsonl each line becomes {"text": ..., "changes": [[normStart, normEnd, origStart, origEnd], ...],
        "invalid_utf8": N}: the byte ranges of the normalized line that did not map one-to-one onto the input line.

        Example: echo 'Ｈｅｌｌｏ ﬁne' | vocab normalize --normalizer nfkc,lowercase
        """
    )

    @Option(name: .shortAndLong, help: "Comma-separated normalizer steps or a preset.")
    var normalizer = "nfkc"

    @Option(help: "Output format: text or jsonl.")
    var format: OutputFormat = .text

    @OptionGroup var input: InputOptions

    func run() throws {
        let steps = try FrontEndSpecification.normalizer(normalizer)
        let policy: InvalidUTF8Policy = input.strictUTF8 ? .strict : .replace
        let format = self.format
        var output = OutputWriter()
        let job = ParallelLines<Int>(threads: input.threads, quiet: input.quiet, label: "normalize")
        _ = try job.run(inputs: input.paths, initial: 0, job: { line, location, out, _ in
            var text: NormalizedText
            do {
                text = try NormalizedText(validating: line, policy: policy)
            } catch let error as TextError {
                throw CLIError.invalidInput(path: location.path, line: location.line, reason: error.description)
            }
            try steps.normalize(&text)
            switch format {
            case .text:
                out.append(contentsOf: text.bytes)
            case .jsonl:
                out.append(contentsOf: Array(#"{"text":"#.utf8))
                appendJSONString(text.bytes, to: &out)
                out.append(contentsOf: Array(#","changes":["#.utf8))
                for (index, span) in text.changedRegions.enumerated() {
                    if index > 0 { out.append(0x2C) }
                    out.append(contentsOf: Array("[\(span.0),\(span.1),\(span.2),\(span.3)]".utf8))
                }
                out.append(contentsOf: Array(#"],"invalid_utf8":\#(text.replacedInvalidSequences)}"#.utf8))
            }
            out.append(0x0A)
        }, merge: { _, _ in }, output: &output)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}

