import Dispatch
import Foundation
import VocabKit

/// Runs a per-line job over inputs in parallel, keeping the output in input order.
///
/// Input is read in blocks of whole lines; up to `threads` blocks are processed at once, each
/// into its own output buffer, and the buffers are written in order. Lines are split on "\n"
/// only; the "\n" is not part of the line (a "\r" before it is).
struct ParallelLines<Summary> {
    let threads: Int
    let quiet: Bool
    let label: String

    /// Where a line comes from, for error messages.
    struct Location {
        let path: String
        let line: Int
    }

    /// Processes every line of every input. `job` gets the line, where it is, an output buffer
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
            let started = Date()
            var fileSummary = initial
            var firstLine = 1
            while true {
                // 1. Read up to `threads` blocks.
                var blocks: [(bytes: [UInt8], firstLine: Int)] = []
                while blocks.count < threads, let block = try reader.nextBlock() {
                    blocks.append((block, firstLine))
                    firstLine += block.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                }
                if blocks.isEmpty { break }
                // 2. Process them in parallel, each into its own buffer.
                let results = Parallel.map(blocks.count, threads: blocks.count) { index in Result {
                    var out: [UInt8] = []
                    var summary = initial
                    let block = blocks[index]
                    var lineStart = 0, number = block.firstLine
                    while lineStart < block.bytes.count {
                        let lineEnd = block.bytes[lineStart...].firstIndex(of: 0x0A) ?? block.bytes.count
                        try job(block.bytes[lineStart..<lineEnd], Location(path: path, line: number), &out, &summary)
                        lineStart = lineEnd + 1
                        number += 1
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
