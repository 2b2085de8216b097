import Foundation

/// A Unigram language-model tokenizer (Kudo 2018): each piece has a log probability, and a text
/// is split into the pieces whose scores sum highest (Viterbi).
///
/// Two flavours reproduce the two libraries that use the model:
/// - `.sentencePiece`: scores are 32-bit floats summed as the `sentencepiece` library does,
///   piece types matter (control and byte pieces are never matched in text, unused pieces are
///   skipped, user-defined pieces always win), and the unknown score is 10 below the lowest
///   normal piece.
/// - `.huggingFace`: 64-bit scores, every vocabulary entry is matched, the unknown score is 10
///   below the lowest of all entries.
///
/// A run of characters that no piece covers becomes one unknown token, or, with byte fallback,
/// one `<0xAB>` token per UTF-8 byte.
public struct UnigramModel: Sendable {
    /// SentencePiece's piece types (the values of its `.model` files).
    public enum PieceKind: UInt8, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public enum Flavor: Sendable { case sentencePiece, huggingFace }

    public let pieces: [[UInt8]]
    /// Log probabilities (exact 32-bit values in the `.sentencePiece` flavour).
    public let scores: [Double]
    public let kinds: [PieceKind]
    /// The piece types as `.model` and GGUF files store them: `kinds`, with the byte-fallback
    /// pieces typed BYTE (a tokenizer.json Unigram with `byte_fallback` has no types, so its
    /// `<0xAB>` pieces are normal in `kinds`). O(pieces).
    public var storedKinds: [PieceKind] {
        var kinds = self.kinds
        for id in byteIds where id != UInt32.max { kinds[Int(id)] = .byte }
        return kinds
    }
    public let unknownId: UInt32
    public let byteFallback: Bool
    public let flavor: Flavor
    /// Pieces matched in text → id.
    package let trie: DoubleArrayTrie
    let lookup: ByteStringTable
    /// Ids of `<0x00>`...`<0xFF>` when `byteFallback`.
    let byteIds: [UInt32]
    public let unknownScore: Double
    /// Each piece's 32-bit lattice score by id (NaN for unused and user-defined pieces, handled
    /// apart): 4 bytes per piece, 64 KB for 16,000 pieces, so the look-up after a match stays in
    /// the core's caches. The SentencePiece flavour's Viterbi sums these scores as the library
    /// does; 64-bit sums (the HuggingFace flavour, the lattice) read `scores[id]` instead.
    /// (An 8-byte entry per trie unit, id and score, was no faster and took 2.8 MB for
    /// `Vocabs/unigram-multi-16k`, whose trie then had 347,392 units.)
    let scores32: [Float]
    /// SentencePiece's bonus base for user-defined pieces (its `max_score_`, which starts at
    /// FLT_MIN, so it is tiny when all scores are negative).
    let maxScore: Float
    /// Whether no matched piece reaches across the start of a word (a "▁" after another
    /// character, `ScoredBPEModel.wordStart`): then every segmentation passes through every word
    /// start, and the encoder takes the text word by word through the thread's cache.
    let wordsStayApart: Bool
    /// The identity of this model's segmentations in a thread's word cache.
    let cacheIdentity = CacheIdentity()

    /// A model of `pieces` with their `scores` and `kinds` (default: normal, `unknownId` unknown).
    ///
    /// Validates every piece (non-empty, finite score, no repeat in the SentencePiece flavour,
    /// byte pieces when `byteFallback` needs them) and builds the look-up table and the trie;
    /// from `parallelBuildThreshold` pieces in the SentencePiece flavour, on two threads.
    /// - Complexity: O(total piece bytes + pieces log pieces).
    public init(pieces: [[UInt8]], scores: [Double], kinds: [PieceKind]? = nil, unknownId: UInt32,
                byteFallback: Bool = false, flavor: Flavor = .huggingFace) throws {
        try self.init(pieces: pieces, scores: scores, kinds: kinds, unknownId: unknownId, byteFallback: byteFallback,
                      flavor: flavor, threads: 2)
    }

