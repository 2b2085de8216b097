import Foundation
import VocabKit

/// One algorithm's part of every recipe: its default front end, the trainer options it reads from
/// the recipe, the tokenizer it assembles, and the nested vocabularies a sweep cuts.
///
/// Training yields a whole tokenizer (front end, model, added tokens, post-processor, decoder),
/// ready to encode and to write with `TokenizerFile`. Conforming types live in their algorithm's
/// folder (`BPE/BPERecipe.swift`, ...); `Algorithm.trainer(_:)` is the one switch over them.
public protocol Trainer: Sendable {
    /// The front end used when the recipe names none.
    func defaultFrontEnd(_ recipe: Recipe) -> FrontEndNames
    /// Whether counting keeps each line's "\n" when the recipe does not say (HuggingFace keeps it
    /// when training from files; SentencePiece-style trainers drop it).
    var keepsLineBreaks: Bool { get }
    /// Whether training grows the vocabulary one token at a time and reports each "merge", so
    /// the time to reach every size is known (BPE, WordPiece).
    var growsOneTokenAtATime: Bool { get }
    /// Whether training spreads much of its work over the recipe's threads and holds much more
    /// than its word counts (Unigram: its E-step and pruning are parallel, its seed step's suffix
    /// array is not; it holds that suffix array, then EM over a million seed pieces), so a sweep
    /// trains its folds one at a time with every thread rather than several at once.
    var trainsWithThreads: Bool { get }
    /// The kind of model training gives with the recipe's settings (which file formats can hold
    /// it is `TokenizerFile.Format.holds`'s business).
    func modelKind(_ recipe: Recipe) -> TokenModel.Kind
    /// Trains at `recipe.vocabularySize` on word counts made with `frontEnd`. The counts are
    /// consumed, so a trainer can free them once it has its own form of the words.
    func train(_ counts: consuming WordCounts, frontEnd: TextFrontEnd, recipe: Recipe,
               progress: ((TrainingProgress) -> Void)?) throws -> TrainedTokenizer
    /// Trains once so that every size in `sizes` the corpus allows can be cut without retraining.
    func trainNested(_ counts: WordCounts, frontEnd: TextFrontEnd, sizes: ClosedRange<Int>, recipe: Recipe,
                     progress: ((TrainingProgress) -> Void)?) throws -> NestedVocabulary
}

extension Trainer {
    public var keepsLineBreaks: Bool { false }
    public var growsOneTokenAtATime: Bool { false }
    public var trainsWithThreads: Bool { false }
}
