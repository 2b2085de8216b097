#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VocabKit

/// Word counts on disk: exact 64-bit counts of a corpus's pre-tokenized pieces, sorted by bytes,
/// with the front end that made them, so counting can run apart from training (elsewhere, in
/// shards, in bounded memory) and files merge in one streaming pass.
///
/// Format, version 1: UTF-8 text, one record per line.
///
/// ```
/// # vocabkit-counts 1
/// # normalizer: none
/// # pre-tokenizers: gpt2
/// # line-breaks: true
/// # lines: 28249
/// # bytes: 2274359
/// # sampled-from: none
/// # replaced-invalid-utf8: 0
/// 31<TAB>!
/// 7<TAB>\n
/// # end: pieces 2 occurrences 38 fnv1a 8c1d4e0f3a2b5c6d
/// ```
///
/// A record is the count, a tab, and the piece with `\` `\n` `\t` `\r` escaped as `\\` `\n` `\t`
/// `\r`. Records are in strictly increasing byte order of the unescaped pieces. The last line
/// checks the records: their number, the sum of their counts, and FNV-1a 64 over the record lines
/// as written (each with its "\n"). A file without it is truncated.
///
/// Two optional header lines follow `replaced-invalid-utf8`, in this order:
/// `# long-pieces-skipped: N B` (N pieces of B bytes in all were over the counting length limit;
/// written only when N > 0, so older readers, which do not know the line, read every file that
/// skipped nothing) and `# pruned: ...` (what `--min-count` / `--max-pieces` dropped). Counts and
/// header figures are bounded by `maximumOccurrences`.
public enum CountsFile {
    public static let version = 1

    /// The most occurrences one file may hold in all: 2^48 (280 trillion pieces, a corpus of
    /// about a petabyte). Trainers multiply counts by positions within a piece (at most
    /// `TrainingDefaults.maxPieceBytes`, 2^14), so within this bound their 64-bit sums cannot
    /// overflow; a hostile file with counts near 2^63 is refused instead of trapping.
    public static let maximumOccurrences: Int64 = 1 << 48

