#if canImport(Glibc)
import Glibc
#endif
/// The characters of two or three UTF-8 bytes whose token (or, for three bytes, the token of
/// their first merge and their other byte) can stand in for their bytes when byte-level BPE
/// starts, with the same tokens as a result.
///
/// Byte-level BPE on Chinese or Japanese spends most of its merges turning each character's
/// bytes back into the character's token: two merges per character, each a hash probe that
/// misses the cache. Starting from the character's token skips them. That is exact when nothing
/// across the character's edges can interleave with its own merges. Merging a character c's
/// bytes alone (lowest rank first, leftmost among equals, as `BPEModel` does):
///
/// 1. the bytes end as one token T, c's own;
/// 2. before each of those merges, of rank ρ, every merge that pairs c's current edge token
///    with a neighbour (of the context below) has a rank above ρ, so no merge across c's edges
///    can fire while c is incomplete (nothing fires above the pending ρ);
/// 3. every merge that pairs T with a neighbour has a rank above the highest ρ, so no merge that
///    fires while c is incomplete in the byte run would have lost to a merge with T in the other.
///
/// Then, in any piece, the two runs fire the same merges outside c in the same rank order, and
/// BPE from c's bytes ends where BPE from T does; by induction, for any set of such characters.
/// The neighbours' edge bytes are fixed by the text, so the context is read from it: the
/// piece's edge (no neighbour), the byte UTF-8 puts there (a left neighbour ending in a
/// continuation byte 80–BF, a right one starting with a lead byte C0–FF: the merge's other token
/// ends or starts with such a byte), or any byte. Each of the 3 × 3 contexts (left, right) has
/// its own bit. The UTF-8 class matters: a character's last byte often merges with a following
/// continuation byte, which valid text never puts there (Llama 3's て, e3 81 a6, ends in a6,
/// and a6 82 is a merge of rank 67,367, below て's own 98,818).
///
/// This needs a merge's result to start as its left side and end as its right side (in byte
/// class), so that a neighbouring token's edge byte is the text's; a vocabulary whose merges
/// break that gets no table.
///
/// A three-byte character that cannot start whole may start from its first own merge, of rank
/// ρ₁: two parts, that merge's token and the remaining byte. That needs (2) for that merge,
/// neither part pairing with a neighbour at or below ρ₁, and the parts not merging with each
/// other at or below ρ₁. Then both runs fire the same merges until the byte run makes c's
/// first merge (every earlier merge ranks below it, or equal and to its left, and none touches
/// c), and from there on they are the same run.
///
/// On Llama 3's vocabulary, of the characters of Chinese prose (2 MB) 86% start whole, 10% in
/// two parts and 4% from their bytes; of Japanese 62%, 35% and 3% (cl100k: 80%, 5%, 15% and
/// 58%, 30%, 13%). `BPEModelTests` checks the result against plain BPE from bytes, on corpora,
/// random CJK mixes, random vocabularies and vocabularies written so that each condition must
/// refuse.
///
/// Memory: one UInt64 per code below U+10000 (512 KB) and a `JoinFilter` (64 KB) when built;
/// building takes four arrays of the vocabulary's size (16 bytes per token) for the time of
/// the build.
struct CharacterStarts: Sendable {
    /// By code (two-byte forms at 0x80..<0x800, three-byte at 0x800..<0x10000): in the low half,
    /// (token id + 1) << 9 | the contexts' bits where the character starts whole; in the high
    /// half, for three bytes, (id of the first merge's token + 1) << 10 | (0: the first two
    /// bytes merged, 1: the last two) << 9 | the contexts' bits where it starts from that merge.
    private let entries: [UInt64]

    /// The pairs of characters, or of a character and a byte, that stand side by side inside
    /// some token of three bytes or more (`JoinFilter`); full (nothing cut) when some merge's
    /// result is not its sides' bytes.
    private let joins: JoinFilter

    /// Whether any character qualifies, whole or in two parts (false for a vocabulary without
    /// such tokens).
    var isEmpty: Bool { entries.isEmpty }

