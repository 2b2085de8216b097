import Foundation
import VocabKit
import VocabTraining

/// The algorithms a sweep compares.
public enum SweepAlgorithm: String, Sendable, Codable, CaseIterable {
    case bpe, wordpiece, unigram, hybrid
    /// Word-level: the baseline that shows what subwords buy.
    case word

    /// The front end of each algorithm in a sweep: `vocab train`'s defaults (byte-level BPE splits
    /// like GPT-2, WordPiece like BERT, Unigram and the hybrid like SentencePiece: NFKC +
    /// Metaspace), except that words are ICU word segments (NFKC + word-break), so Chinese,
    /// Japanese and Thai have words too.
    public var defaultFrontEnd: (normalizer: String, preTokenizers: [String]) {
        switch self {
        case .bpe: return ("none", ["gpt2"])
        case .wordpiece: return ("bert", ["bert"])
        case .unigram, .hybrid: return ("nmt-nfkc", ["metaspace"])
        case .word: return ("nmt-nfkc", ["word-break"])
        }
    }
}

/// Trainer settings shared by every algorithm of a sweep.
public struct SweepTrainingOptions: Sendable {
    /// Characters covering this share of the text make the alphabet (character-level
    /// algorithms); 0.9995 is SentencePiece's default.
    public var characterCoverage = 0.9995
    /// Pairs seen fewer times are not merged (BPE), as `vocab train`'s default.
    public var minFrequency: Int64 = 2
    /// WordPiece's merge criterion. Frequency (HuggingFace's WordPieceTrainer) by default:
    /// measured on 10 MB of English (3 folds), the likelihood score count(ab) / (count(a) ·
    /// count(b)) gave 3.61 tokens per word at 8k against 1.63 for frequency, because it merges
    /// rare pairs first.
    public var wordPieceCriterion: WordPieceTrainerOptions.Criterion = .frequency
    /// Worker threads: folds trained at once, and Unigram's E-step threads (0: all cores).
    public var threads = 0

    public init() {}
}

/// Every vocabulary size of one training, without retraining: the nested vocabularies that BPE
/// and WordPiece merge orders, Unigram pruning rounds and hybrid word rankings give.
///
/// - BPE: the first k ids and the merges that make them (merge order is independent of the
///   target size, so this equals training at k; tested).
/// - WordPiece: the first k tokens, the vocabulary after k minus the alphabet merges.
/// - Unigram: trained down to the smallest size; each larger size takes the smallest pruning
///   round holding it and keeps the best-scored pieces (`UnigramTraining.model(size:)`).
/// - Hybrid: the spelling alphabet plus the first k minus alphabet words of the ranking.
public struct NestedVocabulary: Sendable {
    public let algorithm: SweepAlgorithm
    /// The smallest and largest sizes this training gives.
    public let minimumSize: Int
    public let maximumSize: Int
    private let storage: Storage

    private enum Storage: Sendable {
        case bpe(BPEModel, specials: Int)
        case wordPiece(WordPieceModel, specials: Set<[UInt8]>)
        case unigram(UnigramTraining)
        case hybrid(HybridModel, ranking: [[UInt8]])
        case word(WordLevelTraining)
    }

