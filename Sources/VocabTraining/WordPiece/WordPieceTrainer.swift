import Foundation
import VocabKit

/// Options of the WordPiece trainer. Defaults follow BERT and HuggingFace's `WordPieceTrainer`.
public struct WordPieceTrainerOptions: Sendable {
    /// How the next pair to merge is chosen.
    public enum Criterion: String, Sendable, CaseIterable {
        /// The pair whose merge most increases the likelihood of the training data under a
        /// unigram model of the current symbols, Σ c(t) log(c(t) / N) (Schuster and Nakajima
        /// 2012): the exact change, with every count and N updated by the merge.
        case likelihood
        /// The highest count(ab) / (count(a) · count(b)): a popular simplification of the
        /// likelihood gain that ignores how often the pair occurs (it prefers pairs of rare symbols).
        case pmi
        /// The most frequent pair: what HuggingFace's `WordPieceTrainer` does (its BPE trainer
        /// with a "##" prefix).
        case frequency
    }

    public var vocabularySize: Int
    /// Frequency by default: on held-out text it ties with the likelihood gain (mean held-out
    /// bits per character 0.04% lower over English, German, Japanese and Hindi at 8k and 30k,
    /// `Benchmarks/wordpiece-criteria.py`), with fewer tokens per word, faster training and
    /// HuggingFace's vocabularies.
    public var criterion: Criterion = .frequency
    /// Pairs seen fewer times than this are not merged.
    public var minFrequency: Int64 = 0
    /// BERT's special tokens, which take the first ids.
    public var specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    public var unknownToken = "[UNK]"
    public var continuingSubwordPrefix = "##"
    public var limitAlphabet: Int?
    public var characterCoverage: Double?
    /// Longer words encode as the unknown token (BERT: 100).
    public var maxInputCharactersPerWord = 100

    public init(vocabularySize: Int) { self.vocabularySize = vocabularySize }
}

/// Trains a WordPiece vocabulary from word counts.
///
/// 1. Special tokens take the first ids.
/// 2. The alphabet: each kept character, then each as a continuation ("##c"), in code point order.
/// 3. Every word becomes its first character and the continuations of the others; characters
///    outside the alphabet make the word unusable for training (it would be [UNK]).
/// 4. Pair counts and symbol counts, weighted by word counts.
/// 5. Repeatedly merge the best pair (by the criterion; ties to the smaller pair of ids) in every
///    word containing it, updating the counts of the pairs around it, and re-scoring every pair
///    whose score moved: all pairs that share a symbol with the merged pair, and the pairs that
///    spell one of its three symbols. The likelihood gain also depends on N, the number of
///    symbols, which every merge lowers; that only lowers a stored gain, so stored gains are
///    upper bounds and the best is re-scored until a freshly scored pair is on top (exact,
///    ties included).
/// - Complexity: O(total symbols) to set up; per merge, O(occurrences merged + pairs re-scored ·
///   log pairs). Memory: the words, about 40 bytes per distinct pair, and the vocabulary.
public struct WordPieceTrainer: Sendable {
    public var options: WordPieceTrainerOptions

    public init(options: WordPieceTrainerOptions) { self.options = options }

    public func train(_ counts: WordCounts, progress: ((TrainingProgress) -> Void)? = nil) throws -> WordPieceModel {
        if options.criterion == .frequency { return try trainByFrequency(counts, progress: progress) }
        var state = WordPieceState(options: options)
        // 1-2. Special tokens and the alphabet.
        guard options.specialTokens.contains(options.unknownToken) else {
            throw TrainingError.invalidOption("the unknown token \(options.unknownToken) must be one of the special tokens")
        }
        for token in options.specialTokens { state.addToken(Array(token.utf8)) }
        let alphabet = try characterAlphabet(counts, limit: options.limitAlphabet, coverage: options.characterCoverage)
        let prefix = Array(options.continuingSubwordPrefix.utf8)
        for character in alphabet { state.addToken(character) }
        for character in alphabet { state.addToken(prefix + character) }
        guard options.vocabularySize >= state.tokens.count else {
            throw TrainingError.vocabularyTooSmall(requested: options.vocabularySize, minimum: state.tokens.count,
                reason: "\(alphabet.count) characters, their \(alphabet.count) continuations and \(options.specialTokens.count) special tokens")
        }
        // 3-4. Words and counts.
        state.tokenizeWords(counts, prefix: prefix)
        state.countPairs()
        // 5. Merges.
        state.mergeUntilFull(prefix: prefix, progress: progress)
        return try WordPieceModel(tokens: state.tokens, unknownToken: options.unknownToken,
                                  continuingSubwordPrefix: options.continuingSubwordPrefix,
                                  maxInputCharactersPerWord: options.maxInputCharactersPerWord)
    }

