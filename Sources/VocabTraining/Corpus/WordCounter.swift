import Dispatch
import Foundation
import VocabKit

/// What a trainer learns from: every distinct pre-token of a corpus with its count.
public struct WordCounts: Sendable {
    /// The words, sorted by bytes, with their counts.
    public var words: [(word: [UInt8], count: Int64)]
    /// Lines read (all of them, or the sample's size when sampling).
    public var lines: Int
    /// Bytes of text counted.
    public var bytes: Int
    /// Lines in the corpus when sampling (nil when every line was used).
    public var sampledFrom: Int?
    /// Ill-formed UTF-8 sequences replaced by U+FFFD.
    public var replacedInvalidSequences: Int

    public init(words: [(word: [UInt8], count: Int64)], lines: Int, bytes: Int, sampledFrom: Int? = nil,
                replacedInvalidSequences: Int = 0) {
        self.words = words
        self.lines = lines
        self.bytes = bytes
        self.sampledFrom = sampledFrom
        self.replacedInvalidSequences = replacedInvalidSequences
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
        guard !paths.isEmpty else { throw InputError.invalidCorpus("no corpus files given") }
        let threads = Parallel.workers(options.threads)
        var tables = [WordCountTable](repeating: WordCountTable(), count: threads)
        var lines = 0, bytes = 0, invalid = 0, sampledFrom: Int?
        if let maxLines = options.maxLines {
            // 1a. Sample lines, then count the sample.
            let (sample, seen) = try sampleLines(paths: paths, count: maxLines, seed: options.seed, progress: progress)
            sampledFrom = seen
            var block: [UInt8] = []
            for line in sample { block += line; block.append(0x0A) }
            let stats = try countBlocks([block], into: &tables, options: options)
            lines = stats.lines; bytes = stats.bytes; invalid = stats.invalid
        } else {
            // 1b. Count every line, `threads` blocks at a time.
            var done = 0
            for path in paths {
                let reader = try LineBlockReader(path: path)
                var first = true
                while true {
                    var blocks: [[UInt8]] = []
                    while blocks.count < threads, let block = try reader.nextBlock() {
                        if first { try checkLooksLikeText(block, path: path); first = false }
                        blocks.append(block)
                    }
                    if blocks.isEmpty { break }
                    let stats = try countBlocks(blocks, into: &tables, options: options)
                    lines += stats.lines; bytes += stats.bytes; invalid += stats.invalid
                    done += blocks.reduce(0) { $0 + $1.count }
                    progress?(TrainingProgress(phase: "count words", done: done, total: nil))
                }
            }
        }
        // 2. Merge the workers' tables; sort for a deterministic order.
        var total = tables[0]
        for table in tables.dropFirst() { total.merge(table) }
        guard total.count > 0 else {
            throw InputError.invalidCorpus("the corpus has no text to train on (\(paths.joined(separator: ", ")))")
        }
        return WordCounts(words: total.sortedWords(), lines: lines, bytes: bytes, sampledFrom: sampledFrom,
                          replacedInvalidSequences: invalid)
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
                                    options: WordCountingOptions) throws -> (lines: Int, bytes: Int, invalid: Int) {
        // Block i is counted into table i: one table per thread, each written by one block.
        let results = try tables.withUnsafeMutableBufferPointer { tables in
            let workerTables = tables
            return try Parallel.map(blocks.count, threads: blocks.count) { index in
                var stats = (lines: 0, bytes: 0, invalid: 0)
                try blocks[index].withUnsafeBufferPointer { block in
                    var start = 0
                    while start < block.count {
                        var end = start
                        while end < block.count && block[end] != 0x0A { end += 1 }
                        let lineEnd = options.keepsLineBreaks && end < block.count ? end + 1 : end
                        let text = try options.frontEnd.process(UnsafeBufferPointer(rebasing: block[start..<lineEnd]))
                        text.text.bytes.withUnsafeBufferPointer { normalized in
                            for piece in text.pieces {
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
        return results.reduce((lines: 0, bytes: 0, invalid: 0)) { ($0.lines + $1.lines, $0.bytes + $1.bytes, $0.invalid + $1.invalid) }
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

