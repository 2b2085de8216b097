/// One token of an encoded piece: its id and the bytes of the piece it covers.
public struct PieceToken: Sendable, Equatable {
    public var id: UInt32
    public var start: Int32
    public var end: Int32
}

/// BPE's reusable encoding buffers, one per thread (inside `EncoderScratch`): no allocation per
/// piece once warm.
package struct BPEScratch {
    var symbols: [Symbol] = []
    /// The scan's pairs: rank << 32 | result, or UInt64.max for no merge.
    var ranks: [UInt64] = []
    var heap: [UInt64] = []
    /// Where the piece's symbols split into runs that no merge crosses (symbol indices).
    var cuts: [Int32] = []
    var key: [UInt8] = []
    var cache = PieceCache()
    var shortCache = ShortPieceCache()

    package init() {}

    /// Frees the buffers that hold more than `limit` elements; the piece cache stays.
    mutating func dropBuffers(over limit: Int) {
        if symbols.capacity > limit { symbols = [] }
        if ranks.capacity > limit { ranks = [] }
        if heap.capacity > limit { heap = [] }
        if cuts.capacity > limit { cuts = [] }
        if key.capacity > limit { key = [] }
    }

    struct Symbol {
        var id: UInt32
        var start: Int32
        var end: Int32
        var prev: Int32 = -1
        var next: Int32 = -1
    }
}

extension BPEModel {
    /// Pieces with more symbols than this use the heap; shorter ones the quadratic scan, which is
    /// faster on short pieces for its cache locality (tiktoken makes the same trade). At most 65:
    /// the scan's first pass keeps its pairs in one 64-bit mask (`MergeTable.pairMerges`).
    static let heapThreshold = 48

