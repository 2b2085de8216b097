/// Buffers one thread reuses across SentencePiece BPE encodes (symbols, links, the agenda) and
/// its cache of encoded words.
///
/// Each array holds at most one entry per byte of the longest text encoded (symbols 24 bytes
/// each; the agenda at most one per byte plus two per merge, so under 3n); `dropBuffers` frees
/// them after a long input.
package struct ScoredBPEScratch {
    /// A candidate merge of symbol `left` with the symbol after it. `key` orders the agenda:
    /// higher score first, then smaller `left` (the library's tie rule), as one integer;
    /// `id` is the piece they form.
    struct Candidate {
        var key: UInt64
        var right: Int32
        var size: Int32
        var id: UInt32
    }

    /// One symbol of the text being merged, all its fields in one 24-byte entry (one append
    /// per character, one cache line per look).
    struct Symbol {
        var start: Int32
        var end: Int32
        var previous: Int32
        var next: Int32
        /// Its piece's id (-1: a character that is no piece).
        var id: Int32
        /// Bit 0: frozen (a user-defined piece, never merged); bit 1: absorbed by its left
        /// neighbour.
        var flags: UInt8
    }

    var symbols: [Symbol] = []
    var agenda: [Candidate] = []
    /// The encoding tables of the model whose `cacheIdentity` is `owner`, fetched once per
    /// scratch: not under the model's lock on every call.
    var tables: (owner: CacheIdentity, tables: ScoredBPEModel.EncodingTables)?
    var tokens: [PieceToken] = []
    /// Recently encoded words (see `PieceCache` for its bound, under 3.5 MB).
    var cache = PieceCache()

    package init() {}

    var largestCapacity: Int { max(symbols.capacity, agenda.capacity, tokens.capacity) }
}