    /// The frequency criterion: BPE merges with the continuation prefix, as HuggingFace trains.
    private func trainByFrequency(_ counts: WordCounts, progress: ((TrainingProgress) -> Void)?) throws -> WordPieceModel {
        var bpe = BPETrainerOptions(vocabularySize: options.vocabularySize)
        bpe.isByteLevel = false
        bpe.minFrequency = options.minFrequency
        bpe.specialTokens = options.specialTokens
        bpe.unknownToken = options.unknownToken
        bpe.continuingSubwordPrefix = options.continuingSubwordPrefix
        bpe.limitAlphabet = options.limitAlphabet
        bpe.characterCoverage = options.characterCoverage
        let result = try BPETrainer(options: bpe).train(counts, progress: progress)
        return try WordPieceModel(tokens: result.model.tokens, unknownToken: options.unknownToken,
                                  continuingSubwordPrefix: options.continuingSubwordPrefix,
                                  maxInputCharactersPerWord: options.maxInputCharactersPerWord)
    }
}

/// The mutable state of one likelihood or PMI training run.
struct WordPieceState {
    let options: WordPieceTrainerOptions
    var tokens: [[UInt8]] = []
    var ids: [[UInt8]: UInt32] = [:]
    var words: [[UInt32]] = []
    var wordCounts: [Int64] = []
    /// Occurrences of each symbol, weighted by word counts.
    var symbolCounts: [Int64] = []
    /// N: all symbol occurrences, weighted by word counts.
    var total: Int64 = 0
    /// Each pair's slot in the score tree, its count and the words it was seen in.
    var slots: [UInt64: Int] = [:]
    var pairCounts: [Int64] = []
    var pairWords: [[Int32]] = []
    /// Per slot, for a pair of one symbol twice (x x): how many merges applying it makes
    /// (⌊r/2⌋ per run of r, weighted), which its pair count (r - 1 per run) overstates.
    var repeatMerges: [Int64] = []
    /// Per slot: the id of the token the pair spells, when it is already a token; else -1.
    var resultOf: [Int32] = []
    /// Per slot: N when its likelihood gain was computed (a gain is current only at today's N).
    var scoredAt: [Int64] = []
    /// The pairs each symbol takes part in (slot indices).
    var pairsOfSymbol: [[Int32]] = []
    var tree = ScoreTree()
    let prefix: [UInt8]

    init(options: WordPieceTrainerOptions) {
        self.options = options
        self.prefix = Array(options.continuingSubwordPrefix.utf8)
    }

    @discardableResult
    mutating func addToken(_ bytes: [UInt8]) -> UInt32 {
        if let id = ids[bytes] { return id }
        let id = UInt32(tokens.count)
        tokens.append(bytes)
        ids[bytes] = id
        symbolCounts.append(0)
        pairsOfSymbol.append([])
        return id
    }

    /// A frequency-criterion state whose symbols are `tokens` and whose words are `model`'s
    /// segmentation of `words` (those `keep` accepts), pairs counted: training continued from a
    /// base model (`vocab extend`, SuperBPE's second stage). Model ids are mapped to state ids,
    /// which differ when `tokens` repeats one.
    /// - Complexity: one encoding per distinct word, then O(symbols) to count pairs.
    static func segmented(_ words: WordCounts, by model: TokenModel, tokens: [[UInt8]], size: Int, minFrequency: Int64,
                          prefix: String, maxInputCharacters: Int? = nil,
                          keep: ([PieceToken]) -> Bool) -> WordPieceState {
        var options = WordPieceTrainerOptions(vocabularySize: size)
        options.criterion = .frequency
        options.minFrequency = max(1, minFrequency)
        options.continuingSubwordPrefix = prefix
        if let maxInputCharacters { options.maxInputCharactersPerWord = maxInputCharacters }
        var state = WordPieceState(options: options)
        let stateId = tokens.map { state.addToken($0) }
        var scratch = EncoderScratch()
        var pieces: [PieceToken] = []
        words.words.forEachWord { word, count in
            pieces.removeAll(keepingCapacity: true)
            model.encode(piece: word, into: &pieces, scratch: &scratch)
            guard keep(pieces) else { return }
            let ids = pieces.map { stateId[Int($0.id)] }
            for id in ids { state.symbolCounts[Int(id)] += count }
            state.total += count * Int64(ids.count)
            state.words.append(ids)
            state.wordCounts.append(count)
        }
        state.countPairs()
        return state
    }