    /// No character qualifies.
    init() {
        entries = []
        joins = JoinFilter()
    }

    /// What the build needs of each token, gathered while the model reads its tokens in order
    /// (reading them again in merge order would miss the cache on every token).
    struct Edges {
        /// Per id: bit 0 when the token starts with a lead byte (C0–FF), bit 1 when it ends with
        /// a continuation byte (80–BF); an empty token sets both (the stricter side).
        var wide: [UInt8]
        /// The tokens of two or three bytes that start like a character, with their ids.
        var characters: [(id: UInt32, bytes: [UInt8])] = []
        /// The pairs of characters, and of a character and a byte, side by side in a token.
        var joins = JoinFilter()

        init(count: Int) { wide = [UInt8](repeating: 0, count: count) }

        mutating func add(_ token: [UInt8], id: UInt32) {
            wide[Int(id)] = token.isEmpty ? 3 : (token[0] >= 0xC0 ? 1 : 0) | (token[token.count - 1] & 0xC0 == 0x80 ? 2 : 0)
            if token.count == 2 || token.count == 3, token[0] >= 0xC2 { characters.append((id, token)) }
            if token.count >= 3 { joins.add(pairsIn: token) }
        }
    }

    /// Finds the qualifying characters of a byte-level vocabulary with every single byte.
    ///
    /// 1. Each token's lowest-ranked merge as the left side and as the right side, over all
    ///    merges and over those whose other side has UTF-8's byte class at the shared edge (a
    ///    right side starting with a lead byte, a left side ending with a continuation byte);
    ///    and whether every merge's result is its two sides' bytes, which the cuts between
    ///    characters need (`JoinFilter`; true of every format's merges, but a hand-written
    ///    vocabulary may break it and then gets a filter that never cuts).
    /// 2. Each token of one two- or three-byte sequence: its bytes merged alone, with the
    ///    conditions above checked for each context, whole and after its first merge.
    ///
    /// Measured (best of 2 s of loads, three interleaved runs): the byte comparison and the
    /// byte pairs of `JoinFilter` add 1–9 ms to loading cl100k's `.tiktoken` (56–61 → 62–71 ms)
    /// and 8–11 ms to Llama 3's `tokenizer.json` (142–146 → 152–157 ms).
    ///
    /// `byteIds` must name a token for every byte (the model checks; it starts bytes from them).
    /// - Complexity: O(V + M + B), V tokens, M merges and B the merges' result bytes (`edges`
    ///   gathered in O(V) by the caller).
    init(edges: Edges, tokens: [[UInt8]], merges: [(UInt32, UInt32, UInt32)], ranksByResult: Bool, byteIds: [UInt32], table: MergeTable) {
        assert(byteIds.allSatisfy { $0 != UInt32.max }, "a byte without a token")
        let count = edges.wide.count
        // Without entries no character starts whole, so the filter is never read.
        guard count < 1 << 23, !merges.isEmpty else {
            entries = []
            joins = edges.joins
            return
        }
        // A result that is not its sides' bytes, in byte order: memcmp on the three tokens.
        func concatenates(_ left: Int, _ right: Int, _ result: Int) -> Bool {
            let l = tokens[left], r = tokens[right], t = tokens[result]
            guard t.count == l.count + r.count else { return false }
            return t.withUnsafeBytes { t in
                l.withUnsafeBytes { l in
                    r.withUnsafeBytes { r in
                        (l.isEmpty || memcmp(t.baseAddress!, l.baseAddress!, l.count) == 0)
                            && (r.isEmpty || memcmp(t.baseAddress! + l.count, r.baseAddress!, r.count) == 0)
                    }
                }
            }
        }
        var concatenated = true
        // 1. Lowest ranks, over every neighbour and over neighbours with UTF-8's edge byte.
        var leftAny = [UInt32](repeating: .max, count: count), leftWide = leftAny
        var rightAny = leftAny, rightWide = leftAny
        for (index, (left, right, result)) in merges.enumerated() {
            let rank = ranksByResult ? result : UInt32(index)
            let l = Int(left), r = Int(right)
            let rightStartsWide = edges.wide[r] & 1 != 0, leftEndsWide = edges.wide[l] & 2 != 0
            // The contexts read a neighbour's edge byte from the text: sound when every merge's
            // result starts as its left side starts and ends as its right side ends (true of
            // every format's merges, whose result is the concatenation). Otherwise none start.
            guard edges.wide[Int(result)] == (edges.wide[l] & 1) | (edges.wide[r] & 2) else {
                entries = []
                joins = edges.joins
                return
            }
            if concatenated && !concatenates(l, r, Int(result)) { concatenated = false }
            leftAny[l] = min(leftAny[l], rank)
            if rightStartsWide { leftWide[l] = min(leftWide[l], rank) }
            rightAny[r] = min(rightAny[r], rank)
            if leftEndsWide { rightWide[r] = min(rightWide[r], rank) }
        }
        // The lowest rank pairing a token on the right with a left neighbour of context `c`
        // (0: none, 1: UTF-8's edge byte, 2: any), and on the left with a right neighbour.
        func asRight(_ id: UInt32, _ c: Int) -> UInt32 { c == 0 ? .max : c == 1 ? rightWide[Int(id)] : rightAny[Int(id)] }
        func asLeft(_ id: UInt32, _ c: Int) -> UInt32 { c == 0 ? .max : c == 1 ? leftWide[Int(id)] : leftAny[Int(id)] }
        // Clears from `contexts` every context where a merge of the left edge token with a left
        // neighbour, or of the right edge token with a right neighbour, ranks at or below `rank`.
        func refuse(_ contexts: inout UInt32, leftEdge: UInt32, rightEdge: UInt32, atOrBelow rank: UInt32) {
            for left in 0..<3 {
                for right in 0..<3 where asRight(leftEdge, left) <= rank || asLeft(rightEdge, right) <= rank {
                    contexts &= ~(1 << UInt32(left * 3 + right))
                }
            }
        }

        joins = concatenated ? edges.joins : JoinFilter(full: ())

        // 2. Each character's own merges; for three bytes, also the state after the first.
        var entries = [UInt64](repeating: 0, count: 0x10000)
        var found = false
        for (id, token) in edges.characters {
            let code = token.withUnsafeBufferPointer { Self.code($0, at: 0) }
            guard let code, code.length == token.count else { continue }
            var parts = token.map { byteIds[Int($0)] }
            var contexts: UInt32 = 0x1FF, highest: UInt32 = 0
            var single = true
            while parts.count > 1 {
                var best: (rank: UInt32, index: Int, result: UInt32)?
                for i in 0..<(parts.count - 1) {
                    if let merge = table.merge(parts[i], parts[i + 1]), best == nil || merge.rank < best!.rank {
                        best = (merge.rank, i, merge.result)
                    }
                }
                guard let best else { single = false; break }
                refuse(&contexts, leftEdge: parts[0], rightEdge: parts[parts.count - 1], atOrBelow: best.rank)
                highest = max(highest, best.rank)
                parts[best.index] = best.result
                parts.remove(at: best.index + 1)
                if token.count == 3 && parts.count == 2 && best.result < (1 << 22) - 1 {
                    // The two parts after the first merge, where neither part pairs with a
                    // neighbour at or below that merge's rank, nor with each other.
                    var partial = contexts
                    refuse(&partial, leftEdge: parts[0], rightEdge: parts[1], atOrBelow: highest)
                    if let next = table.merge(parts[0], parts[1]), next.rank <= highest { partial = 0 }
                    if partial != 0 {
                        entries[code.code] |= UInt64((best.result + 1) << 10 | UInt32(best.index) << 9 | partial) << 32
                        found = true
                    }
                }
            }
            guard single, parts[0] == UInt32(id) else { continue }
            refuse(&contexts, leftEdge: parts[0], rightEdge: parts[0], atOrBelow: highest)
            if contexts != 0 {
                entries[code.code] |= UInt64((UInt32(id) + 1) << 9 | contexts)
                found = true
            }
        }
        self.entries = found ? entries : []
    }