extension ScoredBPEModel {
    /// The agenda key of a merge: the score mapped to an unsigned integer whose order is the
    /// score's (negated, so that the smallest key is the best score), then `left`.
    @inline(__always)
    static func candidateKey(score: Float, left: Int32) -> UInt64 {
        let bits = (score == 0 ? Float(0) : score).bitPattern   // -0 and +0 tie, as they compare equal
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ordered) << 32 | UInt64(UInt32(bitPattern: left))
    }

    /// Encodes one piece of normalized text, appending tokens.
    ///
    /// 1. Without dropout, when no merge can cross the start of a word (`mergesStayInWords`),
    ///    cut the text before every "▁" that follows another character and encode word by word,
    ///    each word of up to 64 bytes through the thread's cache. Merges in one word never change
    ///    another's candidates (a pair across the cut is never a piece), and ties break by
    ///    position inside each word, so the result is the whole text's. Otherwise encode the
    ///    whole text at once.
    /// 2. Fuse runs of unknown tokens, or spell them as bytes with byte fallback.
    ///
    /// Tested against a quadratic reference and the closure-ordered heap encoder
    /// (`UnigramTests`) and the `sentencepiece` library (crosscheck).
    /// - Complexity: O(n log n) for n bytes; a cached word costs a hash and a comparison.
    package func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken],
                        dropout: Double = 0, generator: inout SplitMix64, scratch: inout ScoredBPEScratch) {
        let n = piece.count
        guard n > 0 else { return }
        scratch.tokens.removeAll(keepingCapacity: true)
        let tables: EncodingTables
        if let fetched = scratch.tables, fetched.owner === cacheIdentity {
            tables = fetched.tables
        } else {
            tables = self.tables()
            scratch.tables = (cacheIdentity, tables)
        }
        if dropout > 0 || !mergesStayInWords {
            merge(piece, from: 0, to: n, tables: tables, dropout: dropout, generator: &generator, scratch: &scratch)
        } else {
            if scratch.cache.owner !== cacheIdentity { scratch.cache = PieceCache(owner: cacheIdentity) }
            var start = 0
            while start < n {
                let end = Self.wordStart(in: piece, after: start) ?? n
                let word = UnsafeBufferPointer(rebasing: piece[start..<end])
                let first = scratch.tokens.count
                let cacheable = PieceCache.isWorthCaching(word)
                if !(cacheable && scratch.cache.lookup(word, into: &scratch.tokens, shift: Int32(start))) {
                    merge(piece, from: start, to: end, tables: tables, dropout: 0, generator: &generator, scratch: &scratch)
                    if cacheable { scratch.cache.insert(word, scratch.tokens[first...], shift: Int32(start)) }
                }
                start = end
            }
        }
        appendTokensFusingUnknowns(scratch.tokens, piece: piece, unknownId: unknownId, byteIds: byteFallback ? byteIds : nil, into: &output)
    }

    /// Merges `piece[from..<to]` and appends its symbols' tokens to `scratch.tokens` (offsets in
    /// `piece`; unknown runs not yet fused).
    ///
    /// 1. Split into characters, user-defined pieces kept whole and frozen; each symbol's id
    ///    (characters below U+10000 from `characterIds`, others from the piece table).
    /// 2. Push every adjacent pair that forms a piece onto a binary min-heap keyed by
    ///    (-score, left) packed into one integer (the junction filter rules most pairs out
    ///    before the piece table is probed).
    /// 3. Pop, skip stale pairs, merge (or skip with probability `dropout`), push the new
    ///    neighbours' pairs.
    /// 4. Split unused pieces back into the pair they were merged from; emit the symbols' ids
    ///    (a merged symbol's is its pair's piece, kept at the merge).
    ///
    /// Every buffer is the scratch's; nothing is allocated once they have grown, except the
    /// map of unused pieces' splits when such a piece is merged.
    /// - Complexity: O(m log m) for m = to - from.
    private func merge(_ piece: UnsafeBufferPointer<UInt8>, from: Int, to n: Int, tables: EncodingTables, dropout: Double,
                       generator: inout SplitMix64, scratch: inout ScoredBPEScratch) {
        // Phase 1: symbols as byte ranges with links.
        scratch.symbols.removeAll(keepingCapacity: true)
        var i = from, index: Int32 = 0
        while i < n {
            var length = 0
            userDefined?.forEachPrefix(of: piece, from: i, to: n) { _, l in length = max(length, l) }
            let isFrozen = length > 0
            var sequence = 0   // a whole character's length, else below 1 (not one) or 0 (frozen)
            if !isFrozen {
                sequence = UTF8Validation.sequenceLength(piece, at: i)
                length = min(n - i, max(1, sequence))
            }
            let id: Int32
            if sequence == length && length <= 3 {
                id = tables.characterIds[Self.codePoint(piece, at: i, length: length)]
            } else {
                id = lookup.id(of: UnsafeBufferPointer(rebasing: piece[i..<(i + length)])).map { Int32($0) } ?? -1
            }
            scratch.symbols.append(.init(start: Int32(i), end: Int32(i + length), previous: index - 1, next: index + 1,
                                         id: id, flags: isFrozen ? 1 : 0))
            index += 1
            i += length
        }
        let count = scratch.symbols.count
        if count > 0 { scratch.symbols[count - 1].next = -1 }
        scratch.agenda.removeAll(keepingCapacity: true)
        var unusedSplits: [[UInt8]: Int] = [:]
        // Phases 2 to 4 work on local buffers (swapped out of the scratch, so they stay unique).
        var symbols = [ScoredBPEScratch.Symbol](), heap = [ScoredBPEScratch.Candidate]()
        swap(&symbols, &scratch.symbols); swap(&heap, &scratch.agenda)
        defer { swap(&symbols, &scratch.symbols); swap(&heap, &scratch.agenda) }
        func push(_ candidate: ScoredBPEScratch.Candidate) {
            heap.append(candidate)
            heap.withUnsafeMutableBufferPointer { h in
                var child = h.count - 1
                while child > 0 {
                    let parent = (child - 1) >> 1
                    if h[parent].key <= candidate.key { break }
                    h[child] = h[parent]
                    child = parent
                }
                h[child] = candidate
            }
        }
        func pop() -> ScoredBPEScratch.Candidate? {
            guard let last = heap.popLast() else { return nil }
            return heap.withUnsafeMutableBufferPointer { h -> ScoredBPEScratch.Candidate in
                guard h.count > 0 else { return last }
                let top = h[0]
                var parent = 0
                while true {
                    var child = 2 * parent + 1
                    if child >= h.count { break }
                    if child + 1 < h.count && h[child + 1].key < h[child].key { child += 1 }
                    if last.key <= h[child].key { break }
                    h[parent] = h[child]
                    parent = child
                }
                h[parent] = last
                return top
            }
        }
        func consider(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let l = symbols[Int(left)], r = symbols[Int(right)]
            guard (l.flags | r.flags) & 1 == 0 else { return }
            let from = Int(l.start), to = Int(r.end)
            guard tables.junctions.mayJoin(piece, from: from, split: Int(r.start), to: to),
                  let id = mergeableId(of: UnsafeBufferPointer(rebasing: piece[from..<to])) else { return }
            push(.init(key: Self.candidateKey(score: scores[Int(id)], left: left), right: right, size: Int32(to - from), id: id))
            if kinds[Int(id)] == .unused {
                unusedSplits[Array(piece[from..<to])] = Int(l.end) - from
            }
        }
        // Phase 2: candidate pairs.
        for index in 1..<max(1, count) { consider(Int32(index - 1), Int32(index)) }
        // Phase 3: merge.
        while let top = pop() {
            let left = Int(UInt32(truncatingIfNeeded: top.key)), right = Int(top.right)
            let r = symbols[right]
            guard (symbols[left].flags | r.flags) & 2 == 0, symbols[left].next == top.right,
                  r.end - symbols[left].start == top.size else { continue }
            if dropout > 0 && (dropout >= 1 || Double.random(in: 0..<1, using: &generator) < dropout) { continue }
            symbols[left].end = r.end
            symbols[left].id = Int32(bitPattern: top.id)
            symbols[right].flags |= 2
            symbols[left].next = r.next
            if r.next >= 0 { symbols[Int(r.next)].previous = Int32(left) }
            consider(symbols[left].previous, Int32(left))
            consider(Int32(left), r.next)
        }
        // Phase 4: ids.
        func resegment(_ from: Int, _ to: Int) {
            let bytes = UnsafeBufferPointer(rebasing: piece[from..<to])
            if let id = lookup.id(of: bytes) {
                if kinds[Int(id)] == .unused, let split = unusedSplits[Array(bytes)] {
                    resegment(from, from + split)
                    resegment(from + split, to)
                    return
                }
                scratch.tokens.append(PieceToken(id: id, start: Int32(from), end: Int32(to)))
            } else {
                scratch.tokens.append(PieceToken(id: unknownId, start: Int32(from), end: Int32(to)))
            }
        }
        index = 0
        while index >= 0 && Int(index) < count {
            let symbol = symbols[Int(index)]
            if symbol.id < 0 {
                scratch.tokens.append(PieceToken(id: unknownId, start: symbol.start, end: symbol.end))
            } else if kinds[Int(symbol.id)] == .unused {
                resegment(Int(symbol.start), Int(symbol.end))
            } else {
                scratch.tokens.append(PieceToken(id: UInt32(symbol.id), start: symbol.start, end: symbol.end))
            }
            index = symbol.next
        }
    }
}