    /// Encodes one piece, appending its tokens (offsets relative to the piece).
    ///
    /// 0. A piece this thread encoded recently is its cached tokens: short pieces with few tokens
    ///    from `ShortPieceCache`, others from `PieceCache` (see `isWorthCaching`).
    /// 1. With `ignoresMerges`, a piece that is a whole token is that token.
    /// 2. The piece becomes its initial symbols (bytes or characters, see the type's documentation;
    ///    byte-level pieces start some characters from their token or from their first merge,
    ///    see `CharacterStarts`). Beside a character started from its token, where no token
    ///    holds it with the character or byte on the other side (`JoinFilter`), no merge can
    ///    fire, since its result would hold both (every merge's result being its sides' bytes,
    ///    which `CharacterStarts` checks): the symbols are cut there into runs, each merged alone.
    /// 3. In each run, the lowest-ranked adjacent pair merges first, leftmost first among equals,
    ///    until no adjacent pair has a merge rule.
    ///
    /// - Complexity: O(n²) for short runs, O(n log n) for long ones (n initial symbols).
    package func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout BPEScratch) {
        guard !piece.isEmpty else { return }
        if scratch.cache.owner !== cacheIdentity {
            scratch.cache = PieceCache(owner: cacheIdentity)
            scratch.shortCache = ShortPieceCache(owner: cacheIdentity)
        }
        let short = piece.count <= ShortPieceCache.maxLength
        if short, scratch.shortCache.lookup(piece, into: &output) { return }
        let start = output.count
        if ignoresMerges, let id = lookup.id(of: piece) {
            output.append(PieceToken(id: id, start: 0, end: Int32(piece.count)))
            if short { scratch.shortCache.insert(piece, output[start...]) }
            return
        }
        let cacheable = PieceCache.isWorthCaching(piece)
        if cacheable, scratch.cache.lookup(piece, into: &output) { return }
        encodeUncached(piece, into: &output, scratch: &scratch)
        if short, scratch.shortCache.insert(piece, output[start...]) { return }
        if cacheable { scratch.cache.insert(piece, output[start...]) }
    }

    private func encodeUncached(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout BPEScratch) {
        let (count, cuts) = initialSymbols(piece, into: &scratch)
        if scratch.ranks.count < Self.heapThreshold { scratch.ranks = [UInt64](repeating: .max, count: Self.heapThreshold) }
        var heap = MinHeap(storage: scratch.heap)
        scratch.heap = []
        scratch.symbols.withUnsafeMutableBufferPointer { all in
            let symbols = UnsafeMutableBufferPointer(rebasing: all[..<count])
            scratch.ranks.withUnsafeMutableBufferPointer { ranks in
                var start = 0
                for k in 0...cuts {
                    let end = k < cuts ? Int(scratch.cuts[k]) : count
                    mergeRun(UnsafeMutableBufferPointer(rebasing: symbols[start..<end]), into: &output, ranks: ranks, heap: &heap)
                    start = end
                }
            }
        }
        scratch.heap = heap.storage
    }

    /// Step 3 for one run of symbols that no merge crosses: merges them and appends the tokens.
    @inline(__always)
    private func mergeRun(_ symbols: UnsafeMutableBufferPointer<BPEScratch.Symbol>, into output: inout [PieceToken],
                          ranks: UnsafeMutableBufferPointer<UInt64>, heap: inout MinHeap) {
        if symbols.count == 1 {
            output.append(PieceToken(id: symbols[0].id, start: symbols[0].start, end: symbols[0].end))
        } else if symbols.count <= Self.heapThreshold {
            let count = mergeByScan(symbols, ranks: ranks)
            for symbol in symbols[..<count] { output.append(PieceToken(id: symbol.id, start: symbol.start, end: symbol.end)) }
        } else {
            mergeByHeap(symbols, heap: &heap)
            var index: Int32 = 0
            while index >= 0 {
                let symbol = symbols[Int(index)]
                output.append(PieceToken(id: symbol.id, start: symbol.start, end: symbol.end))
                index = symbol.next
            }
        }
    }

    /// Step 2: the initial symbols of a piece, in `scratch.symbols[..<count]`, and where they
    /// split into runs that no merge crosses, in `scratch.cuts[..<cuts]`.
    func initialSymbols(_ piece: UnsafeBufferPointer<UInt8>, into scratch: inout BPEScratch) -> (count: Int, cuts: Int) {
        if isByteLevel && hasEveryByte {
            // Characters that qualify start from their token or their first merge
            // (`CharacterStarts`), the rest from bytes; cuts as the encode's step 2 says. At most
            // a symbol and a cut per byte: written through pointers, without appends.
            let blank = BPEScratch.Symbol(id: 0, start: 0, end: 0)
            if scratch.symbols.count < piece.count { scratch.symbols = .init(repeating: blank, count: max(piece.count, 64)) }
            if scratch.cuts.count < piece.count { scratch.cuts = .init(repeating: 0, count: max(piece.count, 64)) }
            return scratch.symbols.withUnsafeMutableBufferPointer { symbols in
                scratch.cuts.withUnsafeMutableBufferPointer { cuts in
                    var count = 0, cutCount = 0
                    @inline(__always) func add(_ id: UInt32, _ start: Int, _ end: Int) {
                        symbols[count] = .init(id: id, start: Int32(start), end: Int32(end))
                        count += 1
                    }
                    @inline(__always) func cut() {
                        cuts[cutCount] = Int32(count)
                        cutCount += 1
                    }
                    var i = 0
                    var previous = -1  // the code of the last symbol when it is a character's token
                    while i < piece.count {
                        // A cut before the symbol at i: after a whole character, when no token
                        // holds it followed by this character (or this byte); before a whole
                        // character, when none holds the byte before it followed by it.
                        if piece[i] >= 0xC2, let start = characterStarts.begin(in: piece, at: i) {
                            if previous >= 0 {
                                if start.parts == .whole ? !characterStarts.mayJoin(previous, start.code)
                                                         : !characterStarts.mayJoin(previous, thenByte: piece[i]) { cut() }
                            } else if i > 0 && start.parts == .whole && !characterStarts.mayJoin(byte: piece[i - 1], then: start.code) {
                                cut()
                            }
                            switch start.parts {
                            case .whole:
                                add(start.id, i, i + start.length)
                                previous = start.code
                            case .firstTwo:
                                add(start.id, i, i + 2)
                                add(byteIds[Int(piece[i + 2])], i + 2, i + 3)
                                previous = -1
                            case .lastTwo:
                                add(byteIds[Int(piece[i])], i, i + 1)
                                add(start.id, i + 1, i + 3)
                                previous = -1
                            }
                            i += start.length
                        } else {
                            if previous >= 0 && !characterStarts.mayJoin(previous, thenByte: piece[i]) { cut() }
                            add(byteIds[Int(piece[i])], i, i + 1)
                            previous = -1
                            i += 1
                        }
                    }
                    return (count, cutCount)
                }
            }
        }
        scratch.symbols.removeAll(keepingCapacity: true)
        // Characters (or bytes, for a byte-level vocabulary that lacks some bytes).
        var pendingUnknown: BPEScratch.Symbol?
        var i = 0
        while i < piece.count {
            let length = isByteLevel ? 1 : abs(UTF8Validation.sequenceLength(piece, at: i))
            let isFirst = i == 0, isLast = i + length >= piece.count
            scratch.key.removeAll(keepingCapacity: true)
            if !isFirst, let prefix = continuingSubwordPrefix { scratch.key.append(contentsOf: prefix) }
            scratch.key.append(contentsOf: piece[i..<(i + length)])
            if isLast, let suffix = endOfWordSuffix { scratch.key.append(contentsOf: suffix) }
            let id = scratch.key.withUnsafeBufferPointer { lookup.id(of: $0) }
            if let id {
                if let unknown = pendingUnknown { scratch.symbols.append(unknown); pendingUnknown = nil }
                scratch.symbols.append(.init(id: id, start: Int32(i), end: Int32(i + length)))
            } else if byteFallback, scratch.key.allSatisfy({ fallbackIds[Int($0)] != UInt32.max }) {
                // HuggingFace falls back on the bytes of the whole key (prefix and suffix included).
                if let unknown = pendingUnknown { scratch.symbols.append(unknown); pendingUnknown = nil }
                for byte in scratch.key {
                    scratch.symbols.append(.init(id: fallbackIds[Int(byte)], start: Int32(i), end: Int32(i + length)))
                }
            } else if let unknownToken {
                if fusesUnknown, var unknown = pendingUnknown {
                    unknown.end = Int32(i + length)
                    pendingUnknown = unknown
                } else {
                    if let unknown = pendingUnknown { scratch.symbols.append(unknown) }
                    pendingUnknown = .init(id: unknownToken, start: Int32(i), end: Int32(i + length))
                }
            }
            i += length
        }
        if let unknown = pendingUnknown { scratch.symbols.append(unknown) }
        return (scratch.symbols.count, 0)
    }

    /// Step 3 for short runs: keep each adjacent pair's rank and result (rank << 32 | result,
    /// so the lowest value is the lowest rank; each rank has one result in both rank rules, so
    /// equal values are equal ranks and the strict `<` keeps the leftmost); merge the lowest,
    /// update its neighbours. Returns how many symbols remain (at the front of `symbols`).
    /// `ranks` holds `heapThreshold` entries, not cleared from run to run: only its first
    /// count - 1 are read.
    private func mergeByScan(_ symbols: UnsafeMutableBufferPointer<BPEScratch.Symbol>, ranks: UnsafeMutableBufferPointer<UInt64>) -> Int {
        let none = UInt64.max
        var count = symbols.count
        @inline(__always) func pair(_ left: UInt32, _ right: UInt32) -> UInt64 {
            guard let merge = mergeTable.merge(left, right) else { return none }
            return UInt64(merge.rank) << 32 | UInt64(merge.result)
        }
        mergeTable.pairMerges(count: count, { symbols[$0].id }, into: ranks)
        while count > 1 {
            var best = none, at = -1
            for i in 0..<(count - 1) where ranks[i] < best { best = ranks[i]; at = i }
            if at < 0 { break }
            symbols[at].id = UInt32(truncatingIfNeeded: best)
            symbols[at].end = symbols[at + 1].end
            // Close the gap at at + 1.
            for j in (at + 1)..<(count - 1) { symbols[j] = symbols[j + 1] }
            for j in (at + 1)..<max(at + 1, count - 2) { ranks[j] = ranks[j + 1] }
            count -= 1
            if at > 0 { ranks[at - 1] = pair(symbols[at - 1].id, symbols[at].id) }
            if at < count - 1 { ranks[at] = pair(symbols[at].id, symbols[at + 1].id) }
        }
        return count
    }

    /// Step 3 for long runs: a min-heap of (rank, position) over a linked list of symbols
    /// (`prev` and `next` set here, indices into `symbols`); entries made stale by earlier merges
    /// are skipped when popped. The tokens are the list from index 0.
    private func mergeByHeap(_ symbols: UnsafeMutableBufferPointer<BPEScratch.Symbol>, heap: inout MinHeap) {
        let count = symbols.count
        for i in 0..<count {
            symbols[i].prev = Int32(i - 1)
            symbols[i].next = i + 1 < count ? Int32(i + 1) : -1
        }
        heap.removeAll()
        for i in 0..<(count - 1) {
            if let merge = mergeTable.merge(symbols[i].id, symbols[i + 1].id) {
                heap.push(UInt64(merge.rank) << 32 | UInt64(i))
            }
        }
        while let top = heap.pop() {
            let rank = UInt32(top >> 32), position = Int(top & 0xFFFF_FFFF)
            let symbol = symbols[position]
            // Skip entries whose symbols were merged away or whose pair has changed since.
            guard symbol.end > symbol.start, symbol.next >= 0 else { continue }
            let next = Int(symbol.next)
            guard let merge = mergeTable.merge(symbol.id, symbols[next].id), merge.rank == rank else { continue }
            symbols[position].id = merge.result
            symbols[position].end = symbols[next].end
            symbols[position].next = symbols[next].next
            symbols[next].end = symbols[next].start  // removed
            if symbols[position].next >= 0 { symbols[Int(symbols[position].next)].prev = Int32(position) }
            if symbols[position].prev >= 0 {
                let previous = Int(symbols[position].prev)
                if let m = mergeTable.merge(symbols[previous].id, merge.result) {
                    heap.push(UInt64(m.rank) << 32 | UInt64(previous))
                }
            }
            if symbols[position].next >= 0, let m = mergeTable.merge(merge.result, symbols[Int(symbols[position].next)].id) {
                heap.push(UInt64(m.rank) << 32 | UInt64(position))
            }
        }
    }
}

