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
    /// Words inside each piece (see `startsWord`): how many, how many split into 2+ tokens, how
    /// many hold an unknown token, and their ids (`groupStarts[p]..<groupStarts[p] + wordCounts[p]`
    /// in `groupIds`), interned over all pieces so distinct words can be counted.
    var wordCounts: [Int32]
    var splitWords: [Int32]
    var unknownWords: [Int32]
    var groupStarts: [Int]
    var groupIds: [Int32]
    /// Whether each distinct word is out of vocabulary (not one known token).
    var groupIsOOV: [Bool]

    /// What one chunk of pieces encoded to, in the order of `needed`.
    private struct Chunk {
        /// Per piece: tokens, uncovered characters, unknown and fallback tokens, words, split
        /// words, words with an unknown token.
        var counts: [(tokens: Int32, uncovered: Int32, unknown: Int32, fallback: Int32, words: Int32, split: Int32, unknownWords: Int32)] = []
        var ids: [UInt32] = []
        /// Each word's bytes and whether it is OOV, piece after piece.
        var words: [(bytes: [UInt8], oov: Bool)] = []
    }

    /// Encodes `needed` pieces in parallel chunks, then lays the chunks out in order (the result
    /// does not depend on the thread count).
    /// - Complexity: one model encoding per needed piece.
    init(model: TokenModel, classes: [TokenClass], pieces: [[UInt8]], needed: [Int32]) {
        // 1. Encode, chunk by chunk.
        let chunkCount = min(64, max(1, needed.count / 256))
        let chunkSize = (needed.count + chunkCount - 1) / chunkCount
        let chunks = Parallel.map(chunkCount) { k in
            var chunk = Chunk()
            var scratch = EncoderScratch()
            var output: [PieceToken] = []
            model.withPieceEncoder { encodePiece in
                for index in (k * chunkSize)..<min(needed.count, (k + 1) * chunkSize) {
                    let piece = pieces[Int(needed[index])]
                    output.removeAll(keepingCapacity: true)
                    piece.withUnsafeBufferPointer { encodePiece($0, &output, &scratch) }
                    chunk.counts.append(Self.summarize(piece, output, classes: classes, ids: &chunk.ids, words: &chunk.words))
                }
            }
            return chunk
        }
        // 2. Lay out by piece id; intern the words.
        let count = pieces.count
        tokenCounts = [Int32](repeating: -1, count: count)
        uncoveredCharacters = [Int32](repeating: 0, count: count)
        unknownTokens = [Int32](repeating: 0, count: count)
        fallbackTokens = [Int32](repeating: 0, count: count)
        starts = [Int](repeating: 0, count: count)
        wordCounts = [Int32](repeating: 0, count: count)
        splitWords = [Int32](repeating: 0, count: count)
        unknownWords = [Int32](repeating: 0, count: count)
        groupStarts = [Int](repeating: 0, count: count)
        ids = []
        groupIds = []
        groupIsOOV = []
        var interned: [[UInt8]: Int32] = [:]
        for (k, chunk) in chunks.enumerated() {
            var tokenPosition = ids.count, wordPosition = 0
            for (offset, c) in chunk.counts.enumerated() {
                let p = Int(needed[k * chunkSize + offset])
                (tokenCounts[p], uncoveredCharacters[p], unknownTokens[p], fallbackTokens[p]) = (c.tokens, c.uncovered, c.unknown, c.fallback)
                (wordCounts[p], splitWords[p], unknownWords[p]) = (c.words, c.split, c.unknownWords)
                starts[p] = tokenPosition
                tokenPosition += Int(c.tokens)
                groupStarts[p] = groupIds.count
                for (word, oov) in chunk.words[wordPosition..<(wordPosition + Int(c.words))] {
                    if let id = interned[word] {
                        groupIds.append(id)
                    } else {
                        let id = Int32(groupIsOOV.count)
                        interned[word] = id
                        groupIsOOV.append(oov)
                        groupIds.append(id)
                    }
                }
                wordPosition += Int(c.words)
            }
            ids += chunk.ids
        }
    }

    /// One piece's tokens: appends their ids and the piece's words, returns its counts.
    private static func summarize(_ piece: [UInt8], _ output: [PieceToken], classes: [TokenClass], ids: inout [UInt32],
                                  words: inout [(bytes: [UInt8], oov: Bool)])
        -> (tokens: Int32, uncovered: Int32, unknown: Int32, fallback: Int32, words: Int32, split: Int32, unknownWords: Int32) {
        var result: (tokens: Int32, uncovered: Int32, unknown: Int32, fallback: Int32, words: Int32, split: Int32, unknownWords: Int32)
            = (Int32(output.count), 0, 0, 0, 0, 0, 0)
        // Tokens, and the characters that unknown and byte-fallback tokens cover.
        var marks: [Bool]?
        for token in output {
            ids.append(token.id)
            switch classes[Int(token.id)] {
            case .unknown: result.unknown += 1
            case .byteFallback: result.fallback += 1
            default: continue
            }
            if marks == nil { marks = [Bool](repeating: false, count: piece.count) }
            for i in Int(token.start)..<Int(token.end) { marks![i] = true }
        }
        if let marks {
            for i in 0..<piece.count where marks[i] && piece[i] & 0xC0 != 0x80 { result.uncovered += 1 }
        }
        // Words: runs of tokens from one word-initial token to the next.
        var groupStart = 0
        while groupStart < output.count {
            var groupEnd = groupStart + 1
            while groupEnd < output.count && !startsWord(piece, at: Int(output[groupEnd].start)) { groupEnd += 1 }
            let bytes = Array(piece[Int(output[groupStart].start)..<Int(output[groupEnd - 1].end)])
            if holdsLetterOrNumber(bytes) {
                let hasUnknown = output[groupStart..<groupEnd].contains { classes[Int($0.id)] == .unknown }
                let split = groupEnd - groupStart >= 2
                result.words += 1
                if split { result.split += 1 }
                if hasUnknown { result.unknownWords += 1 }
                words.append((bytes, split || hasUnknown))
            }
            groupStart = groupEnd
        }
        return result
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

/// Whether `bytes` hold a letter or a number (`\p{L}` or `\p{N}`, by ICU's tables as the front
/// end uses them; ASCII checked directly).
func holdsLetterOrNumber(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { p in
        var i = 0
        while i < p.count {
            let byte = p[i]
            if byte < 0x80 {
                if (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) { return true }
                i += 1
                continue
            }
            let (scalar, length) = decodeScalar(p, i)
            let category = UnicodeTables.category(scalar)
            if category.isLetter || category.isNumber { return true }
            i += length
        }
        return false
    }
}
