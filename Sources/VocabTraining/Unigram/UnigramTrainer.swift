import Dispatch
import Foundation
import VocabKit

/// Options of the Unigram trainer. Defaults follow SentencePiece's `spm_train --model_type=unigram`.
public struct UnigramTrainerOptions: Sendable {
    public var vocabularySize: Int
    /// Share of character occurrences the kept characters must cover; the rest are unknown.
    public var characterCoverage = TrainingDefaults.characterCoverage
    /// Longest piece, in characters.
    public var maxPieceLength = 16
    /// Each pruning round keeps this share of the pieces (or the target, if larger).
    public var shrinkingFactor = 0.75
    /// EM iterations between pruning rounds.
    public var subIterations = 2
    /// How many frequent substrings seed the vocabulary.
    public var seedPieceCount = 1_000_000
    /// A piece may not mix Unicode scripts (Hiragana and Katakana count as Han, as in SentencePiece).
    public var splitByUnicodeScript = true
    /// A piece may not mix digits with letters.
    public var splitByNumber = true
    /// Digits are pieces of their own.
    public var splitDigits = false
    /// "▁" only at a piece's start (the words of the front end are whitespace-delimited). Off for
    /// sentence-level training, where "▁" may be inside a piece (not at its end).
    public var splitByWhitespace = true
    /// Adds the 256 `<0xAB>` byte pieces so that no character is unknown.
    public var byteFallback = false
    /// Special pieces, which take the first ids; `unknownToken` must be one of them.
    public var specialTokens = ["<unk>", "<s>", "</s>"]
    public var unknownToken = "<unk>"
    /// Worker threads for the seed scan, the E-step, pruning and the models' builds (0: all
    /// cores). Results do not depend on it.
    public var threads = 0

    public init(vocabularySize: Int) { self.vocabularySize = vocabularySize }
}

/// One vocabulary of the pruning sequence: the pieces that survived a round, with their scores.
public struct UnigramRound: Sendable {
    public var pieces: [[UInt8]]
    public var scores: [Double]
    /// The negative log likelihood per word (count-weighted) after this round's EM.
    public var objective: Double
}

/// What training produced: the model and the nested vocabularies of every pruning round.
public struct UnigramTraining: Sendable {
    public var model: UnigramModel
    /// Rounds from the seed vocabulary down to the final one (largest first).
    public var rounds: [UnigramRound]
    /// Characters kept by the coverage threshold.
    public var requiredCharacters: [[UInt8]]
    public var seedCount: Int
    let options: UnigramTrainerOptions

    /// A model of `size` pieces from the pruning sequence, without retraining: the smallest
    /// round with at least that many pieces, cut to the highest scores, required characters kept.
    public func model(size: Int) throws -> UnigramModel {
        guard let round = rounds.last(where: { $0.pieces.count + metaCount(options) >= size }) ?? rounds.first else {
            throw TrainingError.invalidOption("no vocabulary was recorded")
        }
        return try UnigramTrainer.finalize(round, required: requiredCharacters, size: size, options: options)
    }
}

func metaCount(_ options: UnigramTrainerOptions) -> Int {
    options.specialTokens.count + (options.byteFallback ? 256 : 0)
}

/// Trains a Unigram vocabulary (Kudo 2018) from piece counts, as SentencePiece does.
///
/// 1. Characters: keep the most frequent up to `characterCoverage` of all occurrences.
/// 2. Seeds: every character, and the `seedPieceCount` repeated substrings with the highest
///    frequency x length, found with a suffix array over the distinct words (each occurrence
///    weighted by its word's count). Scores start as log relative frequencies.
/// 3. EM: expected piece counts by forward-backward over each word's lattice (in parallel), then
///    the Bayesian M-step `digamma(count) - digamma(total)`, dropping pieces expected less than
///    0.5 times; `subIterations` times.
/// 4. Prune: drop the pieces whose removal loses least likelihood (the loss of replacing each
///    piece by its second-best segmentation), keeping `shrinkingFactor` of them; back to 3 until
///    at most 1.1 x the target remain. Each round's vocabulary is kept.
/// 5. Finalize: special tokens, byte pieces, required characters, then the best-scored pieces up
///    to the target size, in descending score order.
public struct UnigramTrainer: Sendable {
    public var options: UnigramTrainerOptions

