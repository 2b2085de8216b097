import VocabKit

/// The mutable state of one BPE training run (phases 3 to 5 of `BPETrainer`).
struct TrainingState {
    let options: BPETrainerOptions
    /// Token bytes by id, and the reverse map.
    var tokens: [[UInt8]] = []
    var ids: [[UInt8]: UInt32] = [:]
    /// Each token's length in symbols, for `maxTokenLength`.
    var symbolLengths: [Int] = []
    /// Distinct words as symbol ids, with their counts.
    var words: [[UInt32]] = []
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
        words.reserveCapacity(counts.words.count)
        wordCounts.reserveCapacity(counts.words.count)
        let prefix = options.continuingSubwordPrefix.map { Array($0.utf8) }
        let suffix = options.endOfWordSuffix.map { Array($0.utf8) }
        var byteIds = [UInt32](repeating: 0, count: 256)
        if options.isByteLevel { for byte in 0..<256 { byteIds[byte] = ids[[UInt8(byte)]]! } }
        for (word, count) in counts.words {
            var symbols: [UInt32] = []
            symbols.reserveCapacity(word.count)
            word.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    let length = options.isByteLevel ? 1 : decodeScalar(p, i).1
                    let character = Array(p[i..<(i + length)])
                    defer { i += length }
                    if options.isByteLevel && prefix == nil && suffix == nil {
                        symbols.append(byteIds[Int(p[i])])
                        continue
                    }
                    guard ids[character] != nil else { continue }
                    var key = character
                    if i > 0, let prefix { key = prefix + key }
                    if i + length >= p.count, let suffix { key += suffix }
                    symbols.append(addToken(key))
                }
            }
            words.append(symbols)
            wordCounts.append(count)
        }
    }

    /// Phase 4: counts every adjacent pair and queues each with the words it occurs in.
    mutating func countPairs() {
        // Distinct pairs are far fewer than words (at most 65,536 over bytes at first): start
        // small and grow, rather than reserve for every word (4 GB at 27 million words).
        pairCounts = PairCounts(capacity: 1 << 16)
        var positions: [UInt64: [Int32]] = [:]
        for (index, symbols) in words.enumerated() where symbols.count > 1 {
            let count = wordCounts[index]
            for i in 0..<(symbols.count - 1) {
                let pair = UInt64(symbols[i]) << 32 | UInt64(symbols[i + 1])
                pairCounts.add(pair, count)
                if positions[pair]?.last != Int32(index) { positions[pair, default: []].append(Int32(index)) }
            }
        }
        for (pair, list) in positions where pairCounts[pair] > 0 {
            queue.push(MergeCandidate(count: pairCounts[pair], pair: pair, words: list))
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
            var gained: [UInt64: [Int32]] = [:]
            for word in top.words {
                mergeWord(Int(word), left: left, right: right, result: result, maxLength: maxLength, gained: &gained)
            }
            for (pair, list) in gained {
                let count = pairCounts[pair]
                if count > 0 { queue.push(MergeCandidate(count: count, pair: pair, words: list)) }
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
                                    gained: inout [UInt64: [Int32]]) {
        let count = wordCounts[index]
        let resultLength = symbolLengths[Int(result)]
        @inline(__always) func change(_ a: UInt32, _ b: UInt32, _ delta: Int64) {
            let pair = UInt64(a) << 32 | UInt64(b)
            pairCounts.add(pair, delta * count)
            if delta > 0, gained[pair]?.last != Int32(index) { gained[pair, default: []].append(Int32(index)) }
        }
        var symbols = words[index]
        words[index] = []  // keep the array uniquely referenced while editing it
        var i = 0
        while i < symbols.count {
            if symbols[i] == left && i + 1 < symbols.count && symbols[i + 1] == right {
                if i > 0 {
                    change(symbols[i - 1], left, -1)
                    if symbolLengths[Int(symbols[i - 1])] + resultLength < maxLength { change(symbols[i - 1], result, 1) }
                }
                symbols[i] = result
                symbols.remove(at: i + 1)
                if i < symbols.count - 1 {
                    change(right, symbols[i + 1], -1)
                    if symbolLengths[Int(symbols[i + 1])] + resultLength < maxLength { change(result, symbols[i + 1], 1) }
                }
            }
            i += 1
        }
        words[index] = symbols
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
