import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VocabKit
import VocabTraining

/// Settings of a vocabulary-size sweep.
public struct SweepOptions: Sendable {
    /// The recipes compared, one per algorithm: `Recipe.sweep(_:)` unless replaced. Their
    /// vocabulary sizes are ignored (`sizes` are cut from one training each).
    public var recipes: [Recipe] = Algorithm.sweepDefaults.map(Recipe.sweep)
    public var sizes: [Int] = [1000, 2000, 4000, 8000, 16000, 32000, 64000]
    /// Worker threads (0: all cores): folds trained at once, except Unigram's, trained one fold at
    /// a time with this many E-step and pruning threads.
    public var threads = 0
    public var model = ModelConfiguration()
    /// Tokens used fewer times than this in held-out text are counted as rare.
    public var rareThreshold = 10
    /// The pivot group of the language premium (nil: the first group).
    public var pivot: String?
    /// The groups are line-parallel translations: the premium is then Petrov et al.'s exact ratio
    /// of token counts; otherwise a ratio of tokens per character.
    public var parallel = false
    /// Line-parallel translations to measure Petrov et al.'s premium on when the corpora are not
    /// translations: per group name, its lines (line i of every group is the same message).
    /// Every trained size encodes them; nothing is trained on them.
    public var parallelReference: [String: [String]] = [:]
    /// How the "all" row weighs the groups (by bytes, or each group once).
    public var weighting: GroupWeighting = .bytes

    public init() {}

    /// The algorithms compared, in order; setting it keeps the recipes of algorithms already
    /// here and takes `Recipe.sweep(_:)` for the others.
    public var algorithms: [Algorithm] {
        get { recipes.map(\.algorithm) }
        set { recipes = newValue.map { algorithm in recipes.first { $0.algorithm == algorithm } ?? Recipe.sweep(algorithm) } }
    }
}

/// One measured point: an algorithm at a size, on one fold's held-out units of one group.
public struct SweepCell: Sendable, Codable, Equatable {
    public var algorithm: Algorithm
    public var size: Int
    /// The group's name, or "all" for every group together when there are several.
    public var group: String
    public var fold: Int
    public var measures: TokenizationMeasures
}

/// One training of one fold.
public struct SweepTraining: Sendable, Codable, Equatable {
    public var algorithm: Algorithm
    public var fold: Int
    public var seconds: Double
    /// Seconds until the training passed each size ("8000": 3.2), for trainers that grow the
    /// vocabulary one merge at a time (BPE, WordPiece; to within 256 merges): what training
    /// directly at that size would have cost.
    public var secondsToSize: [String: Double] = [:]
    /// Seconds spent measuring every size of this training.
    public var evaluationSeconds: Double
    /// The process's peak resident memory after this training (a high-water mark).
    public var peakMemoryBytes: Int
    public var minimumSize: Int?
    public var maximumSize: Int?
    /// Why the algorithm could not be trained on this fold, if it could not.
    public var failure: String?
}

/// The tokens one trained size gives one group of the parallel reference.
public struct ParallelCount: Sendable, Codable, Equatable {
    public var algorithm: Algorithm
    public var size: Int
    public var fold: Int
    public var group: String
    public var tokens: Int
}

/// Progress of a running sweep.
public struct SweepProgress: Sendable {
    public var message: String
    public var done: Int
    public var total: Int
}

/// Every measurement of a sweep.
public struct SweepResults: Sendable, Codable {
    public var groups: [String]
    public var folds: Int
    public var sizes: [Int]
    public var algorithms: [Algorithm]
    public var cells: [SweepCell]
    public var trainings: [SweepTraining]
    /// Per front end and group, the share of characters its normalizer removes or changes.
    public var frontEndChanges: [FrontEndChange] = []
    /// Tokens of each group of the parallel reference, per algorithm, size and fold.
    public var parallelCounts: [ParallelCount] = []
    /// The group whose cells summarize the whole corpus: the only group, or "all".
    public var overallGroup: String { groups.count == 1 ? groups[0] : "all" }

    /// The per-fold cells of one point.
    public func cells(_ algorithm: Algorithm, size: Int, group: String? = nil) -> [SweepCell] {
        let group = group ?? overallGroup
        return cells.filter { $0.algorithm == algorithm && $0.size == size && $0.group == group }
    }
}

