import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VocabKit
import VocabTraining

/// Settings of a vocabulary-size sweep.
public struct SweepOptions: Sendable {
    public var algorithms: [SweepAlgorithm] = SweepAlgorithm.allCases
    public var sizes: [Int] = [1000, 2000, 4000, 8000, 16000, 32000, 64000]
    public var training = SweepTrainingOptions()
    /// Replace every algorithm's default normalizer and pre-tokenizers (nil: the defaults).
    public var normalizer: String?
    public var preTokenizers: [String]?
    public var model = ModelConfiguration()
    /// Tokens used fewer times than this in held-out text are counted as rare.
    public var rareThreshold = 10
    /// The pivot group of the language premium (nil: the first group).
    public var pivot: String?
    /// The groups are line-parallel translations: the premium is then Petrov et al.'s exact ratio
    /// of token counts; otherwise a ratio of tokens per character.
    public var parallel = false

    public init() {}

    public func frontEndNames(_ algorithm: SweepAlgorithm) -> (normalizer: String, preTokenizers: [String]) {
        let defaults = algorithm.defaultFrontEnd
        return (normalizer ?? defaults.normalizer, preTokenizers ?? defaults.preTokenizers)
    }
}

/// One measured point: an algorithm at a size, on one fold's held-out units of one group.
public struct SweepCell: Sendable, Codable, Equatable {
    public var algorithm: SweepAlgorithm
    public var size: Int
    /// The group's name, or "all" for every group together when there are several.
    public var group: String
    public var fold: Int
    public var measures: TokenizationMeasures
}

/// One training of one fold.
public struct SweepTraining: Sendable, Codable, Equatable {
    public var algorithm: SweepAlgorithm
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
    public var algorithms: [SweepAlgorithm]
    public var cells: [SweepCell]
    public var trainings: [SweepTraining]
    /// The group whose cells summarize the whole corpus: the only group, or "all".
    public var overallGroup: String { groups.count == 1 ? groups[0] : "all" }

