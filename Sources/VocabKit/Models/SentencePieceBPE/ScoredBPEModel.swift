/// SentencePiece's BPE model: merges ranked by piece score instead of a merge list.
///
/// A `.model` file of type BPE stores only pieces and scores; the `sentencepiece` library encodes
/// by repeatedly merging the adjacent pair whose concatenation is a piece with the highest score
/// (leftmost on ties). User-defined pieces are matched first and never merged further; a merged
/// piece of type "unused" is split back into the two pieces it came from.
public struct ScoredBPEModel: Sendable {
    /// Every piece's bytes, by id, in one buffer (shared with `lookup`'s keys and the
    /// tokenizer's decoding table).
    package let pieceList: FlatByteStrings
    public let scores: [Float]
    public let kinds: [UnigramModel.PieceKind]
    public let unknownId: UInt32
    public let byteFallback: Bool
    /// Every piece → id (one table: merges look up here too, see `mergeableId(of:)`).
    let lookup: ByteStringTable
    /// The encoder's tables, built on the first encode (`EncodingTables`).
    let encodingTables = BuiltOnFirstUse<EncodingTables>()
    let userDefined: DoubleArrayTrie?
    let byteIds: [UInt32]
    /// Whether no piece merges may produce has "▁" after another character (and no
    /// user-defined piece ends in the first bytes of one), so no merge or match crosses the
    /// start of a word and words can be encoded (and cached) one by one.
    let mergesStayInWords: Bool
    /// The identity of this model's encodings in a thread's piece cache.
    let cacheIdentity = CacheIdentity()

    /// Every piece's bytes, by id, each as its own array.
    /// - Complexity: O(vocabulary bytes), an allocation per piece, on every call: read one
    ///   piece with `tokenString(_:)` or through the tokenizer.
    public var pieces: [[UInt8]] { pieceList.arrays }

    public init(pieces: [[UInt8]], scores: [Float], kinds: [UnigramModel.PieceKind], unknownId: UInt32,
                byteFallback: Bool) throws {
        try self.init(pieceList: FlatByteStrings(pieces), scores: scores, kinds: kinds, unknownId: unknownId,
                      byteFallback: byteFallback)
    }

    /// The model over `pieceList` (what `.model` loading builds, without an array per piece).
    ///
    /// 1. Check each piece (non-empty, finite score) and read what its type implies: whether a
    ///    merge can make a word start inside a piece, user-defined pieces, byte pieces.
    /// 2. Index the pieces (their buffer is the table's keys); refuse a repeated one.
    /// - Complexity: O(vocabulary bytes).
    package init(pieceList: FlatByteStrings, scores: [Float], kinds: [UnigramModel.PieceKind], unknownId: UInt32,
                 byteFallback: Bool) throws {
        guard pieceList.count == scores.count, pieceList.count == kinds.count, Int(unknownId) < pieceList.count else {
            throw ModelError.invalidModel("BPE: \(pieceList.count) pieces, \(scores.count) scores, \(kinds.count) types, unk id \(unknownId)")
        }
        // Phase 1.
        var userDefined: [[UInt8]] = []
        var byteIds = [UInt32](repeating: UInt32.max, count: 256)
        var mergesStayInWords = true
        try pieceList.withView { view in
            for id in 0..<view.count {
                let piece = view[id]
                guard !piece.isEmpty else { throw ModelError.invalidModel("BPE: piece \(id) is empty") }
                guard scores[id].isFinite else { throw ModelError.invalidModel("BPE: piece \(id) has score \(scores[id])") }
                switch kinds[id] {
                case .normal, .unused: if mergesStayInWords && Self.wordStart(in: piece, after: 0) != nil { mergesStayInWords = false }
                case .userDefined:
                    // Matched on bytes, not merged from characters: one that ends in the first
                    // bytes of "▁" (not UTF-8) can also reach across a word start.
                    let endsInPartialMeta = (piece.count >= 2 && piece[piece.count - 1] == 0xE2)
                        || (piece.count >= 3 && piece[piece.count - 2] == 0xE2 && piece[piece.count - 1] == 0x96)
                    if mergesStayInWords && (Self.wordStart(in: piece, after: 0) != nil || endsInPartialMeta) { mergesStayInWords = false }
                    if !piece.contains(0) { userDefined.append(Array(piece)) }
                case .byte:
                    if let byte = UnigramModel.byteValue(Array(piece)) { byteIds[Int(byte)] = UInt32(id) }
                case .unknown, .control: break
                }
            }
        }
        // Phase 2.
        guard let (lookup, duplicate) = ByteStringTable.indexing(pieceList) else {
            throw ModelError.invalidModel("BPE: the pieces hold 4 GiB of bytes or more")
        }
        if let duplicate {
            let piece = pieceList[duplicate]
            throw ModelError.invalidModel("BPE: piece \(String(decoding: piece, as: UTF8.self).debugDescription) is defined twice")
        }
        if byteFallback, let missing = byteIds.firstIndex(of: UInt32.max) {
            throw ModelError.invalidModel(String(format: "byte fallback is on but the byte piece <0x%02X> is missing", missing))
        }
        self.pieceList = pieceList
        self.scores = scores
        self.kinds = kinds
        self.unknownId = unknownId
        self.byteFallback = byteFallback
        self.lookup = lookup
        self.userDefined = userDefined.isEmpty ? nil
            : try DoubleArrayTrie(keys: userDefined, values: userDefined.indices.map { Int32($0) })
        self.byteIds = byteIds
        self.mergesStayInWords = mergesStayInWords
    }