    /// `init(pieces:scores:kinds:unknownId:byteFallback:flavor:)` on at most `threads` threads
    /// (0: all cores; more than 2 gains nothing): a trainer passes its own thread count.
    package init(pieces: [[UInt8]], scores: [Double], kinds: [PieceKind]? = nil, unknownId: UInt32,
                 byteFallback: Bool = false, flavor: Flavor = .huggingFace, threads: Int) throws {
        let kinds = kinds ?? pieces.indices.map { UInt32($0) == unknownId ? .unknown : .normal }
        guard pieces.count == scores.count, pieces.count == kinds.count else {
            throw ModelError.invalidModel("Unigram: \(pieces.count) pieces but \(scores.count) scores and \(kinds.count) types")
        }
        guard !pieces.isEmpty else { throw ModelError.invalidModel("Unigram: no pieces") }
        guard Int(unknownId) < pieces.count else {
            throw ModelError.invalidModel("Unigram: unk id \(unknownId) is outside the \(pieces.count) pieces")
        }
        // Phase 1: validation, the look-up table, byte pieces (and byte fallback's check), the
        // score range, and the trie's keys (every piece but repeats in the HuggingFace flavour;
        // not the control, unknown and byte pieces SentencePiece matches apart).
        struct Scan {
            var lookup: ByteStringTable
            var keys: [[UInt8]] = [], values: [Int32] = []
            var byteIds = [UInt32](repeating: UInt32.max, count: 256)
            var minScore = Double.infinity
            var maxScore = Float.leastNormalMagnitude
        }
        func isTrieKey(_ piece: [UInt8], _ kind: PieceKind) -> Bool {
            (flavor == .huggingFace || kind == .normal || kind == .userDefined || kind == .unused) && !piece.contains(0)
        }
        func scan(keepingKeys: Bool) throws -> Scan {
            var scan = Scan(lookup: ByteStringTable(capacity: pieces.count))
            for (id, piece) in pieces.enumerated() {
                guard !piece.isEmpty else { throw ModelError.invalidModel("Unigram: piece \(id) is empty") }
                guard scores[id].isFinite else { throw ModelError.invalidModel("Unigram: piece \(id) has score \(scores[id])") }
                if scan.lookup.id(of: piece) != nil {
                    if flavor == .sentencePiece {
                        throw ModelError.invalidModel("Unigram: piece \(String(decoding: piece, as: UTF8.self).debugDescription) is defined twice")
                    }
                    continue  // HuggingFace keeps the first id of a repeated piece in its trie
                }
                scan.lookup.insert(piece, id: UInt32(id))
                let kind = kinds[id]
                if kind == .byte, let byte = Self.byteValue(piece) { scan.byteIds[Int(byte)] = UInt32(id) }
                switch flavor {
                case .sentencePiece:
                    if kind == .normal {
                        scan.minScore = min(scan.minScore, scores[id])
                        scan.maxScore = max(scan.maxScore, Float(scores[id]))
                    }
                case .huggingFace:
                    scan.minScore = min(scan.minScore, scores[id])
                }
                if keepingKeys && isTrieKey(piece, kind) {
                    scan.keys.append(piece)
                    scan.values.append(Int32(id))
                }
            }
            if byteFallback {
                if flavor == .huggingFace {
                    for byte in 0..<256 where scan.byteIds[byte] == UInt32.max {
                        if let id = scan.lookup.id(of: Array(String(format: "<0x%02X>", byte).utf8)) { scan.byteIds[byte] = id }
                    }
                }
                if flavor == .sentencePiece, let missing = scan.byteIds.firstIndex(of: UInt32.max) {
                    throw ModelError.invalidModel(String(format: "byte fallback is on but the byte piece <0x%02X> is missing", missing))
                }
            }
            return scan
        }
        // Phase 2: the trie. The SentencePiece flavour refuses repeated pieces, so its keys do not
        // depend on the table: for a large vocabulary (a trainer's seeds) the table and the trie
        // are built at once on two threads; the table's error, if any, comes first.
        let scanned: Scan
        let trie: DoubleArrayTrie
        let trieKeys: [[UInt8]]
        if flavor == .sentencePiece && pieces.count >= Self.parallelBuildThreshold && Parallel.workers(threads) > 1 {
            var keys: [[UInt8]] = [], values: [Int32] = []
            for (id, piece) in pieces.enumerated() where !piece.isEmpty && isTrieKey(piece, kinds[id]) {
                keys.append(piece)
                values.append(Int32(id))
            }
            enum Part { case scan(Scan), trie(DoubleArrayTrie) }
            let parts = try Parallel.map(2, threads: 2) { index -> Part in
                index == 0 ? .scan(try scan(keepingKeys: false)) : .trie(try DoubleArrayTrie(keys: keys, values: values))
            }
            guard case .scan(let first) = parts[0], case .trie(let second) = parts[1] else { preconditionFailure("parts out of order") }
            (scanned, trie, trieKeys) = (first, second, keys)
        } else {
            scanned = try scan(keepingKeys: true)
            trie = try DoubleArrayTrie(keys: scanned.keys, values: scanned.values)
            trieKeys = scanned.keys
        }
        let lookup = scanned.lookup, byteIds = scanned.byteIds
        let minScore = scanned.minScore, maxScore = scanned.maxScore
        self.pieces = pieces
        self.scores = scores
        self.kinds = kinds
        self.unknownId = unknownId
        self.byteFallback = byteFallback
        self.flavor = flavor
        self.trie = trie
        self.wordsStayApart = trieKeys.allSatisfy { ScoredBPEModel.wordStart(in: $0, after: 0) == nil }
        self.lookup = lookup
        self.byteIds = byteIds
        self.maxScore = maxScore
        self.scores32 = pieces.indices.map { id in
            let handledApart = flavor == .sentencePiece && (kinds[id] == .unused || kinds[id] == .userDefined)
            return handledApart ? .nan : Float(scores[id])
        }
        let penalty = 10.0
        self.unknownScore = flavor == .sentencePiece
            ? Double(Float(minScore == .infinity ? 0 : minScore) - Float(penalty))
            : (minScore == .infinity ? 0 : minScore) - penalty
    }