    /// Trains `algorithm` once on `counts` so that every size of `sizes` the corpus allows can
    /// be cut from it.
    public static func train(_ algorithm: SweepAlgorithm, counts: WordCounts, sizes: [Int],
                             options: SweepTrainingOptions, progress: ((TrainingProgress) -> Void)? = nil) throws -> NestedVocabulary {
        guard let smallest = sizes.min(), let largest = sizes.max() else {
            throw AnalysisError.invalidOption("no vocabulary sizes given")
        }
        switch algorithm {
        case .bpe:
            var bpe = BPETrainerOptions(vocabularySize: largest)
            bpe.minFrequency = options.minFrequency
            let result = try BPETrainer(options: bpe).train(counts, progress: progress)
            let model = result.model
            let firstMerged = model.merges.map { Int($0.2) }.min() ?? model.vocabularySize
            return NestedVocabulary(algorithm: algorithm, minimumSize: firstMerged, maximumSize: model.vocabularySize,
                                    storage: .bpe(model, specials: result.specialTokens.count))
        case .wordpiece:
            var wordPiece = WordPieceTrainerOptions(vocabularySize: largest)
            wordPiece.characterCoverage = options.characterCoverage
            wordPiece.minFrequency = options.minFrequency
            wordPiece.criterion = options.wordPieceCriterion
            let model = try WordPieceTrainer(options: wordPiece).train(counts, progress: progress)
            let specials = Set(wordPiece.specialTokens.map { Array($0.utf8) })
            let prefix = model.continuingSubwordPrefix
            let base = model.tokens.prefix { token in
                specials.contains(token) || scalarCount(token) == 1
                    || (token.starts(with: prefix) && scalarCount(token.dropFirst(prefix.count)) == 1)
            }.count
            return NestedVocabulary(algorithm: algorithm, minimumSize: base, maximumSize: model.vocabularySize,
                                    storage: .wordPiece(model, specials: specials))
        case .unigram:
            var unigram = UnigramTrainerOptions(vocabularySize: smallest)
            unigram.characterCoverage = options.characterCoverage
            unigram.threads = options.threads
            let training: UnigramTraining
            do {
                training = try UnigramTrainer(options: unigram).train(counts, progress: progress)
            } catch TrainingError.vocabularyTooSmall(_, let minimum, _) where minimum <= largest {
                unigram.vocabularySize = minimum
                training = try UnigramTrainer(options: unigram).train(counts)
            }
            let meta = unigram.specialTokens.count + (unigram.byteFallback ? 256 : 0)
            let seedSize = (training.rounds.first?.pieces.count ?? 0) + meta
            return NestedVocabulary(algorithm: algorithm, minimumSize: training.model.vocabularySize,
                                    maximumSize: max(training.model.vocabularySize, seedSize), storage: .unigram(training))
        case .hybrid:
            var hybrid = HybridTrainerOptions(vocabularySize: largest)
            hybrid.characterCoverage = options.characterCoverage
            let training = try HybridTrainer(options: hybrid).train(counts)
            let spelling = training.model.spelling
            let ranking = training.ranking.filter { spelling.id(of: $0) == nil }
            return NestedVocabulary(algorithm: algorithm, minimumSize: spelling.vocabularySize,
                                    maximumSize: spelling.vocabularySize + ranking.count,
                                    storage: .hybrid(training.model, ranking: ranking))
        case .word:
            var word = WordLevelTrainerOptions(vocabularySize: largest)
            word.minFrequency = options.minFrequency
            let training = try WordLevelTrainer(options: word).train(counts)
            return NestedVocabulary(algorithm: algorithm, minimumSize: word.specialTokens.count + 1,
                                    maximumSize: word.specialTokens.count + training.ranking.count, storage: .word(training))
        }
    }

    /// Whether `size` can be cut from this training.
    public func offers(_ size: Int) -> Bool { size >= minimumSize && size <= maximumSize }

    /// The vocabulary of exactly `size` tokens.
    public func model(size: Int) throws -> TokenModel {
        guard offers(size) else {
            throw AnalysisError.invalidOption("\(algorithm.rawValue) offers sizes \(minimumSize) to \(maximumSize) on this corpus, not \(size)")
        }
        switch storage {
        case .bpe(let model, _):
            return .bpe(try Self.bpePrefix(model, size: size))
        case .wordPiece(let model, _):
            return .wordPiece(try WordPieceModel(tokens: Array(model.tokens.prefix(size)),
                                                 unknownToken: String(decoding: model.tokens[Int(model.unknownToken)], as: UTF8.self),
                                                 continuingSubwordPrefix: String(decoding: model.continuingSubwordPrefix, as: UTF8.self),
                                                 maxInputCharactersPerWord: model.maxInputCharactersPerWord))
        case .unigram(let training):
            return .unigram(try training.model(size: size))
        case .hybrid(let model, let ranking):
            let words = Array(ranking.prefix(size - model.spelling.vocabularySize))
            return .hybrid(try HybridModel(spelling: model.spelling, words: words))
        case .word(let training):
            return .wordLevel(try training.model(size: size))
        }
    }