    /// The bytes of the token a pair spells: the left token, then the right one without its prefix.
    func spelling(_ left: UInt32, _ right: UInt32) -> [UInt8] {
        let rightBytes = tokens[Int(right)]
        return tokens[Int(left)] + (rightBytes.starts(with: prefix) ? rightBytes[prefix.count...] : rightBytes[...])
    }

    mutating func tokenizeWords(_ counts: WordCounts, prefix: [UInt8]) {
        counts.words.forEachWord { p, count in
            var symbols: [UInt32] = []
            var usable = true
            var i = 0
            while i < p.count {
                let length = decodeScalar(p, i).1
                let character = Array(p[i..<(i + length)])
                guard let id = ids[i == 0 ? character : prefix + character] else { usable = false; break }
                symbols.append(id)
                i += length
            }
            guard usable, !symbols.isEmpty, symbols.count <= options.maxInputCharactersPerWord else { return }
            for symbol in symbols { symbolCounts[Int(symbol)] += count }
            total += count * Int64(symbols.count)
            words.append(symbols)
            wordCounts.append(count)
        }
    }

    /// x log x, with 0 log 0 = 0.
    @inline(__always)
    static func xlogx(_ x: Int64) -> Double { x > 0 ? Double(x) * log(Double(x)) : 0 }

    /// The pair's score by the criterion; -infinity for a pair that cannot be merged.
    /// - Complexity: O(1).
    func score(_ slot: Int) -> Double {
        let count = pairCounts[slot]
        guard count > 0, count >= options.minFrequency else { return -.infinity }
        let key = tree.keys[slot]
        let left = Int(key >> 32), right = Int(key & 0xFFFF_FFFF)
        let a = symbolCounts[left], b = symbolCounts[right]
        switch options.criterion {
        case .frequency: return Double(count)   // (vocab extend; WordPiece training by frequency runs the BPE trainer)
        case .pmi: return Double(count) / (Double(a) * Double(b))
        case .likelihood: break
        }
        // Merging m occurrences: c(a) and c(b) lose m each (2m for x x), the spelled token gains
        // m, N loses m. The gain is the change in Σ c log c - N log N.
        let m = left == right ? repeatMerges[slot] : count
        guard m > 0 else { return -.infinity }
        let e = resultOf[slot] >= 0 ? symbolCounts[Int(resultOf[slot])] : 0
        let local: Double
        if left == right {
            local = Self.xlogx(a - 2 * m) - Self.xlogx(a)
        } else {
            local = Self.xlogx(a - m) - Self.xlogx(a) + Self.xlogx(b - m) - Self.xlogx(b)
        }
        // N log N - (N - m) log(N - m), written so that it stays accurate for m much below N.
        let n = Double(total), dm = Double(m)
        let shrink = dm * log(n - dm) - n * log1p(-dm / n)
        return local + Self.xlogx(e + m) - Self.xlogx(e) + shrink
    }

    /// Scores a slot now (and notes N for the likelihood gain).
    mutating func rescore(_ slot: Int) {
        scoredAt[slot] = total
        tree.set(slot, score: score(slot))
    }

    /// Adds `delta` to a pair's count (creating its slot), remembering `word` when it gained.
    mutating func changePair(_ left: UInt32, _ right: UInt32, _ delta: Int64, word: Int32, touched: inout Set<Int>) {
        let key = UInt64(left) << 32 | UInt64(right)
        let slot: Int
        if let existing = slots[key] {
            slot = existing
        } else {
            slot = tree.append(key: key, score: -.infinity)
            slots[key] = slot
            pairCounts.append(0)
            pairWords.append([])
            repeatMerges.append(0)
            resultOf.append(ids[spelling(left, right)].map { Int32($0) } ?? -1)
            scoredAt.append(-1)
            pairsOfSymbol[Int(left)].append(Int32(slot))
            if left != right { pairsOfSymbol[Int(right)].append(Int32(slot)) }
        }
        pairCounts[slot] += delta
        if delta > 0 && pairWords[slot].last != word { pairWords[slot].append(word) }
        touched.insert(slot)
    }