/// A binary min-heap of UInt64 (rank in the high half, position in the low half).
struct MinHeap {
    var storage: [UInt64]

    mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    mutating func push(_ value: UInt64) {
        storage.append(value)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if storage[parent] <= value { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = value
    }

    mutating func pop() -> UInt64? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        let top = storage[0]
        var i = 0
        let n = storage.count
        while true {
            let left = 2 * i + 1
            if left >= n { break }
            let child = left + 1 < n && storage[left + 1] < storage[left] ? left + 1 : left
            if storage[child] >= last { break }
            storage[i] = storage[child]
            i = child
        }
        storage[i] = last
        return top
    }
}

/// A direct-mapped cache of recently encoded pieces, one per thread (inside `BPEScratch`).
///
/// Words repeat (Zipf): on English prose about 90% of pieces that are not whole tokens were seen
/// before. A hit costs a hash and a byte comparison and allocates nothing; a miss replaces the
/// slot's entry in the slot's own storage (no allocation once the slot has held as long a
/// piece). Measured on English and code with cl100k: encoding 20 → 30 MB/s on one thread.
///
/// Memory: at most 4,096 pieces of up to 64 bytes with their tokens (12 bytes each, at most one
/// per byte): under 3.5 MB whatever the text, about 200 KB on prose. It belongs to one model
/// (`owner`); `BPEModel.encode` starts a new one when the scratch meets another model.
struct PieceCache {
    static let slots = 4096
    static let maxPieceLength = 64
    /// The model whose encodings it holds (held, so its address cannot be reused by another).
    let owner: CacheIdentity?
    private var keys: [[UInt8]]
    private var values: [[PieceToken]]