    /// The first `size` ids of a BPE model and the merges that make them.
    public static func bpePrefix(_ model: BPEModel, size: Int) throws -> BPEModel {
        try BPEModel(tokens: Array(model.tokens.prefix(size)), merges: model.merges.filter { Int($0.2) < size },
                     isByteLevel: model.isByteLevel, ignoresMerges: model.ignoresMerges,
                     unknownToken: model.unknownToken.flatMap { Int($0) < size ? $0 : nil }, fusesUnknown: model.fusesUnknown,
                     byteFallback: model.byteFallback,
                     continuingSubwordPrefix: model.continuingSubwordPrefix.map { String(decoding: $0, as: UTF8.self) },
                     endOfWordSuffix: model.endOfWordSuffix.map { String(decoding: $0, as: UTF8.self) })
    }

    /// The special tokens of this training (they are not counted as vocabulary in use).
    var specialTokens: [String] {
        switch storage {
        case .bpe(let model, let specials): return model.tokens.prefix(specials).map { String(decoding: $0, as: UTF8.self) }
        case .wordPiece(_, let specials): return specials.map { String(decoding: $0, as: UTF8.self) }.sorted()
        case .unigram: return []
        case .hybrid(let model, _): return model.spelling.unknownToken.map { [model.spelling.tokenString($0)] } ?? []
        case .word(let training): return training.specialTokens
        }
    }

    /// What each id of `model` is: ordinary, unknown, byte fallback or special.
    func tokenClasses(_ model: TokenModel) -> [TokenClass] {
        TokenClass.classes(of: model, specialTokens: specialTokens)
    }
}

/// What a token id stands for, for the coverage measures.
enum TokenClass: UInt8, Sendable {
    case ordinary, unknown, byteFallback, special

    /// The class of every id of `model`: the unknown token, `<0xAB>` byte-fallback tokens (when
    /// the model falls back to bytes), special tokens (by content, and SentencePiece's control,
    /// user-defined and unused pieces), the rest ordinary.
    static func classes(of model: TokenModel, specialTokens: [String]) -> [TokenClass] {
        var classes = [TokenClass](repeating: .ordinary, count: model.vocabularySize)
        for token in specialTokens {
            if let id = model.id(of: Array(token.utf8)) { classes[Int(id)] = .special }
        }
        func markFallback(_ tokens: [[UInt8]]) {
            for (id, token) in tokens.enumerated() where token.count == 6 && token.starts(with: Array("<0x".utf8)) && token.last == UInt8(ascii: ">") {
                classes[id] = .byteFallback
            }
        }
        func markKinds(_ kinds: [UnigramModel.PieceKind]) {
            for (id, kind) in kinds.enumerated() {
                switch kind {
                case .unknown: classes[id] = .unknown
                case .byte: classes[id] = .byteFallback
                case .control, .userDefined, .unused: classes[id] = .special
                case .normal: break
                }
            }
        }
        switch model {
        case .bpe(let bpe):
            if bpe.byteFallback { markFallback(bpe.tokens) }
            if let unknown = bpe.unknownToken { classes[Int(unknown)] = .unknown }
        case .wordPiece(let wordPiece): classes[Int(wordPiece.unknownToken)] = .unknown
        case .unigram(let unigram): markKinds(unigram.kinds)
        case .scoredBPE(let scored): markKinds(scored.kinds)
        case .hybrid(let hybrid):
            if hybrid.spelling.byteFallback { markFallback(hybrid.spelling.tokens) }
            if let unknown = hybrid.spelling.unknownToken { classes[Int(unknown)] = .unknown }
        case .wordLevel(let word): classes[Int(word.unknownToken)] = .unknown
        }
        return classes
    }
}
