import VocabKit

/// The mutable state of one BPE training run (phases 3 to 5 of `BPETrainer`).
///
/// `Symbol` is the width of the words' symbol ids: `UInt16` when every id fits, else `UInt32`.
struct TrainingState<Symbol: FixedWidthInteger & UnsignedInteger> {
    let options: BPETrainerOptions
    /// Token bytes by id, and the reverse map.
    var tokens: [[UInt8]] = []
    var ids: [[UInt8]: UInt32] = [:]
    /// Each token's length in symbols, for `maxTokenLength`.
    var symbolLengths: [Int] = []
    /// Distinct words as symbol ids, flat: word i is `symbols[starts[i]..<starts[i] + lengths[i]]`
    /// (merges shorten a word in place). Memory: 2 or 4 bytes per symbol plus 12 per word,
    /// against about 90 per word for an array per word.
    var symbols: [Symbol] = []
    var starts: [Int] = []
    var lengths: [UInt32] = []
    /// Each word's count (shares the counts' storage).
    var wordCounts: [Int64] = []
    var pairCounts = PairCounts(capacity: 1024)
    var queue = MergeQueue()
    var merges: [(UInt32, UInt32, UInt32)] = []

    init(options: BPETrainerOptions) { self.options = options }

    /// Adds a token if new; returns its id.
    @discardableResult
    mutating func addToken(_ bytes: [UInt8], symbols: Int = 1) -> UInt32 {
        if let id = ids[bytes] { return id }
        let id = UInt32(tokens.count)
        tokens.append(bytes)
        ids[bytes] = id
        symbolLengths.append(symbols)
        return id
    }

    /// Phase 3: every word as symbol ids. Characters outside the alphabet are left out, as in
    /// HuggingFace (byte fallback or the unknown token cover them when encoding).
    mutating func tokenizeWords(_ counts: WordCounts) {
        symbols.reserveCapacity(counts.words.bytes.count)
        starts.reserveCapacity(counts.words.count)
        lengths.reserveCapacity(counts.words.count)
        wordCounts = counts.words.counts
        let prefix = options.continuingSubwordPrefix.map { Array($0.utf8) }
        let suffix = options.endOfWordSuffix.map { Array($0.utf8) }
        var byteIds = [UInt32](repeating: 0, count: 256)
        if options.isByteLevel { for byte in 0..<256 { byteIds[byte] = ids[[UInt8(byte)]]! } }
        let plainBytes = options.isByteLevel && prefix == nil && suffix == nil
        counts.words.forEachWord { p, _ in
            let start = symbols.count
            var i = 0
            while i < p.count {
                if plainBytes {
                    symbols.append(Symbol(truncatingIfNeeded: byteIds[Int(p[i])]))
                    i += 1
                    continue
                }
                let length = options.isByteLevel ? 1 : decodeScalar(p, i).1
                let character = Array(p[i..<(i + length)])
                defer { i += length }
                guard ids[character] != nil else { continue }
                var key = character
                if i > 0, let prefix { key = prefix + key }
                if i + length >= p.count, let suffix { key += suffix }
                symbols.append(Symbol(addToken(key)))
            }
            starts.append(start)
            lengths.append(UInt32(symbols.count - start))
        }
    }

    /// Phase 4: counts every adjacent pair and queues each with the words it occurs in (each
    /// list delta-coded, about 1–2 bytes per word and pair).
    mutating func countPairs() {
        // Distinct pairs are far fewer than words (at most 65,536 over bytes at first): start
        // small and grow, rather than reserve for every word (4 GB at 27 million words).
        pairCounts = PairCounts(capacity: 1 << 16)
        var slots: [UInt64: Int] = [:]
        var pairs: [UInt64] = [], lists: [WordIndexList] = []
        for index in 0..<starts.count where lengths[index] > 1 {
            let count = wordCounts[index], base = starts[index]
            for i in base..<(base + Int(lengths[index]) - 1) {
                let pair = UInt64(symbols[i]) << 32 | UInt64(symbols[i + 1])
                pairCounts.add(pair, count)
                let slot: Int
                if let known = slots[pair] { slot = known } else {
                    slot = pairs.count
                    slots[pair] = slot
                    pairs.append(pair)
                    lists.append(WordIndexList())
                }
                if lists[slot].last != Int32(index) { lists[slot].append(Int32(index)) }
            }
        }
        // One queue entry per pair, in order of first appearance.
        for (slot, pair) in pairs.enumerated() where pairCounts[pair] > 0 {
            queue.push(MergeCandidate(count: pairCounts[pair], pair: pair, words: lists[slot].compacted()))
            lists[slot] = WordIndexList()
        }
    }

