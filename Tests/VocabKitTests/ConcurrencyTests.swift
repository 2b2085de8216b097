import Dispatch
import Foundation
import Testing
import VocabKit
import VocabTestSupport

/// `Tokenizer` is a `Sendable` value: one instance shared by many threads encodes exactly as
/// it does on one thread (its ICU handles come from a locked pool, its caches are per scratch).
@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("eight threads encoding through one shared tokenizer give the serial results, for every model type",
          arguments: ["gpt2", "bert/tokenizer.json", "tiktoken/r50k_base.tiktoken", "sentencepiece/botchan_en_unigram_1000.model",
                      "sentencepiece/mistral-tokenizer.model.v1"])
    func sharedTokenizer(file: String) throws {
        let tokenizer = try Tokenizer(contentsOf: fixture(file))
        let lines: [String] = try ["en", "ja", "ru", "code-python"].flatMap { name in
            let text = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
            return text.split(separator: "\n").prefix(150).map(String.init)
        }
        let serial = try lines.map { try tokenizer.encode($0, addsSpecialTokens: false).ids }
        let results = Results(count: lines.count * 8)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            // Each worker walks the lines from a different start, so threads meet on every line.
            for k in lines.indices {
                let index = (k + worker * lines.count / 8) % lines.count
                results.set(worker * lines.count + index, (try? tokenizer.encode(lines[index], addsSpecialTokens: false).ids) ?? [UInt32.max])
            }
        }
        for worker in 0..<8 {
            for index in lines.indices where results.get(worker * lines.count + index) != serial[index] {
                Issue.record("\(file): worker \(worker) line \(index) differs from the serial encoding")
                return
            }
        }
        // The batch API at any thread count, too.
        for threads in [1, 2, 8] { #expect(try tokenizer.encodeBatch(lines, addsSpecialTokens: false, threads: threads).map(\.ids) == serial) }
    }

    /// Results written by many threads, each slot by one.
    final class Results: @unchecked Sendable {
        private var slots: [[UInt32]]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: [], count: count) }
        func set(_ index: Int, _ ids: [UInt32]) { lock.lock(); slots[index] = ids; lock.unlock() }
        func get(_ index: Int) -> [UInt32] { lock.lock(); defer { lock.unlock() }; return slots[index] }
    }
}
