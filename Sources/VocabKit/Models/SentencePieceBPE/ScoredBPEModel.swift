/// SentencePiece's BPE model: merges ranked by piece score instead of a merge list.
///
/// A `.model` file of type BPE stores only pieces and scores; the `sentencepiece` library encodes
/// by repeatedly merging the adjacent pair whose concatenation is a piece with the highest score
/// (leftmost on ties). User-defined pieces are matched first and never merged further; a merged
/// piece of type "unused" is split back into the two pieces it came from.
public struct ScoredBPEModel: Sendable {
    public let pieces: [[UInt8]]
    public let scores: [Float]
    public let kinds: [UnigramModel.PieceKind]
    public let unknownId: UInt32
    public let byteFallback: Bool
    /// Pieces that merges may produce (normal, user-defined, unused) → id.
    let mergeable: ByteStringTable
    /// Every piece → id.
    let lookup: ByteStringTable
    let userDefined: DoubleArrayTrie?
    let byteIds: [UInt32]

    public init(pieces: [[UInt8]], scores: [Float], kinds: [UnigramModel.PieceKind], unknownId: UInt32,
                byteFallback: Bool) throws {
        guard pieces.count == scores.count, pieces.count == kinds.count, Int(unknownId) < pieces.count else {
            throw ModelError.invalidModel("BPE: \(pieces.count) pieces, \(scores.count) scores, \(kinds.count) types, unk id \(unknownId)")
        }
        var mergeable = ByteStringTable(capacity: pieces.count)
        var lookup = ByteStringTable(capacity: pieces.count)
        var userDefined: [[UInt8]] = []
        var byteIds = [UInt32](repeating: UInt32.max, count: 256)
        for (id, piece) in pieces.enumerated() {
            guard !piece.isEmpty else { throw ModelError.invalidModel("BPE: piece \(id) is empty") }
            guard lookup.id(of: piece) == nil else {
                throw ModelError.invalidModel("BPE: piece \(String(decoding: piece, as: UTF8.self).debugDescription) is defined twice")
            }
            lookup.insert(piece, id: UInt32(id))
            switch kinds[id] {
            case .normal, .unused: mergeable.insert(piece, id: UInt32(id))
            case .userDefined:
                mergeable.insert(piece, id: UInt32(id))
                if !piece.contains(0) { userDefined.append(piece) }
            case .byte:
                if let byte = UnigramModel.byteValue(piece) { byteIds[Int(byte)] = UInt32(id) }
            case .unknown, .control: break
            }
        }
        if byteFallback, let missing = byteIds.firstIndex(of: UInt32.max) {
            throw ModelError.invalidModel(String(format: "byte fallback is on but the byte piece <0x%02X> is missing", missing))
        }
        self.pieces = pieces
        self.scores = scores
        self.kinds = kinds
        self.unknownId = unknownId
        self.byteFallback = byteFallback
        self.mergeable = mergeable
        self.lookup = lookup
        self.userDefined = userDefined.isEmpty ? nil
            : try DoubleArrayTrie(keys: userDefined, values: userDefined.indices.map { Int32($0) })
        self.byteIds = byteIds
    }

    public var vocabularySize: Int { pieces.count }

    public func id<C: Collection>(of piece: C) -> UInt32? where C.Element == UInt8 { lookup.id(of: piece) }

    public func tokenString(_ id: UInt32) -> String {
        Int(id) < pieces.count ? String(decoding: pieces[Int(id)], as: UTF8.self) : ""
    }