    /// Phase 5: merges until the vocabulary is full.
    mutating func mergeUntilFull(progress: ((TrainingProgress) -> Void)?) throws {
        let prefix = options.continuingSubwordPrefix.map { Array($0.utf8) }
        let maxLength = options.maxTokenLength ?? Int.max
        var lastReport = 0
        while tokens.count < options.vocabularySize {
            guard var top = queue.pop() else { break }
            let current = pairCounts[top.pair]
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || options.minFrequency > top.count { break }
            // The new token: left then right (without the right part's continuing prefix).
            let left = UInt32(top.pair >> 32), right = UInt32(top.pair & 0xFFFF_FFFF)
            var rightBytes = tokens[Int(right)]
            if let prefix, rightBytes.starts(with: prefix) { rightBytes.removeFirst(prefix.count) }
            let result = addToken(tokens[Int(left)] + rightBytes, symbols: symbolLengths[Int(left)] + symbolLengths[Int(right)])
            merges.append((left, right, result))
            // Merge it in the entry's words; queue the pairs that gained occurrences.
            var gained: [UInt64: WordIndexList] = [:]
            top.words.forEach { word in
                mergeWord(word, left: left, right: right, result: result, maxLength: maxLength, gained: &gained)
            }
            // In pair order, so that equal entries queue the same way in every run.
            for (pair, list) in gained.sorted(by: { $0.key < $1.key }) {
                let count = pairCounts[pair]
                if count > 0 { queue.push(MergeCandidate(count: count, pair: pair, words: list.compacted())) }
            }
            if let progress, merges.count - lastReport >= 256 {
                lastReport = merges.count
                progress(TrainingProgress(phase: "merge", done: tokens.count, total: options.vocabularySize))
            }
        }
    }

    /// Merges every non-overlapping occurrence of (left, right) in a word, left to right, and
    /// updates the pair counts (HuggingFace's `Word::merge`, including its length check).
    private mutating func mergeWord(_ index: Int, left: UInt32, right: UInt32, result: UInt32, maxLength: Int,
                                    gained: inout [UInt64: WordIndexList]) {
        let count = wordCounts[index]
        let resultLength = symbolLengths[Int(result)]
        @inline(__always) func change(_ a: UInt32, _ b: UInt32, _ delta: Int64) {
            let pair = UInt64(a) << 32 | UInt64(b)
            pairCounts.add(pair, delta * count)
            if delta > 0, gained[pair]?.last != Int32(index) { gained[pair, default: WordIndexList()].append(Int32(index)) }
        }
        // Compacts the word in place: w (written) never passes r (read).
        let base = starts[index], n = Int(lengths[index])
        var r = 0, w = 0
        while r < n {
            let symbol = UInt32(symbols[base + r])
            if symbol == left && r + 1 < n && UInt32(symbols[base + r + 1]) == right {
                if w > 0 {
                    let previous = UInt32(symbols[base + w - 1])
                    change(previous, left, -1)
                    if symbolLengths[Int(previous)] + resultLength < maxLength { change(previous, result, 1) }
                }
                if r + 2 < n {
                    let next = UInt32(symbols[base + r + 2])
                    change(right, next, -1)
                    if symbolLengths[Int(next)] + resultLength < maxLength { change(result, next, 1) }
                }
                symbols[base + w] = Symbol(result)   // fits: ids stay under the vocabulary size
                r += 2
            } else {
                symbols[base + w] = Symbol(truncatingIfNeeded: symbol)
                r += 1
            }
            w += 1
        }
        lengths[index] = UInt32(w)
    }

    /// The trained model.
    func result(specialCount: Int) throws -> BPETrainingResult {
        let special = options.specialTokens.enumerated().map { AddedToken(content: $0.element, id: UInt32($0.offset)) }
        let unknown = options.unknownToken.flatMap { ids[Array($0.utf8)] }
        let model = try BPEModel(tokens: tokens, merges: merges, isByteLevel: options.isByteLevel,
                                 unknownToken: unknown, byteFallback: options.byteFallback,
                                 continuingSubwordPrefix: options.continuingSubwordPrefix,
                                 endOfWordSuffix: options.endOfWordSuffix)
        return BPETrainingResult(model: model, specialTokens: special, mergeCount: merges.count)
    }
}