    public init(options: UnigramTrainerOptions) { self.options = options }

    public func train(_ counts: WordCounts, progress: ((TrainingProgress) -> Void)? = nil) throws -> UnigramTraining {
        guard options.specialTokens.contains(options.unknownToken) else {
            throw TrainingError.invalidOption("the unknown token \(options.unknownToken) must be one of the special tokens")
        }
        guard options.shrinkingFactor > 0 && options.shrinkingFactor < 1 else {
            throw TrainingError.invalidOption("the shrinking factor must be between 0 and 1")
        }
        guard options.maxPieceLength >= 1 else { throw TrainingError.invalidOption("the maximum piece length must be at least 1") }
        guard options.seedPieceCount >= 0 else { throw TrainingError.invalidOption("the seed piece count must be at least 0") }
        let words = counts.words.filter { !$0.word.isEmpty }
        guard !words.isEmpty else { throw TrainingError.invalidOption("the corpus has no words to train on") }
        // Phase 1: characters.
        let required = try characterAlphabet(counts, limit: nil, coverage: options.characterCoverage)
        let meta = metaCount(options)
        guard options.vocabularySize >= meta + required.count else {
            throw TrainingError.vocabularyTooSmall(requested: options.vocabularySize, minimum: meta + required.count,
                                                   reason: "special and byte pieces plus the \(required.count) characters kept by coverage \(options.characterCoverage)")
        }
        // Phase 2: seeds.
        progress?(TrainingProgress(phase: "seed pieces", done: 0, total: nil))
        var pieces = seedPieces(words, required: required)
        let seedCount = pieces.count
        var rounds: [UnigramRound] = []
        let desired = max(options.vocabularySize - meta, Int(Double(options.vocabularySize - meta) * 1.1))
        // Phases 3-4: EM and pruning.
        var round = 0
        while true {
            var objective = 0.0
            for _ in 0..<max(1, options.subIterations) {
                let model = try trainingModel(pieces)
                let (expected, nll) = expectation(model, words)
                objective = nll
                pieces = maximization(pieces, expected: expected)
            }
            round += 1
            progress?(TrainingProgress(phase: "EM round \(round): \(pieces.count) pieces, objective \(String(format: "%.4f", objective))",
                                       done: round, total: nil))
            rounds.append(UnigramRound(pieces: pieces.map(\.piece), scores: pieces.map(\.score), objective: objective))
            if pieces.count <= desired { break }
            let pruned = try prune(pieces, words, target: max(desired, Int(options.shrinkingFactor * Double(pieces.count))))
            if pruned.count == pieces.count { break }
            pieces = pruned
        }
        // Phase 5.
        let model = try Self.finalize(rounds[rounds.count - 1], required: required, size: options.vocabularySize, options: options)
        return UnigramTraining(model: model, rounds: rounds, requiredCharacters: required, seedCount: seedCount,
                               options: options)
    }

    typealias Piece = (piece: [UInt8], score: Double)

    // MARK: - Phase 2: seeds

