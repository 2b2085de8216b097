import VocabTraining
import Foundation

/// Mean, standard deviation and standard error of a measure over folds.
public struct MeasureSummary: Sendable, Codable, Equatable {
    public var mean: Double
    /// Sample standard deviation (n - 1); 0 for one fold.
    public var standardDeviation: Double
    public var standardError: Double
    public var folds: Int

    public init(_ values: [Double]) {
        folds = values.count
        mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        let m = mean
        standardDeviation = values.count > 1 ? sqrt(values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)) : 0
        standardError = values.isEmpty ? 0 : standardDeviation / sqrt(Double(values.count))
    }
}

/// What the recommendation minimizes (or, for MUV, maximizes).
public enum SweepObjective: String, Sendable, Codable, CaseIterable {
    /// Training FLOPs per byte of text: tokens per byte x (6 x (N + V·d) + attention).
    case flopsPerByte = "flops-per-byte"
    /// Tokens per word, within the parameter constraints.
    case tokensPerWord = "tokens-per-word"
    /// The peak of VOLT's marginal utility of vocabulary.
    case muv
    /// The size nearest VocabKit's corpus estimate of the compute optimum (`CorpusComputeEstimate`).
    case computeOptimal = "compute-optimal"
    /// Training FLOPs per byte with factorized (ALBERT) embedding tables.
    case factorizedFlopsPerByte = "factorized-flops-per-byte"
    /// Training FLOPs per byte with a sampled softmax in the output layer.
    case sampledSoftmaxFlopsPerByte = "sampled-softmax-flops-per-byte"
    /// Training FLOPs per byte with an adaptive-softmax output layer.
    case adaptiveSoftmaxFlopsPerByte = "adaptive-softmax-flops-per-byte"
    /// Memory of the embedding and output tables at the configured precision.
    case tableMemory = "table-memory"

    /// Whether the objective is training compute per byte of text (at fixed N).
    public var isComputePerByte: Bool {
        switch self {
        case .flopsPerByte, .computeOptimal, .factorizedFlopsPerByte, .sampledSoftmaxFlopsPerByte, .adaptiveSoftmaxFlopsPerByte: return true
        case .tokensPerWord, .muv, .tableMemory: return false
        }
    }

    /// One sentence for the report: what is minimized, with the formula.
    public var explanation: String {
        switch self {
        case .flopsPerByte: return "training FLOPs per byte of text, tokens/byte x (6 x (N + V·d) + 6·n_layer·n_ctx·d) (Kaplan et al. 2020): fewer tokens per byte against a larger output layer"
        case .tokensPerWord: return "tokens per reference word (fertility), the sequence length a model pays for every word"
        case .muv: return "VOLT's marginal utility of vocabulary (Xu et al. 2021), the fall in entropy per character per 1,000 extra tokens; the size where it peaks"
        case .computeOptimal: return "VocabKit's corpus estimate of the compute optimum: the measured tokens per character f(V), made non-increasing and interpolated in ln V, times the training FLOPs per token, minimized within the measured sizes"
        case .factorizedFlopsPerByte: return "training FLOPs per byte with ALBERT-factorized tables, tokens/byte x (6 x (N + d·e + e·V) + attention) (Lan et al. 2020)"
        case .sampledSoftmaxFlopsPerByte: return "training FLOPs per byte with a sampled softmax of k samples, tokens/byte x (6N + 6·(k + 1)·d + attention) (Jean et al. 2015); inference still pays the full softmax"
        case .adaptiveSoftmaxFlopsPerByte: return "training FLOPs per byte with an adaptive-softmax output layer, tokens/byte x (6N + 3 x its forward FLOPs + attention), clusters by training-fold frequency (Grave et al. 2017)"
        case .tableMemory: return "memory of the embedding and output tables, V·d (x2 untied) x bytes per parameter"
        }
    }
}

/// Limits a recommended point must respect (on fold means).
public struct RecommendationConstraints: Sendable, Codable, Equatable {
    /// Largest unknown-token rate (0.01: one token in a hundred).
    public var maxUnknownRate = 0.01
    /// Largest share of all parameters in the embedding and output tables.
    public var maxVocabularyShare: Double?
    /// Largest tokens per word.
    public var maxTokensPerWord: Double?

    public init() {}
}

