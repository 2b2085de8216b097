import ArgumentParser
import VocabAnalysis
import VocabKit

/// What one text is in an input file (`--input`).
enum InputUnit: String, ExpressibleByArgument, CaseIterable {
    /// Each line, without its "\n".
    case lines
    /// Each line is a JSON object with the text under `--text-key`, or a bare JSON string;
    /// blank lines are skipped (they hold no record).
    case jsonl
    /// Texts separated by blank lines (empty, or "\r" only); a text keeps its inner "\n"s.
    case documents
    /// Each file is one text, byte for byte.
    case whole

    /// The sweep's and evaluation's unit for this input.
    var corpusUnit: CorpusUnit {
        switch self {
        case .lines: return .line
        case .jsonl: return .record
        case .documents: return .document
        case .whole: return .file
        }
    }

    /// The unit `--input` makes, checked against an explicit `--unit` (`fallback` when neither is given).
    static func resolve(input: InputUnit?, unit: CorpusUnit?, textKey: String?, fallback: CorpusUnit) throws -> CorpusUnit {
        if let input, let unit, unit != input.corpusUnit && unit != .auto {
            throw ValidationError("--input \(input.rawValue) reads \(input.corpusUnit.rawValue) units; --unit \(unit.rawValue) contradicts it (give one of them)")
        }
        let resolved = input?.corpusUnit ?? unit ?? fallback
        if textKey != nil && resolved != .record { throw ValidationError("--text-key applies to --input jsonl") }
        return resolved
    }

    /// How the bytes are cut before any parsing (JSON Lines are lines).
    var split: UnitSplit {
        switch self {
        case .lines, .jsonl: return .lines
        case .documents: return .documents
        case .whole: return .whole
        }
    }
}

/// How `ParallelLines` cuts its input into units.
enum UnitSplit {
    case lines, documents, whole

    /// The largest text `.whole` accepts: the front end takes less than 2 GiB - 1 per text.
    static let maximumWholeBytes = Int(Int32.max) - 1

    /// Calls `body` with each unit of a block (`range`, and the line it starts on, counted from
    /// the block's first line as 0).
    /// - Complexity: O(block bytes).
    func forEachUnit(in bytes: [UInt8], _ body: (Range<Int>, Int) throws -> Void) rethrows {
        switch self {
        case .whole:
            try body(0..<bytes.count, 0)
        case .lines:
            var start = 0, line = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                try body(start..<end, line)
                start = end + 1
                line += 1
            }
        case .documents:
            var start = 0, line = 0
            var document: (start: Int, end: Int, line: Int)?
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                let blank = end == start || (end == start + 1 && bytes[start] == 0x0D)
                if blank {
                    if let current = document { try body(current.start..<current.end, current.line) }
                    document = nil
                } else if document == nil {
                    document = (start, end, line)
                } else {
                    document!.end = end
                }
                start = end + 1
                line += 1
            }
            if let current = document { try body(current.start..<current.end, current.line) }
        }
    }
}

/// Blocks of whole units from one input, each with the number of its first line.
///
/// Lines come from `LineBlockReader` as they are. Documents: a block is cut after its last blank
/// line and the rest carried into the next, so no document straddles two blocks (a document
/// longer than a block makes its block longer). Whole: the file in one block (at most 2 GiB).
/// Memory: a block, or the longest document, or the whole file.
struct UnitBlockSource {
    let reader: LineBlockReader
    let split: UnitSplit
    private var carry: [UInt8] = []
    private var nextLine = 1
    private var done = false

    init(reader: LineBlockReader, split: UnitSplit) {
        self.reader = reader
        self.split = split
    }

    mutating func next() throws -> (bytes: [UInt8], firstLine: Int)? {
        guard !done else { return nil }
        switch split {
        case .lines:
            guard let block = try reader.nextBlock() else { done = true; return nil }
            return emit(block)
        case .whole:
            var all: [UInt8] = []
            while let block = try reader.nextBlock() {
                all += block
                if all.count >= UnitSplit.maximumWholeBytes {
                    throw CLIError.invalidInput(path: reader.path, line: 1, reason: "the file is larger than 2 GiB, the most one text can be; use --input documents or lines")
                }
            }
            done = true
            return emit(all)
        case .documents:
            while let block = try reader.nextBlock() {
                // Only the new bytes (and the two before them) can hold a new blank line, so a
                // long document costs one pass.
                let searchFrom = max(1, carry.count - 2)
                carry += block
                // The last blank line: "\n\n" or "\n\r\n".
                var cut: Int?
                var index = carry.count - 1
                while index >= searchFrom {
                    if carry[index] == 0x0A && (carry[index - 1] == 0x0A || (carry[index - 1] == 0x0D && index >= 2 && carry[index - 2] == 0x0A)) {
                        cut = index + 1
                        break
                    }
                    index -= 1
                }
                if let cut {
                    let ready = Array(carry[..<cut])
                    carry.removeSubrange(..<cut)
                    return emit(ready)
                }
            }
            done = true
            if carry.isEmpty { return nil }
            defer { carry = [] }
            return emit(carry)
        }
    }

    private mutating func emit(_ bytes: [UInt8]) -> (bytes: [UInt8], firstLine: Int) {
        let first = nextLine
        nextLine += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return (bytes, first)
    }
}