    /// The code of a two- or three-byte sequence at `i` (continuation bytes checked, overlong
    /// three-byte forms refused), and its length; nil for anything else.
    @inline(__always)
    static func code(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (code: Int, length: Int)? {
        let b0 = bytes[i]
        if b0 < 0xC2 || b0 >= 0xF0 { return nil }
        guard i + 1 < bytes.count, bytes[i + 1] & 0xC0 == 0x80 else { return nil }
        if b0 < 0xE0 { return (Int(b0 & 0x1F) << 6 | Int(bytes[i + 1] & 0x3F), 2) }
        guard i + 2 < bytes.count, bytes[i + 2] & 0xC0 == 0x80 else { return nil }
        let code = Int(b0 & 0x0F) << 12 | Int(bytes[i + 1] & 0x3F) << 6 | Int(bytes[i + 2] & 0x3F)
        return code >= 0x800 ? (code, 3) : nil
    }

    /// Whether two characters (by code) may stand next to each other inside a token; false proves
    /// that no token holds the first's bytes followed by the second's. O(1), one load.
    @inline(__always)
    func mayJoin(_ left: Int, _ right: Int) -> Bool { joins.mayContain(left, right) }

    /// Whether a byte may stand before a character (by code) inside a token. O(1), one load.
    @inline(__always)
    func mayJoin(byte: UInt8, then code: Int) -> Bool { joins.mayContain(byte: byte, then: code) }

    /// Whether a character (by code) may stand before a byte inside a token. O(1), one load.
    @inline(__always)
    func mayJoin(_ code: Int, thenByte byte: UInt8) -> Bool { joins.mayContain(code, thenByte: byte) }

    /// How the character at `i` of a piece starts: from its token, or (three bytes) from the
    /// token of its first two bytes and its last byte, or from its first byte and the token of
    /// its last two.
    struct Start {
        enum Parts { case whole, firstTwo, lastTwo }
        var parts: Parts
        /// The token of the whole character or of its two merged bytes.
        var id: UInt32
        var length: Int
        var code: Int
    }

    /// How the character at `i` of `piece` starts where it qualifies between its neighbours
    /// there, whole first; nil to start from its bytes (always, for an empty table). O(1), one
    /// table load.
    @inline(__always)
    func begin(in piece: UnsafeBufferPointer<UInt8>, at i: Int) -> Start? {
        guard let (code, length) = Self.code(piece, at: i), code < entries.count else { return nil }
        let entry = entries[code]
        guard entry != 0 else { return nil }
        let left = i == 0 ? 0 : piece[i - 1] & 0xC0 == 0x80 ? 1 : 2
        let right = i + length == piece.count ? 0 : piece[i + length] >= 0xC0 ? 1 : 2
        let context = UInt64(left * 3 + right)
        if entry >> context & 1 != 0 {
            return Start(parts: .whole, id: UInt32(truncatingIfNeeded: entry & 0xFFFF_FFFF) >> 9 - 1, length: length, code: code)
        }
        let partial = UInt32(truncatingIfNeeded: entry >> 32)
        guard partial >> UInt32(context) & 1 != 0 else { return nil }
        return Start(parts: partial >> 9 & 1 == 0 ? .firstTwo : .lastTwo, id: (partial >> 10) - 1, length: length, code: code)
    }

    /// The token that starts the character at `i` of `piece`, with its length and its code, when
    /// it qualifies whole between its neighbours there; nil otherwise (see `begin`).
    @inline(__always)
    func start(in piece: UnsafeBufferPointer<UInt8>, at i: Int) -> (id: UInt32, length: Int, code: Int)? {
        guard let start = begin(in: piece, at: i), start.parts == .whole else { return nil }
        return (start.id, start.length, start.code)
    }
}
