import VocabKit

/// Options of the char-word hybrid trainer.
public struct HybridTrainerOptions: Sendable {
    /// How whole words are ranked for the word budget.
    public enum Ranking: String, Sendable, CaseIterable {
        /// Most frequent first.
        case frequency
        /// Most tokens saved first: count x (characters - 1), what shortens sequences most.
        case savings
    }

    public var vocabularySize: Int
    public var ranking: Ranking = .frequency
    /// Subword merges learned on the out-of-vocabulary words (0: spell with characters only).
    public var subwordMerges = 0
    /// Characters kept: those covering this share of all character occurrences.
    public var characterCoverage = TrainingDefaults.characterCoverage
    /// Characters outside the alphabet become `<0xAB>` byte tokens instead of the unknown token.
    public var byteFallback = false
    /// Special tokens, first ids; `unknownToken` must be one of them.
    public var specialTokens = ["<unk>"]
    public var unknownToken = "<unk>"
    /// Words seen fewer times than this never get a whole-word token.
    public var minWordFrequency = TrainingDefaults.minFrequency
    /// Merges need at least this many occurrences.
    public var minMergeFrequency = TrainingDefaults.minFrequency

    public init(vocabularySize: Int) { self.vocabularySize = vocabularySize }
}

/// What hybrid training produced.
public struct HybridTraining: Sendable {
    public var model: HybridModel
    /// Every candidate word in ranking order (the first `model.words.count` of them, minus any
    /// that equal a spelling token, are the vocabulary): smaller word budgets are prefixes.
    public var ranking: [[UInt8]]
    public var alphabetSize: Int
}

/// Trains a char-word hybrid vocabulary from word counts.
///
/// 1. The alphabet: the characters covering `characterCoverage` of all occurrences.
/// 2. Rank the words of two or more characters seen at least `minWordFrequency` times, by
///    frequency or by tokens saved; ties go to the smaller bytes.
/// 3. The word budget is what remains after special, byte and character tokens and the merge
///    budget; the best-ranked words take it.
/// 4. The spelling model: character-level BPE trained on the words left out (their counts), with
///    `subwordMerges` merges, over exactly the alphabet of step 1.
/// 5. Words equal to a spelling token are dropped and the next-ranked words fill their places,
///    so the vocabulary has exactly the requested size.
public struct HybridTrainer: Sendable {
    public var options: HybridTrainerOptions

    public init(options: HybridTrainerOptions) { self.options = options }

    public func train(_ counts: WordCounts, progress: ((TrainingProgress) -> Void)? = nil) throws -> HybridTraining {
        guard options.specialTokens.contains(options.unknownToken) else {
            throw TrainingError.invalidOption("the unknown token \(options.unknownToken) must be one of the special tokens")
        }
        guard options.subwordMerges >= 0 else { throw TrainingError.invalidOption("the subword merge budget must not be negative") }
        let words = counts.words.filter { !$0.word.isEmpty }
        guard !words.isEmpty else { throw TrainingError.invalidOption("the corpus has no words to train on") }
        // Phase 1: the alphabet.
        let alphabet = try characterAlphabet(counts, limit: nil, coverage: options.characterCoverage)
        let alphabetSet = Set(alphabet)
        let base = options.specialTokens.count + (options.byteFallback ? 256 : 0) + alphabet.count
        guard options.vocabularySize >= base + options.subwordMerges else {
            throw TrainingError.vocabularyTooSmall(requested: options.vocabularySize, minimum: base + options.subwordMerges,
                                                   reason: "special\(options.byteFallback ? ", byte" : "") and \(alphabet.count) character tokens plus \(options.subwordMerges) merges")
        }
        // Phase 2: ranking.
        progress?(TrainingProgress(phase: "ranking words", done: 0, total: words.count))
        var candidates: [(word: [UInt8], key: Int64)] = []
        for (word, count) in words where count >= options.minWordFrequency {
            let characters = scalarCount(word)
            guard characters >= 2 else { continue }
            candidates.append((word, options.ranking == .frequency ? count : count * Int64(characters - 1)))
        }
        candidates.sort { $0.key != $1.key ? $0.key > $1.key : $0.word.lexicographicallyPrecedes($1.word) }
        let ranking = candidates.map(\.word)
        // Phase 3: the word budget.
        let budget = options.vocabularySize - base - options.subwordMerges
        let chosen = Set(ranking.prefix(budget))
        // Phase 4: the spelling model on the other words (only alphabet characters), plus each
        // character once so the alphabet is exactly phase 1's.
        progress?(TrainingProgress(phase: "spelling model", done: 0, total: nil))
        var spellingWords: [(word: [UInt8], count: Int64)] = alphabet.map { ($0, 1) }
        for (word, count) in words where !chosen.contains(word) && scalarCount(word) >= 2 {
            if splitCharacters(word).allSatisfy({ alphabetSet.contains($0) }) { spellingWords.append((word, count)) }
        }
        spellingWords.sort { $0.word.lexicographicallyPrecedes($1.word) }
        var bpe = BPETrainerOptions(vocabularySize: base + options.subwordMerges)
        bpe.isByteLevel = false
        bpe.specialTokens = options.specialTokens
        bpe.unknownToken = options.unknownToken
        bpe.byteFallback = options.byteFallback
        bpe.minFrequency = options.minMergeFrequency
        let spellingCounts = WordCounts(words: spellingWords, lines: counts.lines, bytes: counts.bytes,
                                        sampledFrom: counts.sampledFrom, replacedInvalidSequences: 0)
        let spelling = try BPETrainer(options: bpe).train(spellingCounts).model
        // Phase 5: words, skipping spelling tokens, up to the exact size.
        var selected: [[UInt8]] = []
        let wordSlots = options.vocabularySize - spelling.vocabularySize
        for word in ranking where selected.count < wordSlots {
            if spelling.id(of: word) == nil { selected.append(word) }
        }
        return HybridTraining(model: try HybridModel(spelling: spelling, words: selected), ranking: ranking,
                              alphabetSize: alphabet.count)
    }

    private func splitCharacters(_ word: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for byte in word {
            if (byte & 0xC0) != 0x80 || result.isEmpty { result.append([byte]) } else { result[result.count - 1].append(byte) }
        }
        return result
    }
}
