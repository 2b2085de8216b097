import VocabKit

/// Options of the WordPiece trainer. Defaults follow BERT and HuggingFace's `WordPieceTrainer`.
public struct WordPieceTrainerOptions: Sendable {
    /// How the next pair to merge is chosen.
    public enum Criterion: String, Sendable, CaseIterable {
        /// The pair that most increases the likelihood of the training data under a unigram
        /// model: the highest count(ab) / (count(a) · count(b)) (Schuster and Nakajima 2012).
        case likelihood
        /// The most frequent pair: what HuggingFace's `WordPieceTrainer` does (its BPE trainer
        /// with a "##" prefix).
        case frequency
    }

    public var vocabularySize: Int
    public var criterion: Criterion = .likelihood
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
///    whose score moved: with the likelihood criterion, all pairs that share a symbol with the
///    merged pair.
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

/// The mutable state of one likelihood training run.
struct WordPieceState {
    let options: WordPieceTrainerOptions
    var tokens: [[UInt8]] = []
    var ids: [[UInt8]: UInt32] = [:]
    var words: [[UInt32]] = []
    var wordCounts: [Int64] = []
    /// Occurrences of each symbol, weighted by word counts.
    var symbolCounts: [Int64] = []
    /// Each pair's slot in the score tree, its count and the words it was seen in.
    var slots: [UInt64: Int] = [:]
    var pairCounts: [Int64] = []
    var pairWords: [[Int32]] = []
    /// The pairs each symbol takes part in (slot indices).
    var pairsOfSymbol: [[Int32]] = []
    var tree = ScoreTree()

    init(options: WordPieceTrainerOptions) { self.options = options }

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
            words.append(symbols)
            wordCounts.append(count)
        }
    }

    func score(_ slot: Int) -> Double {
        let count = pairCounts[slot]
        guard count > 0, count >= options.minFrequency else { return -1 }
        let key = tree.keys[slot]
        let left = symbolCounts[Int(key >> 32)], right = symbolCounts[Int(key & 0xFFFF_FFFF)]
        return Double(count) / (Double(left) * Double(right))
    }

    /// Adds `delta` to a pair's count (creating its slot), remembering `word` when it gained.
    mutating func changePair(_ left: UInt32, _ right: UInt32, _ delta: Int64, word: Int32, touched: inout Set<Int>) {
        let key = UInt64(left) << 32 | UInt64(right)
        let slot: Int
        if let existing = slots[key] {
            slot = existing
        } else {
            slot = tree.append(key: key, score: -1)
            slots[key] = slot
            pairCounts.append(0)
            pairWords.append([])
            pairsOfSymbol[Int(left)].append(Int32(slot))
            if left != right { pairsOfSymbol[Int(right)].append(Int32(slot)) }
        }
        pairCounts[slot] += delta
        if delta > 0 && pairWords[slot].last != word { pairWords[slot].append(word) }
        touched.insert(slot)
    }

    mutating func countPairs() {
        var touched = Set<Int>()
        for (index, symbols) in words.enumerated() where symbols.count > 1 {
            for i in 0..<(symbols.count - 1) {
                changePair(symbols[i], symbols[i + 1], wordCounts[index], word: Int32(index), touched: &touched)
            }
        }
        for slot in touched { tree.set(slot, score: score(slot)) }
    }

    mutating func mergeUntilFull(prefix: [UInt8], progress: ((TrainingProgress) -> Void)?) {
        while tokens.count < options.vocabularySize {
            guard let best = tree.best, tree.scores[best] > 0 else { break }
            let key = tree.keys[best]
            let left = UInt32(key >> 32), right = UInt32(key & 0xFFFF_FFFF)
            var rightBytes = tokens[Int(right)]
            if rightBytes.starts(with: prefix) { rightBytes.removeFirst(prefix.count) }
            let result = addToken(tokens[Int(left)] + rightBytes)
            // Merge in every word that had the pair; collect the pairs whose scores moved.
            var touched = Set<Int>()
            let candidates = pairWords[best]
            pairWords[best] = []
            for word in candidates { mergeWord(Int(word), left: left, right: right, result: result, touched: &touched) }
            for symbol in [left, right, result] {
                for slot in pairsOfSymbol[Int(symbol)] { touched.insert(Int(slot)) }
            }
            touched.insert(best)
            for slot in touched { tree.set(slot, score: score(slot)) }
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
            symbols[i] = result
            symbols.remove(at: i + 1)
            i += 1
        }
        words[index] = symbols
    }
}
