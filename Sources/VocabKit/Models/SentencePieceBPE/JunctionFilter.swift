/// A bit set that rules out most adjacent pairs of symbols whose concatenation is no piece,
/// before the piece table is probed.
///
/// A pair's junction is the last two bytes of its left symbol and the first two of its right
/// one (fewer when a side is shorter), with the number taken from each side. It depends only on
/// the two symbols, so when their concatenation is a piece, the junction is that of the piece's
/// split at the same place, which the filter recorded: a clear bit proves the pair merges into
/// nothing, and a set bit leaves the answer to the table. Only splits before a byte that is not
/// a UTF-8 continuation byte are recorded (the others are inside a character: in Mistral's
/// vocabulary 26% of splits, most inside "▁"); a pair whose right side starts with a
/// continuation byte (text that is not UTF-8) is always left to the table. No assumption on
/// the pieces' bytes.
///
/// Where a vocabulary has few pieces for a script, most adjacent characters form no piece
/// (Japanese through Mistral's vocabulary: 1.84 million tokens for 1.88 million characters);
/// each such probe of the piece table (1 MB) is likely a cache miss, a test of this set less so.
/// Measured on 5 MB of Japanese: 17.6 → 20.5 MB/s (best of 5, one thread).
///
/// Memory: 8 bits per split (bytes of the pieces less their number), rounded up to a power of
/// two, at least 512 bytes (Mistral's 32,000 pieces: 256 KB). Built on a model's first encode
/// (`ScoredBPEModel.tables`), in O(bytes of the pieces): about 1.3 ms for Mistral, which
/// loading would otherwise pay.
struct JunctionFilter: Sendable {
    private let words: [UInt64]
    private let shift: UInt64

    /// Records every split of the pieces of `view` that `includes` accepts.
    /// - Complexity: O(bytes of the pieces).
    init(_ view: FlatByteStrings.View, includes: (Int) -> Bool) {
        let splits = view.bytes.count - view.count
        var bits = 12
        while (1 << bits) < splits * 8 { bits += 1 }
        let shift = UInt64(64 - bits)
        var words = [UInt64](repeating: 0, count: (1 << bits) / 64)
        words.withUnsafeMutableBufferPointer { words in
            for id in 0..<view.count where includes(id) {
                let range = view.range(id)
                guard range.count > 1 else { continue }
                for split in (range.lowerBound + 1)..<range.upperBound where view.bytes[split] & 0xC0 != 0x80 {
                    let bit = Self.bit(view.bytes, from: range.lowerBound, split: split, to: range.upperBound, shift: shift)
                    words[bit >> 6] |= 1 << UInt64(bit & 63)
                }
            }
        }
        self.words = words
        self.shift = shift
    }

    /// Whether `bytes[from..<to]`, the concatenation of two symbols meeting at `split`, may be a
    /// piece (false: it is none). O(1).
    @inline(__always)
    func mayJoin(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, split: Int, to: Int) -> Bool {
        if bytes[split] & 0xC0 == 0x80 { return true }
        let bit = Self.bit(bytes, from: from, split: split, to: to, shift: shift)
        return words.withUnsafeBufferPointer { $0[bit >> 6] & (1 << UInt64(bit & 63)) != 0 }
    }

    /// The junction's bit: up to two bytes each side of `split`, with how many from each side.
    @inline(__always)
    private static func bit(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, split: Int, to: Int, shift: UInt64) -> Int {
        let lower = max(from, split - 2), upper = min(to, split + 2)
        var key: UInt64
        if upper - lower == 4 {
            key = 2 << 40 | 2 << 32 | UInt64(UnsafeRawPointer(bytes.baseAddress! + lower).loadUnaligned(as: UInt32.self).littleEndian)
        } else {
            key = UInt64(split - lower) << 40 | UInt64(upper - split) << 32
            for i in lower..<upper { key |= UInt64(bytes[i]) << UInt64(8 * (i - lower)) }
        }
        return Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }
}
