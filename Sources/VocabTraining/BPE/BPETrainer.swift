import VocabKit

/// Options of the BPE trainer. Defaults are HuggingFace's `BpeTrainer` defaults unless noted.
public struct BPETrainerOptions: Sendable {
    /// The size of the final vocabulary, special tokens included.
    public var vocabularySize: Int
    /// Pairs seen fewer times than this are not merged (HuggingFace default 0).
    public var minFrequency: Int64 = 0
    /// Tokens that get the first ids, in order.
    public var specialTokens: [String] = []
    /// Byte-level (every byte a symbol, GPT-2 style) or character-level.
    public var isByteLevel = true
    /// Character-level: keep at most this many characters, the most frequent.
    public var limitAlphabet: Int?
    /// Character-level: keep the most frequent characters that cover this share of all character
    /// occurrences (SentencePiece's `character_coverage`; 0.9995 is its default for most languages).
    public var characterCoverage: Double?
    /// Character-level: add the 256 `<0x00>`...`<0xFF>` tokens, so characters outside the
    /// alphabet encode as bytes instead of the unknown token.
    public var byteFallback = false
    /// Character-level: the unknown token (must be one of `specialTokens`).
    public var unknownToken: String?
    /// A prefix for symbols that do not start a word, such as "##".
    public var continuingSubwordPrefix: String?
    /// A suffix for symbols that end a word, such as "</w>".
    public var endOfWordSuffix: String?
    /// The longest token, in symbols (characters, or bytes for byte-level), a merge may make.
    public var maxTokenLength: Int?

    public init(vocabularySize: Int) { self.vocabularySize = vocabularySize }
}

/// What training produced.
public struct BPETrainingResult: Sendable {
    public var model: BPEModel
    public var specialTokens: [AddedToken]
    /// The number of merges learned (duplicates included, see `BPETrainer`).
    public var mergeCount: Int
}


/// Learns BPE merges from word counts, with the same merges in the same order as HuggingFace's
/// `BpeTrainer` given the same words and settings.
///
/// The phases:
/// 1. Special tokens take the first ids.
/// 2. The alphabet: all 256 bytes (byte-level), ordered by their GPT-2 alphabet character as
///    HuggingFace orders them; or the characters of the corpus (limited by count or coverage),
///    ordered by code point, after the byte-fallback tokens.
/// 3. Every distinct word becomes a list of symbol ids.
/// 4. Every adjacent pair is counted (weighted by word counts) and queued with its words.
/// 5. The most frequent pair merges, ties going to the smaller (left id, right id); the queue is
///    lazy: an entry whose count is stale is re-queued with the current count. Repeat until the
///    vocabulary is full or no pair reaches `minFrequency`.
///
/// Tie-breaking, and one inherited quirk: an entry carries the words its pair was counted in when
/// it was queued, so a pair that gained occurrences later can be merged twice (once per entry),
/// as in HuggingFace; the second merge adds no token and takes the later rank.
public struct BPETrainer: Sendable {
    public var options: BPETrainerOptions

    public init(options: BPETrainerOptions) { self.options = options }

    /// Trains on word counts, freeing them once the words are symbols (when the caller passed
    /// the last copy).
    /// - Complexity: about O(pairs · log pairs + merges · words touched).
    public func train(_ counts: consuming WordCounts, progress: ((TrainingProgress) -> Void)? = nil) throws -> BPETrainingResult {
        // Symbols take 2 bytes when every id fits: byte-level words add no token before the
        // merges, which stop at the vocabulary size.
        if options.isByteLevel && options.continuingSubwordPrefix == nil && options.endOfWordSuffix == nil
            && options.vocabularySize <= 1 << 16 {
            return try train(counts, state: TrainingState<UInt16>(options: options), progress: progress)
        }
        return try train(counts, state: TrainingState<UInt32>(options: options), progress: progress)
    }