    /// Adds `sign` × the merges each run of one repeated symbol in `symbols` allows (⌊r/2⌋ per
    /// run of r, times the word's count) to that pair's `repeatMerges`.
    mutating func countRepeats(_ symbols: [UInt32], _ delta: Int64, touched: inout Set<Int>) {
        var i = 0
        while i + 1 < symbols.count {
            guard symbols[i] == symbols[i + 1] else { i += 1; continue }
            var j = i + 1
            while j + 1 < symbols.count && symbols[j + 1] == symbols[i] { j += 1 }
            if let slot = slots[UInt64(symbols[i]) << 32 | UInt64(symbols[i])] {
                repeatMerges[slot] += delta * Int64((j - i + 1) / 2)
                touched.insert(slot)
            }
            i = j + 1
        }
    }

    mutating func countPairs() {
        var touched = Set<Int>()
        for (index, symbols) in words.enumerated() where symbols.count > 1 {
            for i in 0..<(symbols.count - 1) {
                changePair(symbols[i], symbols[i + 1], wordCounts[index], word: Int32(index), touched: &touched)
            }
            countRepeats(symbols, wordCounts[index], touched: &touched)
        }
        for slot in touched { rescore(slot) }
    }

    /// The pairs (existing slots) that spell `symbol`: each split of its bytes into a token and
    /// a prefixed continuation.
    /// - Complexity: O(length²) bytes hashed.
    func producers(of symbol: UInt32) -> [Int] {
        let bytes = tokens[Int(symbol)]
        var found: [Int] = []
        guard bytes.count > 1 else { return found }
        for cut in 1..<bytes.count {
            guard let left = ids[Array(bytes[..<cut])], let right = ids[prefix + bytes[cut...]],
                  let slot = slots[UInt64(left) << 32 | UInt64(right)] else { continue }
            found.append(slot)
        }
        return found
    }

    /// Merges the best pair everywhere; nil when no pair can be merged.
    /// Returns the pair and its score when chosen.
    mutating func mergeBest() -> (left: UInt32, right: UInt32, score: Double)? {
        guard var best = tree.best else { return nil }
        // Stored likelihood gains only fall as N falls: re-score the top until it is current.
        if options.criterion == .likelihood {
            while scoredAt[best] != total {
                rescore(best)
                best = tree.best!
            }
        }
        let score = tree.scores[best]
        guard score > -.infinity else { return nil }
        let key = tree.keys[best]
        let left = UInt32(key >> 32), right = UInt32(key & 0xFFFF_FFFF)
        let result = addToken(spelling(left, right))
        // Merge in every word that had the pair; collect the pairs whose scores moved.
        var touched = Set<Int>()
        let candidates = pairWords[best]
        pairWords[best] = []
        for word in candidates { mergeWord(Int(word), left: left, right: right, result: result, touched: &touched) }
        for symbol in [left, right, result] {
            for slot in pairsOfSymbol[Int(symbol)] { touched.insert(Int(slot)) }
            for slot in producers(of: symbol) {
                resultOf[slot] = Int32(symbol)
                touched.insert(slot)
            }
        }
        touched.insert(best)
        for slot in touched { rescore(slot) }
        return (left, right, score)
    }

    mutating func mergeUntilFull(prefix: [UInt8], progress: ((TrainingProgress) -> Void)?) {
        while tokens.count < options.vocabularySize {
            guard mergeBest() != nil else { break }
            if let progress, tokens.count % 256 == 0 {
                progress(TrainingProgress(phase: "merge", done: tokens.count, total: options.vocabularySize))
            }
        }
    }

    /// Merges every non-overlapping occurrence of (left, right) in a word, left to right.
    private mutating func mergeWord(_ index: Int, left: UInt32, right: UInt32, result: UInt32, touched: inout Set<Int>) {
        let count = wordCounts[index]
        var symbols = words[index]
        words[index] = []
        countRepeats(symbols, -count, touched: &touched)
        var i = 0
        while i < symbols.count - 1 {
            guard symbols[i] == left && symbols[i + 1] == right else { i += 1; continue }
            if i > 0 {
                changePair(symbols[i - 1], left, -count, word: Int32(index), touched: &touched)
                changePair(symbols[i - 1], result, count, word: Int32(index), touched: &touched)
            }
            if i + 2 < symbols.count {
                changePair(right, symbols[i + 2], -count, word: Int32(index), touched: &touched)
                changePair(result, symbols[i + 2], count, word: Int32(index), touched: &touched)
            }
            changePair(left, right, -count, word: Int32(index), touched: &touched)
            symbolCounts[Int(left)] -= count
            symbolCounts[Int(right)] -= count
            symbolCounts[Int(result)] += count
            total -= count
            symbols[i] = result
            symbols.remove(at: i + 1)
            i += 1
        }
        countRepeats(symbols, count, touched: &touched)
        words[index] = symbols
    }
}