/// A point of the sweep with its objective over folds.
public struct ObjectivePoint: Sendable, Codable, Equatable {
    public var algorithm: Algorithm
    public var size: Int
    public var objective: MeasureSummary
    /// Why the point was excluded, if it was.
    public var excludedBecause: String?
}

/// The size and algorithm a sweep recommends, and why.
public struct Recommendation: Sendable, Codable, Equatable {
    public var objective: SweepObjective
    public var algorithm: Algorithm
    public var size: Int
    public var value: MeasureSummary
    /// The best point and the one-standard-error threshold (best mean + its standard error).
    public var bestAlgorithm: Algorithm
    public var bestSize: Int
    public var best: MeasureSummary
    public var threshold: Double
    public var points: [ObjectivePoint]
    /// VocabKit's corpus estimate of the compute-optimal size, per algorithm.
    public var corpusEstimates: [String: CorpusComputeEstimate]
    /// Tao et al. (2024)'s three predictions for the model (they do not depend on the corpus).
    public var taoPredictions: [TaoVocabularyScaling.Prediction]
    /// The recommendation in plain words, with the numbers behind it.
    public var explanation: String

    /// Applies the one-standard-error rule of cross-validation: among the points within the
    /// constraints, find the best mean; recommend the smallest size whose mean is within one
    /// standard error of it (ties at a size go to the better mean). MUV is maximized (its peak);
    /// the compute optimum takes the measured size nearest the fitted optimum (in ln V).
    public static func make(_ results: SweepResults, objective: SweepObjective, model: ModelConfiguration,
                            constraints: RecommendationConstraints) throws -> Recommendation {
        // 1. Objective per point over folds; constraints on fold means.
        var points: [ObjectivePoint] = []
        for algorithm in results.algorithms {
            for size in results.sizes {
                let cells = results.cells(algorithm, size: size)
                guard !cells.isEmpty else { continue }
                let values = cells.compactMap { objectiveValue(objective, cell: $0, model: model) }
                guard !values.isEmpty else { continue }
                var point = ObjectivePoint(algorithm: algorithm, size: size, objective: MeasureSummary(values))
                let unknown = MeasureSummary(cells.map(\.measures.unknownRate)).mean
                let cost = VocabularyCost(size: size, model: model)
                let fertility = MeasureSummary(cells.map(\.measures.tokensPerWord)).mean
                let folds = Set(cells.map(\.fold)).count
                if folds < results.folds {
                    point.excludedBecause = "measured on \(folds) of \(results.folds) folds (the size is outside some folds' trainings)"
                } else if unknown > constraints.maxUnknownRate {
                    point.excludedBecause = String(format: "UNK rate %.3f%% above %.3f%%", unknown * 100, constraints.maxUnknownRate * 100)
                } else if let share = constraints.maxVocabularyShare, cost.vocabularyShare > share {
                    point.excludedBecause = String(format: "vocabulary parameters %.1f%% of the model, above %.1f%%", cost.vocabularyShare * 100, share * 100)
                } else if let limit = constraints.maxTokensPerWord, fertility > limit {
                    point.excludedBecause = String(format: "%.3f tokens per word, above %.3f", fertility, limit)
                }
                points.append(point)
            }
        }
        // 2. Compute-optimal estimates: this corpus's (all-fold points only) and Tao et al.'s.
        var fits: [String: CorpusComputeEstimate] = [:]
        for algorithm in results.algorithms {
            let curve = results.sizes.compactMap { size -> (size: Int, tokensPerCharacter: Double, folds: Int)? in
                let cells = results.cells(algorithm, size: size)
                guard !cells.isEmpty else { return nil }
                return (size, MeasureSummary(cells.map { $0.measures.tokensPerThousandCharacters / 1000 }).mean, Set(cells.map(\.fold)).count)
            }
            if let fit = CorpusComputeEstimate(points: curve, allFolds: results.folds, model: model) { fits[algorithm.rawValue] = fit }
        }
        let allowed = points.filter { $0.excludedBecause == nil }
        guard !allowed.isEmpty else {
            throw AnalysisError.invalidOption("no measured point satisfies the constraints (\(points.compactMap(\.excludedBecause).first ?? "no points were measured"))")
        }
        // 3. The rule.
        let sign = objective == .muv ? -1.0 : 1.0
        let best = allowed.min { sign * $0.objective.mean < sign * $1.objective.mean || (sign * $0.objective.mean == sign * $1.objective.mean && $0.size < $1.size) }!
        var chosen = best
        var threshold = best.objective.mean + sign * best.objective.standardError
        switch objective {
        case .muv:
            threshold = best.objective.mean
        case .computeOptimal:
            let ranked = fits.filter { fit in allowed.contains { $0.algorithm.rawValue == fit.key } }.sorted { $0.key < $1.key }
                .min { $0.value.flopsPerCharacter < $1.value.flopsPerCharacter }
            if let (name, fit) = ranked {
                let candidates = allowed.filter { $0.algorithm.rawValue == name }
                chosen = candidates.min { abs(log(Double($0.size) / fit.optimalSize)) < abs(log(Double($1.size) / fit.optimalSize)) } ?? best
            }
            threshold = chosen.objective.mean
        default:
            let within = allowed.filter { $0.objective.mean <= threshold }
            chosen = within.min { $0.size != $1.size ? $0.size < $1.size : $0.objective.mean < $1.objective.mean }!
        }
        let explanation = explain(objective: objective, chosen: chosen, best: best, threshold: threshold, points: points,
                                  fits: fits, model: model, results: results)
        return Recommendation(objective: objective, algorithm: chosen.algorithm, size: chosen.size, value: chosen.objective,
                              bestAlgorithm: best.algorithm, bestSize: best.size, best: best.objective, threshold: threshold,
                              points: points, corpusEstimates: fits, taoPredictions: TaoVocabularyScaling.predictions(model: model),
                              explanation: explanation)
    }

