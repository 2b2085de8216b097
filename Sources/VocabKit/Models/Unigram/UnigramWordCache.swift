/// A direct-mapped cache of recently encoded words for the Unigram Viterbi encoder, one per
/// thread (inside `UnigramScratch`), with the proof that a cached segmentation is the one the
/// whole text's Viterbi would pick.
///
/// SentencePiece runs one Viterbi over the whole normalized text, summing 32-bit scores from its
/// start. When no piece reaches across the start of a word (`UnigramModel.wordsStayApart`), every
/// path passes through every word start, so in exact arithmetic a word's best segmentation does
/// not depend on the text before it. In floating point it can: the word's sums start from the
/// best score `S` at the word's start, and `fl(S + a) + b` may round to a tie or the other way
/// where `a + b` did not. So each entry keeps, with its segmentation, the smallest gap `m`
/// between the two sides of any comparison the Viterbi made in the word, the largest magnitude
/// `M` of any sum it formed, and the base `S0` it was computed from. Each sum of at most `n`
/// additions (n = the word's bytes) is within `n·u·(magnitude)` of its exact value (u = half the
/// score type's ulp of one), at either base, so every comparison comes out the same at a base
/// `S1` when `m > 2·n·u·(M + |S1| + M + |S0|)`. The entry is used only when that holds, with a
/// factor of 2 to spare (`limit`); otherwise the word is computed again from the real base.
/// On English prose a line's score reaches a few hundred, which rejects gaps below about 1e-3.
///
/// A hit costs one slot, in one of two tables: words of up to 16 bytes with up to 8 nodes in
/// 64-byte slots (the word as two 8-byte words, the limit, the nodes' ids and end offsets), words
/// of 17 to 32 bytes with up to 16 nodes in 128-byte slots (the word as four words). The short
/// table holds the words that carry 99% of English prose's bytes and 72% of Python's; the long
/// one 63% of Russian's and 51% of Hindi's (Cyrillic and Devanagari letters take 2 and 3 bytes).
/// (A first version kept each word's bytes and nodes in their own arrays, as `PieceCache` does:
/// its hits cost three cache misses and made encoding no faster.)
///
/// Memory: at most 16,384 short slots and 8,192 long ones, 1 MB each (2 MB per thread). Each
/// table starts with 64 slots and doubles after as many inserts as it has slots, so a scratch
/// that encodes one short string zeroes 12 KB (measured: 2 MB zeroed per new scratch made the
/// encode-unigram fuzz target 9x slower). A slot is replaced by the next word that hashes to
/// it. It belongs to one model (`owner`), as `PieceCache` does. Measured on English, one
/// thread, mean of 5 (short table only): 4,096 slots 31.3 MB/s, 8,192 32.7, 16,384 33.8, 32,768
/// 34.3 (2 MB: not worth the memory).
struct UnigramWordCache {
    /// The longest word cached, in bytes.
    static let maxLength = 32
    /// The longest word in the short table (the rest, up to `maxLength`, go to the long one).
    static let maxShortLength = 16
    /// Marks an unknown node's id (the unknown piece's id, scored `unknownScore`).
    static let unknownFlag: UInt32 = 1 << 31

    /// A cached segmentation, copied out of its slot: node k is `id(k)` over the word's bytes
    /// `end(k - 1)..<end(k)`. Two layouts, so that a short word's nodes stay in registers.
    protocol Entry {
        var count: Int { get }
        /// The node's id, with `unknownFlag` set for an unknown node.
        func id(_ k: Int) -> UInt32
        func end(_ k: Int) -> Int
    }

    /// A word of up to 16 bytes: up to 8 nodes.
    struct ShortEntry: Entry {
        let count: Int
        let ends: UInt64
        let ids: (UInt64, UInt64, UInt64, UInt64)

        @inline(__always)
        func id(_ k: Int) -> UInt32 {
            let pair: UInt64
            switch k >> 1 {
            case 0: pair = ids.0
            case 1: pair = ids.1
            case 2: pair = ids.2
            default: pair = ids.3
            }
            return UInt32(truncatingIfNeeded: pair >> UInt64(32 * (k & 1)))
        }

        @inline(__always)
        func end(_ k: Int) -> Int { Int(truncatingIfNeeded: (ends >> UInt64(8 * k)) & 0xFF) }
    }

    /// A word of 17 to 32 bytes: up to 16 nodes.
    struct LongEntry: Entry {
        let count: Int
        let ends: (UInt64, UInt64)
        let ids: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        @inline(__always)
        func id(_ k: Int) -> UInt32 {
            withUnsafeBytes(of: ids) { $0.load(fromByteOffset: 4 * k, as: UInt32.self) }
        }