    /// Encodes one piece of normalized text, appending tokens.
    ///
    /// 1. Split into characters, user-defined pieces kept whole and frozen.
    /// 2. Push every adjacent pair that forms a piece onto a max-heap by (score, -left).
    /// 3. Pop, skip stale pairs, merge (or skip with probability `dropout`), push the new
    ///    neighbours' pairs.
    /// 4. Split unused pieces back into the pair they were merged from; map symbols to ids
    ///    (unknown runs fused, or spelled as bytes with byte fallback).
    /// - Complexity: O(n log n).
    package func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken],
                       dropout: Double = 0, generator: inout SplitMix64) {
        let n = piece.count
        guard n > 0 else { return }
        // Phase 1: symbols as byte ranges with links.
        var starts: [Int32] = [], ends: [Int32] = [], frozen: [Bool] = []
        starts.reserveCapacity(n); ends.reserveCapacity(n); frozen.reserveCapacity(n)
        var i = 0
        while i < n {
            var length = 0
            userDefined?.forEachPrefix(of: piece, from: i, to: n) { _, l in length = max(length, l) }
            let isFrozen = length > 0
            if !isFrozen { length = min(n - i, max(1, UTF8Validation.sequenceLength(piece, at: i))) }
            starts.append(Int32(i)); ends.append(Int32(i + length)); frozen.append(isFrozen)
            i += length
        }
        let count = starts.count
        var previous = (0..<count).map { Int32($0) - 1 }
        var next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : -1 }
        var alive = [Bool](repeating: true, count: count)
        // Phase 2: candidate pairs. Key: higher score first, then smaller left index.
        struct Pair { var score: Float; var left: Int32; var right: Int32; var size: Int32 }
        var agenda = PriorityHeap<Pair> { a, b in a.score > b.score || (a.score == b.score && a.left < b.left) }
        var unusedSplits: [[UInt8]: Int] = [:]
        func consider(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0, !frozen[Int(left)], !frozen[Int(right)] else { return }
            let from = Int(starts[Int(left)]), to = Int(ends[Int(right)])
            guard let id = mergeable.id(of: UnsafeBufferPointer(rebasing: piece[from..<to])) else { return }
            agenda.push(Pair(score: scores[Int(id)], left: left, right: right, size: Int32(to - from)))
            if kinds[Int(id)] == .unused {
                unusedSplits[Array(piece[from..<to])] = Int(ends[Int(left)]) - from
            }
        }
        for index in 1..<max(1, count) { consider(Int32(index - 1), Int32(index)) }
        // Phase 3: merge.
        while let top = agenda.pop() {
            let left = Int(top.left), right = Int(top.right)
            guard alive[left], alive[right], next[left] == top.right,
                  ends[right] - starts[left] == top.size else { continue }
            if dropout > 0 && (dropout >= 1 || Double.random(in: 0..<1, using: &generator) < dropout) { continue }
            ends[left] = ends[right]
            alive[right] = false
            next[left] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(left) }
            consider(previous[left], Int32(left))
            consider(Int32(left), next[left])
        }
        // Phase 4: ids.
        var tokens: [PieceToken] = []
        func resegment(_ from: Int, _ to: Int) {
            let bytes = UnsafeBufferPointer(rebasing: piece[from..<to])
            if let id = lookup.id(of: bytes) {
                if kinds[Int(id)] == .unused, let split = unusedSplits[Array(bytes)] {
                    resegment(from, from + split)
                    resegment(from + split, to)
                    return
                }
                tokens.append(PieceToken(id: id, start: Int32(from), end: Int32(to)))
            } else {
                tokens.append(PieceToken(id: unknownId, start: Int32(from), end: Int32(to)))
            }
        }
        var index: Int32 = 0
        while index >= 0 && Int(index) < count {
            resegment(Int(starts[Int(index)]), Int(ends[Int(index)]))
            index = next[Int(index)]
        }
        appendTokensFusingUnknowns(tokens, piece: piece, unknownId: unknownId, byteIds: byteFallback ? byteIds : nil, into: &output)
    }
}

/// Appends tokens, fusing consecutive unknown tokens into one run. With `byteIds`, a run whose
/// bytes all have byte pieces is spelled as one byte token per UTF-8 byte (each covering its
/// character), as SentencePiece and HuggingFace do; a run with a byte that has no piece
/// (`UInt32.max`, possible in a HuggingFace file) stays one unknown token, as in HuggingFace.
func appendTokensFusingUnknowns<S: Sequence>(_ tokens: S, piece: UnsafeBufferPointer<UInt8>, unknownId: UInt32,
                                             byteIds: [UInt32]?, into output: inout [PieceToken])
where S.Element == PieceToken {
    var run: Range<Int>?
    func flush() {
        guard let current = run else { return }
        run = nil
        if let byteIds, current.allSatisfy({ byteIds[Int(piece[$0])] != UInt32.max }) {
            var i = current.lowerBound
            while i < current.upperBound {
                let length = min(current.upperBound - i, max(1, UTF8Validation.sequenceLength(piece, at: i)))
                for b in i..<(i + length) {
                    output.append(PieceToken(id: byteIds[Int(piece[b])], start: Int32(i), end: Int32(i + length)))
                }
                i += length
            }
        } else {
            output.append(PieceToken(id: unknownId, start: Int32(current.lowerBound), end: Int32(current.upperBound)))
        }
    }
    for token in tokens {
        if token.id == unknownId {
            run = (run?.lowerBound ?? Int(token.start))..<Int(token.end)
        } else {
            flush()
            output.append(token)
        }
    }
    flush()
}

import Foundation