    /// `wordStart(in:after:)` on a buffer, finding each E2 byte with `memchr` (CJK text, whose
    /// characters mostly lead with E3–E9, is skipped at memory speed).
    /// - Complexity: O(bytes scanned).
    @inline(__always)
    static func wordStart(in bytes: UnsafeBufferPointer<UInt8>, after start: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var j = start + 1
        while j + 2 < end {
            guard let found = memchr(base + j, 0xE2, end - 2 - j) else { return nil }
            j = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if base[j + 1] == 0x96 && base[j + 2] == 0x81
                && !(j - 3 >= 0 && base[j - 3] == 0xE2 && base[j - 2] == 0x96 && base[j - 1] == 0x81) {
                return j
            }
            j += 1
        }
        return nil
    }

    /// The first position after `start` where a word starts: a "▁" (E2 96 81) that follows a
    /// character other than "▁". Nil if there is none.
    /// - Complexity: O(bytes scanned).
    @inline(__always)
    static func wordStart<C: RandomAccessCollection>(in bytes: C, after start: C.Index) -> C.Index?
    where C.Element == UInt8, C.Index == Int {
        var j = start + 1
        let end = bytes.endIndex
        while j + 2 < end {
            if bytes[j] == 0xE2 && bytes[j + 1] == 0x96 && bytes[j + 2] == 0x81
                && !(j - 3 >= bytes.startIndex && bytes[j - 3] == 0xE2 && bytes[j - 2] == 0x96 && bytes[j - 1] == 0x81) {
                return j
            }
            j += 1
        }
        return nil
    }

    public var vocabularySize: Int { pieceList.count }

    /// What the encoder reads besides the piece table, built by the first encode so that
    /// loading does not pay for it (about 1.5 ms for Mistral's 32,000 pieces).
    struct EncodingTables: Sendable {
        /// The junctions of every split of every piece merges may produce.
        let junctions: JunctionFilter
        /// The id of each character below U+10000 that is a piece (by code point), else -1:
        /// one read from a 256 KB table instead of a hash probe and a byte comparison in the
        /// piece table.
        let characterIds: [Int32]
    }