    /// The byte of a `<0xAB>` piece.
    static func byteValue(_ piece: [UInt8]) -> UInt8? {
        guard piece.count == 6, piece[0] == 0x3C, piece[1] == 0x30, piece[2] == 0x78, piece[5] == 0x3E else { return nil }
        return UInt8(String(decoding: piece[3..<5], as: UTF8.self), radix: 16)
    }

    public var vocabularySize: Int { pieces.count }

    /// From this many pieces on, the SentencePiece flavour builds its look-up table and its trie
    /// on two threads (a Unigram trainer's first model on 100 MB of English: 772,000 pieces,
    /// 0.66 s on one thread, two thirds of it the trie).
    static let parallelBuildThreshold = 8192

    /// The id of a piece given as bytes (any type).
    public func id<C: Collection>(of piece: C) -> UInt32? where C.Element == UInt8 { lookup.id(of: piece) }

    /// Every piece's lattice score and its exp, interleaved by id (NaN scores where the lattice's
    /// score is not the piece's own: unused and user-defined SentencePiece pieces), and the
    /// unknown node's: the E-step's table (`UnigramLattice.build(_:_:table:)`), so that a node
    /// costs one look-up instead of three and one exp per piece and model instead of one per node.
    /// - Complexity: O(pieces).
    package func latticeTable() -> UnigramLatticeTable {
        UnigramLatticeTable(
            entries: pieces.indices.map { id in
                scores32[id].isNaN ? UnigramLatticeTable.Entry(score: .nan, probability: .nan)
                    : UnigramLatticeTable.Entry(score: scores[id], probability: exp(scores[id]))
            },
            unknown: UnigramLatticeTable.Entry(score: unknownScore, probability: exp(unknownScore)))
    }

