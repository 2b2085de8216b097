// vocab-bench: measures VocabKit's text front end on a file, one JSON object per measurement.
//
//   vocab-bench FILE UNIT JOB [JOB...]
//     UNIT: line | block     JOB: normalize:SPEC | pretokenize:NAME | frontend:SPEC:NAME
//                                 | encode:TOKENIZER_FILE[@THREADS]  (batch encoding, lines only)
//                                 | ids:TOKENIZER_FILE[@THREADS]  (the same with `encodeIds`: ids
//                                   only, no offsets or annotations, as the peers return)
//                                 | calls:TOKENIZER_FILE  (one `encode(String)` call per line,
//                                   as model code makes them; the Strings are made before timing)
//                                 | load:TOKENIZER_FILE  (`Tokenizer(contentsOf:)`, FILE unused)
//                                 | decode:TOKENIZER_FILE  (`decodeBytes` per line of ids; the
//                                   lines are encoded before timing; MB/s of decoded text)
//                                 | stream:TOKENIZER_FILE  (a `DecodeStream` per line, one
//                                   `step` per id, then `finish`)
//
// Each job processes FILE on one thread, either line by line (split on "\n", the "\n" not
// included, empty lines skipped) or in blocks of whole lines of about 64 KB (newlines included),
// after an untimed warm-up (the first 1 MB for front-end jobs, one whole pass for tokenizer jobs),
// repeating whole passes for at least one second (front ends) or two (tokenizers) and reporting
// the fastest. With VOCAB_BENCH_ONCE=1 there is no
// warm-up and one pass (each input processed once, as the peers in Benchmarks/encode-bench.py).
// MB/s counts the UTF-8 bytes of the lines (1 MB = 1e6 bytes), the convention of
// Benchmarks/frontend-bench.py.
import Foundation
import VocabKit

struct Measurement: Encodable {
    let library = "vocabkit"
    let job: String
    let unit: String
    let bytes: Int
    let seconds: Double
    let mb_per_s: Double
    let pieces: Int
    let peak_rss_mb: Double
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// VOCAB_BENCH_ONCE=1: every job runs one pass, without warm-up.
let once = ProcessInfo.processInfo.environment["VOCAB_BENCH_ONCE"] == "1"

/// Repeats `pass` for at least `budget` seconds (once with VOCAB_BENCH_ONCE=1); the fastest time
/// and the last result.
func fastestPass(for budget: Double, _ pass: () throws -> Int) rethrows -> (Double, Int) {
    var fastest = Double.infinity, result = 0, spent = 0.0
    let budget = once ? 0 : budget
    repeat {
        let start = DispatchTime.now()
        result = try pass()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        fastest = min(fastest, elapsed)
        spent += elapsed
    } while spent < budget
    return (fastest, result)
}

func lines(of data: [UInt8]) -> [ArraySlice<UInt8>] {
    data.split(separator: 0x0A, omittingEmptySubsequences: true)
}

func blocks(of data: [UInt8], size: Int = 65_536) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    while start < data.count {
        var end = min(data.count, start + size)
        while end < data.count && data[end - 1] != 0x0A { end += 1 }
        result.append(data[start..<end])
        start = end
    }
    return result
}

/// Encodes every line with `Tokenizer.encodeBatch`-style chunks on `threads` threads.
func runEncode(job: String, unit: String, lines: [ArraySlice<UInt8>]) throws -> Measurement {
    let idsOnly = job.hasPrefix("ids:")
    let spec = String(job.drop { $0 != ":" }.dropFirst())
    let parts = spec.split(separator: "@").map(String.init)
    let threads = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
    let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: parts[0]))
    let chunk = 256
    let chunks = (lines.count + chunk - 1) / chunk
    /// Hands out chunk numbers and sums token counts across worker threads.
    final class Work: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var total = 0
        func take() -> Int { lock.lock(); defer { lock.unlock() }; next += 1; return next - 1 }
        func add(_ count: Int) { lock.lock(); total += count; lock.unlock() }
        var tokens: Int { lock.lock(); defer { lock.unlock() }; return total }
    }
    func pass() -> Int {
        let work = Work()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var scratch = EncoderScratch()
            var count = 0
            while true {
                let c = work.take()
                if c >= chunks { break }
                for line in lines[(c * chunk)..<min(lines.count, (c + 1) * chunk)] {
                    if idsOnly {
                        // A new array per line, as the peers return a new list.
                        var ids: [UInt32] = []
                        _ = try? line.withUnsafeBufferPointer { try tokenizer.encodeIds($0, allowsAddedTokens: false, into: &ids, scratch: &scratch) }
                        count += ids.count
                    } else {
                        count += (try? line.withUnsafeBufferPointer { try tokenizer.encode($0, allowsAddedTokens: false, scratch: &scratch) })?.ids.count ?? 0
                    }
                }
            }
            work.add(count)
        }
        return work.tokens
    }
    if !once { _ = pass() }  // warm-up
    let bytes = lines.reduce(0) { $0 + $1.count }
    let (seconds, tokens) = fastestPass(for: 2.0, pass)
    return Measurement(job: job, unit: unit, bytes: bytes, seconds: seconds, mb_per_s: Double(bytes) / 1e6 / seconds,
                       pieces: tokens, peak_rss_mb: peakRSSMegabytes())
}