    /// Characters by frequency, then the best repeated substrings, scored as log relative
    /// frequency x length.
    /// `cutBackAt` overrides when each part's candidate list is cut back (tests: every few candidates).
    func seedPieces(_ words: [(word: [UInt8], count: Int64)], required: [[UInt8]], cutBackAt: Int? = nil) -> [Piece] {
        // Symbols: 1...K for required characters (code point order), K+1 for any other
        // character, K+2 between words, 0 at the end.
        var symbolOf: [UInt32: Int32] = [:]
        var scalars: [UInt32] = []
        for (index, bytes) in required.enumerated() {
            let scalar = bytes.withUnsafeBufferPointer { decodeScalar($0, 0).0 }
            symbolOf[scalar] = Int32(index + 1)
            scalars.append(scalar)
        }
        let other = Int32(required.count + 1), boundary = Int32(required.count + 2)
        // The text is reserved at its size (a character per UTF-8 lead byte, a boundary per
        // word, the end), not grown by doubling: with the word indices below, it is the largest
        // array of training.
        var text: [Int32] = []
        var symbols = 1
        for (word, _) in words {
            symbols += 1
            for byte in word where byte & 0xC0 != 0x80 { symbols += 1 }
        }
        text.reserveCapacity(symbols)
        var characterCounts = [Int64](repeating: 0, count: required.count + 1)
        for (word, count) in words {
            word.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    let (scalar, length) = decodeScalar(p, i)
                    let symbol = symbolOf[scalar] ?? other
                    text.append(symbol)
                    if symbol != other { characterCounts[Int(symbol)] += count }
                    i += length
                }
            }
            text.append(boundary)
        }
        text.append(0)
        // The suffix array, while text and it (8n bytes) and SA-IS's temporaries (at most 9n at
        // the top level) are held; then each character's record for the scan, made after the
        // suffix array so its 8n bytes are not held during it: the character's permuted LCP and
        // its word's index (4 bytes, not the count's 8; boundaries and the end point at a word of
        // weight 0), side by side so the scan reads one record per suffix. From then on 16 bytes
        // per character.
        let sa = SuffixArray.build(text, alphabetSize: required.count + 3)
        // Read off the text itself: a boundary ends each word.
        let noWord = Int32(words.count)
        var records = [SuffixArray.LCPAndKey](repeating: SuffixArray.LCPAndKey(lcp: 0, key: noWord), count: text.count)
        var wordIndex: Int32 = 0
        for (k, symbol) in text.enumerated() {
            if symbol == boundary { wordIndex += 1 } else if symbol != 0 { records[k].key = wordIndex }
        }
        records.withUnsafeMutableBufferPointer { SuffixArray.permutedLCP(text, sa, into: $0) }
        let wordCounts = words.map { $0.count } + [0]
        // The rules' view of each symbol; no piece holds another character, a boundary or the end.
        var characters = [PieceCharacter](repeating: .forbidden, count: required.count + 3)
        for (index, scalar) in scalars.enumerated() { characters[index + 1] = PieceCharacter(scalar) }
        // Candidates: valid substrings of 2+ characters. Only the best `seedPieceCount` and the
        // ties of the last one can be kept, and that threshold only rises as candidates come, so
        // the list is cut back to them whenever it doubles. The suffix array is scanned in
        // parts that no repeat crosses, one per thread (P), each with its own list: while
        // scanning, at most about P x (2 x seedPieceCount + 1024) candidates (16 bytes each)
        // are held, whatever the corpus (there can be one per character); each part is cut back
        // to its best when it ends, and the union, P x seedPieceCount and ties, is gathered
        // part by part. A part's threshold is at most the overall one, so the union holds the
        // overall best, and the selection below does not depend on the candidates' order: the
        // seeds do not depend on the thread count.
        typealias Candidate = (score: Int64, position: Int32, length: Int32)
        let limit = max(options.seedPieceCount, 1)
        func keepBest(_ candidates: inout [Candidate]) {
            candidates.sort { $0.score > $1.score }
            let threshold = candidates[limit - 1].score
            var kept = limit
            while kept < candidates.count && candidates[kept].score == threshold { kept += 1 }
            candidates.removeSubrange(kept...)
        }
        var found: [[Candidate]] = records.withUnsafeBufferPointer { records in
            wordCounts.withUnsafeBufferPointer { wordCounts in
                let parts = SuffixArray.independentParts(sa: sa, lcpAndKey: records, count: Parallel.workers(options.threads))
                return Parallel.map(parts.count, threads: options.threads) { part -> [Candidate] in
                    var candidates: [Candidate] = []
                    SuffixArray.forEachRepeat(sa: sa, in: parts[part], lcpAndKey: records, weight: { wordCounts[Int($0)] }) { position, length, weight in
                        guard length >= 2, length <= options.maxPieceLength, weight > 0 else { return }
                        guard isValidPiece(count: length, { characters[Int(text[position + $0])] }) else { return }
                        candidates.append((weight * Int64(length), Int32(position), Int32(length)))
                        if candidates.count >= (cutBackAt ?? 2 * limit + 1024) && candidates.count > limit { keepBest(&candidates) }
                    }
                    if candidates.count > limit { keepBest(&candidates) }
                    return candidates
                }
            }
        }
        var candidates: [Candidate] = []
        candidates.reserveCapacity(found.reduce(0) { $0 + $1.count })
        for part in found.indices {
            candidates += found[part]
            found[part] = []
        }
        func bytes(_ position: Int32, _ length: Int32) -> [UInt8] {
            var out: [UInt8] = []
            for k in Int(position)..<Int(position + length) { appendUTF8(scalars[Int(text[k]) - 1], to: &out) }
            return out
        }
        var seeds: [(piece: [UInt8], frequency: Int64)] = []
        for (index, count) in characterCounts.enumerated().dropFirst() where count > 0 {
            seeds.append((required[index - 1], count))
        }
        seeds.sort { $0.frequency != $1.frequency ? $0.frequency > $1.frequency : $0.piece.lexicographicallyPrecedes($1.piece) }
        candidates.sort { $0.score > $1.score }
        // Take whole groups of equal scores past the limit, then order them by bytes.
        var selected: [(piece: [UInt8], frequency: Int64)] = []
        var index = 0
        while index < candidates.count && (selected.count < options.seedPieceCount
                                               || (index > 0 && candidates[index].score == candidates[index - 1].score)) {
            selected.append((bytes(candidates[index].position, candidates[index].length), candidates[index].score))
            index += 1
        }
        selected.sort { $0.frequency != $1.frequency ? $0.frequency > $1.frequency : $0.piece.lexicographicallyPrecedes($1.piece) }
        seeds += selected.prefix(options.seedPieceCount)
        let logTotal = log(Double(seeds.reduce(Int64(0)) { $0 + $1.frequency }))
        return seeds.map { ($0.piece, log(Double($0.frequency)) - logTotal) }
    }

    /// SentencePiece's piece rules: "▁" only first (or anywhere but last without whitespace
    /// splitting), one script per piece (Hiragana, Katakana and "ー" count as Han; inherited
    /// marks take the previous script), digits apart from letters, single digits with
    /// `splitDigits`.
    func isValidPiece(_ scalars: [UInt32]) -> Bool {
        isValidPiece(count: scalars.count) { PieceCharacter(scalars[$0]) }
    }

    /// What the piece rules read of one character, computed once per character (the seed scan
    /// keeps one per symbol and reads it for millions of candidates).
    struct PieceCharacter {
        enum Kind { case never, meta, other }
        var kind: Kind
        /// The Unicode script, Hiragana, Katakana and "ー" as Han (17); 1 (inherited) takes the
        /// previous character's.
        var script: Int32
        var isDigit: Bool

        init(_ scalar: UInt32) {
            kind = scalar == 0x20 || scalar == 0 ? .never : scalar == 0x2581 ? .meta : .other
            let script = Int32(UnicodeTables.script(scalar))
            self.script = script == 20 || script == 22 || scalar == 0x30FC ? 17 : script
            isDigit = UnicodeTables.category(scalar) == .decimalNumber
        }

        /// A symbol that no piece may hold (the seed text's boundaries, unknown characters, end).
        static let forbidden = PieceCharacter(0)
    }

    /// `isValidPiece(_:)` over `count` characters given by `character(position)`.
    /// - Complexity: O(count).
    @inline(__always)
    func isValidPiece(count: Int, _ character: (Int) -> PieceCharacter) -> Bool {
        guard count > 0, count <= options.maxPieceLength else { return false }
        var allSpaces = true
        for position in 0..<count where character(position).kind != .meta { allSpaces = false; break }
        var previous: Int32 = -1  // -1: any script
        for position in 0..<count {
            let properties = character(position)
            switch properties.kind {
            case .never: return false
            case .meta:
                if allSpaces && count == 1 { continue }
                if options.splitByWhitespace ? position > 0 : (position > 0 && position == count - 1) { return false }
                continue
            case .other: break
            }
            var script = properties.script == 1 ? previous : properties.script  // Inherited
            if !options.splitByNumber && properties.isDigit { script = -1 }
            if options.splitDigits && properties.isDigit && count > 1 { return false }
            if options.splitByUnicodeScript && script != -1 && previous != -1 && previous != script { return false }
            previous = script
        }
        return true
    }

    // MARK: - Phase 3: EM

    /// A model over the current pieces with an unknown piece at the end (never matched in text).
    func trainingModel(_ pieces: [Piece]) throws -> UnigramModel {
        try UnigramModel(pieces: pieces.map(\.piece) + [Array("\u{0}unk".utf8)], scores: pieces.map(\.score) + [0],
                         kinds: [UnigramModel.PieceKind](repeating: .normal, count: pieces.count) + [.unknown],
                         unknownId: UInt32(pieces.count), flavor: .sentencePiece, threads: options.threads)
    }

    /// Fixed chunks of work, so that sums do not depend on the thread count.
    func chunks(_ count: Int) -> [Range<Int>] { Parallel.chunks(count, pieces: 16) }

    /// The per-piece sums of `body` over the fixed chunks of `0..<count`, with the other sums it
    /// returns, added in chunk order whatever the thread count (so the same bits).
    ///
    /// A chunk's result is added as soon as every earlier chunk's is, by the thread that
    /// completes that run; a result that arrives early is parked, and its thread goes on to the
    /// next chunk rather than waiting for the earlier ones (it waits only for the lock while a
    /// ready run is added). Usually about threads + 1 arrays of `width` are held, not one per
    /// chunk (16 x 8 bytes x 1M seed pieces was 128 MB per training); the worst case (one slow
    /// early chunk) is still one per chunk.
    func chunkSums(_ count: Int, width: Int, _ body: (Range<Int>) -> ([Double], Double, Int64)) -> ([Double], Double, Int64) {
        let parts = chunks(count)
        // Shared by the workers, only under `lock`: the sums, the next chunk to add, and the
        // results that came before their turn.
        let lock = Lock()
        let state = UncheckedSendable((sums: [Double](repeating: 0, count: width), other: 0.0, total: Int64(0),
                                       next: 0, waiting: [Int: ([Double], Double, Int64)]()))
        _ = Parallel.map(parts.count, threads: options.threads) { c in
            let result = body(parts[c])
            precondition(result.0.count == width)
            lock.withLock {
                state.value.waiting[c] = result
                while let (part, other, total) = state.value.waiting.removeValue(forKey: state.value.next) {
                    part.withUnsafeBufferPointer { part in
                        state.value.sums.withUnsafeMutableBufferPointer { sums in for i in 0..<width { sums[i] += part[i] } }
                    }
                    state.value.other += other
                    state.value.total += total
                    state.value.next += 1
                }
            }
        }
        return (state.value.sums, state.value.other, state.value.total)
    }

    /// Expected counts of every piece, and the negative log likelihood per word.
    func expectation(_ model: UnigramModel, _ words: [(word: [UInt8], count: Int64)]) -> ([Double], Double) {
        let pieceCount = model.pieces.count - 1
        let table = model.latticeTable()
        let (expected, logLikelihood, total) = chunkSums(words.count, width: pieceCount) { range in
            var expected = [Double](repeating: 0, count: pieceCount)
            var lattice = UnigramLattice()
            var logLikelihood = 0.0, total: Int64 = 0
            for index in range {
                let (word, count) = words[index]
                word.withUnsafeBufferPointer { lattice.build(model, $0, table: table) }
                let z = lattice.accumulate(into: &expected, weight: Double(count))
                logLikelihood += Double(count) * z
                total += count
            }
            return (expected, logLikelihood, total)
        }
        return (expected, -logLikelihood / Double(max(1, total)))
    }

    /// Bayesian M-step: pieces expected fewer than 0.5 times go; scores become
    /// digamma(count) - digamma(total).
    /// - Parameters:
    ///   - frozen: the first `frozen` pieces keep their scores (and stay): an extended base.
    ///   - fixed: the first `fixed` pieces stay whatever their count (at least `frozen`).
    func maximization(_ pieces: [Piece], expected: [Double], frozen: Int = 0, fixed: Int = 0) -> [Piece] {
        var kept: [(piece: [UInt8], count: Double, score: Double?)] = []
        var sum = 0.0
        for (index, piece) in pieces.enumerated() where expected[index] >= 0.5 || index < max(frozen, fixed) {
            kept.append((piece.piece, max(expected[index], 0.5), index < frozen ? piece.score : nil))
            sum += expected[index]
        }
        let logSum = digamma(max(sum, 1))
        return kept.map { ($0.piece, $0.score ?? digamma($0.count) - logSum) }
    }

    // MARK: - Phase 4: pruning

    /// Keeps pieces that cannot be segmented otherwise, and of the rest those whose removal
    /// would cost most likelihood, up to `target`.
    /// The first `fixed` pieces are always kept (an extended base) and count toward `target`.
    func prune(_ pieces: [Piece], _ words: [(word: [UInt8], count: Int64)], target: Int, fixed: Int = 0) throws -> [Piece] {
        let model = try trainingModel(pieces)
        // 1. Each piece's second-best segmentation (its alternative).
        var alternatives = [[UInt32]?](repeating: nil, count: pieces.count)
        var alwaysKeep = [Bool](repeating: true, count: pieces.count)
        let pieceParts = chunks(pieces.count)
        let found = Parallel.map(pieceParts.count, threads: options.threads) { c in
            var localAlternatives: [(Int, [UInt32]?, Bool)] = []
            for index in pieceParts[c] {
                let best = pieces[index].piece.withUnsafeBufferPointer { UnigramLattice(model: model, piece: $0).nBest(2) }
                if best.count == 1 {
                    localAlternatives.append((index, nil, true))
                } else if best.count >= 2 && best[0].path.count >= 2 {
                    localAlternatives.append((index, nil, false))
                } else if best.count >= 2 {
                    localAlternatives.append((index, best[1].path.map(\.id), true))
                }
            }
            return localAlternatives
        }
        for (index, alternative, keep) in found.joined() {
            alternatives[index] = alternative
            alwaysKeep[index] = keep
        }
        // 2. Viterbi frequencies over the corpus.
        let (frequency, _, _) = chunkSums(words.count, width: pieces.count) { range in
            var frequencies = [Double](repeating: 0, count: pieces.count)
            var scratch = UnigramScratch()
            var tokens: [PieceToken] = []
            for index in range {
                tokens.removeAll(keepingCapacity: true)
                // Each word is distinct here: the word cache would only miss (and grow to 2 MB per chunk).
                words[index].word.withUnsafeBufferPointer { model.encodeWhole(piece: $0, into: &tokens, scratch: &scratch) }
                for token in tokens where Int(token.id) < pieces.count { frequencies[Int(token.id)] += Double(words[index].count) }
            }
            return (frequencies, 0, 0)
        }
        var wordTotal = 0.0
        for (word, count) in words where !word.isEmpty { wordTotal += Double(count) }
        // 3. Loss of each removable piece.
        let sum = frequency.reduce(0, +)
        let logSum = log(sum)
        var kept: [Piece] = []
        var candidates: [(index: Int, loss: Double)] = []
        for index in pieces.indices {
            if index < fixed {
                kept.append(pieces[index])
                continue
            }
            guard frequency[index] > 0 && alwaysKeep[index] else { continue }
            guard let alternative = alternatives[index], !alternative.isEmpty else {
                kept.append(pieces[index])
                continue
            }
            let share = frequency[index] / wordTotal
            let logProbability = log(frequency[index]) - logSum
            let logSumAlternative = log(sum + frequency[index] * Double(alternative.count - 1))
            var logProbabilityAlternative = 0.0
            for id in alternative {
                let f = Int(id) < pieces.count ? frequency[Int(id)] : 0
                logProbabilityAlternative += log(f + frequency[index]) - logSumAlternative
            }
            candidates.append((index, share * (logProbability - logProbabilityAlternative)))
        }
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.index < $1.index }
        for candidate in candidates where kept.count < target { kept.append(pieces[candidate.index]) }
        // Keep the original (score) order of the survivors.
        let survivors = Set(kept.map(\.piece))
        return pieces.filter { survivors.contains($0.piece) }
    }

    // MARK: - Phase 5

    /// Special tokens, byte pieces, then required characters and the best pieces of `round`,
    /// by descending score, `size` in all.
    static func finalize(_ round: UnigramRound, required: [[UInt8]], size: Int, options: UnigramTrainerOptions) throws -> UnigramModel {
        var pieces: [[UInt8]] = options.specialTokens.map { Array($0.utf8) }
        var kinds: [UnigramModel.PieceKind] = options.specialTokens.map { $0 == options.unknownToken ? .unknown : .control }
        var scores = [Double](repeating: 0, count: pieces.count)
        if options.byteFallback {
            for byte in 0..<256 {
                pieces.append(Array(String(format: "<0x%02X>", byte).utf8))
                kinds.append(.byte)
                scores.append(0)
            }
        }
        let budget = size - pieces.count
        guard budget >= required.count else {
            throw TrainingError.vocabularyTooSmall(requested: size, minimum: pieces.count + required.count,
                                                   reason: "special and byte pieces plus the kept characters")
        }
        var chosen: [[UInt8]: Double] = [:]
        var scoreOf: [[UInt8]: Double] = [:]
        for (piece, score) in zip(round.pieces, round.scores) { scoreOf[piece] = score }
        let minimum = round.scores.min() ?? 0
        var penalty = 0.0
        for character in required {
            if let score = scoreOf[character] { chosen[character] = score } else {
                chosen[character] = minimum - penalty
                penalty += 0.0001
            }
        }
        let ranked = zip(round.pieces, round.scores).sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.lexicographicallyPrecedes($1.0) }
        let reserved = Set(pieces)
        for (piece, score) in ranked where chosen.count < budget && chosen[piece] == nil && !reserved.contains(piece) {
            chosen[piece] = score
        }
        let ordered = chosen.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
        for (piece, score) in ordered {
            pieces.append(piece)
            kinds.append(.normal)
            scores.append(Double(Float(score)))
        }
        let unknown = UInt32(options.specialTokens.firstIndex(of: options.unknownToken)!)
        return try UnigramModel(pieces: pieces, scores: scores, kinds: kinds, unknownId: unknown,
                                byteFallback: options.byteFallback, flavor: .huggingFace)
    }
}

/// The digamma function ψ(x) for x > 0: recurrence up to 6, then the asymptotic series.
func digamma(_ value: Double) -> Double {
    var x = value, result = 0.0
    while x < 6 {
        result -= 1 / x
        x += 1
    }
    let inverse = 1 / x, inverse2 = inverse * inverse
    result += log(x) - 0.5 * inverse
        - inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2 * (1.0 / 240 - inverse2 / 132))))
    return result
}
