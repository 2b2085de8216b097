import VocabKit

/// SuperBPE (Liu et al. 2025): byte-level BPE learned in two stages, subwords first, then
/// superwords that bridge whitespace ("by the way", "of the").
///
/// The tokenizer's front end is that of SuperBPE's released tokenizers: digit runs apart
/// (`digit-runs`, HuggingFace's `Digits(individual_digits=False)`), then each run cut into
/// groups of three from the right (`Split` on the zero-width `(?=(\d{3})+(?!\d))`), so a line
/// is one piece apart from its numbers; bytes are the alphabet, as GPT-2's. Training:
/// 1. Stage 1: every counted piece is cut further by the released stage-1 pattern (GPT-2's
///    split without its contractions and number class: whitespace pre-tokenization), and
///    byte-level BPE is trained on those words up to `transition` tokens.
/// 2. Stage 2: each counted piece, segmented by the stage-1 model, keeps training by frequency
///    without the whitespace boundary (`VocabularyExtension`'s pair machinery) up to the size.
/// Encoding is plain BPE over those pieces with all merges in order: stage-1 merges rank first,
/// so words are built before superwords join them, which is how SuperBPE's released tokenizers
/// encode (a `tokenizer.json` that `tokenizers` loads with the same ids; checked in the
/// cross-check).
public struct SuperBPERecipe: Trainer {
    /// The size at which stage 2 starts (nil: 90% of the vocabulary size, the paper's
    /// recommendation of t = 180k for 200k).
    public var transition: Int?

    public init() {}

    /// The released tokenizers' digit split: at every point followed by a multiple of three
    /// digits up to the run's end (zero-width, so it only cuts).
    public static let digitGroupPattern = RegexSplitter.digitGroupPattern
    /// The released stage-1 split (GPT-2's, without contractions and numbers, which the digit
    /// split handles).
    public static let wordPattern = " ?\\p{L}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

    /// Pieces split only at digit runs, and those in groups of three from the right.
    public func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames {
        FrontEndNames(normalizer: "none", preTokenizers: ["digit-runs", "regex:" + Self.digitGroupPattern])
    }

    /// HuggingFace keeps "\n" when training from files.
    public var keepsLineBreaks: Bool { true }

    public var growsOneTokenAtATime: Bool { true }

    public func modelKind(_ recipe: Recipe) -> TokenModel.Kind { .bpe(byteLevel: true) }

    /// The transition for a vocabulary of `size` tokens.
    func transition(for size: Int) throws -> Int {
        let t = transition ?? size * 9 / 10
        guard t >= 257, t < size else {
            throw TrainingError.invalidOption("the SuperBPE transition must lie between 257 (the bytes and a merge) and the vocabulary size \(size), not \(t)")
        }
        return t
    }

    /// Stage 1 and 2: the subword model at the transition, and the final model.
    func trainStages(_ counts: WordCounts, recipe: Recipe, size: Int,
                     progress: ((TrainingProgress) -> Void)?) throws -> (stage1: BPEModel, final: BPEModel, added: [AddedToken], transition: Int) {
        let t = try transition(for: size)
        // 1. Words by the stage-1 split inside each counted piece.
        var words: [[UInt8]: Int64] = [:]
        var ranges: [Range<Int>] = []
        let splitter = try RegexSplitter(pattern: Self.wordPattern)
        var failure: (any Error)?
        counts.words.forEachWord { piece, count in
            guard failure == nil else { return }
            ranges.removeAll(keepingCapacity: true)
            do { try splitter.split(piece, 0..<piece.count, into: &ranges) } catch { failure = error }
            for range in ranges { words[Array(piece[range]), default: 0] += count }
        }
        if let failure { throw failure }
        let sorted = words.map { (word: $0.key, count: $0.value) }.sorted { $0.word.lexicographicallyPrecedes($1.word) }
        let subwordCounts = WordCounts(words: sorted, lines: counts.lines, bytes: counts.bytes)
        var bpe = BPERecipe()
        bpe.characters = false
        let stage1 = try BPETrainer(options: bpe.options(recipe, size: t)).train(subwordCounts, progress: progress)
        // 2. Superwords.
        let (tokens, merges) = try VocabularyExtension.continueTraining(stage1.model, words: counts, size: size,
                                                                        minFrequency: recipe.minFrequency, progress: progress)
        let final = try BPEModel(tokens: tokens, merges: stage1.model.merges + merges, isByteLevel: true)
        return (stage1.model, final, stage1.specialTokens, t)
    }

    /// The stage-1 front end: this one, then the stage-1 split.
    func subwordFrontEnd(_ frontEnd: TextFrontEnd) throws -> TextFrontEnd {
        TextFrontEnd(normalizer: frontEnd.normalizer,
                     preTokenizer: PreTokenizerSequence([frontEnd.preTokenizer, try RegexSplitter(pattern: Self.wordPattern)]),
                     invalidUTF8: frontEnd.invalidUTF8)
    }

    public func train(_ counts: consuming WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
                      progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer {
        var record = TrainingRecord(algorithm: .superbpe, name: "SuperBPE", frontEnd: recipe.frontEndNames, counts: copy counts)
        let stages = try trainStages(counts, recipe: recipe, size: recipe.vocabularySize, progress: progress)
        record.details = ["transition \(stages.transition)", "\(stages.final.merges.count - stages.stage1.merges.count) superword merges"]
        return TrainedTokenizer(tokenizer: Tokenizer(frontEnd: frontEnd, model: .bpe(stages.final), addedTokens: stages.added, decoder: .concatenate),
                                record: record)
    }

    /// Sizes up to the transition are the stage-1 BPE with whitespace pre-tokenization (what
    /// SuperBPE is below its transition); larger ones cut the final merge order.
    public func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                            progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary {
        let stages = try trainStages(counts, recipe: recipe, size: sizes.upperBound, progress: progress)
        let (stage1, final, added, t) = (stages.stage1, stages.final, stages.added, stages.transition)
        let subwordFrontEnd = try subwordFrontEnd(frontEnd)
        let firstMerged = stage1.merges.map { Int($0.2) }.min() ?? stage1.vocabularySize
        return NestedVocabulary(algorithm: .superbpe, minimumSize: firstMerged, maximumSize: final.vocabularySize,
                                specialTokens: added.map(\.content)) { size in
            size <= t
                ? Tokenizer(frontEnd: subwordFrontEnd, model: .bpe(try stage1.prefix(size: size)), addedTokens: added, decoder: .concatenate)
                : Tokenizer(frontEnd: frontEnd, model: .bpe(try final.prefix(size: size)), addedTokens: added, decoder: .concatenate)
        }
    }
}