    func train<Symbol>(_ counts: consuming WordCounts, state: consuming TrainingState<Symbol>,
                               progress: ((TrainingProgress) -> Void)?) throws -> BPETrainingResult {
        var state = state
        // 1. Special tokens.
        for token in options.specialTokens { state.addToken(Array(token.utf8)) }
        let specialCount = state.tokens.count
        if let unknown = options.unknownToken, !options.specialTokens.contains(unknown) {
            throw TrainingError.invalidOption("the unknown token \(unknown) must be one of the special tokens")
        }
        // 2. The alphabet.
        let alphabet = try computeAlphabet(counts, specialCount: specialCount)
        if !options.isByteLevel && options.byteFallback {
            for byte in 0..<256 { state.addToken(Array(String(format: "<0x%02X>", byte).utf8)) }
        }
        for symbol in alphabet { state.addToken(symbol) }
        let minimum = state.tokens.count
        guard options.vocabularySize >= minimum else {
            throw TrainingError.vocabularyTooSmall(requested: options.vocabularySize, minimum: minimum,
                reason: "size of the alphabet (\(alphabet.count)) plus \(minimum - alphabet.count) special and byte-fallback tokens")
        }
        // 3-4. Words as symbols; pair counts.
        state.tokenizeWords(counts)
        _ = consume counts
        progress?(TrainingProgress(phase: "count pairs", done: 0, total: nil))
        state.countPairs()
        // 5. Merges.
        try state.mergeUntilFull(progress: progress)
        return try state.result(specialCount: specialCount)
    }

    /// Phase 2: the alphabet's symbols in id order.
    private func computeAlphabet(_ counts: WordCounts, specialCount: Int) throws -> [[UInt8]] {
        if options.isByteLevel {
            // HuggingFace sorts the alphabet by character; for byte-level models that is the GPT-2
            // alphabet character of each byte.
            let order = (0..<256).sorted {
                ByteLevelAlphabet.scalarValue(of: UInt8($0)) < ByteLevelAlphabet.scalarValue(of: UInt8($1))
            }
            return order.map { [UInt8($0)] }
        }
        return try characterAlphabet(counts, limit: options.limitAlphabet, coverage: options.characterCoverage)
    }
}

/// Each character's occurrences in the counted words (weighted by their counts).
/// - Complexity: O(bytes of the distinct words); memory: one entry per distinct character.
func characterCounts(_ counts: WordCounts) -> [UInt32: Int64] {
    var characters: [UInt32: Int64] = [:]
    counts.words.forEachWord { p, count in
        var i = 0
        while i < p.count {
            let (scalar, length) = decodeScalar(p, i)
            characters[scalar, default: 0] += count
            i += length
        }
    }
    return characters
}

/// The characters of a corpus to keep, as UTF-8, in code point order: all of them, or the most
/// frequent within `limit` characters and within the share `coverage` of all occurrences.
///
/// Least frequent go first; among equal counts the higher code point goes first (deterministic
/// where HuggingFace's unstable sort is not).
func characterAlphabet(_ counts: WordCounts, limit: Int?, coverage: Double?) throws -> [[UInt8]] {
    if let limit, limit < 1 {
        throw TrainingError.invalidOption("the alphabet limit is \(limit); keep at least 1 character (--limit-alphabet)")
    }
    var ranked = characterCounts(counts).sorted { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
    var remove = 0
    if let limit { remove = max(remove, ranked.count - limit) }
    if let coverage {
        guard coverage > 0 && coverage <= 1 else { throw TrainingError.invalidOption("character coverage must be in (0, 1]") }
        let total = ranked.reduce(Int64(0)) { $0 + $1.value }
        var dropped: Int64 = 0, k = 0
        while k < ranked.count && Double(total - dropped - ranked[k].value) >= coverage * Double(total) {
            dropped += ranked[k].value
            k += 1
        }
        remove = max(remove, k)
    }
    ranked.removeFirst(min(remove, ranked.count))
    return ranked.map(\.key).sorted().map { scalar in
        var bytes: [UInt8] = []
        appendUTF8(scalar, to: &bytes)
        return bytes
    }
}


import Foundation