    /// The objective of one fold's cell (nil where it is undefined, e.g. MUV at the smallest size).
    public static func objectiveValue(_ objective: SweepObjective, cell: SweepCell, model: ModelConfiguration) -> Double? {
        let m = cell.measures
        let cost = VocabularyCost(size: cell.size, model: model, tokensPerByte: m.tokensPerByte, adaptiveTailMass: m.adaptiveTailMass)
        switch objective {
        case .flopsPerByte, .computeOptimal: return cost.trainingFLOPsPerByte
        case .tokensPerWord: return m.tokensPerWord
        case .muv: return m.marginalUtility
        case .factorizedFlopsPerByte: return cost.factorizedTrainingFLOPsPerByte
        case .sampledSoftmaxFlopsPerByte: return cost.sampledSoftmaxTrainingFLOPsPerByte
        case .adaptiveSoftmaxFlopsPerByte: return cost.adaptiveSoftmaxTrainingFLOPsPerByte
        case .tableMemory: return Double(cost.tableMemoryBytes)
        }
    }

    private static func explain(objective: SweepObjective, chosen: ObjectivePoint, best: ObjectivePoint, threshold: Double,
                                points: [ObjectivePoint], fits: [String: CorpusComputeEstimate], model: ModelConfiguration,
                                results: SweepResults) -> String {
        let n = model.resolvedNonEmbeddingParameters
        var text = "Recommended: \(chosen.algorithm.rawValue) with \(chosen.size) tokens. "
        text += "Objective: \(objective.explanation); model d_model \(model.dModel), N = \(formatCount(Double(n))) non-embedding parameters, \(model.tiedEmbeddings ? "tied" : "untied") embeddings. "
        let cells = results.cells(chosen.algorithm, size: chosen.size)
        let fertility = MeasureSummary(cells.map(\.measures.tokensPerWord))
        let unknown = MeasureSummary(cells.map(\.measures.unknownRate)).mean
        switch objective {
        case .muv:
            text += String(format: "Its marginal utility, %@ ± %@ over %d folds, is the highest measured. ", formatValue(chosen.objective.mean), formatValue(chosen.objective.standardError), chosen.objective.folds)
        case .computeOptimal:
            if let fit = fits[chosen.algorithm.rawValue] {
                text += String(format: "This corpus's estimated optimum is %.0f tokens (%@ training FLOPs per character)%@; %d is the nearest measured size. ", fit.optimalSize, formatValue(fit.flopsPerCharacter), fit.atMeasuredEdge ? ", at the edge of the measured sizes (the optimum may lie beyond)" : "", chosen.size)
                if let characters = fit.charactersForBudget { text += "The FLOP budget pays for \(formatCount(characters)) characters of training text there. " }
            }
        default:
            text += "The best point is \(best.algorithm.rawValue) at \(best.size) (\(formatValue(best.objective.mean)) ± \(formatValue(best.objective.standardError)) standard error over \(best.objective.folds) folds); "
            if chosen.algorithm == best.algorithm && chosen.size == best.size {
                text += "no smaller size is within one standard error of it. "
            } else {
                text += "\(chosen.algorithm.rawValue) at \(chosen.size) (\(formatValue(chosen.objective.mean))) is the smallest size within one standard error (≤ \(formatValue(threshold))), so the extra tokens are not worth it by this measure. "
            }
        }
        if objective.isComputePerByte {
            text += "This objective is compute per byte of text at a fixed model size N: it does not model quality (how well rare tokens are learned). "
            let wordExcluded = points.filter { $0.algorithm == .word }
            if !wordExcluded.isEmpty, wordExcluded.allSatisfy({ $0.excludedBecause?.hasPrefix("UNK") == true }),
               let cheapest = points.min(by: { $0.objective.mean < $1.objective.mean }), cheapest.algorithm == .word {
                text += "By it alone the word-level vocabulary is the cheapest; only the UNK limit keeps it out. "
            }
        }
        text += String(format: "At this point: %.3f tokens per word (± %.3f), UNK rate %.3f%%", fertility.mean, fertility.standardDeviation, unknown * 100)
        let cost = VocabularyCost(size: chosen.size, model: model)
        text += String(format: ", embedding and output tables %@ parameters (%.1f%% of the model). ", formatCount(Double(cost.vocabularyParameters)), cost.vocabularyShare * 100)
        // Sizes no fold could cut, so the comparison never saw them.
        let missing = results.algorithms.compactMap { algorithm -> String? in
            let sizes = results.sizes.filter { results.cells(algorithm, size: $0).isEmpty }
            guard !sizes.isEmpty else { return nil }
            let offered = results.trainings.filter { $0.algorithm == algorithm && $0.failure == nil }
            let range = offered.compactMap(\.minimumSize).min().flatMap { low in offered.compactMap(\.maximumSize).max().map { "\(low)–\($0)" } }
            return "\(algorithm.rawValue) \(sizes.map(String.init).joined(separator: ", "))" + (range.map { " (its trainings offer \($0))" } ?? " (training failed)")
        }
        if !missing.isEmpty {
            text += "Not measured, outside what each training offers on this corpus: " + missing.joined(separator: "; ") + ". "
        }
        let excluded = points.filter { $0.excludedBecause != nil }
        if !excluded.isEmpty {
            // One entry per algorithm and kind of reason: "word 1000-32000 (UNK rate ...)".
            var groups: [(key: String, sizes: [Int], reasons: [String])] = []
            for point in excluded {
                let reason = point.excludedBecause!
                let kind = reason.components(separatedBy: CharacterSet.decimalDigits).first ?? reason
                let key = "\(point.algorithm.rawValue)|\(kind)"
                if let index = groups.firstIndex(where: { $0.key == key }) {
                    groups[index].sizes.append(point.size); groups[index].reasons.append(reason)
                } else {
                    groups.append((key, [point.size], [reason]))
                }
            }
            text += "Excluded by the constraints: " + groups.map { group in
                let algorithm = group.key.components(separatedBy: "|")[0]
                let sizes = group.sizes.count > 2 ? "\(group.sizes.first!)–\(group.sizes.last!)" : group.sizes.map(String.init).joined(separator: ", ")
                let reason = group.reasons.count > 1 ? "\(group.reasons.first!) … \(group.reasons.last!)" : group.reasons[0]
                return "\(algorithm) \(sizes) (\(reason))"
            }.joined(separator: "; ") + "."
        }
        return text
    }
}

/// 84934656 -> "84.9M".
func formatCount(_ value: Double) -> String {
    let magnitude = abs(value)
    if magnitude >= 1e12 { return String(format: "%.2fT", value / 1e12) }
    if magnitude >= 1e9 { return String(format: "%.2fG", value / 1e9) }
    if magnitude >= 1e6 { return String(format: "%.1fM", value / 1e6) }
    if magnitude >= 1e4 { return String(format: "%.1fk", value / 1e3) }
    return String(format: "%.0f", value)
}

/// 77194752 -> "77.2 MB" (decimal units).
func formatBytes(_ bytes: Int) -> String {
    let value = Double(bytes)
    if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
    if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
    if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
    return "\(bytes) B"
}

/// A measure value with four significant digits (`%g` switches to scientific notation when large
/// or small).
func formatValue(_ value: Double) -> String { String(format: "%.4g", value) }