    /// `forEachNode(in:at:_:)` with each node's score and exp from `table` (`latticeTable()`):
    /// the same nodes, scores and order (keep the two walks alike).
    /// - Complexity: O(length of the longest piece at `start`).
    @inline(__always)
    package func forEachNode(in piece: UnsafeBufferPointer<UInt8>, at start: Int, table: UnsafeBufferPointer<UnigramLatticeTable.Entry>,
                             unknown: UnigramLatticeTable.Entry,
                             _ body: (_ length: Int, _ id: UInt32, _ entry: UnigramLatticeTable.Entry) -> Void) -> Int {
        let characterLength = piece[start] < 0x80 ? 1 : min(piece.count - start, max(1, UTF8Validation.sequenceLength(piece, at: start)))
        var coversCharacter = false
        trie.forEachPrefix(of: piece, from: start, to: piece.count) { value, length in
            let id = Int(value)
            var entry = table[id]
            if entry.score.isNaN {
                if kinds[id] == .unused { return }
                let score = latticeScore(id, length: length)
                entry = UnigramLatticeTable.Entry(score: score, probability: exp(score))
            }
            body(length, UInt32(id), entry)
            if length == characterLength { coversCharacter = true }
        }
        if !coversCharacter { body(characterLength, unknownId, unknown) }
        return characterLength
    }

    /// The score a piece starting at a position gets in the lattice (user-defined bonus included).
    @inline(__always)
    func latticeScore(_ id: Int, length: Int) -> Double {
        if flavor == .sentencePiece && kinds[id] == .userDefined {
            return Double(Float(length) * maxScore) - 0.1
        }
        return scores[id]
    }