    /// An empty cache; without an owner it allocates nothing (the first piece makes it).
    init(owner: CacheIdentity? = nil) {
        self.owner = owner
        keys = owner == nil ? [] : [[UInt8]](repeating: [], count: Self.slots)
        values = owner == nil ? [] : [[PieceToken]](repeating: [], count: Self.slots)
    }

    /// Whether a piece is cached: pieces up to `maxPieceLength` bytes, except pieces of 10 bytes
    /// or more (about three CJK characters or more) that end in U+3000–U+9FFF (CJK punctuation,
    /// kana, ideographs). Chinese and
    /// Japanese have no spaces, so such pieces are whole clauses that rarely repeat: with
    /// cl100k's pieces, 14% (Chinese) and 22% (Japanese) of them hit the cache, against 58–69% for
    /// Russian, Korean and Arabic words of the same length and 58% for shorter CJK pieces. A miss
    /// costs a look-up and an insert (a copy of the piece and its tokens); skipping them made
    /// cl100k Chinese encoding 13% faster.
    @inline(__always)
    static func isWorthCaching(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        guard piece.count <= maxPieceLength else { return false }
        guard piece.count >= 10 else { return true }
        let lead = piece[piece.count - 3]
        return !(0xE3...0xE9).contains(lead)
    }