        @inline(__always)
        func end(_ k: Int) -> Int {
            Int(truncatingIfNeeded: ((k < 8 ? ends.0 : ends.1) >> UInt64(8 * (k & 7))) & 0xFF)
        }
    }

    /// One direct-mapped table of slots of `slotWords` words, cache-line aligned: the word's
    /// bytes in `keyWords` words (first bytes, then the last 8, overlapping or zero-padded);
    /// limit (Float bits) | length << 32 | count << 40; the end offsets, 8 per word; the ids, two
    /// per word. Length 0 marks an empty slot.
    private struct Table {
        let keyWords: Int, slotWords: Int, maxSlotBits: Int, maxLength: Int, maxNodes: Int
        /// The slots are `1 << slotBits`; they start few and double (see `countInsert`).
        var slotBits = 0
        /// Inserts since the slots last doubled.
        var inserts = 0
        var words: [UInt64] = []
        /// Words before slot 0, chosen when `words` is allocated so that slots start on 64-byte
        /// boundaries, and kept: a copy of the array (a copied scratch written to) lands
        /// elsewhere, and slots found from the new address would read the old ones shifted.
        var padding = 0

        var endsAt: Int { keyWords + 1 }
        var idsAt: Int { keyWords + 1 + (maxNodes + 7) / 8 }

        /// The first word of the slot for a key.
        @inline(__always)
        static func offset(_ key: (UInt64, UInt64, UInt64, UInt64), _ length: Int, slotBits: Int, slotWords: Int, padding: Int) -> Int {
            let mixed = (key.0 ^ (key.1 &* 0x9E37_79B9_7F4A_7C15) ^ (key.2 &* 0xC2B2_AE3D_27D4_EB4F) ^ (key.3 &* 0x1656_67B1_9E37_79F9)
                ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
            let slot = Int(truncatingIfNeeded: mixed >> UInt64(64 - slotBits))
            return padding + slot * slotWords
        }

        /// Allocates `1 << bits` empty slots (and one slot's worth of words to align them).
        mutating func allocate(bits: Int) {
            slotBits = bits
            inserts = 0
            words = [UInt64](repeating: 0, count: ((1 << bits) + 1) * slotWords)
            let misalignment = words.withUnsafeBufferPointer { (Int(bitPattern: $0.baseAddress) >> 3) & 7 }
            padding = (8 - misalignment) & 7
        }

        /// Counts an insert; after as many inserts as slots, doubles the slots (up to
        /// `maxSlotBits`), moving every entry: a slot's key hashes to one of the two new slots
        /// its old one became (the slot is the hash's top bits), so no entry is lost.
        /// - Complexity: O(1), or O(slots) when it grows: O(1) amortized.
        mutating func countInsert() {
            inserts += 1
            guard inserts >= 1 << slotBits, slotBits < maxSlotBits else { return }
            let old = words, oldPadding = padding, oldSlots = 1 << slotBits
            allocate(bits: slotBits + 1)
            let (keyWords, slotWords, bits, padding) = (keyWords, slotWords, slotBits, padding)
            old.withUnsafeBufferPointer { from in
                words.withUnsafeMutableBufferPointer { to in
                    for slot in 0..<oldSlots {
                        let at = oldPadding + slot * slotWords
                        let length = Int((from[at + keyWords] >> 32) & 0xFF)
                        guard length > 0 else { continue }
                        let key = keyWords == 4 ? (from[at], from[at + 1], from[at + 2], from[at + 3]) : (from[at], from[at + 1], 0, 0)
                        let target = Table.offset(key, length, slotBits: bits, slotWords: slotWords, padding: padding)
                        for k in 0..<slotWords { to[target + k] = from[at + k] }
                    }
                }
            }
        }
    }

