import Foundation
import VocabKit

/// The tokens of some distinct pieces under one model, encoded once each.
///
/// Pieces never interact (each is encoded on its own by every model), so a held-out text's
/// tokens are the concatenation of its pieces' tokens: measuring a text costs one encoding per
/// distinct piece plus integer sums per occurrence, instead of re-encoding running text.
struct PieceEncodings {
    /// Per piece id (dense over the corpus's pieces; -1 where not encoded).
    var tokenCounts: [Int32]
    /// Characters of the piece covered by unknown or byte-fallback tokens.
    var uncoveredCharacters: [Int32]
    var unknownTokens: [Int32]
    var fallbackTokens: [Int32]
    /// The token ids of piece p are `ids[starts[p]..<starts[p] + tokenCounts[p]]`.
    var starts: [Int]
    var ids: [UInt32]
    /// Words inside each piece (see `wordGroups`): how many, how many split into 2+ tokens, how
    /// many hold an unknown token, and their ids (`groupStarts[p]..<groupStarts[p] + wordCounts[p]`
    /// in `groupIds`), interned over all pieces so distinct words can be counted.
    var wordCounts: [Int32]
    var splitWords: [Int32]
    var unknownWords: [Int32]
    var groupStarts: [Int]
    var groupIds: [Int32]
    /// Whether each distinct word is out of vocabulary (not one known token).
    var groupIsOOV: [Bool]

