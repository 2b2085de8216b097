import HeapModule
import VocabKit

/// A seeded sample of units that fills a byte budget, taken in one streaming pass.
///
/// Every distinct text gets a pseudo-random key from its bytes and the seed; the sample is the
/// distinct texts with the smallest keys, in key order, up to the first one that no longer fits
/// in `budget` bytes, each with all its copies. The budget counts each distinct text once (its
/// copies cost a position, not bytes), so a repeated line can never crowd out the rest: the
/// sample falls short of the budget by less than one unit. It depends only on the multiset of
/// units, not on their order or on how the input was split, and copies are kept or dropped
/// together (the fold assignment keeps copies in one fold). Two different texts with the same
/// 64-bit key would be taken as copies of the first one kept (odds about d²/2⁶⁵ for d distinct
/// texts).
/// - Complexity: O(log d) per unit, d the distinct texts kept; memory is the kept distinct
///   texts (at most `budget` bytes), about 80 bytes per kept distinct text and 8 per copy.
struct UnitSampler {
    private struct Entry: Comparable {
        let key: UInt64
        let text: [UInt8]
        static func < (a: Entry, b: Entry) -> Bool { a.key < b.key }
        static func == (a: Entry, b: Entry) -> Bool { a.key == b.key }
    }

    let budget: Int
    let seed: UInt64
    private var heap = Heap<Entry>()
    /// Input positions of every kept text's copies, by key.
    private var positions: [UInt64: [Int]] = [:]
    private var keptBytes = 0
    /// Texts with a key at or above this were dropped (nil: nothing dropped yet).
    private var threshold: UInt64?
    private var sequence = 0

    init(budget: Int, seed: UInt64) {
        self.budget = budget
        self.seed = seed
    }

    /// The text's key: FNV-1a 64 of its bytes and its length, mixed with the seed (SplitMix64's
    /// finalizer).
    static func key(_ text: ArraySlice<UInt8>, seed: UInt64) -> UInt64 {
        let textKey = TextKey(text)
        return SplitMix64.mix(textKey.hash ^ (seed &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(textKey.length) &* 0xD6E8_FEB8_6659_FD93))
    }

    /// Offers the next unit of the input.
    ///
    /// 1. A unit whose key is at or above the threshold is dropped.
    /// 2. A copy of a kept text adds its position.
    /// 3. A new text is kept; while the kept distinct bytes pass the budget, the text with the
    ///    largest key is dropped with all its copies, and its key becomes the threshold.
    /// - Complexity: O(log d) amortized.
    mutating func offer(_ text: ArraySlice<UInt8>) {
        defer { sequence += 1 }
        let key = Self.key(text, seed: seed)
        // Phase 1.
        if let threshold, key >= threshold { return }
        // Phase 2.
        if positions[key] != nil {
            positions[key]!.append(sequence)
            return
        }
        // Phase 3.
        heap.insert(Entry(key: key, text: Array(text)))
        positions[key] = [sequence]
        keptBytes += text.count
        while keptBytes > budget, let largest = heap.popMax() {
            keptBytes -= largest.text.count
            positions[largest.key] = nil
            threshold = largest.key
        }
    }

    /// Bytes of the kept distinct texts.
    var distinctBytes: Int { keptBytes }

    /// Passes each kept text once, with the input positions of its copies (ascending), in the
    /// order of first occurrence; each text is released once passed.
    /// - Complexity: O(d log d).
    consuming func drain(_ body: (_ text: [UInt8], _ positions: [Int]) -> Void) {
        var entries = heap.unordered
        heap = Heap()
        let firstPosition = entries.map { positions[$0.key]![0] }
        let order = entries.indices.sorted { firstPosition[$0] < firstPosition[$1] }
        for index in order {
            body(entries[index].text, positions[entries[index].key]!)
            entries[index] = Entry(key: 0, text: [])
        }
    }
}
