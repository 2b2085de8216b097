import Dispatch
import Foundation
import VocabKit

/// Runs a per-unit job over inputs in parallel, keeping the output in input order.
///
/// Input is read in blocks of whole units (`UnitBlockSource`); up to `threads` blocks are
/// processed at once, each into its own output buffer, and the buffers are written in order.
/// Lines are split on "\n" only; the "\n" is not part of the line (a "\r" before it is).
/// Documents (`split: .documents`) are runs of non-blank lines; a whole file is one unit.
struct ParallelLines<Summary> {
    let threads: Int
    let quiet: Bool
    let label: String
    var split: UnitSplit = .lines

    /// Where a line comes from, for error messages.
    struct Location {
        let path: String
        let line: Int
    }

    /// Processes every unit of every input. `job` gets the unit, where it starts, an output buffer
    /// and the block's summary to update; `merge` combines summaries.
    func run(inputs: [String], initial: Summary, job: @escaping (_ line: ArraySlice<UInt8>, _ location: Location, _ out: inout [UInt8], _ summary: inout Summary) throws -> Void,
             merge: @escaping (inout Summary, Summary) -> Void,
             perInput: ((String, Summary, Double) -> [UInt8])? = nil,
             output: inout OutputWriter) throws -> Summary {
        var total = initial
        let progress = ProgressLine(label: label, quiet: quiet)
        defer { progress.finish() }
        var bytesDone = 0
        for path in inputs {
            let reader = try LineBlockReader(path: path)
            var source = UnitBlockSource(reader: reader, split: split)
            let started = Date()
            var fileSummary = initial
            while true {
                // 1. Read up to `threads` blocks.
                var blocks: [(bytes: [UInt8], firstLine: Int)] = []
                while blocks.count < threads, let block = try source.next() { blocks.append(block) }
                if blocks.isEmpty { break }
                // 2. Process them in parallel, each into its own buffer.
                let results = Parallel.map(blocks.count, threads: blocks.count) { index in Result {
                    var out: [UInt8] = []
                    var summary = initial
                    let block = blocks[index]
                    try split.forEachUnit(in: block.bytes) { range, line in
                        try job(block.bytes[range], Location(path: path, line: block.firstLine + line), &out, &summary)
                    }
                    return (out: out, summary: summary)
                } }
                // 3. Write in order; stop at the first error (what came before it is written).
                for result in results {
                    let result = try result.get()
                    try output.write(result.out)
                    merge(&fileSummary, result.summary)
                }
                bytesDone += blocks.reduce(0) { $0 + $1.bytes.count }
                progress.update(bytes: bytesDone, detail: path)
            }
            if let perInput { try output.write(perInput(path, fileSummary, Date().timeIntervalSince(started))) }
            merge(&total, fileSummary)
        }
        try output.flush()
        return total
    }
}