    /// Encodes one piece of normalized text with the best segmentation, appending tokens.
    ///
    /// 1. When no piece reaches across a word start (`wordsStayApart`), cut the text before
    ///    every "▁" that follows another character; else take it whole.
    /// 2. For each word, its cached segmentation when `UnigramWordCache` holds it and proves it
    ///    at the best score the text has reached (the nodes' scores are then added to that score
    ///    one by one, as the whole text's Viterbi would); else:
    ///    a. for each character start, walk the trie over every piece starting there and relax
    ///       the best path ending after it, from the best score reached at the word's start; if
    ///       no piece covers exactly one character, an unknown node covers it;
    ///    b. backtrack from the word's end.
    /// 3. Fuse runs of unknown nodes, or spell them as bytes with byte fallback.
    ///
    /// Tested against the whole text's Viterbi (`encodeWhole`) on near ties and long lines
    /// (`UnigramTests`) and against `sentencepiece` (crosscheck).
    /// - Complexity: O(n x k) for k pieces matching at a position; a cached word costs a hash, a
    ///   comparison and an addition per token.
    package func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout UnigramScratch) {
        guard !piece.isEmpty else { return }
        scratch.path.removeAll(keepingCapacity: true)
        if scratch.cache.owner !== cacheIdentity { scratch.cache = UnigramWordCache(owner: cacheIdentity) }
        // SentencePiece sums and compares in 32-bit floats (measured: comparing the 64-bit sums
        // picks the other of two tied paths); HuggingFace in 64-bit.
        if flavor == .sentencePiece {
            bestPathByWords(piece, wide: false, unknownScore: Float(unknownScore), nodes: &scratch.nodes32,
                            path: &scratch.path, wordIds: &scratch.wordIds, cache: &scratch.cache)
        } else {
            bestPathByWords(piece, wide: true, unknownScore: unknownScore, nodes: &scratch.nodes,
                            path: &scratch.path, wordIds: &scratch.wordIds, cache: &scratch.cache)
        }
        // Phase 3: unknown runs.
        appendTokensFusingUnknowns(scratch.path, piece: piece, unknownId: unknownId,
                                   byteIds: byteFallback ? byteIds : nil, into: &output)
    }

    /// `encode(piece:into:scratch:)` with one Viterbi over the whole text and no cache: the
    /// reference the word-by-word encoder is tested against.
    package func encodeWhole(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken], scratch: inout UnigramScratch) {
        guard !piece.isEmpty else { return }
        scratch.path.removeAll(keepingCapacity: true)
        if flavor == .sentencePiece {
            _ = bestPath(piece, shift: 0, base: Float(0), wide: false, unknownScore: Float(unknownScore), tracksMargin: false,
                         nodes: &scratch.nodes32, path: &scratch.path, wordIds: &scratch.wordIds)
        } else {
            _ = bestPath(piece, shift: 0, base: 0.0, wide: true, unknownScore: unknownScore, tracksMargin: false,
                         nodes: &scratch.nodes, path: &scratch.path, wordIds: &scratch.wordIds)
        }
        appendTokensFusingUnknowns(scratch.path, piece: piece, unknownId: unknownId,
                                   byteIds: byteFallback ? byteIds : nil, into: &output)
    }

    /// Phases 1 and 2 of `encode(piece:into:scratch:)`: the best path's tokens, first to last,
    /// in `path` (unknown runs not yet fused).
    @inline(__always)
    private func bestPathByWords<Score: BinaryFloatingPoint>(_ piece: UnsafeBufferPointer<UInt8>, wide: Bool, unknownScore: Score,
                                                             nodes: inout [UnigramNode<Score>], path: inout [PieceToken],
                                                             wordIds: inout [UInt32], cache: inout UnigramWordCache) {
        let n = piece.count
        var base: Score = 0   // the best score at the word's start, as the whole text's Viterbi has it
        var start = 0
        while start < n {
            let end = wordsStayApart ? (ScoredBPEModel.wordStart(in: piece, after: start) ?? n) : n
            let word = UnsafeBufferPointer(rebasing: piece[start..<end])
            let short = word.count <= UnigramWordCache.maxShortLength
            let cacheable = wordsStayApart && (short || (word.count <= UnigramWordCache.maxLength && cache.takesLongWord()))
            if cacheable {
                let found: Void?
                if short {
                    found = cache.lookupShort(word, base: abs(Double(base))).map {
                        appendCached($0, at: start, base: &base, wide: wide, unknownScore: unknownScore, path: &path)
                    }
                } else {
                    found = cache.lookupLong(word, base: abs(Double(base))).map {
                        appendCached($0, at: start, base: &base, wide: wide, unknownScore: unknownScore, path: &path)
                    }
                    cache.countLongLookup(found: found != nil)
                }
                if found != nil {
                    start = end
                    continue
                }
            }
            let first = path.count
            if cacheable {
                // Two calls, so that each inlined copy has `tracksMargin` fixed.
                wordIds.removeAll(keepingCapacity: true)
                let (score, limit) = bestPath(word, shift: Int32(start), base: base, wide: wide, unknownScore: unknownScore,
                                              tracksMargin: true, nodes: &nodes, path: &path, wordIds: &wordIds)
                cache.insert(word, tokens: path[first...], ids: wordIds[...], shift: Int32(start), limit: limit)
                base = score
            } else {
                base = bestPath(word, shift: Int32(start), base: base, wide: wide, unknownScore: unknownScore,
                                tracksMargin: false, nodes: &nodes, path: &path, wordIds: &wordIds).score
            }
            start = end
        }
    }

    /// Appends a cached word's nodes to `path` (offsets from `start`) and adds their scores to
    /// `base` one by one, as the whole text's Viterbi sums them.
    /// - Complexity: O(nodes).
    @inline(__always)
    private func appendCached<Score: BinaryFloatingPoint>(_ entry: some UnigramWordCache.Entry, at start: Int, base: inout Score, wide: Bool,
                                                          unknownScore: Score, path: inout [PieceToken]) {
        var sum = base, from = 0
        for k in 0..<entry.count {
            let raw = entry.id(k), to = entry.end(k)
            let isUnknown = raw & UnigramWordCache.unknownFlag != 0
            path.append(PieceToken(id: isUnknown ? unknownId : raw, start: Int32(start + from), end: Int32(start + to)))
            sum = sum + (isUnknown ? unknownScore : nodeScore(Int(raw), length: to - from, wide: wide, as: Score.self))
            from = to
        }
        base = sum
    }

    /// Phases 2a and 2b of `encode(piece:into:scratch:)` over one word in `Score` arithmetic,
    /// from `base`: appends the best path's tokens, first to last, offsets moved by `shift`, to
    /// `path` and returns the best score at the word's end. With `tracksMargin`, also appends
    /// the tokens' ids to `wordIds` (`UnigramWordCache.unknownFlag` on unknown nodes) and returns
    /// the base magnitude below which the segmentation is proved (`UnigramWordCache.limit`);
    /// else that limit is -infinity.
    /// The nodes are `forEachNode`'s, in `Score` (`wide`: from `scores`, else from `scores32`).
    /// - Complexity: O(n x k) for k pieces matching at a position.
    @inline(__always)
    private func bestPath<Score: BinaryFloatingPoint>(
        _ word: UnsafeBufferPointer<UInt8>, shift: Int32, base: Score, wide: Bool, unknownScore: Score, tracksMargin: Bool,
        nodes: inout [UnigramNode<Score>], path: inout [PieceToken], wordIds: inout [UInt32]
    ) -> (score: Score, limit: Double) {
        let size = word.count
        UnigramNode.reset(&nodes, size, base: base)
        var margin = Double.infinity, magnitude = abs(Double(base))
        nodes.withUnsafeMutableBufferPointer { best in
            scores32.withUnsafeBufferPointer { scores32 in
                scores.withUnsafeBufferPointer { scores in
                    var start = 0
                    while start < size {
                        let tillHere = best[start].score, from = start
                        start += forEachNode(in: word, at: from, scores32: scores32, scores: wide ? scores : nil, unknownScore: unknownScore) { length, id, score in
                            let candidate = score + tillHere
                            let end = from + length
                            if tracksMargin {
                                magnitude = max(magnitude, abs(Double(candidate)))
                                if best[end].start >= 0 { margin = min(margin, abs(Double(candidate) - Double(best[end].score))) }
                            }
                            if best[end].start < 0 || candidate > best[end].score {
                                // The unknown node is -2, so its score is known apart from a matched <unk> piece's.
                                let isUnknownNode = id == unknownId && score == unknownScore
                                best[end] = UnigramNode(score: candidate, start: Int32(from), id: isUnknownNode ? -2 : Int32(id))
                            }
                        }
                    }
                }
            }
        }
        // Phase 2b: backtrack, then put the word's tokens first to last.
        let first = path.count, firstId = wordIds.count
        var end = size
        while end > 0 {
            let node = nodes[end]
            let id = node.id == -2 ? unknownId : UInt32(node.id)
            path.append(PieceToken(id: id, start: node.start + shift, end: Int32(end) + shift))
            if tracksMargin { wordIds.append(node.id == -2 ? unknownId | UnigramWordCache.unknownFlag : id) }
            end = Int(node.start)
        }
        path.withUnsafeMutableBufferPointer { $0[first...].reverse() }
        if tracksMargin { wordIds.withUnsafeMutableBufferPointer { $0[firstId...].reverse() } }
        let limit = tracksMargin
            ? UnigramWordCache.limit(margin: margin, magnitude: magnitude, base: base, bytes: size, as: Score.self)
            : -.infinity
        return (nodes[size].score, limit)
    }

    /// The lattice score of a matched piece in `Score`, as `forEachNode` gives it.
    @inline(__always)
    private func nodeScore<Score: BinaryFloatingPoint>(_ id: Int, length: Int, wide: Bool, as _: Score.Type) -> Score {
        let score32 = scores32[id]
        if score32.isNaN { return Score(latticeScore(id, length: length)) }
        return wide ? Score(scores[id]) : Score(score32)
    }

    /// Calls `body(length, id, score)` for every lattice node starting at byte `start`: each piece
    /// the trie matches there (unused pieces skipped, user-defined ones scored by length), then,
    /// if no piece covers exactly the character at `start`, an unknown node over it. Returns the
    /// length of that character. The Viterbi encoder and the lattice build their nodes here; the
    /// trainer's E-step builds them with `forEachNode(in:at:table:unknown:_:)`, the same walk
    /// and rules with scores from a table (keep the two alike).
    /// - Complexity: O(length of the longest matching piece).
    @inline(__always)
    public func forEachNode(in piece: UnsafeBufferPointer<UInt8>, at start: Int,
                            _ body: (_ length: Int, _ id: UInt32, _ score: Double) -> Void) -> Int {
        scores32.withUnsafeBufferPointer { scores32 in
            scores.withUnsafeBufferPointer { forEachNode(in: piece, at: start, scores32: scores32, scores: $0, unknownScore: unknownScore, body) }
        }
    }

    /// `forEachNode(in:at:_:)` in `Score` arithmetic: pieces' scores from `scores` (by id) when
    /// given, else the 32-bit ones in `scores32`.
    @inline(__always)
    private func forEachNode<Score: BinaryFloatingPoint>(
        in piece: UnsafeBufferPointer<UInt8>, at start: Int, scores32: UnsafeBufferPointer<Float>,
        scores: UnsafeBufferPointer<Double>?, unknownScore: Score,
        _ body: (_ length: Int, _ id: UInt32, _ score: Score) -> Void
    ) -> Int {
        let characterLength = piece[start] < 0x80 ? 1 : min(piece.count - start, max(1, UTF8Validation.sequenceLength(piece, at: start)))
        var coversCharacter = false
        trie.forEachPrefix(of: piece, from: start, to: piece.count) { value, length in
            let id = Int(value)
            let score32 = scores32[id]
            let score: Score
            if score32.isNaN {
                if kinds[id] == .unused { return }
                score = Score(latticeScore(id, length: length))
            } else {
                score = scores.map { Score($0[id]) } ?? Score(score32)
            }
            body(length, UInt32(id), score)
            if length == characterLength { coversCharacter = true }
        }
        if !coversCharacter { body(characterLength, unknownId, unknownScore) }
        return characterLength
    }

    /// The token of `id` as a display string.
    public func tokenString(_ id: UInt32) -> String {
        Int(id) < pieces.count ? String(decoding: pieces[Int(id)], as: UTF8.self) : ""
    }
}

