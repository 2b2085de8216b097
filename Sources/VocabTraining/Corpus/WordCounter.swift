import Dispatch
import Foundation
import VocabKit

/// What a trainer learns from: every distinct pre-token of a corpus with its count.
public struct WordCounts: Sendable {
    /// The words, sorted by bytes, with their counts (flat: 16 bytes per word beyond its bytes).
    public var words: WordList
    /// Lines read (all of them, or the sample's size when sampling).
    public var lines: Int
    /// Bytes of text counted.
    public var bytes: Int
    /// Lines in the corpus when sampling (nil when every line was used).
    public var sampledFrom: Int?
    /// Ill-formed UTF-8 sequences replaced by U+FFFD.
    public var replacedInvalidSequences: Int
    /// Pieces skipped for being longer than `WordCountingOptions.maxPieceBytes`.
    public var longPieces = LongPieces()

    public init(words: WordList, lines: Int, bytes: Int, sampledFrom: Int? = nil,
                replacedInvalidSequences: Int = 0, longPieces: LongPieces = LongPieces()) {
        self.words = words
        self.lines = lines
        self.bytes = bytes
        self.sampledFrom = sampledFrom
        self.replacedInvalidSequences = replacedInvalidSequences
        self.longPieces = longPieces
    }

    /// Counts from an array of words and counts.
    public init(words: [(word: [UInt8], count: Int64)], lines: Int, bytes: Int, sampledFrom: Int? = nil,
                replacedInvalidSequences: Int = 0, longPieces: LongPieces = LongPieces()) {
        self.init(words: WordList(words), lines: lines, bytes: bytes, sampledFrom: sampledFrom,
                  replacedInvalidSequences: replacedInvalidSequences, longPieces: longPieces)
    }
}

/// The pieces counting skipped for their length: how many, and their bytes.
public struct LongPieces: Sendable, Equatable {
    public var count = 0
    public var bytes = 0

    public init(count: Int = 0, bytes: Int = 0) { (self.count, self.bytes) = (count, bytes) }

    static func + (a: LongPieces, b: LongPieces) -> LongPieces { LongPieces(count: a.count + b.count, bytes: a.bytes + b.bytes) }

    /// "skipped 3 pieces over the piece length limit (...)", or nil when none were.
    public func summary(textBytes: Int) -> String? {
        guard count > 0 else { return nil }
        let percent = 100 * Double(bytes) / Double(max(textBytes, 1))
        let share = percent < 0.01 ? "under 0.01" : String(format: "%.2f", min(percent, 100))
        return "skipped \(count) pieces over the piece length limit (\(bytes) bytes, \(share)% of the text; --max-piece-bytes raises the limit)"
    }
}

/// What counting read: lines, bytes, replaced sequences and skipped long pieces.
struct CorpusFigures {
    var lines = 0, bytes = 0, invalid = 0
    var long = LongPieces()
    var sampledFrom: Int?

    static func + (a: CorpusFigures, b: CorpusFigures) -> CorpusFigures {
        CorpusFigures(lines: a.lines + b.lines, bytes: a.bytes + b.bytes, invalid: a.invalid + b.invalid, long: a.long + b.long,
                      sampledFrom: a.sampledFrom)
    }
}

/// Options for counting the words of a corpus.
public struct WordCountingOptions: Sendable {
    /// The front end that cuts lines into words.
    public var frontEnd: TextFrontEnd
    /// Keep each line's "\n" as part of its text, as HuggingFace's `train_from_files` does
    /// (default true, for identical merges); false counts lines without it.
    public var keepsLineBreaks = true
    /// Use a seeded random sample of this many lines instead of the whole corpus.
    public var maxLines: Int?
    /// The seed of the sample.
    public var seed = TrainingDefaults.seed
    /// Worker threads (0: all cores).
    public var threads = 0
    /// The input is a line-aligned part of a larger file whose start was checked elsewhere (a
    /// shard streamed by a driver): the looks-like-text check, which belongs to a file's first
    /// block, is skipped, and `countToFile` writes a file with no pieces (keeping the part's lines
    /// and bytes) instead of refusing it, so that merged parts equal the whole file's counts.
    public var partOfLargerFile = false
    /// `countToFile` writes a file with no pieces instead of refusing input without any (a shard
    /// of a larger corpus: whether the whole corpus has pieces is checked where shards merge).
    public var mayBeEmpty = false
    /// Pieces longer than this many bytes are skipped and reported (`WordCounts.longPieces`);
    /// see `TrainingDefaults.maxPieceBytes`.
    public var maxPieceBytes = TrainingDefaults.maxPieceBytes

