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
/// A hit costs one 64-byte slot (the word as two 8-byte words, the limit, up to 8 nodes as ids
/// and end offsets), so words of up to 16 bytes with up to 8 nodes are cached: words that hold
/// 99% of English prose's bytes and 72% of Python's. (A first version kept each word's bytes and nodes in their own
/// arrays, as `PieceCache` does: its hits cost three cache misses and made encoding no faster.)
///
/// Memory: 16,384 slots of 64 bytes (1 MB), allocated by the first word; a slot is replaced by
/// the next word that hashes to it. It belongs to one model (`owner`), as `PieceCache` does.
/// Measured on English, one thread, mean of 5: 4,096 slots 31.3 MB/s, 8,192 32.7, 16,384 33.8,
/// 32,768 34.3 (2 MB: not worth the memory).
struct UnigramWordCache {
    static let slotBits = 14
    static let slotCount = 1 << slotBits
    /// The longest word cached, in bytes.
    static let maxLength = 16
    /// The most nodes a cached word has.
    static let maxNodes = 8
    /// Marks an unknown node's id (the unknown piece's id, scored `unknownScore`).
    static let unknownFlag: UInt32 = 1 << 31
    private static let wordsPerSlot = 8

    /// A cached segmentation: node k is `id(k)` over the word's bytes `end(k - 1)..<end(k)`.
    struct Entry {
        let count: Int
        let ends: UInt64
        let ids: (UInt64, UInt64, UInt64, UInt64)

        /// The node's id, with `unknownFlag` set for an unknown node.
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

    /// The model whose segmentations it holds (held, so its address cannot be reused).
    let owner: CacheIdentity?
    /// Slot i is the 8 words from `alignment + 8i` (64-byte aligned): the word's first and last
    /// 8 bytes; limit (Float bits) | length << 32 | count << 40; 8 end offsets; 8 ids, two per
    /// word. Length 0 marks an empty slot.
    private var words: [UInt64]

    /// An empty cache; without an owner it allocates nothing.
    init(owner: CacheIdentity? = nil) {
        self.owner = owner
        words = owner == nil ? [] : [UInt64](repeating: 0, count: (Self.slotCount + 1) * Self.wordsPerSlot)
    }

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

    /// The first word of the slot for a key, 64-byte aligned in `words`.
    @inline(__always)
    private static func offset(_ low: UInt64, _ high: UInt64, _ length: Int, in words: UnsafeBufferPointer<UInt64>) -> Int {
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: mixed >> UInt64(64 - slotBits))
        let misalignment = (Int(bitPattern: words.baseAddress) >> 3) & (wordsPerSlot - 1)
        return (wordsPerSlot - misalignment) & (wordsPerSlot - 1) + slot * wordsPerSlot
    }

    /// The cached segmentation of `word` (1 to `maxLength` bytes) when it is proved at a base of
    /// magnitude `base`; nil otherwise.
    /// - Complexity: O(1).
    @inline(__always)
    func lookup(_ word: UnsafeBufferPointer<UInt8>, base: Double) -> Entry? {
        let (low, high) = ShortPieceCache.words(word)
        return words.withUnsafeBufferPointer { words -> Entry? in
            let at = Self.offset(low, high, word.count, in: words)
            let meta = words[at + 2]
            guard words[at] == low, words[at + 1] == high, Int((meta >> 32) & 0xFF) == word.count,
                  base < Double(Float(bitPattern: UInt32(truncatingIfNeeded: meta))) else { return nil }
            return Entry(count: Int((meta >> 40) & 0xFF), ends: words[at + 3],
                         ids: (words[at + 4], words[at + 5], words[at + 6], words[at + 7]))
        }
    }

    /// Caches a word's segmentation: `tokens` (offsets moved by `-shift`) with `ids` (theirs,
    /// `unknownFlag` marking unknown nodes), proved below base magnitude `limit`. A word over
    /// `maxLength` bytes or `maxNodes` nodes, or with no proved base, is not cached.
    /// - Complexity: O(1).
    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, tokens: ArraySlice<PieceToken>, ids: ArraySlice<UInt32>,
                         shift: Int32, limit: Double) {
        let n = word.count
        guard n >= 1, n <= Self.maxLength, (1...Self.maxNodes).contains(tokens.count), tokens.count == ids.count,
              limit > 0 else { return }
        // The limit as a Float no larger than it.
        var bound = Float(limit)
        if Double(bound) > limit { bound = bound.nextDown }
        var ends: UInt64 = 0
        var start: Int32 = 0
        for (k, token) in tokens.enumerated() {
            let tokenStart = token.start - shift, tokenEnd = token.end - shift
            guard tokenStart == start, tokenEnd > tokenStart, tokenEnd <= Int32(n) else { return }
            ends |= UInt64(tokenEnd) << UInt64(8 * k)
            start = tokenEnd
        }
        guard start == Int32(n) else { return }
        let (low, high) = ShortPieceCache.words(word)
        words.withUnsafeMutableBufferPointer { words in
            let at = Self.offset(low, high, n, in: UnsafeBufferPointer(words))
            words[at] = low
            words[at + 1] = high
            words[at + 2] = UInt64(bound.bitPattern) | UInt64(n) << 32 | UInt64(tokens.count) << 40
            words[at + 3] = ends
            for k in 0..<4 { words[at + 4 + k] = 0 }
            for (k, id) in ids.enumerated() { words[at + 4 + k >> 1] |= UInt64(id) << UInt64(32 * (k & 1)) }
        }
    }
}
