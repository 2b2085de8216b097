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
///
/// The kept texts live back to back in one arena, in order of first occurrence; a dropped text
/// leaves a hole there until the holes add up to `slack` bytes, when they are squeezed out in
/// place. One allocation for all the texts, instead of one per text, keeps the freed texts of a
/// long input from staying resident in the allocator after the sample is taken.
/// - Complexity: O(log d) per unit, d the distinct texts kept, plus the squeezing: each squeeze
///   sorts the kept texts (O(d log d)) and moves at most `budget` bytes, after at least `slack`
///   (`budget / 8`) bytes were dropped, and a byte is dropped at most once, so at most 8 bytes
///   are moved per byte kept at some point. Memory: the arena holds fewer than
///   `budget + slack` bytes plus the unit being added (its capacity, reserved at
///   `budget + slack` or the input size, grows only for a unit longer than the room left, up to
///   about twice that); 24 bytes per kept distinct text in the heap and about 32 in the position
///   table; 8 per extra copy.
struct UnitSampler {
    private struct Entry: Comparable {
        let key: UInt64
        /// Where the text starts in the arena.
        var offset: Int
        let length: Int
        static func < (a: Entry, b: Entry) -> Bool { a.key < b.key }
        static func == (a: Entry, b: Entry) -> Bool { a.key == b.key }
    }

    let budget: Int
    let seed: UInt64
    private var heap = Heap<Entry>()
    /// The kept texts in order of first occurrence, with the bytes of texts dropped since the last
    /// squeeze between them.
    private var arena: [UInt8] = []
    /// Bytes of dropped texts in the arena past which they are squeezed out before the next
    /// text is added.
    private let slack: Int
    /// The input position of every kept text's first occurrence, by key.
    private var firstPositions: [UInt64: Int] = [:]
    /// The later positions of kept texts that occur more than once, by key.
    private var copies: [UInt64: [Int]] = [:]
    private var keptBytes = 0
    /// Texts with a key at or above this were dropped (nil: nothing dropped yet).
    private var threshold: UInt64?
    private var sequence = 0

    /// A sampler of `budget` bytes; `expectedBytes` (the input's size, when known) bounds the
    /// arena's first reservation.
    init(budget: Int, seed: UInt64, expectedBytes: Int = .max) {
        self.budget = budget
        self.seed = seed
        slack = max(budget / 8, 1)
        arena.reserveCapacity(min(expectedBytes, budget <= Int.max - slack ? budget + slack : Int.max))
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
    /// 3. A new text is kept (the arena squeezed first when its holes reach `slack`); while the
    ///    kept distinct bytes pass the budget, the text with the largest key is dropped with all
    ///    its copies, and its key becomes the threshold.
    /// - Complexity: O(log d) amortized, plus the squeezing (see the type).
    mutating func offer(_ text: ArraySlice<UInt8>) {
        defer { sequence += 1 }
        let key = Self.key(text, seed: seed)
        // Phase 1.
        if let threshold, key >= threshold { return }
        // Phase 2.
        if firstPositions[key] != nil {
            copies[key, default: []].append(sequence)
            return
        }
        // Phase 3.
        if arena.count - keptBytes >= slack { squeeze() }
        heap.insert(Entry(key: key, offset: arena.count, length: text.count))
        arena.append(contentsOf: text)
        firstPositions[key] = sequence
        keptBytes += text.count
        while keptBytes > budget, let largest = heap.popMax() {
            keptBytes -= largest.length
            firstPositions[largest.key] = nil
            copies[largest.key] = nil
            threshold = largest.key
        }
    }

    /// Bytes of the kept distinct texts.
    var distinctBytes: Int { keptBytes }

    /// Moves the kept texts down over the holes, keeping their order. O(d log d + kept bytes).
    private mutating func squeeze() {
        var entries = heap.unordered
        heap = Heap()
        entries.sort { $0.offset < $1.offset }
        var end = 0
        arena.withUnsafeMutableBytes { bytes in
            for index in entries.indices {
                let entry = entries[index]
                if entry.offset != end {
                    // Regions may overlap (end < offset): copyMemory moves like memmove.
                    (bytes.baseAddress! + end).copyMemory(from: bytes.baseAddress! + entry.offset, byteCount: entry.length)
                }
                entries[index].offset = end
                end += entry.length
            }
        }
        arena.removeLast(arena.count - end)
        heap = Heap(entries)
    }

    /// The kept texts back to back in order of first occurrence (each once), and the range of
    /// every kept unit in them, copies included, in input order. The arena moves out without a
    /// copy (call it on the sampler's only owner); the sampler is empty afterwards.
    /// - Complexity: O(d log d + kept units log kept units + kept bytes), in place in the arena.
    mutating func drain() -> (text: [UInt8], units: [Range<Int>]) {
        if arena.count > keptBytes { squeeze() }
        var placed: [(position: Int, range: Range<Int>)] = []
        placed.reserveCapacity(heap.count + copies.values.reduce(0) { $0 + $1.count })
        for entry in heap.unordered {
            let range = entry.offset..<(entry.offset + entry.length)
            placed.append((firstPositions[entry.key]!, range))
            for position in copies[entry.key] ?? [] { placed.append((position, range)) }
        }
        heap = Heap()
        firstPositions = [:]
        copies = [:]
        placed.sort { $0.position < $1.position }
        var text: [UInt8] = []
        swap(&text, &arena)
        keptBytes = 0
        return (text, placed.map(\.range))
    }
}