/// Cross-validated vocabulary-size sweeps.
public enum Sweep {
    /// Runs the sweep.
    ///
    /// 1. Build every distinct front end (a bad one fails before any training).
    /// 2. For each front end, in the order its first recipe is given:
    ///    a. pre-tokenize the corpus with it (dropped before the next front end, so one
    ///       pre-tokenized copy is alive at a time);
    ///    b. for each fold and each algorithm using it: train once on the other folds (at the
    ///       largest size, or the smallest for Unigram) with its recipe (`Recipe.trainNested`) and
    ///       cut every requested size from the nested vocabularies. First every algorithm whose
    ///       trainer does not spread over the threads itself, folds `options.threads` at a time
    ///       (so their training times are measured under that contention), recipe order within a
    ///       fold; then the others (`Trainer.trainsWithThreads`, Unigram) one fold at a time with
    ///       every thread, which holds one such training's memory instead of `options.threads`.
    ///       A front end with both kinds sums each fold's training counts once per pass. An error
    ///       stops the sweep: the first pass's lowest failing fold, else the second's, the same
    ///       error at any thread count;
    ///    c. for each size, encode the distinct pieces of the held-out fold and of the next fold
    ///       (a training fold of the same size, for the compression gap) once, in parallel, and
    ///       sum per unit and group; then VOLT's marginal utility between adjacent sizes.
    /// 3. Put the results in fold order, then recipe order, whatever the scheduling.
    /// - Complexity: folds x algorithms trainings, plus folds x algorithms x sizes encodings of
    ///   two folds' distinct pieces; memory is the corpus, one pre-tokenized copy and
    ///   `options.threads` trainings at a time (one while a `trainsWithThreads` recipe trains).
    public static func run(_ corpus: SweepCorpus, options: SweepOptions,
                           progress: ((SweepProgress) -> Void)? = nil) throws -> SweepResults {
        let sizes = Array(Set(options.sizes)).sorted()
        guard !sizes.isEmpty, sizes[0] >= 2 else { throw AnalysisError.invalidOption("give vocabulary sizes of at least 2") }
        guard !options.recipes.isEmpty else { throw AnalysisError.invalidOption("give at least one algorithm") }
        guard Set(options.algorithms).count == options.algorithms.count else {
            throw AnalysisError.invalidOption("give each algorithm once")
        }
        let folds = corpus.foldCount
        let total = folds * options.algorithms.count
        var done = 0
        let foldUnits = (0..<folds).map { corpus.units(inFold: $0) }
        let lock = Lock()
        typealias FoldResult = (cells: [SweepCell], training: SweepTraining, parallel: [ParallelCount])
        /// Trains and measures one recipe on one fold.
        func runFold(_ fold: Int, recipe: Recipe, text: PreTokenizedCorpus, counts: WordCounts) throws -> FoldResult {
            var recipe = recipe
            let algorithm = recipe.algorithm
            recipe.threads = options.threads
            lock.withLock { progress?(SweepProgress(message: "fold \(fold + 1)/\(folds): training \(algorithm.rawValue)", done: done, total: total)) }
            defer { lock.withLock { done += 1 } }
            let started = Date()
            let nested: NestedVocabulary
            var secondsToSize: [String: Double] = [:]
            do {
                nested = try recipe.trainNested(counts: counts, sizes: sizes) { report in
                    guard report.phase == "merge" else { return }
                    for size in sizes where report.done >= size && secondsToSize[String(size)] == nil {
                        secondsToSize[String(size)] = Date().timeIntervalSince(started)
                    }
                }
            } catch {
                return ([], SweepTraining(algorithm: algorithm, fold: fold, seconds: Date().timeIntervalSince(started),
                                          evaluationSeconds: 0, peakMemoryBytes: peakMemoryBytes(), failure: "\(error)"), [])
            }
            let trained = Date()
            if recipe.trainer.growsOneTokenAtATime {
                // Sizes passed after the last report were reached by the end.
                for size in sizes where nested.offers(size) && secondsToSize[String(size)] == nil {
                    secondsToSize[String(size)] = trained.timeIntervalSince(started)
                }
            }
            var foldCells: [SweepCell] = [], parallel: [ParallelCount] = []
            for size in sizes where nested.offers(size) {
                let tokenizer = try nested.tokenizer(size: size), model = tokenizer.model
                for (group, lines) in options.parallelReference.sorted(by: { $0.key < $1.key }) {
                    parallel.append(ParallelCount(algorithm: algorithm, size: size, fold: fold, group: group,
                                                  tokens: try Self.tokenCount(lines, tokenizer: tokenizer)))
                }
                foldCells += measure(model: model, classes: TokenClass.classes(of: model, specialTokens: nested.specialTokens),
                                     algorithm: algorithm, size: size, fold: fold, corpus: corpus, text: text,
                                     heldOut: foldUnits[fold], trainSample: foldUnits[(fold + 1) % folds], options: options)
            }
            let training = SweepTraining(algorithm: algorithm, fold: fold, seconds: trained.timeIntervalSince(started),
                                         secondsToSize: secondsToSize,
                                         evaluationSeconds: Date().timeIntervalSince(trained), peakMemoryBytes: peakMemoryBytes(),
                                         minimumSize: nested.minimumSize, maximumSize: nested.maximumSize)
            return (withMarginalUtility(foldCells), training, parallel)
        }
        // results[fold][recipe index]
        var results = [[FoldResult?]](repeating: [FoldResult?](repeating: nil, count: options.recipes.count), count: folds)
        var changes: [String: [FrontEndChange]] = [:]
        // Phase 1.
        var frontEnds: [(key: String, frontEnd: TextFrontEnd)] = []
        for recipe in options.recipes where !frontEnds.contains(where: { $0.key == recipe.frontEndNames.description }) {
            frontEnds.append((recipe.frontEndNames.description, try recipe.frontEndNames.frontEnd()))
        }
        for (key, frontEnd) in frontEnds {
            let recipeIndices = options.recipes.indices.filter { options.recipes[$0].frontEndNames.description == key }
            // Phase 2a (in parallel inside).
            progress?(SweepProgress(message: "pre-tokenizing (\(key))", done: done, total: total))
            let text = try PreTokenizedCorpus(corpus, frontEnd: frontEnd)
            // Phases 2b-2c: several folds at once, then fold by fold.
            let alone = recipeIndices.filter { options.recipes[$0].trainer.trainsWithThreads }
            let together = recipeIndices.filter { !alone.contains($0) }
            if !together.isEmpty {
                let perFold = try Parallel.map(folds, threads: options.threads) { fold in
                    let counts = text.trainingCounts(corpus, excludingFold: fold)
                    return try together.map { try runFold(fold, recipe: options.recipes[$0], text: text, counts: counts) }
                }
                for (fold, foldResults) in perFold.enumerated() {
                    for (index, result) in zip(together, foldResults) { results[fold][index] = result }
                }
            }
            for fold in 0..<folds where !alone.isEmpty {
                let counts = text.trainingCounts(corpus, excludingFold: fold)
                for index in alone {
                    results[fold][index] = try runFold(fold, recipe: options.recipes[index], text: text, counts: counts)
                }
            }
            for (g, group) in corpus.groupNames.enumerated() {
                changes[key, default: []].append(FrontEndChange(frontEnd: key, algorithms: recipeIndices.map { options.recipes[$0].algorithm }, group: group,
                                              changedCharacters: text.changedCharactersByGroup[g], characters: corpus.characterCount(inGroup: g)))
            }
        }
        progress?(SweepProgress(message: "done", done: done, total: total))
        // Phase 3.
        let ordered = results.flatMap { $0.compactMap { $0 } }
        var sweep = SweepResults(groups: corpus.groupNames, folds: folds, sizes: sizes, algorithms: options.algorithms,
                                 cells: ordered.flatMap(\.cells), trainings: ordered.map(\.training))
        sweep.frontEndChanges = changes.keys.sorted().flatMap { changes[$0]! }
        sweep.parallelCounts = ordered.flatMap(\.parallel)
        return sweep
    }

