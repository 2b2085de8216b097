import HeapModule
import VocabKit

/// A seeded sample of units that fills a byte budget, taken in one streaming pass.
///
/// Every unit gets a pseudo-random key from its text and the seed; the sample is the units with
/// the smallest keys, in key order, up to the first one that no longer fits in `budget` bytes.
/// The sample therefore depends only on the set of units, not on their order or on how the
/// input was split, and copies of one text share a key, so they are kept or dropped together
/// (the fold assignment keeps copies in one fold). Units are returned in input order.
/// - Complexity: O(log n) per unit kept for a while; memory is the kept units (at most `budget`
///   bytes plus one unit) and a heap entry per kept unit.
struct UnitSampler {
    private struct Entry: Comparable {
        let key: UInt64
        let sequence: Int
        let text: [UInt8]
        static func < (a: Entry, b: Entry) -> Bool { (a.key, a.sequence) < (b.key, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { (a.key, a.sequence) == (b.key, b.sequence) }
    }

    let budget: Int
    let seed: UInt64
    private var heap = Heap<Entry>()
    private var keptBytes = 0
    /// Units with a key at or above this were dropped (nil: nothing dropped yet).
    private var threshold: UInt64?
    private var sequence = 0

    init(budget: Int, seed: UInt64) {
        self.budget = budget
        self.seed = seed
    }

    /// The unit's key: FNV-1a 64 of its text, mixed with the seed (SplitMix64's finalizer).
    static func key(_ text: ArraySlice<UInt8>, seed: UInt64) -> UInt64 {
        var z = TextKey(text).hash ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Offers the next unit of the input.
    ///
    /// 1. A unit whose key is at or above the threshold is dropped.
    /// 2. Otherwise it is kept; while the kept bytes pass the budget, the units with the largest
    ///    key (all copies of that text) are dropped and their key becomes the threshold.
    mutating func offer(_ text: ArraySlice<UInt8>) {
        defer { sequence += 1 }
        let key = Self.key(text, seed: seed)
        // Phase 1.
        if let threshold, key >= threshold { return }
        // Phase 2.
        heap.insert(Entry(key: key, sequence: sequence, text: Array(text)))
        keptBytes += text.count
        while keptBytes > budget, let largest = heap.max?.key {
            while let top = heap.max, top.key == largest {
                keptBytes -= top.text.count
                _ = heap.removeMax()
            }
            threshold = largest
        }
    }

    /// Bytes of the kept units.
    var sampledBytes: Int { keptBytes }

    /// The kept units, in input order.
    func sample() -> [[UInt8]] {
        heap.unordered.sorted { $0.sequence < $1.sequence }.map(\.text)
    }
}
