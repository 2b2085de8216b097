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
        // Shared across the workers: `next` and `firstFailure` only under `lock`; each slot is
        // written by the one worker that took its index; `body` is the caller's, whose own
        // synchronization (values, per-index outputs) is its contract. The compiler cannot see
        // the lock, hence the unchecked boxes.
        let lock = Lock()
        let state = UncheckedSendable((next: 0, firstFailure: Int.max))
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            slots.withUnsafeMutableBufferPointer { buffer in
                let slots = UncheckedSendable(buffer)
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    while true {
                        let index: Int? = lock.withLock {
                            guard state.value.firstFailure == .max, state.value.next < count else { return nil }
                            defer { state.value.next += 1 }
                            return state.value.next
                        }
                        guard let index else { return }
                        let result = work.value(index)
                        if case .failure = result { lock.withLock { state.value.firstFailure = min(state.value.firstFailure, index) } }
                        slots.value[index] = result
                    }
                }
            }
        }
        let firstFailure = state.value.firstFailure
        let end = firstFailure == .max ? count : firstFailure + 1
        return slots[..<end].map { $0! }
    }

    /// `count` items cut into about `pieces` contiguous ranges (at least one item each).
    package static func chunks(_ count: Int, pieces: Int) -> [Range<Int>] {
        let parts = max(1, min(count, pieces))
        return (0..<parts).map { (($0 * count) / parts)..<((($0 + 1) * count) / parts) }
    }
}

/// A value shared across threads whose safety the compiler cannot check (a lock, or disjoint
/// indices, guards it); each use says what does. A class, so that captures share one value.
package final class UncheckedSendable<Value>: @unchecked Sendable {
    package var value: Value
    package init(_ value: Value) { self.value = value }
}