    /// The tokens `tokenizer` gives `lines` (added tokens matched as ordinary text, no
    /// post-processing).
    /// - Complexity: one encoding per line, one scratch for all.
    static func tokenCount(_ lines: [String], tokenizer: Tokenizer) throws -> Int {
        var scratch = EncoderScratch()
        var total = 0
        for line in lines {
            let bytes = Array(line.utf8)
            total += try bytes.withUnsafeBufferPointer { try tokenizer.encode($0, allowsAddedTokens: false, scratch: &scratch).count }
        }
        return total
    }

    /// Measures one model on a fold's held-out units, per group and (with several groups) all
    /// together (see `HeldOutMeasurement`).
    static func measure(model: TokenModel, classes: [TokenClass], algorithm: Algorithm, size: Int, fold: Int,
                        corpus: SweepCorpus, text: PreTokenizedCorpus, heldOut: [Int], trainSample: [Int],
                        options: SweepOptions) -> [SweepCell] {
        HeldOutMeasurement.measure(model: model, classes: classes, corpus: corpus, text: text, heldOut: heldOut, trainSample: trainSample,
                                   contextLength: options.model.contextLength, rareThreshold: options.rareThreshold,
                                   weighting: options.weighting)
            .map { SweepCell(algorithm: algorithm, size: size, group: $0.group, fold: fold, measures: $0.measures) }
    }

    /// Fills `marginalUtility` of each cell from the next smaller size of the same group.
    static func withMarginalUtility(_ cells: [SweepCell]) -> [SweepCell] {
        var result = cells
        var previous: [String: (size: Int, entropy: Double)] = [:]
        for index in result.indices.sorted(by: { result[$0].size < result[$1].size }) {
            let cell = result[index]
            if let smaller = previous[cell.group] {
                result[index].measures.marginalUtility = InformationMeasures.marginalUtility(
                    smaller: (smaller.size, smaller.entropy), larger: (cell.size, cell.measures.entropyPerCharacter))
            }
            previous[cell.group] = (cell.size, cell.measures.entropyPerCharacter)
        }
        return result
    }

    /// The process's peak resident set size in bytes (Linux reports kilobytes).
    public static func peakMemoryBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