    /// The model whose segmentations it holds (held, so its address cannot be reused).
    let owner: CacheIdentity?
    /// Long words looked up in the current window of `longWindow`, how many were found, and
    /// whether a window has been completed at the table's full size (the first, from a cold
    /// table, is not judged).
    private var longProbes = 0, longHits = 0, judgesLong = false
    /// Long words still to encode without the cache, after a window that found too few.
    private var longPause = 0
    /// Long words repeat less than short ones, and on some text too little to pay for the
    /// cache: in windows of 2,048 long words the table found 18-28% of Python's, 37-55% of
    /// Russian's and 50-78% of Hindi's, and Python encoded 4% slower with the long table than
    /// without. A window (after the first, from a cold table) that finds fewer than 35% pauses
    /// the long table for the next 16,384 long words; then it is tried again. Measured, one
    /// thread, against the short table alone: Russian +6%, Python -3% (was -4 to -6% without
    /// the pause), English unchanged. The pause changes no result, only which words are
    /// computed.
    private static let longWindow = 2048, longPauseLength = 16_384
    /// The most slots (16,384 short, 8,192 long) and the first (64 of each: 4 KB and 8 KB, so
    /// that a scratch made for one short call zeroes 12 KB, not 2 MB).
    private static let shortSlotBits = 14, longSlotBits = 13, firstSlotBits = 6
    private var short = Table(keyWords: 2, slotWords: 8, maxSlotBits: Self.shortSlotBits, maxLength: Self.maxShortLength, maxNodes: 8)
    private var long = Table(keyWords: 4, slotWords: 16, maxSlotBits: Self.longSlotBits, maxLength: Self.maxLength, maxNodes: 16)

    /// An empty cache; without an owner it allocates nothing.
    init(owner: CacheIdentity? = nil) {
        self.owner = owner
        guard owner != nil else { return }
        short.allocate(bits: Self.firstSlotBits)
        long.allocate(bits: Self.firstSlotBits)
    }

    /// The slots of the short and the long table (tests).
    var slotCounts: (short: Int, long: Int) { (1 << short.slotBits, 1 << long.slotBits) }

    /// The largest |base| at which a segmentation whose comparisons were at least `margin` apart,
    /// whose sums stayed within `magnitude`, computed from `base` over `bytes` bytes, is the one
    /// any base would give (see the type's documentation); `-infinity` when none is proved.
    static func limit<Score: BinaryFloatingPoint>(margin: Double, magnitude: Double, base: Score, bytes: Int,
                                                 as _: Score.Type) -> Double {
        guard margin.isFinite else { return margin > 0 ? .infinity : -.infinity }
        let u = Double(Score.ulpOfOne) / 2
        let tiny = Double(Score.leastNonzeroMagnitude)
        let n = Double(max(bytes, 1))
        // m > 4·n·(u·(2M + |S0| + |S1|) + tiny)  ⟺  |S1| < (m / 4n - tiny) / u - 2M - |S0|
        return (margin / (4 * n) - tiny) / u - 2 * magnitude - abs(Double(base))
    }

    /// The word's bytes as four words: for up to 16 bytes `ShortPieceCache`'s two and zeros;
    /// for 17 to 32, bytes 0-7, 8-15 and the last 16 as two words (overlapping the first 16
    /// when shorter than 32; with the length they determine the bytes, and every load stays
    /// inside the word). O(1).
    @inline(__always)
    private static func key(_ word: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, UInt64) {
        let n = word.count
        if n <= maxShortLength {
            let (low, high) = ShortPieceCache.words(word)
            return (low, high, 0, 0)
        }
        let base = UnsafeRawPointer(word.baseAddress!)
        return (base.loadUnaligned(as: UInt64.self).littleEndian, (base + 8).loadUnaligned(as: UInt64.self).littleEndian,
                (base + n - 16).loadUnaligned(as: UInt64.self).littleEndian, (base + n - 8).loadUnaligned(as: UInt64.self).littleEndian)
    }

    /// The cached segmentation of a word of up to 16 bytes when it is proved at a base of
    /// magnitude `base`; nil otherwise.
    /// - Complexity: O(1).
    @inline(__always)
    func lookupShort(_ word: UnsafeBufferPointer<UInt8>, base: Double) -> ShortEntry? {
        let (low, high) = ShortPieceCache.words(word)
        return short.words.withUnsafeBufferPointer { words -> ShortEntry? in
            let at = Table.offset((low, high, 0, 0), word.count, slotBits: short.slotBits, slotWords: short.slotWords, padding: short.padding)
            let meta = words[at + 2]
            guard words[at] == low, words[at + 1] == high, Int((meta >> 32) & 0xFF) == word.count,
                  base < Double(Float(bitPattern: UInt32(truncatingIfNeeded: meta))) else { return nil }
            return ShortEntry(count: Int((meta >> 40) & 0xFF), ends: words[at + 3],
                              ids: (words[at + 4], words[at + 5], words[at + 6], words[at + 7]))
        }
    }

    /// Whether the long table is paused (tests).
    var isLongTablePaused: Bool { longPause > 0 }

