import Dispatch
import Foundation

/// The one way VocabKit fans work out to threads: indexed loops with results in index order and
/// first-error semantics, so neither results nor errors depend on scheduling.
package enum Parallel {
    /// The number of threads `threads` asks for: itself when positive, all cores otherwise.
    package static func workers(_ threads: Int) -> Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Calls `body(i)` for every `i` in `0..<count` on up to `threads` threads (0: all cores) and
    /// returns the results in index order.
    ///
    /// Indices are handed out in increasing order. When a call throws, indices not yet handed out
    /// are skipped (cancellation), the calls already running finish, and the error of the lowest
    /// failing index is rethrown: every lower index has run by then, so it is the same error at
    /// any thread count.
    /// - Complexity: `count` calls; one lock acquisition per index.
    package static func map<T>(_ count: Int, threads: Int = 0, _ body: (Int) throws -> T) throws -> [T] {
        let results = run(count, threads: threads) { index in Result { try body(index) } }
        return try results.map { try $0.get() }
    }

    /// `map` for a body that cannot fail.
    package static func map<T>(_ count: Int, threads: Int = 0, _ body: (Int) -> T) -> [T] {
        run(count, threads: threads) { index in Result<T, Never>.success(body(index)) }.map { result in
            switch result { case .success(let value): return value }
        }
    }

    /// The results up to and including the first failure in index order (later indices may be
    /// missing: they were cancelled).
    private static func run<T, E: Error>(_ count: Int, threads: Int, _ body: (Int) -> Result<T, E>) -> [Result<T, E>] {
        guard count > 0 else { return [] }
        let workers = min(count, workers(threads))
        if workers == 1 {
            var results: [Result<T, E>] = []
            for index in 0..<count {
                let result = body(index)
                results.append(result)
                if case .failure = result { break }
            }
            return results
        }
        var slots = [Result<T, E>?](repeating: nil, count: count)
        let lock = Lock()
        var next = 0
        var firstFailure = Int.max
        slots.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index: Int? = lock.withLock {
                        guard firstFailure == .max, next < count else { return nil }
                        defer { next += 1 }
                        return next
                    }
                    guard let index else { return }
                    let result = body(index)
                    if case .failure = result { lock.withLock { firstFailure = min(firstFailure, index) } }
                    slots[index] = result
                }
            }
        }
        let end = firstFailure == .max ? count : firstFailure + 1
        return slots[..<end].map { $0! }
    }

    /// `count` items cut into about `pieces` contiguous ranges (at least one item each).
    package static func chunks(_ count: Int, pieces: Int) -> [Range<Int>] {
        let parts = max(1, min(count, pieces))
        return (0..<parts).map { (($0 * count) / parts)..<((($0 + 1) * count) / parts) }
    }
}
