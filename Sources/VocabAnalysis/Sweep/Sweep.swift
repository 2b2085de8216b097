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
    public var recipes: [Recipe] = Algorithm.allCases.map(Recipe.sweep)
    public var sizes: [Int] = [1000, 2000, 4000, 8000, 16000, 32000, 64000]
    /// Worker threads: folds trained at once, and Unigram's E-step threads (0: all cores).
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
    /// 1. Pre-tokenize the corpus once per distinct front end.
    /// 2. For each fold and algorithm: train once on the other folds (at the largest size, or the
    ///    smallest for Unigram) with its recipe (`Recipe.trainNested`), then cut every requested
    ///    size from the nested vocabularies.
    ///    Folds run in parallel (`options.threads` at a time), so training times are measured
    ///    under that contention.
    /// 3. For each size: encode the distinct pieces of the held-out fold and of the next fold (a
    ///    training fold of the same size, for the compression gap) once, and sum per unit and
    ///    group.
    /// 4. VOLT's marginal utility between adjacent sizes.
    /// - Complexity: folds x algorithms trainings, plus folds x algorithms x sizes encodings of
    ///   two folds' distinct pieces.
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
        // Phase 1 (in parallel inside).
        var texts: [String: PreTokenizedCorpus] = [:]
        for recipe in options.recipes {
            let names = recipe.frontEndNames
            let key = names.description
            if texts[key] == nil {
                progress?(SweepProgress(message: "pre-tokenizing (\(key))", done: done, total: total))
                texts[key] = try PreTokenizedCorpus(corpus, frontEnd: try names.frontEnd())
            }
        }
        let foldUnits = (0..<folds).map { corpus.units(inFold: $0) }
        // Phases 2-3, folds in parallel (results come back in fold order, so the output does not
        // depend on scheduling); trainings within a fold run in recipe order.
        let lock = Lock()
        func runFold(_ fold: Int) throws -> (cells: [SweepCell], trainings: [SweepTraining], parallel: [ParallelCount]) {
            var cells: [SweepCell] = [], trainings: [SweepTraining] = [], parallel: [ParallelCount] = []
            var countsByFrontEnd: [String: WordCounts] = [:]
            for var recipe in options.recipes {
                let algorithm = recipe.algorithm
                recipe.threads = options.threads
                let key = recipe.frontEndNames.description
                let text = texts[key]!
                lock.withLock { progress?(SweepProgress(message: "fold \(fold + 1)/\(folds): training \(algorithm.rawValue)", done: done, total: total)) }
                if countsByFrontEnd[key] == nil { countsByFrontEnd[key] = text.trainingCounts(corpus, excludingFold: fold) }
                let started = Date()
                let nested: NestedVocabulary
                var secondsToSize: [String: Double] = [:]
                do {
                    nested = try recipe.trainNested(counts: countsByFrontEnd[key]!, sizes: sizes) { report in
                        guard report.phase == "merge" else { return }
                        for size in sizes where report.done >= size && secondsToSize[String(size)] == nil {
                            secondsToSize[String(size)] = Date().timeIntervalSince(started)
                        }
                    }
                } catch {
                    trainings.append(SweepTraining(algorithm: algorithm, fold: fold, seconds: Date().timeIntervalSince(started),
                                                   evaluationSeconds: 0, peakMemoryBytes: peakMemoryBytes(), failure: "\(error)"))
                    lock.withLock { done += 1 }
                    continue
                }
                let trained = Date()
                if recipe.trainer.growsOneTokenAtATime {
                    // Sizes passed after the last report were reached by the end.
                    for size in sizes where nested.offers(size) && secondsToSize[String(size)] == nil {
                        secondsToSize[String(size)] = trained.timeIntervalSince(started)
                    }
                }
                var foldCells: [SweepCell] = []
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
                cells += withMarginalUtility(foldCells)
                trainings.append(SweepTraining(algorithm: algorithm, fold: fold, seconds: trained.timeIntervalSince(started),
                                               secondsToSize: secondsToSize,
                                               evaluationSeconds: Date().timeIntervalSince(trained), peakMemoryBytes: peakMemoryBytes(),
                                               minimumSize: nested.minimumSize, maximumSize: nested.maximumSize))
                lock.withLock { done += 1 }
            }
            return (cells, trainings, parallel)
        }
        let foldResults = try Parallel.map(folds, threads: options.threads, runFold)
        let cells = foldResults.flatMap(\.cells), trainings = foldResults.flatMap(\.trainings)
        progress?(SweepProgress(message: "done", done: done, total: total))
        var changes: [FrontEndChange] = []
        for key in texts.keys.sorted() {
            let algorithms = options.recipes.filter { $0.frontEndNames.description == key }.map(\.algorithm)
            for (g, group) in corpus.groupNames.enumerated() {
                let characters = (0..<corpus.unitCount).reduce(0) { $0 + (Int(corpus.unitGroups[$1]) == g ? Int(corpus.unitCharacters[$1]) : 0) }
                changes.append(FrontEndChange(frontEnd: key, algorithms: algorithms, group: group,
                                              changedCharacters: texts[key]!.changedCharactersByGroup[g], characters: characters))
            }
        }
        var results = SweepResults(groups: corpus.groupNames, folds: folds, sizes: sizes, algorithms: options.algorithms,
                                   cells: cells, trainings: trainings)
        results.frontEndChanges = changes
        results.parallelCounts = foldResults.flatMap(\.parallel)
        return results
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