/// Unigram's reusable encoding buffers, one per thread (inside `EncoderScratch`).
package struct UnigramScratch {
    /// The best path ending at each byte position, in 64-bit (HuggingFace) or 32-bit
    /// (SentencePiece) scores.
    var nodes: [UnigramNode<Double>] = []
    var nodes32: [UnigramNode<Float>] = []
    var path: [PieceToken] = []
    /// The ids of the word's path being cached (`UnigramWordCache.unknownFlag` on unknown nodes).
    var wordIds: [UInt32] = []
    /// Recently encoded words (see `UnigramWordCache` for its bound, 2 MB).
    var cache = UnigramWordCache()

    package init() {}

    /// The largest buffer's capacity.
    var largestCapacity: Int { max(nodes.capacity, nodes32.capacity, path.capacity, wordIds.capacity) }
}

/// The best path ending at one byte position: its score, and the token that ends it.
struct UnigramNode<Score: BinaryFloatingPoint> {
    var score: Score
    var start: Int32
    var id: Int32

    /// Makes `nodes[0...size]` unreached, except position 0 (the path so far, scored `base`).
    static func reset(_ nodes: inout [UnigramNode], _ size: Int, base: Score) {
        let empty = UnigramNode(score: 0, start: -1, id: -1)
        if nodes.count < size + 1 {
            nodes = [UnigramNode](repeating: empty, count: size + 1)
        } else {
            nodes.withUnsafeMutableBufferPointer { for index in 0...size { $0[index] = empty } }
        }
        nodes[0] = UnigramNode(score: base, start: 0, id: -1)
    }
}