/// One `Tokenizer.encode(_: String)` call per line on one thread: what a server encoding one
/// request at a time pays, fixed costs included. `pieces` is the number of calls.
func runCalls(job: String, unit: String, lines: [ArraySlice<UInt8>]) throws -> Measurement {
    let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: String(job.dropFirst("calls:".count))))
    let strings = lines.map { String(decoding: $0, as: UTF8.self) }
    func pass() throws -> Int {
        var tokens = 0
        for string in strings { tokens += try tokenizer.encode(string, addsSpecialTokens: false).ids.count }
        return tokens
    }
    if !once { _ = try pass() }  // warm-up
    let bytes = lines.reduce(0) { $0 + $1.count }
    let (seconds, _) = try fastestPass(for: 2.0, pass)
    return Measurement(job: job, unit: unit, bytes: bytes, seconds: seconds, mb_per_s: Double(bytes) / 1e6 / seconds,
                       pieces: strings.count, peak_rss_mb: peakRSSMegabytes())
}

/// Loading a tokenizer file: the fastest of at least 2 s of loads (the file in the page cache,
/// as for the peers). `bytes` is the file's size, `pieces` the vocabulary size.
func runLoad(job: String, unit: String) throws -> Measurement {
    let url = URL(fileURLWithPath: String(job.dropFirst("load:".count)))
    let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    let (seconds, vocabulary) = try fastestPass(for: 2.0) { try Tokenizer(contentsOf: url).vocabularySize }
    return Measurement(job: job, unit: unit, bytes: size, seconds: seconds, mb_per_s: Double(size) / 1e6 / seconds,
                       pieces: vocabulary, peak_rss_mb: peakRSSMegabytes())
}

/// Decoding every line's ids, all at once (`decode:`) or one id at a time (`stream:`). The ids
/// come from encoding the lines before timing; `bytes` is the decoded text's size, `pieces` the
/// number of ids.
func runDecode(job: String, unit: String, lines: [ArraySlice<UInt8>]) throws -> Measurement {
    let streams = job.hasPrefix("stream:")
    let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: String(job.drop { $0 != ":" }.dropFirst())))
    var scratch = EncoderScratch()
    let ids = try lines.map { line in
        try line.withUnsafeBufferPointer { try tokenizer.encode($0, allowsAddedTokens: false, scratch: &scratch).ids }
    }
    func pass() throws -> Int {
        var bytes = 0
        if streams {
            var stream = tokenizer.decodeStream()
            for line in ids {
                for id in line { bytes += try stream.stepBytes(id)?.count ?? 0 }
                bytes += try stream.finish()?.utf8.count ?? 0
            }
        } else {
            for line in ids { bytes += try tokenizer.decodeBytes(line).count }
        }
        return bytes
    }
    if !once { _ = try pass() }  // warm-up
    let (seconds, bytes) = try fastestPass(for: 2.0, pass)
    return Measurement(job: job, unit: unit, bytes: bytes, seconds: seconds, mb_per_s: Double(bytes) / 1e6 / seconds,
                       pieces: ids.reduce(0) { $0 + $1.count }, peak_rss_mb: peakRSSMegabytes())
}

func run(job: String, unit: String, lines: [ArraySlice<UInt8>]) throws -> Measurement {
    if job.hasPrefix("decode:") || job.hasPrefix("stream:") { return try runDecode(job: job, unit: unit, lines: lines) }
    if job.hasPrefix("load:") { return try runLoad(job: job, unit: unit) }
    if job.hasPrefix("encode:") || job.hasPrefix("ids:") { return try runEncode(job: job, unit: unit, lines: lines) }
    if job.hasPrefix("calls:") { return try runCalls(job: job, unit: unit, lines: lines) }
    let parts = job.split(separator: ":", maxSplits: 2).map(String.init)
    let frontEnd: TextFrontEnd
    switch parts[0] {
    case "normalize": frontEnd = try TextFrontEnd(normalizer: parts[1], preTokenizers: [])
    case "pretokenize": frontEnd = try TextFrontEnd(normalizer: "none", preTokenizers: [parts[1]])
    case "frontend": frontEnd = try TextFrontEnd(normalizer: parts[1], preTokenizers: [parts[2]])
    default: throw TextError.invalidSpecification("unknown job \(job)")
    }
    let onlyNormalize = parts[0] == "normalize"
    func pass(_ lines: ArraySlice<ArraySlice<UInt8>>) throws -> Int {
        var pieces = 0
        for line in lines {
            if onlyNormalize {
                pieces += try frontEnd.normalize(line).bytes.count > 0 ? 1 : 0
            } else {
                pieces += try frontEnd.process(line).pieces.count
            }
        }
        return pieces
    }
    // Warm up (tables, caches) on about the first megabyte.
    var warm = 0, count = 0
    while count < lines.count && warm < 1_000_000 { warm += lines[count].count; count += 1 }
    if !once { _ = try pass(lines[0..<count]) }
    let bytes = lines.reduce(0) { $0 + $1.count }
    let (seconds, pieces) = try fastestPass(for: 1.0) { try pass(lines[...]) }
    return Measurement(job: job, unit: unit, bytes: bytes, seconds: seconds, mb_per_s: Double(bytes) / 1e6 / seconds,
                       pieces: pieces, peak_rss_mb: peakRSSMegabytes())
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let data = FileManager.default.contents(atPath: arguments[1]),
      ["line", "block"].contains(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: vocab-bench FILE line|block JOB [JOB...]\n".utf8))
    exit(2)
}
let unit = arguments[2]
let allLines = unit == "line" ? lines(of: Array(data)) : blocks(of: Array(data))
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
for job in arguments[3...] {
    do {
        let measurement = try run(job: job, unit: unit, lines: allLines)
        print(String(decoding: try encoder.encode(measurement), as: UTF8.self))
    } catch {
        FileHandle.standardError.write(Data("vocab-bench: \(job): \(error)\n".utf8))
        exit(1)
    }
}