    /// The encoder's tables (built on the first call). O(1) after the first call.
    /// - Complexity: O(vocabulary bytes) on the first call.
    func tables() -> EncodingTables {
        encodingTables.value {
            pieceList.withView { view in
                var characterIds = [Int32](repeating: -1, count: 0x10000)
                for id in 0..<view.count {
                    let piece = view[id]
                    if piece.count <= 3 && UTF8Validation.sequenceLength(piece, at: 0) == piece.count {
                        characterIds[Self.codePoint(piece, at: 0, length: piece.count)] = Int32(id)
                    }
                }
                return EncodingTables(junctions: JunctionFilter(view) { Self.isMergeable(kinds[$0]) }, characterIds: characterIds)
            }
        }
    }

    /// The code point of the well-formed character of `length` bytes (1 to 3) at `start`: the
    /// caller has checked it (`UTF8Validation.sequenceLength` gave `length`).
    @inline(__always)
    static func codePoint(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, length: Int) -> Int {
        let b0 = Int(bytes[start])
        switch length {
        case 1: return b0
        case 2: return (b0 & 0x1F) << 6 | Int(bytes[start + 1] & 0x3F)
        default: return (b0 & 0x0F) << 12 | Int(bytes[start + 1] & 0x3F) << 6 | Int(bytes[start + 2] & 0x3F)
        }
    }

    /// Whether merges may produce a piece of this type (normal, user-defined or unused).
    @inline(__always)
    static func isMergeable(_ kind: UnigramModel.PieceKind) -> Bool {
        switch kind {
        case .normal, .unused, .userDefined: return true
        case .unknown, .control, .byte: return false
        }
    }

    /// The id of a piece that merges may produce (normal, user-defined or unused), or nil.
    @inline(__always)
    func mergeableId(of piece: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let id = lookup.id(of: piece), Self.isMergeable(kinds[Int(id)]) else { return nil }
        return id
    }

    public func id<C: Collection>(of piece: C) -> UInt32? where C.Element == UInt8 { lookup.id(of: piece) }

    public func tokenString(_ id: UInt32) -> String {
        pieceList.text(Int(id))
    }
}

/// Appends tokens, fusing consecutive unknown tokens into one run. With `byteIds`, a run whose
/// bytes all have byte pieces is spelled as one byte token per UTF-8 byte (each covering its
/// character), as SentencePiece and HuggingFace do; a run with a byte that has no piece
/// (`UInt32.max`, possible in a HuggingFace file) stays one unknown token, as in HuggingFace.
func appendTokensFusingUnknowns(_ tokens: [PieceToken], piece: UnsafeBufferPointer<UInt8>, unknownId: UInt32,
                                byteIds: [UInt32]?, into output: inout [PieceToken]) {
    func flush(_ run: Range<Int>) {
        if let byteIds, run.allSatisfy({ byteIds[Int(piece[$0])] != UInt32.max }) {
            var i = run.lowerBound
            while i < run.upperBound {
                let length = min(run.upperBound - i, max(1, UTF8Validation.sequenceLength(piece, at: i)))
                for b in i..<(i + length) {
                    output.append(PieceToken(id: byteIds[Int(piece[b])], start: Int32(i), end: Int32(i + length)))
                }
                i += length
            }
        } else {
            output.append(PieceToken(id: unknownId, start: Int32(run.lowerBound), end: Int32(run.upperBound)))
        }
    }
    // Known tokens go in stretches, each one bulk copy (a checked append per token, and a call
    // per token to the run's flush, cost 4% of scored BPE on Chinese); each run of unknown
    // tokens is fused.
    tokens.withUnsafeBufferPointer { t in
        var i = 0
        while i < t.count {
            var j = i
            while j < t.count && t[j].id != unknownId { j += 1 }
            if j > i { output.append(contentsOf: UnsafeBufferPointer(rebasing: t[i..<j])) }
            guard j < t.count else { return }
            let start = Int(t[j].start)
            var end = Int(t[j].end)
            j += 1
            while j < t.count && t[j].id == unknownId { end = Int(t[j].end); j += 1 }
            flush(start..<end)
            i = j
        }
    }
}

import Foundation