    /// `a + b`, or an error naming `path` when the sum passes `maximumOccurrences`.
    static func add(_ a: Int64, _ b: Int64, _ path: String, _ what: String = "the counts") throws -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow && sum <= maximumOccurrences else {
            throw InputError.cannotRead(path: path, reason: "\(what) add up past \(maximumOccurrences), the most a counts file may hold (corrupt or hostile?)")
        }
        return sum
    }

    /// What a counts file records besides the pieces.
    public struct Header: Sendable, Equatable {
        /// The front end the pieces were made with.
        public var frontEnd: FrontEndNames
        /// Whether each line was counted with its "\n".
        public var keepsLineBreaks: Bool
        public var lines: Int
        public var bytes: Int
        /// Lines in the corpus when it was sampled.
        public var sampledFrom: Int?
        public var replacedInvalidSequences: Int
        /// What pruning dropped, if the counts were pruned (`CountsFile.Pruning`): the pieces and
        /// occurrences dropped, and the rule. Pruned counts no longer train what the text trains.
        public var pruned: String?
        /// Pieces skipped for their length while counting (an optional header line when any were).
        public var longPieces = LongPieces()

        public init(frontEnd: FrontEndNames, keepsLineBreaks: Bool, lines: Int = 0, bytes: Int = 0, sampledFrom: Int? = nil,
                    replacedInvalidSequences: Int = 0) {
            self.frontEnd = frontEnd
            self.keepsLineBreaks = keepsLineBreaks
            (self.lines, self.bytes, self.sampledFrom, self.replacedInvalidSequences) = (lines, bytes, sampledFrom, replacedInvalidSequences)
        }

        /// Whether `other` was made the same way (front end and line breaks), so the two merge.
        public func sameMaking(_ other: Header) -> Bool { frontEnd == other.frontEnd && keepsLineBreaks == other.keepsLineBreaks }

        var text: [String] {
            ["# vocabkit-counts \(CountsFile.version)", "# normalizer: \(CountsFile.escape(frontEnd.normalizer))",
             "# pre-tokenizers: \(frontEnd.preTokenizers.map { CountsFile.escape($0) }.joined(separator: "\t"))", "# line-breaks: \(keepsLineBreaks)",
             "# lines: \(lines)", "# bytes: \(bytes)", "# sampled-from: \(sampledFrom.map(String.init) ?? "none")",
             "# replaced-invalid-utf8: \(replacedInvalidSequences)"]
                + (longPieces.count > 0 ? ["# long-pieces-skipped: \(longPieces.count) \(longPieces.bytes)"] : [])
                + (pruned.map { ["# pruned: \(CountsFile.escape($0))"] } ?? [])
        }
    }

    /// `\`, newline, tab and carriage return escaped, as records and header values store them.
    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case 0x5C: buffer += [0x5C, 0x5C]
            case 0x0A: buffer += [0x5C, 0x6E]
            case 0x09: buffer += [0x5C, 0x74]
            case 0x0D: buffer += [0x5C, 0x72]
            default: buffer.append(byte)
            }
        }
    }

    static func escape(_ text: String) -> String {
        var buffer: [UInt8] = []
        Array(text.utf8).withUnsafeBufferPointer { escape($0, into: &buffer) }
        return String(decoding: buffer, as: UTF8.self)
    }

    // MARK: Writing

    /// Writes records in order, checking the order and accumulating the trailer.
    final class Writer {
        private var descriptor: Int32
        private let path: String
        private var buffer: [UInt8] = []
        private var previous: [UInt8]?
        private(set) var pieces = 0
        private(set) var occurrences: Int64 = 0
        private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

        init(path: String, header: Header) throws {
            // The path is a fresh temporary file (`AtomicFile`) or a run in a private folder.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw InputError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            (self.descriptor, self.path) = (descriptor, path)
            buffer.append(contentsOf: Array((header.text.joined(separator: "\n") + "\n").utf8))
        }

        func add(_ piece: UnsafeBufferPointer<UInt8>, _ count: Int64) throws {
            if let previous, !previous.lexicographicallyPrecedes(piece) {
                throw TrainingError.invalidOption("counts out of order at \(String(decoding: piece, as: UTF8.self).debugDescription)")
            }
            previous = Array(piece)
            let start = buffer.count
            buffer.append(contentsOf: Array(String(count).utf8))
            buffer.append(0x09)
            CountsFile.escape(piece, into: &buffer)
            buffer.append(0x0A)
            for byte in buffer[start...] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            pieces += 1
            occurrences = try CountsFile.add(occurrences, count, path)
            if buffer.count >= 1 << 20 { try flush() }
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        /// Writes the whole buffer; a failed write (ENOSPC and the like) throws.
        private func flush() throws {
            let failure = buffer.withUnsafeBytes { AtomicFile.writeAll(descriptor, $0) }
            if failure != 0 { throw InputError.cannotWrite(path: path, reason: String(cString: strerror(failure))) }
            buffer.removeAll(keepingCapacity: true)
        }

        func finish() throws {
            buffer.append(contentsOf: Array("# end: pieces \(pieces) occurrences \(occurrences) fnv1a \(String(hash, radix: 16))\n".utf8))
            try flush()
            let synced = fsync(descriptor) == 0 ? 0 : errno
            let closed = close(descriptor) == 0 ? 0 : errno
            descriptor = -1
            if let failure = [synced, closed].first(where: { $0 != 0 }) {
                throw InputError.cannotWrite(path: path, reason: String(cString: strerror(failure)))
            }
        }
    }

    /// Writes `counts` (made as `header` says) to `path`, atomically.
    /// - Complexity: O(total piece bytes).
    public static func write(_ counts: WordCounts, header: Header, to path: String) throws {
        try write(header: header, to: path) { add in
            try counts.words.forEachWord(add)
        }
    }

    /// Writes the words of `table` (made as `header` says) to `path`, atomically, sorted in
    /// place of a sorted copy: what a spill needs, in about 6 bytes per word beyond the table.
    /// - Complexity: O(n log n) comparisons plus O(total piece bytes).
    static func write(_ table: WordCountTable, header: Header, to path: String) throws {
        try write(header: header, to: path) { add in try table.forEachSorted(add) }
    }

    /// Writes the records `body` adds, in order, under `header` to `path`, atomically.
    private static func write(header: Header, to path: String,
                              _ body: (_ add: (UnsafeBufferPointer<UInt8>, Int64) throws -> Void) throws -> Void) throws {
        try AtomicFile.replace(path) { temporary in
            let writer = try Writer(path: temporary, header: header)
            try body(writer.add)
            try writer.finish()
        }
    }

    // MARK: Reading

    /// Reads a counts file line by line, validating it as it goes.
    final class Reader {
        let path: String
        let header: Header
        private let lines: LineBlockReader
        private var block: [UInt8] = []
        private var position = 0
        private var previous: [UInt8]?
        private var pieces = 0
        private var occurrences: Int64 = 0
        private var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        private var ended = false

        init(path: String) throws {
            let reader = try LineBlockReader(path: path)
            var fields: [String: String] = [:]
            var first = true
            var pending: [UInt8] = [], offset = 0
            func nextHeaderLine() throws -> String? {
                while true {
                    if offset < pending.count {
                        let end = pending[offset...].firstIndex(of: 0x0A) ?? pending.count
                        let line = String(decoding: pending[offset..<end], as: UTF8.self)
                        offset = end + 1
                        return line
                    }
                    guard let next = try reader.nextBlock() else { return nil }
                    (pending, offset) = (next, 0)
                }
            }
            while fields.count < 7 {
                guard let line = try nextHeaderLine() else { throw Self.error(path, "the header is incomplete (not a counts file, or truncated)") }
                if first {
                    guard line == "# vocabkit-counts \(CountsFile.version)" else {
                        throw Self.error(path, line.hasPrefix("# vocabkit-counts ") ? "version \(line.dropFirst(18)) is not supported (this VocabKit reads version \(CountsFile.version))"
                                                                                    : "not a counts file (it does not start with \"# vocabkit-counts\")")
                    }
                    first = false
                    continue
                }
                guard line.hasPrefix("# "), let colon = line.firstIndex(of: ":") else { throw Self.error(path, "bad header line \(line.debugDescription)") }
                let valueStart = line.index(colon, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
                fields[String(line[line.index(line.startIndex, offsetBy: 2)..<colon])] = String(line[valueStart...])
            }
            // Optional header lines, in this order: skipped long pieces, what pruning dropped.
            func peeks(_ key: String) throws -> Bool {
                while offset >= pending.count {
                    guard let next = try reader.nextBlock() else { return false }
                    (pending, offset) = (next, 0)
                }
                return pending[offset...].starts(with: Array("# \(key): ".utf8))
            }
            for key in ["long-pieces-skipped", "pruned"] where try peeks(key) {
                if let line = try nextHeaderLine() { fields[key] = String(line.dropFirst("# \(key): ".count)) }
            }
            func number(_ key: String) throws -> Int {
                guard let text = fields[key], let value = Int(text), value >= 0, value <= CountsFile.maximumOccurrences else {
                    throw Self.error(path, "bad or missing \"\(key)\" in the header")
                }
                return value
            }
            guard let normalizer = fields["normalizer"], let preTokenizers = fields["pre-tokenizers"],
                  let breaks = fields["line-breaks"], let keepsLineBreaks = Bool(breaks), let sampled = fields["sampled-from"] else {
                throw Self.error(path, "the header lacks the front end or line-break setting")
            }
            var made = Header(frontEnd: FrontEndNames(normalizer: try Self.unescape(Array(normalizer.utf8), path).string,
                                                    preTokenizers: try preTokenizers.split(separator: "\t").map { try Self.unescape(Array($0.utf8), path).string }),
                            keepsLineBreaks: keepsLineBreaks, lines: try number("lines"), bytes: try number("bytes"),
                            sampledFrom: sampled == "none" ? nil : try number("sampled-from"),
                            replacedInvalidSequences: try number("replaced-invalid-utf8"))
            if let pruned = fields["pruned"] { made.pruned = try Self.unescape(Array(pruned.utf8), path).string }
            if let long = fields["long-pieces-skipped"] {
                let numbers = long.split(separator: " ", omittingEmptySubsequences: false).map { Int($0) ?? -1 }
                guard numbers.count == 2, numbers.allSatisfy({ $0 >= 0 }) else { throw Self.error(path, "bad \"long-pieces-skipped\" in the header") }
                made.longPieces = LongPieces(count: numbers[0], bytes: numbers[1])
            }
            header = made
            (self.path, self.lines, block, position) = (path, reader, pending, offset)
        }

        static func error(_ path: String, _ reason: String) -> InputError { .cannotRead(path: path, reason: reason) }

        static func unescape(_ bytes: ArraySlice<UInt8>, _ path: String) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var escaped = false
            for byte in bytes {
                if escaped {
                    switch byte {
                    case 0x5C: out.append(0x5C)
                    case 0x6E: out.append(0x0A)
                    case 0x74: out.append(0x09)
                    case 0x72: out.append(0x0D)
                    default: throw error(path, "bad escape \\\(Character(Unicode.Scalar(byte)))")
                    }
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else {
                    out.append(byte)
                }
            }
            if escaped { throw error(path, "a record ends inside an escape") }
            return out
        }

        static func unescape(_ bytes: [UInt8], _ path: String) throws -> (bytes: [UInt8], string: String) {
            let out = try unescape(bytes[...], path)
            return (out, String(decoding: out, as: UTF8.self))
        }

        /// The next record, or nil at the (checked) end.
        func next() throws -> (piece: [UInt8], count: Int64)? {
            while true {
                if ended { return nil }
                if position >= block.count {
                    guard let next = try lines.nextBlock() else { throw Self.error(path, "truncated: the \"# end\" line is missing") }
                    (block, position) = (next, 0)
                    continue
                }
                let end = block[position...].firstIndex(of: 0x0A) ?? block.count
                let line = block[position..<end]
                position = end + 1
                if line.first == 0x23 {
                    try checkEnd(String(decoding: line, as: UTF8.self))
                    ended = true
                    return nil
                }
                for byte in line { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
                hash = (hash ^ 0x0A) &* 0x0000_0100_0000_01B3
                guard let tab = line.firstIndex(of: 0x09), let count = Int64(String(decoding: line[line.startIndex..<tab], as: UTF8.self)), count > 0 else {
                    throw Self.error(path, "bad record \(String(decoding: line.prefix(60), as: UTF8.self).debugDescription)")
                }
                let piece = try Self.unescape(line[(tab + 1)...], path)
                if let previous, !previous.lexicographicallyPrecedes(piece) {
                    throw Self.error(path, "records are not in increasing byte order at \(String(decoding: piece, as: UTF8.self).debugDescription)")
                }
                previous = piece
                pieces += 1
                occurrences = try CountsFile.add(occurrences, count, path)
                return (piece, count)
            }
        }

        private func checkEnd(_ line: String) throws {
            let expected = "# end: pieces \(pieces) occurrences \(occurrences) fnv1a \(String(hash, radix: 16))"
            guard line == expected else {
                throw Self.error(path, "corrupt: the check line says \(line.debugDescription), the records give \(expected.debugDescription)")
            }
            if try lines.nextBlock() != nil || position < block.count { throw Self.error(path, "text after the \"# end\" line") }
        }
    }

    /// Reads a counts file into memory.
    /// - Complexity: O(file bytes).
    public static func read(_ path: String) throws -> (header: Header, counts: WordCounts) {
        let reader = try Reader(path: path)
        var words = WordList()
        while let (piece, count) = try reader.next() { words.append(piece, count: count) }
        words.shrinkToFit()
        let h = reader.header
        return (h, WordCounts(words: words, lines: h.lines, bytes: h.bytes, sampledFrom: h.sampledFrom, replacedInvalidSequences: h.replacedInvalidSequences,
                              longPieces: h.longPieces))
    }

    /// What `prune` dropped.
    public struct PruningReport: Sendable, Equatable {
        public var keptPieces: Int, droppedPieces: Int
        public var keptOccurrences: Int64, droppedOccurrences: Int64
        /// The share of occurrences dropped.
        public var droppedShare: Double {
            keptOccurrences + droppedOccurrences == 0 ? 0 : Double(droppedOccurrences) / Double(keptOccurrences + droppedOccurrences)
        }
    }

    /// Writes the pieces of `path` counted at least `minCount` times, at most `maxPieces` of them
    /// (the most frequent; ties in byte order), to `output`, atomically, and records in its header
    /// what was dropped. Memory: one count per piece when `maxPieces` is given, else one record.
    /// - Complexity: two streaming passes over `path` (one without `maxPieces`), plus sorting the
    ///   counts.
    public static func prune(_ path: String, into output: String, minCount: Int64 = 1, maxPieces: Int? = nil) throws -> PruningReport {
        guard minCount >= 1, (maxPieces ?? 1) >= 1 else { throw TrainingError.invalidOption("prune with a minimum count and a piece limit of at least 1") }
        // 1. What is kept: the pieces counted at least `minCount` times, and of those the
        //    `maxPieces` most frequent (the count a piece needs, and how many at exactly that
        //    count fit, in byte order).
        var threshold: Int64 = minCount, atThreshold = Int.max
        var report = PruningReport(keptPieces: 0, droppedPieces: 0, keptOccurrences: 0, droppedOccurrences: 0)
        var candidates: [Int64] = []
        var totalPieces = 0, totalOccurrences: Int64 = 0
        let first = try Reader(path: path)
        while let (_, count) = try first.next() {
            (totalPieces, totalOccurrences) = (totalPieces + 1, totalOccurrences &+ count)   // bounded: the reader checks the sum
            guard count >= minCount else { continue }
            (report.keptPieces, report.keptOccurrences) = (report.keptPieces + 1, report.keptOccurrences + count)
            if maxPieces != nil { candidates.append(count) }
        }
        if let maxPieces, candidates.count > maxPieces {
            candidates.sort(by: >)
            threshold = candidates[maxPieces - 1]
            atThreshold = maxPieces - candidates.prefix { $0 > threshold }.count
            report.keptPieces = maxPieces
            report.keptOccurrences = candidates.prefix(maxPieces).reduce(0, +)
        }
        report.droppedPieces = totalPieces - report.keptPieces
        report.droppedOccurrences = totalOccurrences - report.keptOccurrences
        // 2. Copy what is kept, with the record of what was dropped.
        let reader = try Reader(path: path)
        var header = reader.header
        let rule = "min count \(minCount)" + (maxPieces.map { ", at most \($0) pieces" } ?? "")
        header.pruned = String(format: "%@: dropped %d of %d pieces, %lld of %lld occurrences (%.4f%%)", rule, report.droppedPieces,
                               totalPieces, report.droppedOccurrences, totalOccurrences, report.droppedShare * 100)
        try AtomicFile.replace(output) { temporary in
            let writer = try Writer(path: temporary, header: header)
            while let (piece, count) = try reader.next() {
                guard count > threshold || (count == threshold && atThreshold > 0) else { continue }
                if count == threshold { atThreshold -= 1 }
                try piece.withUnsafeBufferPointer { try writer.add($0, count) }
            }
            try writer.finish()
        }
        return report
    }

    /// The most files one merge reads at once (open files and read buffers stay bounded).
    public static let mergeWidth = 64

    /// Merges `paths` into `output` at most `mergeWidth` at a time: groups are merged into
    /// intermediate files in `scratch` until one pass remains.
    static func mergeInLevels(_ paths: [String], into output: String, stamping: Header?, scratch: String) throws -> Header {
        var level = paths, round = 0
        while level.count > mergeWidth {
            level = try stride(from: 0, to: level.count, by: mergeWidth).enumerated().map { index, start in
                let path = scratch + "/level-\(round)-\(index).counts"
                _ = try merge(Array(level[start..<min(level.count, start + mergeWidth)]), into: path, stamping: nil)
                return path
            }
            round += 1
        }
        return try merge(level, into: output, stamping: stamping)
    }

    /// Merges counts files made the same way into `output` in one streaming pass: equal pieces
    /// add up, lines and bytes add up. Memory: one record and one read buffer (about 0.5 MB) per
    /// input; `vocab count --merge` of many files goes through `mergeWidth` at a time.
    /// - Complexity: O(total records x inputs).
    public static func merge(_ paths: [String], into output: String) throws -> Header {
        guard paths.count > mergeWidth else { return try merge(paths, into: output, stamping: nil) }
        return try AtomicFile.withTemporaryFolder(beside: output, "vocab-merge") { scratch in
            try mergeInLevels(paths, into: output, stamping: nil, scratch: scratch)
        }
    }

    /// The same; with `stamping`, the output's header takes its corpus figures (spilled runs
    /// carry none) instead of the inputs' sums.
    static func merge(_ paths: [String], into output: String, stamping: Header?) throws -> Header {
        guard !paths.isEmpty else { throw TrainingError.invalidOption("give count files to merge") }
        let readers = try paths.map { try Reader(path: $0) }
        var header = readers[0].header
        for reader in readers.dropFirst() {
            guard reader.header.sameMaking(header) else {
                throw TrainingError.invalidOption("\(reader.path) was counted with \(reader.header.frontEnd.description) (line breaks \(reader.header.keepsLineBreaks)), "
                                                  + "\(readers[0].path) with \(header.frontEnd.description) (line breaks \(header.keepsLineBreaks)): count them the same way to merge them")
            }
            guard (reader.header.sampledFrom == nil) == (header.sampledFrom == nil) else {
                throw TrainingError.invalidOption("\(reader.path) and \(readers[0].path): a sampled count and a full one do not merge")
            }
            func sum(_ a: Int, _ b: Int) throws -> Int { Int(try CountsFile.add(Int64(a), Int64(b), reader.path, "the header's figures")) }
            header.lines = try sum(header.lines, reader.header.lines)
            header.bytes = try sum(header.bytes, reader.header.bytes)
            header.replacedInvalidSequences = try sum(header.replacedInvalidSequences, reader.header.replacedInvalidSequences)
            header.longPieces = LongPieces(count: try sum(header.longPieces.count, reader.header.longPieces.count),
                                           bytes: try sum(header.longPieces.bytes, reader.header.longPieces.bytes))
            header.sampledFrom = try header.sampledFrom.map { try sum($0, reader.header.sampledFrom ?? 0) }
        }
        if let stamping { header = stamping }
        let pruned = Set(readers.compactMap(\.header.pruned))
        header.pruned = pruned.isEmpty ? nil : "merged from pruned counts: " + pruned.sorted().joined(separator: "; ")
        try AtomicFile.replace(output) { temporary in
            let writer = try Writer(path: temporary, header: header)
            // The smallest current piece of every reader; ties go to the lower reader index.
            var heads = try readers.map { try $0.next() }
            while true {
                var smallest: Int?
                for (index, head) in heads.enumerated() {
                    guard let head else { continue }
                    if let s = smallest, !head.piece.lexicographicallyPrecedes(heads[s]!.piece) { continue }
                    smallest = index
                }
                guard let first = smallest else { break }
                let piece = heads[first]!.piece
                var total: Int64 = 0
                for index in heads.indices where heads[index]?.piece == piece {
                    total = try CountsFile.add(total, heads[index]!.count, readers[index].path)
                    heads[index] = try readers[index].next()
                }
                try piece.withUnsafeBufferPointer { try writer.add($0, total) }
            }
            try writer.finish()
        }
        return header
    }
}