    /// Encodes `needed` pieces in parallel chunks (merged in chunk order: the result does not
    /// depend on the thread count).
    /// - Complexity: one model encoding per needed piece.
    init(model: TokenModel, classes: [TokenClass], pieces: [[UInt8]], needed: [Int32]) {
        let count = pieces.count
        var tokenCounts = [Int32](repeating: -1, count: count)
        var uncovered = [Int32](repeating: 0, count: count)
        var unknown = [Int32](repeating: 0, count: count)
        var fallback = [Int32](repeating: 0, count: count)
        var starts = [Int](repeating: 0, count: count)
        let chunkCount = min(64, max(1, needed.count / 256))
        let chunkSize = (needed.count + chunkCount - 1) / max(1, chunkCount)
        var chunkIds = [[UInt32]](repeating: [], count: chunkCount)
        var wordCounts = [Int32](repeating: 0, count: count)
        var splitWords = [Int32](repeating: 0, count: count)
        var unknownWords = [Int32](repeating: 0, count: count)
        /// Per chunk: each word's bytes and whether it is OOV, in piece order.
        var chunkGroups = [[(word: [UInt8], oov: Bool)]](repeating: [], count: chunkCount)
        tokenCounts.withUnsafeMutableBufferPointer { tc in
        uncovered.withUnsafeMutableBufferPointer { uc in
        unknown.withUnsafeMutableBufferPointer { un in
        fallback.withUnsafeMutableBufferPointer { fb in
        starts.withUnsafeMutableBufferPointer { st in
        chunkIds.withUnsafeMutableBufferPointer { chunkIds in
        wordCounts.withUnsafeMutableBufferPointer { wc in
        splitWords.withUnsafeMutableBufferPointer { sw in
        unknownWords.withUnsafeMutableBufferPointer { uw in
        chunkGroups.withUnsafeMutableBufferPointer { chunkGroups in
            let (tc, uc, un, fb, st, out) = (tc, uc, un, fb, st, chunkIds)
            let (wc, sw, uw, outGroups) = (wc, sw, uw, chunkGroups)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { k in
                var scratch = BPEScratch()
                var output: [PieceToken] = []
                var ids: [UInt32] = []
                var marks: [Bool] = []
                var groups: [(word: [UInt8], oov: Bool)] = []
                for index in (k * chunkSize)..<min(needed.count, (k + 1) * chunkSize) {
                    let p = Int(needed[index])
                    let piece = pieces[p]
                    output.removeAll(keepingCapacity: true)
                    piece.withUnsafeBufferPointer { model.encode(piece: $0, into: &output, scratch: &scratch) }
                    st[p] = ids.count
                    tc[p] = Int32(output.count)
                    var unknownCount: Int32 = 0, fallbackCount: Int32 = 0, anyUncovered = false
                    for token in output {
                        ids.append(token.id)
                        switch classes[Int(token.id)] {
                        case .unknown: unknownCount += 1; anyUncovered = true
                        case .byteFallback: fallbackCount += 1; anyUncovered = true
                        default: break
                        }
                    }
                    un[p] = unknownCount
                    fb[p] = fallbackCount
                    if anyUncovered {
                        marks = [Bool](repeating: false, count: piece.count)
                        for token in output where classes[Int(token.id)] == .unknown || classes[Int(token.id)] == .byteFallback {
                            for i in Int(token.start)..<Int(token.end) { marks[i] = true }
                        }
                        var characters: Int32 = 0
                        for i in 0..<piece.count where marks[i] && piece[i] & 0xC0 != 0x80 { characters += 1 }
                        uc[p] = characters
                    }
                    // Words: runs of tokens from one word-initial token to the next.
                    var groupStart = 0
                    while groupStart < output.count {
                        var groupEnd = groupStart + 1
                        while groupEnd < output.count && !startsWord(piece, at: Int(output[groupEnd].start)) { groupEnd += 1 }
                        let bytes = Array(piece[Int(output[groupStart].start)..<Int(output[groupEnd - 1].end)])
                        if holdsLetterOrNumber(bytes) {
                            let hasUnknown = output[groupStart..<groupEnd].contains { classes[Int($0.id)] == .unknown }
                            wc[p] += 1
                            if groupEnd - groupStart >= 2 { sw[p] += 1 }
                            if hasUnknown { uw[p] += 1 }
                            groups.append((bytes, groupEnd - groupStart >= 2 || hasUnknown))
                        }
                        groupStart = groupEnd
                    }
                }
                out[k] = ids
                outGroups[k] = groups
            }
        }}}}}}}}}}
        // Concatenate the chunks' ids; shift each chunk's starts.
        var ids: [UInt32] = []
        ids.reserveCapacity(chunkIds.reduce(0) { $0 + $1.count })
        for k in 0..<chunkCount {
            let shift = ids.count
            for index in (k * chunkSize)..<min(needed.count, (k + 1) * chunkSize) { starts[Int(needed[index])] += shift }
            ids += chunkIds[k]
        }
        self.tokenCounts = tokenCounts
        self.uncoveredCharacters = uncovered
        self.unknownTokens = unknown
        self.fallbackTokens = fallback
        self.starts = starts
        self.ids = ids
        // Intern the words in chunk order (ids do not depend on the thread count).
        var groupStarts = [Int](repeating: 0, count: count)
        var groupIds: [Int32] = [], groupIsOOV: [Bool] = [], interned: [[UInt8]: Int32] = [:]
        for k in 0..<chunkCount {
            var position = 0
            for index in (k * chunkSize)..<min(needed.count, (k + 1) * chunkSize) {
                let p = Int(needed[index])
                groupStarts[p] = groupIds.count
                for _ in 0..<Int(wordCounts[p]) {
                    let (word, oov) = chunkGroups[k][position]
                    position += 1
                    if let id = interned[word] {
                        groupIds.append(id)
                    } else {
                        let id = Int32(groupIsOOV.count)
                        interned[word] = id
                        groupIsOOV.append(oov)
                        groupIds.append(id)
                    }
                }
            }
        }
        self.wordCounts = wordCounts
        self.splitWords = splitWords
        self.unknownWords = unknownWords
        self.groupStarts = groupStarts
        self.groupIds = groupIds
        self.groupIsOOV = groupIsOOV
    }
}

/// Whether a token starting at `offset` of `piece` starts a new word: it begins with a space or
/// "▁" (Metaspace, SentencePiece), or follows whitespace. Pieces that hold whole lines
/// (SentencePiece `.model` files) are so cut into words; word-sized pieces stay one word.
@inline(__always)
func startsWord(_ piece: [UInt8], at offset: Int) -> Bool {
    guard offset > 0 && offset < piece.count else { return offset == 0 }
    let byte = piece[offset]
    if byte == 0x20 || byte == 0x0A || byte == 0x09 { return true }
    if byte == 0xE2 && offset + 2 < piece.count && piece[offset + 1] == 0x96 && piece[offset + 2] == 0x81 { return true }
    let previous = piece[offset - 1]
    return previous == 0x20 || previous == 0x0A || previous == 0x09
}

/// Whether `bytes` hold a letter or a number (ASCII checked directly, the rest by general category).
func holdsLetterOrNumber(_ bytes: [UInt8]) -> Bool {
    var ascii = true
    for byte in bytes {
        if byte >= 0x80 { ascii = false; continue }
        if (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) { return true }
    }
    guard !ascii else { return false }
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default: continue
        }
    }
    return false
}