    @inline(__always)
    private static func slot(_ piece: UnsafeBufferPointer<UInt8>) -> Int {
        Int(truncatingIfNeeded: ByteStringTable.hash(piece)) & (slots - 1)
    }

    /// Appends the tokens cached for `piece`, their offsets moved by `shift`; false on a miss.
    /// - Complexity: O(piece bytes + its tokens); allocates only when `output` grows.
    mutating func lookup(_ piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], shift: Int32 = 0) -> Bool {
        let index = Self.slot(piece)
        let matches = keys[index].withUnsafeBufferPointer { key in
            key.count == piece.count && key.count > 0 && memcmp(key.baseAddress!, piece.baseAddress!, key.count) == 0
        }
        guard matches else { return false }
        if shift == 0 {
            output.append(contentsOf: values[index])
        } else {
            for token in values[index] { output.append(PieceToken(id: token.id, start: token.start + shift, end: token.end + shift)) }
        }
        return true
    }

    /// Caches `tokens` (offsets moved by `-shift`) for `piece`, replacing the slot's entry in
    /// place: the slot keeps its arrays' storage, so a warm cache allocates nothing.
    /// - Complexity: O(piece bytes + its tokens).
    mutating func insert(_ piece: UnsafeBufferPointer<UInt8>, _ tokens: ArraySlice<PieceToken>, shift: Int32 = 0) {
        let index = Self.slot(piece)
        keys[index].removeAll(keepingCapacity: true)
        keys[index].append(contentsOf: piece)
        values[index].removeAll(keepingCapacity: true)
        if shift == 0 {
            values[index].append(contentsOf: tokens)
        } else {
            for token in tokens { values[index].append(PieceToken(id: token.id, start: token.start - shift, end: token.end - shift)) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
