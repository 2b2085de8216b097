import Foundation
import VocabKit
import VocabTraining

/// A `SweepCorpus` run through one front end: every unit as a sequence of interned piece ids.
///
/// Pre-tokenizing once serves every fold, algorithm and size that shares the front end: training
/// counts are sums over folds, and held-out text is evaluated one distinct piece at a time
/// (a piece always encodes to the same tokens), then weighted by its occurrences.
public struct PreTokenizedCorpus: Sendable {
    /// Distinct normalized pieces, by id in first-seen order.
    public let pieces: [[UInt8]]
    /// The pieces of unit u are `unitPieces[unitStarts[u]..<unitStarts[u + 1]]`.
    let unitPieces: [Int32]
    let unitStarts: [Int]
    /// Per group, the characters the normalizer removed or changed (`FrontEndChanges`).
    public let changedCharactersByGroup: [Int]

    /// Pre-tokenizes every unit of `corpus` with `frontEnd`.
    ///
    /// 1. A window of chunks of units is split in parallel, each chunk into its own local piece
    ///    table.
    /// 2. The window's local tables are merged in chunk order (so ids do not depend on the thread
    ///    count) and dropped before the next window: local tables never outgrow one window.
    /// - Complexity: O(bytes) front-end work, plus hashing every piece twice; memory is 4 bytes
    ///   per piece occurrence, the distinct pieces, and one window of local tables.
    public init(_ corpus: SweepCorpus, frontEnd: TextFrontEnd) throws {
        let chunkSize = 1024
        let chunkCount = (corpus.unitCount + chunkSize - 1) / chunkSize
        let window = 8 * ProcessInfo.processInfo.activeProcessorCount
        struct Local {
            var pieces: [[UInt8]] = [], ids: [[UInt8]: Int32] = [:], sequence: [Int32] = [], lengths: [Int32] = []
            var changed: [Int]
        }
        let groupCount = corpus.groupNames.count
        var pieces: [[UInt8]] = [], ids: [[UInt8]: Int32] = [:]
        var unitPieces: [Int32] = [], unitStarts: [Int] = [0]
        unitStarts.reserveCapacity(corpus.unitCount + 1)
        var changed = [Int](repeating: 0, count: groupCount)
        for windowStart in stride(from: 0, to: chunkCount, by: window) {
            // Phase 1.
            let locals = try Parallel.map(min(window, chunkCount - windowStart)) { offset in
                let k = windowStart + offset
                var local = Local(changed: [Int](repeating: 0, count: groupCount))
                for u in (k * chunkSize)..<min(corpus.unitCount, (k + 1) * chunkSize) {
                    let text = corpus.unitText(u)
                    let normalized = try frontEnd.normalize(text)
                    local.changed[Int(corpus.unitGroups[u])] += FrontEndChanges.changedCharacters(original: text, normalized: normalized)
                    var processed = PreTokenizedText(normalized)
                    try frontEnd.preTokenizer.preTokenize(&processed)
                    local.lengths.append(Int32(processed.pieces.count))
                    for range in processed.pieces {
                        let piece = Array(processed.text.bytes[range])
                        if let id = local.ids[piece] {
                            local.sequence.append(id)
                        } else {
                            let id = Int32(local.pieces.count)
                            local.ids[piece] = id
                            local.pieces.append(piece)
                            local.sequence.append(id)
                        }
                    }
                }
                return local
            }
            // Phase 2.
            for local in locals {
                let remap = local.pieces.map { piece -> Int32 in
                    if let id = ids[piece] { return id }
                    let id = Int32(pieces.count)
                    ids[piece] = id
                    pieces.append(piece)
                    return id
                }
                var position = 0
                for length in local.lengths {
                    for _ in 0..<Int(length) { unitPieces.append(remap[Int(local.sequence[position])]); position += 1 }
                    unitStarts.append(unitPieces.count)
                }
                for g in 0..<groupCount { changed[g] += local.changed[g] }
            }
            if windowStart == 0 && chunkCount > window {
                // Reserve for the whole corpus from the first window's pieces per byte (10% spare),
                // so the largest array is not doubled while it grows.
                let seen = corpus.unitRanges[0..<(unitStarts.count - 1)].reduce(0) { $0 + $1.count }
                unitPieces.reserveCapacity(Int(Double(unitPieces.count) * Double(corpus.byteCount) / Double(max(seen, 1)) * 1.1))
            }
        }
        self.pieces = pieces
        self.unitPieces = unitPieces
        self.unitStarts = unitStarts
        changedCharactersByGroup = changed
    }

    /// The word counts of the units not in `fold` (the training side of that fold), sorted by
    /// bytes as `WordCounter` sorts them, so trainers see exactly what `vocab train` would give them.
    public func trainingCounts(_ corpus: SweepCorpus, excludingFold fold: Int) -> WordCounts {
        var counts = [Int64](repeating: 0, count: pieces.count)
        var lines = 0, bytes = 0
        for u in 0..<corpus.unitCount where Int(corpus.unitFolds[u]) != fold {
            lines += 1
            bytes += corpus.unitRanges[u].count
            for p in unitPieces[unitStarts[u]..<unitStarts[u + 1]] { counts[Int(p)] += 1 }
        }
        var words: [(word: [UInt8], count: Int64)] = []
        var long = LongPieces()
        for (id, count) in counts.enumerated() where count > 0 {
            // Pieces over the length limit are skipped, as `vocab train` skips them.
            guard pieces[id].count <= TrainingDefaults.maxPieceBytes else {
                long = LongPieces(count: long.count + Int(count), bytes: long.bytes + Int(count) * pieces[id].count)
                continue
            }
            words.append((pieces[id], count))
        }
        words.sort { $0.word.lexicographicallyPrecedes($1.word) }
        return WordCounts(words: words, lines: lines, bytes: bytes, sampledFrom: nil, replacedInvalidSequences: 0, longPieces: long)
    }
}