    /// Whether the long table is in use for the next long word (false while paused).
    @inline(__always)
    mutating func takesLongWord() -> Bool {
        guard longPause == 0 else { longPause -= 1; return false }
        return true
    }

    /// Counts a long word's look-up, pausing the long table after a window that found too few.
    @inline(__always)
    mutating func countLongLookup(found: Bool) {
        longProbes += 1
        if found { longHits += 1 }
        if longProbes == Self.longWindow {
            if judgesLong && 20 * longHits < 7 * longProbes { longPause = Self.longPauseLength }
            // Judged from the first window after one at the full size (the 35% was measured
            // there; a table still growing finds fewer).
            judgesLong = long.slotBits == long.maxSlotBits
            longProbes = 0
            longHits = 0
        }
    }

    /// `lookupShort` for a word of 17 to 32 bytes.
    /// - Complexity: O(1).
    @inline(__always)
    func lookupLong(_ word: UnsafeBufferPointer<UInt8>, base: Double) -> LongEntry? {
        let key = Self.key(word)
        return long.words.withUnsafeBufferPointer { words -> LongEntry? in
            let at = Table.offset(key, word.count, slotBits: long.slotBits, slotWords: long.slotWords, padding: long.padding)
            let meta = words[at + 4]
            guard words[at] == key.0, words[at + 1] == key.1, words[at + 2] == key.2, words[at + 3] == key.3,
                  Int((meta >> 32) & 0xFF) == word.count,
                  base < Double(Float(bitPattern: UInt32(truncatingIfNeeded: meta))) else { return nil }
            return LongEntry(count: Int((meta >> 40) & 0xFF), ends: (words[at + 5], words[at + 6]),
                             ids: (words[at + 7], words[at + 8], words[at + 9], words[at + 10],
                                   words[at + 11], words[at + 12], words[at + 13], words[at + 14]))
        }
    }

    /// Caches a word's segmentation: `tokens` (offsets moved by `-shift`) with `ids` (theirs,
    /// `unknownFlag` marking unknown nodes), proved below base magnitude `limit`. A word over
    /// `maxLength` bytes or its table's most nodes (8 or 16), or with no proved base, is not
    /// cached.
    /// - Complexity: O(word bytes + its nodes).
    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, tokens: ArraySlice<PieceToken>, ids: ArraySlice<UInt32>,
                         shift: Int32, limit: Double) {
        let n = word.count
        guard n >= 1, n <= Self.maxLength, tokens.count == ids.count, limit > 0 else { return }
        if n <= short.maxLength {
            Self.insert(word, tokens: tokens, ids: ids, shift: shift, limit: limit, into: &short)
        } else {
            Self.insert(word, tokens: tokens, ids: ids, shift: shift, limit: limit, into: &long)
        }
    }

    private static func insert(_ word: UnsafeBufferPointer<UInt8>, tokens: ArraySlice<PieceToken>, ids: ArraySlice<UInt32>,
                               shift: Int32, limit: Double, into table: inout Table) {
        let n = word.count
        guard (1...table.maxNodes).contains(tokens.count) else { return }
        // The limit as a Float no larger than it.
        var bound = Float(limit)
        if Double(bound) > limit { bound = bound.nextDown }
        var start: Int32 = 0
        for token in tokens {
            let tokenStart = token.start - shift, tokenEnd = token.end - shift
            guard tokenStart == start, tokenEnd > tokenStart, tokenEnd <= Int32(n) else { return }
            start = tokenEnd
        }
        guard start == Int32(n) else { return }
        let key = Self.key(word)
        let (keyWords, slotWords, endsAt, idsAt) = (table.keyWords, table.slotWords, table.endsAt, table.idsAt)
        let at = Table.offset(key, n, slotBits: table.slotBits, slotWords: slotWords, padding: table.padding)
        table.words.withUnsafeMutableBufferPointer { words in
            for k in 0..<slotWords { words[at + k] = 0 }
            words[at] = key.0
            words[at + 1] = key.1
            if keyWords == 4 { words[at + 2] = key.2; words[at + 3] = key.3 }
            words[at + keyWords] = UInt64(bound.bitPattern) | UInt64(n) << 32 | UInt64(tokens.count) << 40
            for (k, token) in tokens.enumerated() { words[at + endsAt + k >> 3] |= UInt64(token.end - shift) << UInt64(8 * (k & 7)) }
            for (k, id) in ids.enumerated() { words[at + idsAt + k >> 1] |= UInt64(id) << UInt64(32 * (k & 1)) }
        }
        table.countInsert()
    }
}
