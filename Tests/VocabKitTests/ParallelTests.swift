import Foundation
import Testing
@testable import VocabKit

@Suite("Parallel loops")
struct ParallelTests {
    struct Failure: Error, Equatable { let index: Int }

    @Test("results come back in index order at any thread count", arguments: [1, 2, 3, 8])
    func order(threads: Int) {
        let results = Parallel.map(1000, threads: threads) { $0 * $0 }
        #expect(results == (0..<1000).map { $0 * $0 })
        #expect(Parallel.map(0, threads: threads) { $0 }.isEmpty)
    }

    @Test("the error of the lowest failing index is thrown, whatever the scheduling", arguments: [1, 2, 4])
    func firstError(threads: Int) {
        for _ in 0..<20 {
            #expect(throws: Failure(index: 37)) {
                try Parallel.map(200, threads: threads) { index -> Int in
                    if index == 37 || index == 38 || index == 150 { throw Failure(index: index) }
                    if index < 37 { usleep(UInt32.random(in: 0...200)) }
                    return index
                }
            }
        }
    }

    @Test("after a failure, indices not yet started are skipped")
    func cancellation() {
        let lock = Lock()
        var ran = 0
        #expect(throws: Failure(index: 0)) {
            try Parallel.map(10_000, threads: 2) { index in
                lock.withLock { ran += 1 }
                if index == 0 { throw Failure(index: 0) }
                usleep(50)
            }
        }
        #expect(ran < 10_000, "ran \(ran) of 10000 after the first index failed")
    }

    @Test("chunks cover the range in order with no gaps")
    func chunks() {
        for (count, pieces) in [(0, 4), (1, 16), (10, 3), (1000, 16), (5, 100)] {
            let ranges = Parallel.chunks(count, pieces: pieces)
            #expect(ranges.first?.lowerBound ?? 0 == 0 && ranges.last?.upperBound ?? 0 == count)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(ranges.count == max(1, min(count, pieces)))
        }
    }
}