    public init(frontEnd: TextFrontEnd) { self.frontEnd = frontEnd }
}

/// Progress reports from long-running training steps.
public struct TrainingProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int?

    /// Whether this report is about reading the corpus ("count words", "sample lines"), where
    /// `done` counts bytes read; otherwise it counts the phase's steps (merges, rounds, ...).
    public var isReadingCorpus: Bool { phase == "count words" || phase == "sample lines" }
}

/// Counts the words of text files in parallel.
///
/// Files are read in blocks of whole lines; each worker thread counts into its own table, and the
/// tables are merged at the end, so memory grows with the number of distinct words, not with the
/// corpus. With `maxLines`, a seeded reservoir sample (Vitter's algorithm R) of that many lines
/// is counted instead.
public enum WordCounter {
    /// Counts the words of `paths` ("-" for standard input).
    public static func count(paths: [String], options: WordCountingOptions,
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> WordCounts {
        var (tables, stats) = try countRounds(paths: paths, options: options, progress: progress) { _ in }
        let total = merged(&tables)
        guard total.count > 0 else {
            throw InputError.invalidCorpus("the corpus has no text to train on (\(paths.joined(separator: ", ")))"
                                           + (stats.long.summary(textBytes: stats.bytes).map { ": \($0)" } ?? ""))
        }
        return WordCounts(words: total.sortedWords(), lines: stats.lines, bytes: stats.bytes, sampledFrom: stats.sampledFrom,
                          replacedInvalidSequences: stats.invalid, longPieces: stats.long)
    }

    /// What `countToFile` wrote: the header, and how many sorted runs it spilled.
    public struct CountingResult: Sendable {
        public var header: CountsFile.Header
        public var runs: Int
    }

    /// Counts the words of `paths` into a counts file (`CountsFile`) in bounded memory: whenever
    /// the workers' tables pass a third of `memoryBudget` bytes, each is sorted in place (about 6
    /// bytes per word: the order and the sort's scratch) and spilled to its own run file beside
    /// `output` (the rest of the budget covers a table doubling past the threshold within a round,
    /// old and new slots together); at the end the runs are merged, at most
    /// `CountsFile.mergeWidth` at a time. The counts are exact
    /// whatever the budget; the temporary runs are removed, on error too.
    /// - Complexity: O(corpus) front-end work plus O(distinct pieces x runs) merging; memory about
    ///   `memoryBudget`, plus one read buffer (about 0.5 MB) per run being merged.
    public static func countToFile(paths: [String], options: WordCountingOptions, frontEnd: FrontEndNames, memoryBudget: Int,
                                   output: String, progress: ((TrainingProgress) -> Void)? = nil) throws -> CountingResult {
        try AtomicFile.withTemporaryFolder(beside: output, "vocab-count") { directory in
            try countToFile(paths: paths, options: options, frontEnd: frontEnd, memoryBudget: memoryBudget, output: output,
                            runsIn: directory, progress: progress)
        }
    }

    /// `countToFile`, its runs spilled into `directory`.
    private static func countToFile(paths: [String], options: WordCountingOptions, frontEnd: FrontEndNames, memoryBudget: Int,
                                    output: String, runsIn directory: String,
                                    progress: ((TrainingProgress) -> Void)?) throws -> CountingResult {
        var runs: [String] = []
        let header = CountsFile.Header(frontEnd: frontEnd, keepsLineBreaks: options.keepsLineBreaks)
        func spill(_ tables: inout [WordCountTable], last: Bool = false) throws {
            // Each worker's table is its own sorted run, written sorted in place (no copy of the
            // words, no merged table growing while the others are alive) and released. When
            // nothing was spilled before the end, the tables (within a third of the budget) are
            // merged into one run, so a corpus that fits is written in one pass.
            if last && runs.isEmpty && tables.count > 1 { tables = [merged(&tables)] }
            for index in tables.indices where tables[index].count > 0 {
                let path = directory + "/run-\(runs.count).counts"
                try CountsFile.write(tables[index], header: header, to: path)
                runs.append(path)
                tables[index] = WordCountTable()
            }
        }
        var (tables, stats) = try countRounds(paths: paths, options: options, progress: progress) { tables in
            if tables.reduce(0, { $0 + $1.memoryBytes }) > memoryBudget / 3 { try spill(&tables) }
        }
        try spill(&tables, last: true)
        var stamped = header
        (stamped.lines, stamped.bytes, stamped.sampledFrom, stamped.replacedInvalidSequences) = (stats.lines, stats.bytes, stats.sampledFrom, stats.invalid)
        stamped.longPieces = stats.long
        if runs.isEmpty {
            guard options.partOfLargerFile || options.mayBeEmpty else {
                throw InputError.invalidCorpus("the corpus has no text to count (\(paths.joined(separator: ", ")))"
                                               + (stats.long.summary(textBytes: stats.bytes).map { ": \($0)" } ?? ""))
            }
            try CountsFile.write(WordCounts(words: [], lines: stats.lines, bytes: stats.bytes), header: stamped, to: output)
            return CountingResult(header: stamped, runs: 0)
        }
        return CountingResult(header: try CountsFile.mergeInLevels(runs, into: output, stamping: stamped, scratch: directory), runs: runs.count)
    }

    /// The workers' tables added into one (its words are then sorted for a deterministic order).
    /// The tables are taken: each is released once added, and the first is added into in place.
    /// - Complexity: O(distinct pieces over all tables).
    private static func merged(_ tables: inout [WordCountTable]) -> WordCountTable {
        var total = tables[0]
        tables[0] = WordCountTable()
        for index in tables.indices.dropFirst() {
            total.merge(tables[index])
            tables[index] = WordCountTable()
        }
        return total
    }

    /// Reads the corpus in rounds of up to `threads` blocks, counting each block into its worker's
    /// table; `afterRound` may empty the tables (spilling). Returns the tables and the corpus figures.
    private static func countRounds(paths: [String], options: WordCountingOptions, progress: ((TrainingProgress) -> Void)?,
                                    afterRound: (inout [WordCountTable]) throws -> Void)
        throws -> ([WordCountTable], CorpusFigures) {
        guard !paths.isEmpty else { throw InputError.invalidCorpus("no corpus files given") }
        let threads = Parallel.workers(options.threads)
        var tables = [WordCountTable](repeating: WordCountTable(), count: threads)
        var figures = CorpusFigures()
        if let maxLines = options.maxLines {
            // 1a. Sample lines, then count the sample.
            let (sample, seen) = try sampleLines(paths: paths, count: maxLines, seed: options.seed, progress: progress)
            var block: [UInt8] = []
            for line in sample { block += line; block.append(0x0A) }
            figures = try countBlocks([block], into: &tables, options: options)
            figures.sampledFrom = seen
            try afterRound(&tables)
        } else {
            // 1b. Count every line of every file.
            var remaining = paths[...]
            var reader: LineBlockReader?, path = "", first = true
            figures = try countBlocks(of: {
                while true {
                    if reader == nil {
                        guard let next = remaining.popFirst() else { return nil }
                        (reader, path, first) = (try LineBlockReader(path: next), next, true)
                    }
                    if let block = try reader!.nextBlock() {
                        if first && !options.partOfLargerFile { try checkLooksLikeText(block, path: path) }
                        first = false
                        return block
                    }
                    reader = nil
                }
            }, into: &tables, options: options, progress: progress, afterRound: afterRound)
        }
        return (tables, figures)
    }

    /// Counts the blocks `nextBlock` gives, `threads` at a time, calling `afterRound` after each
    /// round; returns the lines, bytes and replaced sequences.
    private static func countBlocks(of nextBlock: () throws -> [UInt8]?, into tables: inout [WordCountTable], options: WordCountingOptions,
                                    progress: ((TrainingProgress) -> Void)?, afterRound: (inout [WordCountTable]) throws -> Void)
        throws -> CorpusFigures {
        var total = CorpusFigures(), done = 0
        while true {
            var blocks: [[UInt8]] = []
            while blocks.count < tables.count, let block = try nextBlock() { blocks.append(block) }
            if blocks.isEmpty { return total }
            let stats = try countBlocks(blocks, into: &tables, options: options)
            total = total + stats
            try afterRound(&tables)
            done += blocks.reduce(0) { $0 + $1.count }
            progress?(TrainingProgress(phase: "count words", done: done, total: nil))
        }
    }

    /// Counts the words of `texts`, each a line (the equivalent of HuggingFace's
    /// `train_from_iterator`): the same counts as a file holding them one per line.
    /// - Complexity: one pass over the sequence, in blocks of about 256 KB counted in parallel.
    /// `options.maxLines` does not apply (a sequence is read once): sample it before.
    public static func count<Texts: Sequence>(texts: Texts, options: WordCountingOptions,
                                              progress: ((TrainingProgress) -> Void)? = nil) throws -> WordCounts where Texts.Element == String {
        guard options.maxLines == nil else {
            throw InputError.invalidCorpus("a line sample (maxLines) applies to files; sample the texts before passing them")
        }
        var tables = [WordCountTable](repeating: WordCountTable(), count: Parallel.workers(options.threads))
        var iterator = texts.makeIterator()
        let stats = try countBlocks(of: {
            var block: [UInt8] = []
            while block.count < 1 << 18, let text = iterator.next() {
                block.append(contentsOf: text.utf8)
                block.append(0x0A)
            }
            return block.isEmpty ? nil : block
        }, into: &tables, options: options, progress: progress) { _ in }
        let total = merged(&tables)
        guard total.count > 0 else {
            throw InputError.invalidCorpus("the texts hold nothing to train on" + (stats.long.summary(textBytes: stats.bytes).map { ": \($0)" } ?? ""))
        }
        return WordCounts(words: total.sortedWords(), lines: stats.lines, bytes: stats.bytes, replacedInvalidSequences: stats.invalid,
                          longPieces: stats.long)
    }

    /// Refuses input that is clearly not text: NUL bytes, or more than 1% ill-formed UTF-8 in the
    /// first 64 kB.
    public static func checkLooksLikeText(_ block: [UInt8], path: String) throws {
        let sample = block.prefix(65_536)
        if sample.contains(0) {
            throw InputError.invalidCorpus("\(path) does not look like text: it contains NUL bytes")
        }
        let text = try NormalizedText(validating: Array(sample))
        if text.replacedInvalidSequences * 100 > max(sample.count, 1) {
            throw InputError.invalidCorpus("\(path) does not look like UTF-8 text: \(text.replacedInvalidSequences) ill-formed sequences in its first \(sample.count) bytes")
        }
    }

    private static func countBlocks(_ blocks: [[UInt8]], into tables: inout [WordCountTable],
                                    options: WordCountingOptions) throws -> CorpusFigures {
        // Block i is counted into table i: one table per thread, each written by one block.
        let results = try tables.withUnsafeMutableBufferPointer { tables in
            let workerTables = tables
            return try Parallel.map(blocks.count, threads: blocks.count) { index in
                var stats = CorpusFigures()
                let maxPieceBytes = options.maxPieceBytes
                try blocks[index].withUnsafeBufferPointer { block in
                    var start = 0
                    while start < block.count {
                        var end = start
                        while end < block.count && block[end] != 0x0A { end += 1 }
                        let lineEnd = options.keepsLineBreaks && end < block.count ? end + 1 : end
                        let text = try options.frontEnd.process(UnsafeBufferPointer(rebasing: block[start..<lineEnd]))
                        text.text.bytes.withUnsafeBufferPointer { normalized in
                            for piece in text.pieces {
                                guard piece.count <= maxPieceBytes else {
                                    stats.long = stats.long + LongPieces(count: 1, bytes: piece.count)
                                    continue
                                }
                                workerTables[index].add(UnsafeBufferPointer(rebasing: normalized[piece]))
                            }
                        }
                        stats.invalid += text.text.replacedInvalidSequences
                        stats.lines += 1
                        stats.bytes += end - start
                        start = end + 1
                    }
                }
                return stats
            }
        }
        return results.reduce(CorpusFigures(), +)
    }

    /// Algorithm R with a SplitMix64 generator: every line has the same chance to be kept.
    private static func sampleLines(paths: [String], count: Int, seed: UInt64,
                                    progress: ((TrainingProgress) -> Void)?) throws -> ([[UInt8]], Int) {
        guard count > 0 else { throw InputError.invalidCorpus("--max-lines must be at least 1") }
        var random = SplitMix64(seed: seed)
        var reservoir: [[UInt8]] = []
        var seen = 0
        for path in paths {
            let reader = try LineBlockReader(path: path)
            var first = true
            while let block = try reader.nextBlock() {
                if first { try checkLooksLikeText(block, path: path); first = false }
                for line in block.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast(block.last == 0x0A ? 1 : 0) {
                    seen += 1
                    if reservoir.count < count {
                        reservoir.append(Array(line))
                    } else {
                        let j = Int(random.next() % UInt64(seen))
                        if j < count { reservoir[j] = Array(line) }
                    }
                }
                progress?(TrainingProgress(phase: "sample lines", done: reader.bytesRead, total: nil))
            }
        }
        return (reservoir, seen)
    }
}

