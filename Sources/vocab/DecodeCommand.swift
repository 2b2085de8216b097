import ArgumentParser
import Foundation
import VocabKit

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode token ids back into text.",
        discussion: """
        Reads what `vocab encode` writes: ids (space-separated, a line per text) or jsonl (a JSON array per line) give
        one output text per input line; megatron (PREFIX.bin and PREFIX.idx) one per document; u16, u32 and npy files
        give the decoded text of all their ids. Ids outside the vocabulary are an error naming the line. Decoded bytes
        that are not valid UTF-8 (ids cut inside a character) print as U+FFFD; --strict-utf8 makes that an error.

        Output (--output-format): text (each text, then "\\n"; texts with newlines of their own stay as they are) or
        jsonl (a JSON object per text with the text under --text-key, so documents with newlines stay one record).

        Examples:
          vocab decode --tokenizer en.json --format u32 corpus.u32
          vocab decode -t tokenizer.json --format megatron data --output-format jsonl > data.jsonl
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(help: "Input format: ids, jsonl, u16, u32, npy, megatron.")
    var format: DecodeFormat = .ids

    @Flag(name: .customLong("keep-special-tokens"),
          help: "Keep special added tokens (<|endoftext|>, [CLS]) in the text; by default they are left out, as HuggingFace's decode does.")
    var keepSpecialTokens = false

    @Flag(name: .customLong("skip-special-tokens"), help: .hidden)
    var skipSpecialTokens = false

    @Flag(name: .customLong("strict-utf8"), help: "Fail when decoded bytes are not valid UTF-8.")
    var strictUTF8 = false

    @Option(name: .customLong("output-format"), help: "text or jsonl (a JSON object per text).")
    var outputFormat: OutputFormat = .text

    @Option(name: .customLong("text-key"), help: "With --output-format jsonl: the key of the text.")
    var textKey = "text"

    @Argument(help: "The input file ('-' or none for standard input; for megatron, PREFIX, PREFIX.bin or PREFIX.idx).")
    var input: String = "-"

    enum DecodeFormat: String, ExpressibleByArgument, CaseIterable { case ids, jsonl, u16, u32, npy, megatron }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, jsonl }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        if format == .megatron {
            var output = OutputWriter()
            for (index, ids) in try MegatronDataset.read(prefix: MegatronDataset.prefix(input)).enumerated() {
                try write(try decoded(tokenizer, ids, path: input, line: index + 1), to: &output)
            }
            try output.flush()
            return
        }
        let data: Data
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: input) else {
                throw CLIError.cannotRead(path: input, reason: "no such file or not readable")
            }
            data = contents
        }
        var output = OutputWriter()
        func emit(_ ids: [UInt32], line: Int) throws {
            let text = try decoded(tokenizer, ids, path: input, line: line)
            if outputFormat == .jsonl { try write(text, to: &output) } else { try output.write(Array(text.utf8)) }
        }
        switch format {
        case .ids, .jsonl:
            var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
            if data.last == 0x0A { lines.removeLast() }
            for (index, line) in lines.enumerated() {
                let text = String(decoding: line, as: UTF8.self)
                let fields: [Substring]
                if format == .ids {
                    fields = text.split(separator: " ")
                } else {
                    // One flat JSON array of ids per line: "[1,2,3]" or "[]".
                    let trimmed = text.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
                    guard trimmed.hasPrefix("["), trimmed.hasSuffix("]"), trimmed.count >= 2 else {
                        throw CLIError.invalidInput(path: input, line: index + 1, reason: "not a JSON array of ids such as [1,2,3]")
                    }
                    let inner = trimmed.dropFirst().dropLast()
                    fields = inner.allSatisfy({ $0 == " " }) ? [] : inner.split(separator: ",", omittingEmptySubsequences: false)
                }
                var ids: [UInt32] = []
                for field in fields {
                    guard let id = UInt32(field.trimmingCharacters(in: .whitespaces)) else {
                        throw CLIError.invalidInput(path: input, line: index + 1, reason: "\(field.prefix(20).debugDescription) is not a token id")
                    }
                    ids.append(id)
                }
                try emit(ids, line: index + 1)
                if outputFormat == .text { try output.write([0x0A]) }
            }
        case .u16, .u32, .npy:
            let ids = try Self.binaryIds(data, format: format, path: input)
            try emit(ids, line: 1)
        case .megatron:
            break
        }
        try output.flush()
    }

    /// The text of `ids`, checked.
    private func decoded(_ tokenizer: Tokenizer, _ ids: [UInt32], path: String, line: Int) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try tokenizer.decodeBytes(ids, skipsSpecialTokens: !keepSpecialTokens)
        } catch let error as ModelError {
            throw CLIError.invalidInput(path: path, line: line, reason: error.description)
        }
        if strictUTF8, String(validating: bytes, as: UTF8.self) == nil {
            throw CLIError.invalidInput(path: path, line: line, reason: "the ids decode to bytes that are not valid UTF-8")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One output record: the text and "\n", or a JSON object with the text under `textKey`.
    private func write(_ text: String, to output: inout OutputWriter) throws {
        if outputFormat == .jsonl {
            let data = try JSONSerialization.data(withJSONObject: [textKey: text], options: [.withoutEscapingSlashes])
            try output.write(Array(data) + [0x0A])
        } else {
            try output.write(Array(text.utf8) + [0x0A])
        }
    }

    /// The ids of a binary file (little-endian u16/u32, or a 1-D uint16/uint32 .npy array).
    static func binaryIds(_ data: Data, format: DecodeFormat, path: String) throws -> [UInt32] {
        var body = data
        var width = format == .u16 ? 2 : 4
        if format == .npy {
            guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
                throw CLIError.invalidInput(path: path, line: 1, reason: "not a .npy file (bad magic)")
            }
            let headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            guard data.count >= 10 + headerLength else { throw CLIError.invalidInput(path: path, line: 1, reason: "truncated .npy header") }
            let header = String(decoding: data[(data.startIndex + 10)..<(data.startIndex + 10 + headerLength)], as: UTF8.self)
            if header.contains("'<u4'") { width = 4 } else if header.contains("'<u2'") { width = 2 } else {
                throw CLIError.invalidInput(path: path, line: 1, reason: "only little-endian uint16 or uint32 .npy arrays are supported")
            }
            // A 1-D array: "'shape': (N,)", its length matching the body.
            guard let shapeStart = header.range(of: "'shape': ("), let shapeEnd = header[shapeStart.upperBound...].firstIndex(of: ")"),
                  header[shapeStart.upperBound..<shapeEnd].hasSuffix(","),
                  let length = Int(header[shapeStart.upperBound..<shapeEnd].dropLast()),
                  length == (data.count - 10 - headerLength) / width else {
                throw CLIError.invalidInput(path: path, line: 1, reason: "not a 1-D .npy array whose shape matches its data")
            }
            body = data.dropFirst(10 + headerLength)
        }
        guard body.count % width == 0 else {
            throw CLIError.invalidInput(path: path, line: 1, reason: "\(body.count) bytes is not a whole number of \(width)-byte ids (truncated?)")
        }
        let bytes = Array(body)
        return stride(from: 0, to: bytes.count, by: width).map { i in
            width == 2 ? UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
                : UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
    }
}