    /// The per-fold cells of one point.
    public func cells(_ algorithm: SweepAlgorithm, size: Int, group: String? = nil) -> [SweepCell] {
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
    ///    smallest for Unigram), then cut every requested size from the nested vocabularies.
    ///    Folds run in parallel (`training.threads` at a time), so training times are measured
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
        guard !options.algorithms.isEmpty else { throw AnalysisError.invalidOption("give at least one algorithm") }
        let folds = corpus.foldCount
        let total = folds * options.algorithms.count
        var done = 0
        // Phase 1 (in parallel inside).
        var texts: [String: PreTokenizedCorpus] = [:]
        for algorithm in options.algorithms {
            let names = options.frontEndNames(algorithm)
            let key = frontEndKey(names)
            if texts[key] == nil {
                progress?(SweepProgress(message: "pre-tokenizing (\(key))", done: done, total: total))
                texts[key] = try PreTokenizedCorpus(corpus, frontEnd: try TextFrontEnd(normalizer: names.normalizer, preTokenizers: names.preTokenizers))
            }
        }
        let foldUnits = (0..<folds).map { corpus.units(inFold: $0) }
        // Phases 2-3, folds in parallel (each fold's results land in its own slot, so the output
        // does not depend on scheduling); trainings within a fold run in algorithm order.
        var foldResults = [(cells: [SweepCell], trainings: [SweepTraining], error: Error?)](repeating: ([], [], nil), count: folds)
        let lock = Lock()
        let workers = max(1, min(folds, options.training.threads > 0 ? options.training.threads : ProcessInfo.processInfo.activeProcessorCount))
        foldResults.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for fold in stride(from: worker, to: folds, by: workers) {
                    do {
                        var countsByFrontEnd: [String: WordCounts] = [:]
                        for algorithm in options.algorithms {
                            let key = frontEndKey(options.frontEndNames(algorithm))
                            let text = texts[key]!
                            lock.withLock { progress?(SweepProgress(message: "fold \(fold + 1)/\(folds): training \(algorithm.rawValue)", done: done, total: total)) }
                            if countsByFrontEnd[key] == nil { countsByFrontEnd[key] = text.trainingCounts(corpus, excludingFold: fold) }
                            let started = Date()
                            let nested: NestedVocabulary
                            var secondsToSize: [String: Double] = [:]
                            do {
                                nested = try NestedVocabulary.train(algorithm, counts: countsByFrontEnd[key]!, sizes: sizes, options: options.training) { report in
                                    guard report.phase == "merge" else { return }
                                    for size in sizes where report.done >= size && secondsToSize[String(size)] == nil {
                                        secondsToSize[String(size)] = Date().timeIntervalSince(started)
                                    }
                                }
                            } catch {
                                slots[fold].trainings.append(SweepTraining(algorithm: algorithm, fold: fold, seconds: Date().timeIntervalSince(started),
                                                                           evaluationSeconds: 0, peakMemoryBytes: peakMemoryBytes(), failure: "\(error)"))
                                lock.withLock { done += 1 }
                                continue
                            }
                            let trained = Date()
                            if algorithm == .bpe || algorithm == .wordpiece {
                                // Sizes passed after the last report were reached by the end.
                                for size in sizes where nested.offers(size) && secondsToSize[String(size)] == nil {
                                    secondsToSize[String(size)] = trained.timeIntervalSince(started)
                                }
                            }
                            var foldCells: [SweepCell] = []
                            for size in sizes where nested.offers(size) {
                                let model = try nested.model(size: size)
                                foldCells += measure(model: model, classes: nested.tokenClasses(model), algorithm: algorithm, size: size,
                                                     fold: fold, corpus: corpus, text: text, heldOut: foldUnits[fold],
                                                     trainSample: foldUnits[(fold + 1) % folds], options: options)
                            }
                            slots[fold].cells += withMarginalUtility(foldCells)
                            slots[fold].trainings.append(SweepTraining(algorithm: algorithm, fold: fold, seconds: trained.timeIntervalSince(started),
                                                                       secondsToSize: secondsToSize,
                                                                       evaluationSeconds: Date().timeIntervalSince(trained), peakMemoryBytes: peakMemoryBytes(),
                                                                       minimumSize: nested.minimumSize, maximumSize: nested.maximumSize))
                            lock.withLock { done += 1 }
                        }
                    } catch {
                        slots[fold].error = error
                    }
                }
            }
        }
        var cells: [SweepCell] = [], trainings: [SweepTraining] = []
        for result in foldResults {
            if let error = result.error { throw error }
            cells += result.cells
            trainings += result.trainings
        }
        progress?(SweepProgress(message: "done", done: done, total: total))
        return SweepResults(groups: corpus.groupNames, folds: folds, sizes: sizes, algorithms: options.algorithms,
                            cells: cells, trainings: trainings)
    }

    /// Measures one model on a fold's held-out units, per group and (with several groups) all
    /// together.
    static func measure(model: TokenModel, classes: [TokenClass], algorithm: SweepAlgorithm, size: Int, fold: Int,
                        corpus: SweepCorpus, text: PreTokenizedCorpus, heldOut: [Int], trainSample: [Int],
                        options: SweepOptions) -> [SweepCell] {
        // 1. Encode the distinct pieces of both folds once.
        var seen = [Bool](repeating: false, count: text.pieces.count)
        var needed: [Int32] = []
        for u in heldOut + trainSample {
            for p in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] where !seen[Int(p)] {
                seen[Int(p)] = true
                needed.append(p)
            }
        }
        let encodings = PieceEncodings(model: model, classes: classes, pieces: text.pieces, needed: needed)
        // 2. Sum per group.
        let groupCount = corpus.groupNames.count
        var accumulators = [MeasureAccumulator](repeating: MeasureAccumulator(vocabularySize: model.vocabularySize), count: groupCount)
        for u in heldOut { accumulators[Int(corpus.unitGroups[u])].add(unit: u, corpus: corpus, text: text, encodings: encodings) }
        var trainTokens = 0, trainBytes = 0
        for u in trainSample {
            for p in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] { trainTokens += Int(encodings.tokenCounts[Int(p)]) }
            trainBytes += corpus.unitRanges[u].count
        }
        let trainBytesPerToken = trainTokens == 0 ? 0 : Double(trainBytes) / Double(trainTokens)
        // 3. Measures.
        let meanCharacters = meanTokenCharacters(model, classes: classes)
        var named: [(String, MeasureAccumulator)] = zip(corpus.groupNames, accumulators).map { ($0, $1) }
        if groupCount > 1 {
            var all = MeasureAccumulator(vocabularySize: model.vocabularySize)
            for accumulator in accumulators { all.merge(accumulator) }
            named.append(("all", all))
        }
        return named.map { name, accumulator in
            var m = accumulator.measures(classes: classes, encodings: encodings, meanTokenCharacters: meanCharacters,
                                         contextLength: options.model.contextLength, rareThreshold: options.rareThreshold)
            m.trainBytesPerToken = trainBytesPerToken
            m.compressionGap = m.bytesPerToken > 0 ? (trainBytesPerToken - m.bytesPerToken) / m.bytesPerToken : 0
            return SweepCell(algorithm: algorithm, size: size, group: name, fold: fold, measures: m)
        }
    }

    /// VOLT's l_v: the mean length in characters of the ordinary tokens (a continuing-subword
    /// prefix does not count).
    static func meanTokenCharacters(_ model: TokenModel, classes: [TokenClass]) -> Double {
        var prefix: [UInt8] = []
        if case .wordPiece(let wordPiece) = model { prefix = wordPiece.continuingSubwordPrefix }
        var total = 0, count = 0
        for (id, token) in model.tokens.enumerated() where classes[id] == .ordinary {
            let body = !prefix.isEmpty && token.starts(with: prefix) && token.count > prefix.count ? token.dropFirst(prefix.count) : token[...]
            total += scalarCount(body)
            count += 1
        }
        return count == 0 ? 0 : Double(total) / Double(count)
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

    static func frontEndKey(_ names: (normalizer: String, preTokenizers: [String])) -> String {
        "\(names.normalizer) + \(names.preTokenizers.joined(separator: " + "))"
    }

    /// The process's peak resident set size in bytes (Linux reports kilobytes).
    public static func peakMemoryBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
