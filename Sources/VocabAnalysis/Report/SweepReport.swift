import VocabTraining
import Foundation
import VocabKit

/// A finished sweep with everything its report shows: settings, every fold's measures, summaries,
/// costs, language premiums and the recommendation.
public struct SweepReport: Sendable, Codable {
    public struct Corpus: Sendable, Codable {
        public var group: String
        public var paths: [String]
        public var units: Int
        public var bytes: Int
        /// The share of bytes in units whose exact text occurs more than once in the group.
        public var duplicateShare: Double
        /// What was read of the group and what share the byte sample kept (nil: not recorded).
        public var input: InputShare?

        public init(group: String, paths: [String], units: Int, bytes: Int, duplicateShare: Double = 0, input: InputShare? = nil) {
            self.group = group; self.paths = paths; self.units = units; self.bytes = bytes; self.duplicateShare = duplicateShare
            self.input = input
        }

        /// "12.5% of 8000.0 MB (1234567 of 9876543 lines)", or nil when every unit was kept (with
        /// no sample, or one larger than the input).
        func sampleDescription(unit: CorpusUnit) -> String? {
            guard let input, input.sampledUnits < input.units else { return nil }
            var text = String(format: "%.1f%% of %.1f MB", input.sampledShare * 100, Double(input.unitBytes) / 1e6)
            text += " (\(input.sampledUnits) of \(input.units) \(unit.rawValue)s"
            if input.oversizedUnits > 0 { text += "; \(input.oversizedUnits) longer than the sample skipped" }
            return text + ")"
        }
    }
    public struct Settings: Sendable, Codable {
        public var corpora: [Corpus]
        public var unit: CorpusUnit
        public var folds: Int
        public var seed: UInt64
        public var sizes: [Int]
        public var algorithms: [Algorithm]
        /// Normalizer and pre-tokenizers per algorithm.
        public var frontEnds: [String: String]
        public var model: ModelConfiguration
        public var objective: SweepObjective
        public var constraints: RecommendationConstraints
        public var rareThreshold: Int
        public var pivot: String
        public var parallel: Bool
        /// Where the parallel reference came from (`SweepOptions.parallelReference`), if used.
        public var parallelReference: String?
        /// How "all" weighs the groups.
        public var weighting: GroupWeighting = .bytes

        public init(corpora: [Corpus], unit: CorpusUnit, folds: Int, seed: UInt64, sizes: [Int], algorithms: [Algorithm],
                    frontEnds: [String: String], model: ModelConfiguration, objective: SweepObjective,
                    constraints: RecommendationConstraints, rareThreshold: Int, pivot: String, parallel: Bool) {
            self.corpora = corpora; self.unit = unit; self.folds = folds; self.seed = seed; self.sizes = sizes
            self.algorithms = algorithms; self.frontEnds = frontEnds; self.model = model; self.objective = objective
            self.constraints = constraints; self.rareThreshold = rareThreshold; self.pivot = pivot; self.parallel = parallel
        }
    }
    /// Mean and spread of every measure at one point.
    public struct Point: Sendable, Codable {
        public var algorithm: Algorithm
        public var size: Int
        public var group: String
        public var measures: [String: MeasureSummary]
        /// The cost at this size, with the fold-mean tokens per byte and tail masses.
        public var cost: VocabularyCost
        /// Tokens relative to the pivot group (see `SweepOptions.parallel`); nil for "all".
        public var premium: MeasureSummary?
        /// Petrov et al.'s premium on the parallel reference: this group's tokens over the
        /// pivot's on the same messages, per fold.
        public var referencePremium: MeasureSummary?
    }

    public var tool = "VocabKit vocab sweep"
    public var settings: Settings
    public var results: SweepResults
    public var points: [Point]
    public var recommendation: Recommendation
    public var seconds: Double

    /// Summarizes `results` and recommends.
    public init(results: SweepResults, settings: Settings, seconds: Double) throws {
        self.settings = settings
        self.results = results
        self.seconds = seconds
        recommendation = try Recommendation.make(results, objective: settings.objective, model: settings.model,
                                                 constraints: settings.constraints)
        var points: [Point] = []
        let groups = results.groups.count > 1 ? results.groups + ["all"] : results.groups
        for algorithm in results.algorithms {
            for size in results.sizes {
                for group in groups {
                    let cells = results.cells(algorithm, size: size, group: group)
                    guard !cells.isEmpty else { continue }
                    var measures: [String: MeasureSummary] = [:]
                    for field in TokenizationMeasures.fields {
                        let values = cells.compactMap { field.value($0.measures) }
                        if !values.isEmpty { measures[field.name] = MeasureSummary(values) }
                    }
                    let flops = cells.compactMap { Recommendation.objectiveValue(.flopsPerByte, cell: $0, model: settings.model) }
                    measures["training_flops_per_byte"] = MeasureSummary(flops)
                    let tokensPerByte = MeasureSummary(cells.map(\.measures.tokensPerByte)).mean
                    let tail = [0, 1].map { i in MeasureSummary(cells.map { $0.measures.adaptiveTailMass[i] }).mean }
                    let cost = VocabularyCost(size: size, model: settings.model, tokensPerByte: tokensPerByte, adaptiveTailMass: tail)
                    var premium: MeasureSummary?
                    if group != "all" && results.groups.count > 1 {
                        let pivotCells = results.cells(algorithm, size: size, group: settings.pivot)
                        let ratios = cells.compactMap { cell -> Double? in
                            guard let p = pivotCells.first(where: { $0.fold == cell.fold }) else { return nil }
                            if settings.parallel { return p.measures.tokens > 0 ? Double(cell.measures.tokens) / Double(p.measures.tokens) : nil }
                            return p.measures.tokensPerThousandCharacters > 0 ? cell.measures.tokensPerThousandCharacters / p.measures.tokensPerThousandCharacters : nil
                        }
                        if !ratios.isEmpty { premium = MeasureSummary(ratios) }
                    }
                    let reference = results.parallelCounts.filter { $0.algorithm == algorithm && $0.size == size }
                    let referenceRatios = reference.filter { $0.group == group }.compactMap { count -> Double? in
                        guard let pivot = reference.first(where: { $0.group == settings.pivot && $0.fold == count.fold }), pivot.tokens > 0 else { return nil }
                        return Double(count.tokens) / Double(pivot.tokens)
                    }
                    points.append(Point(algorithm: algorithm, size: size, group: group, measures: measures, cost: cost, premium: premium,
                                        referencePremium: referenceRatios.isEmpty ? nil : MeasureSummary(referenceRatios)))
                }
            }
        }
        self.points = points
    }

    /// The summary point of an algorithm and size for a group (default: the whole corpus).
    public func point(_ algorithm: Algorithm, size: Int, group: String? = nil) -> Point? {
        let group = group ?? results.overallGroup
        return points.first { $0.algorithm == algorithm && $0.size == size && $0.group == group }
    }

    // MARK: Files

    /// Writes report.md, report.json, report.csv and report.html into `directory` (created if
    /// needed), each atomically.
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: directory)
        try AtomicFile.write(Data(markdown().utf8), to: base.appendingPathComponent("report.md").path)
        try AtomicFile.write(try json(), to: base.appendingPathComponent("report.json").path)
        try AtomicFile.write(Data(csv().utf8), to: base.appendingPathComponent("report.csv").path)
        try AtomicFile.write(Data(html().utf8), to: base.appendingPathComponent("report.html").path)
    }

    /// Every setting, fold cell, summary and the recommendation as JSON (keys sorted).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// One row per algorithm, size, group and fold, with every measure and the cost columns.
    public func csv() -> String {
        var header = ["algorithm", "size", "group", "fold", "tokens", "words", "characters", "bytes", "units"]
        header += TokenizationMeasures.fields.map(\.name)
        header += ["tokens_per_byte", "adaptive_tail_mass_1", "adaptive_tail_mass_2", "embedding_parameters", "output_parameters", "vocabulary_share",
                   "table_memory_bytes", "softmax_flops_per_token", "adaptive_softmax_flops_per_token", "attention_training_flops_per_token",
                   "training_flops_per_token", "training_flops_per_byte", "adaptive_softmax_training_flops_per_byte",
                   "sampled_softmax_training_flops_per_byte", "factorized_parameters", "factorized_training_flops_per_byte"]
        var lines = [header.joined(separator: ",")]
        for cell in results.cells {
            let m = cell.measures
            let cost = VocabularyCost(size: cell.size, model: settings.model, tokensPerByte: m.tokensPerByte, adaptiveTailMass: m.adaptiveTailMass)
            var row = [cell.algorithm.rawValue, String(cell.size), csvField(cell.group), String(cell.fold), String(m.tokens), String(m.words),
                       String(m.characters), String(m.bytes), String(m.units)]
            row += TokenizationMeasures.fields.map { field in field.value(m).map { String($0) } ?? "" }
            row += [String(m.tokensPerByte), String(m.adaptiveTailMass[0]), String(m.adaptiveTailMass[1]), String(cost.embeddingParameters),
                    String(cost.outputParameters), String(cost.vocabularyShare), String(cost.tableMemoryBytes), String(cost.softmaxFLOPsPerToken),
                    cost.adaptiveSoftmaxFLOPsPerToken.map { String($0) } ?? "", String(cost.attentionTrainingFLOPsPerToken),
                    String(cost.trainingFLOPsPerToken), cost.trainingFLOPsPerByte.map { String($0) } ?? "",
                    cost.adaptiveSoftmaxTrainingFLOPsPerByte.map { String($0) } ?? "",
                    cost.sampledSoftmaxTrainingFLOPsPerByte.map { String($0) } ?? "", String(cost.factorizedVocabularyParameters),
                    cost.factorizedTrainingFLOPsPerByte.map { String($0) } ?? ""]
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    // MARK: Tables shared by the Markdown, HTML and terminal reports

    /// A table of text cells.
    public struct Table: Sendable {
        public var title: String
        public var headers: [String]
        public var rows: [[String]]
        /// Rows to emphasize (the recommendation).
        public var highlighted: Set<Int> = []
    }

    /// The per-algorithm result tables (whole corpus).
    public func resultTables() -> [Table] {
        results.algorithms.map { algorithm in
            var table = Table(title: "\(algorithm.rawValue)", headers: [
                "size", "tokens/word", "split words", "OOV types", "words lost to UNK", "UNK", "byte fallback", "char coverage", "bytes/token", "p95 length",
                "Rényi eff.", "MUV", "unused", "rare", "compression gap", "emb+out params", "share", "FLOPs/byte", "adaptive/full softmax", "train s",
            ], rows: [])
            for size in results.sizes {
                guard let point = point(algorithm, size: size) else { continue }
                func m(_ name: String, _ style: ValueStyle) -> String { format(point.measures[name], style) }
                let ratio = point.cost.adaptiveSoftmaxFLOPsPerToken.map { String(format: "%.2f", $0 / point.cost.softmaxFLOPsPerToken) } ?? ""
                if recommendation.algorithm == algorithm && recommendation.size == size { table.highlighted.insert(table.rows.count) }
                let folds = point.measures["tokens_per_word"]?.folds ?? 0
                table.rows.append([
                    folds < results.folds ? "\(size) (\(folds)/\(results.folds) folds)" : String(size), m("tokens_per_word", .decimal), m("split_word_share", .percent), m("oov_type_rate", .percent),
                    m("unknown_word_share", .percent), m("unk_rate", .percent), m("byte_fallback_rate", .percent), m("character_coverage", .percent),
                    m("bytes_per_token", .decimal), m("length_p95", .decimal), m("renyi_efficiency", .decimal), m("muv", .decimal),
                    m("unused_token_share", .percent), m("rare_token_share", .percent), m("compression_gap", .percent),
                    formatCount(Double(point.cost.vocabularyParameters)), String(format: "%.1f%%", point.cost.vocabularyShare * 100),
                    m("training_flops_per_byte", .count), ratio, trainSeconds(algorithm, size: size),
                ])
            }
            return table
        }
    }

    /// What each size costs the model, whatever the algorithm: parameters, table memory at each
    /// precision, softmax FLOPs and the levers that cut them.
    public func costTable() -> Table {
        let model = settings.model
        var table = Table(title: "Cost of each size (d_model \(model.dModel), N = \(formatCount(Double(model.resolvedNonEmbeddingParameters))), \(model.tiedEmbeddings ? "tied" : "untied"))",
                          headers: ["size", "embedding", "output", "share of params", "tables fp32", "tables bf16/fp16", "tables int8",
                                    "softmax FLOPs/token", "train FLOPs/token", "of which N / output / attention", "output train FLOPs/token",
                                    "sampled (k=\(model.sampledSoftmaxSamples))", "factorized params (e=\(model.factorSize))", "factorized saves"], rows: [])
        for size in results.sizes {
            let cost = VocabularyCost(size: size, model: model)
            let bytes = cost.tableMemoryBytesByPrecision
            let saving = 1 - Double(cost.factorizedVocabularyParameters) / Double(max(1, cost.vocabularyParameters))
            table.rows.append([String(size), formatCount(Double(cost.embeddingParameters)), formatCount(Double(cost.outputParameters)),
                               String(format: "%.1f%%", cost.vocabularyShare * 100), formatBytes(bytes["fp32"] ?? 0), formatBytes(bytes["bf16"] ?? 0),
                               formatBytes(bytes["int8"] ?? 0), formatCount(cost.softmaxFLOPsPerToken), formatCount(cost.trainingFLOPsPerToken),
                               String(format: "%.0f%% / %.0f%% / %.0f%%", cost.nonEmbeddingFLOPsShare * 100, cost.outputFLOPsShare * 100, cost.attentionFLOPsShare * 100),
                               formatCount(cost.outputTrainingFLOPsPerToken),
                               formatCount(cost.sampledSoftmaxTrainingFLOPsPerToken), formatCount(Double(cost.factorizedVocabularyParameters)),
                               String(format: "%.0f%%", saving * 100)])
        }
        return table
    }

    /// Training FLOPs per byte of text with each output-layer lever, per algorithm and size.
    public func leverTable() -> Table {
        var table = Table(title: "Whole-model training FLOPs per byte by output layer (held-out tokens per byte)",
                          headers: ["algorithm", "size", "full softmax", "factorized tables", "sampled softmax", "adaptive softmax"], rows: [])
        for algorithm in results.algorithms {
            for size in results.sizes {
                guard let point = point(algorithm, size: size) else { continue }
                let cost = point.cost
                if recommendation.algorithm == algorithm && recommendation.size == size { table.highlighted.insert(table.rows.count) }
                table.rows.append([algorithm.rawValue, String(size), cost.trainingFLOPsPerByte.map(formatCount) ?? "",
                                   cost.factorizedTrainingFLOPsPerByte.map(formatCount) ?? "", cost.sampledSoftmaxTrainingFLOPsPerByte.map(formatCount) ?? "",
                                   cost.adaptiveSoftmaxTrainingFLOPsPerByte.map(formatCount) ?? ""])
            }
        }
        return table
    }

    /// Per-group measures and premiums at each size, for the recommended algorithm.
    public func languageTable() -> Table? {
        guard results.groups.count > 1 else { return nil }
        let algorithm = recommendation.algorithm
        // Petrov et al.'s premium needs translations; otherwise the ratio reflects script density as
        // much as the tokenizer, and is named for what it is.
        let ratioName = settings.parallel ? "premium" : "tokens/char vs \(settings.pivot)"
        let hasReference = !results.parallelCounts.isEmpty
        var table = Table(title: "Languages (\(algorithm.rawValue); \(settings.parallel ? "premium = tokens / \(settings.pivot)'s tokens on the same parallel lines (Petrov et al. 2023)" : "tokens per character relative to \(settings.pivot)'s: not a premium, the corpora are not translations, and dense scripts (zh, ja) have few characters per word"))",
                          headers: ["group"] + results.sizes.flatMap { size in
                              ["\(size): tokens/word", "\(size): \(ratioName)"] + (hasReference ? ["\(size): premium (parallel)"] : [])
                          }, rows: [])
        for group in results.groups + ["all"] {
            var row = [group]
            for size in results.sizes {
                let point = point(algorithm, size: size, group: group)
                row.append(format(point?.measures["tokens_per_word"], .decimal))
                row.append(point?.premium.map { String(format: "%.2f", $0.mean) } ?? "")
                if hasReference { row.append(point?.referencePremium.map { String(format: "%.2f", $0.mean) } ?? "") }
            }
            table.rows.append(row)
        }
        return table
    }

    /// Training time and memory per algorithm (mean over folds).
    public func trainingTable() -> Table {
        // Trainers that spread over the threads themselves train one fold at a time (`Sweep.run`).
        let alone = results.algorithms.filter { Recipe.sweep($0).trainer.trainsWithThreads }.map(\.rawValue)
        let together = results.algorithms.count - alone.count
        let schedule = [alone.isEmpty ? nil : "\(alone.joined(separator: ", ")) trains one fold at a time with every thread",
                        together == 0 ? nil : alone.isEmpty ? "folds train --threads at a time" : "the others --threads folds at a time"]
            .compactMap { $0 }.joined(separator: ", ")
        var table = Table(title: "Trainings (\(schedule); peak RSS: the process's high-water mark when the training ended, folds training at once included; not a per-training figure)",
                          headers: ["algorithm", "train s (mean)", "measure s (mean)", "peak RSS", "sizes offered, per fold", "failures"], rows: [])
        for algorithm in results.algorithms {
            let runs = results.trainings.filter { $0.algorithm == algorithm }
            let ok = runs.filter { $0.failure == nil }
            let seconds = MeasureSummary(ok.map(\.seconds)), measuring = MeasureSummary(ok.map(\.evaluationSeconds))
            let peak = runs.map(\.peakMemoryBytes).max() ?? 0
            let range = ok.sorted { $0.fold < $1.fold }.map { "\($0.fold): \($0.minimumSize ?? 0)–\($0.maximumSize ?? 0)" }.joined(separator: ", ")
            let failures = runs.compactMap(\.failure)
            table.rows.append([algorithm.rawValue, String(format: "%.1f ± %.1f", seconds.mean, seconds.standardDeviation),
                               String(format: "%.1f", measuring.mean), String(format: "%.0f MB", Double(peak) / 1e6), range,
                               failures.isEmpty ? "" : "\(failures.count): \(failures[0])"])
        }
        return table
    }

    /// Mean seconds to train this size: until the merge count passed it where the trainer grows
    /// one merge at a time (BPE, WordPiece), else the whole training (marked "all").
    func trainSeconds(_ algorithm: Algorithm, size: Int) -> String {
        let runs = results.trainings.filter { $0.algorithm == algorithm && $0.failure == nil }
        guard !runs.isEmpty else { return "" }
        let toSize = runs.compactMap { $0.secondsToSize[String(size)] }
        if toSize.count == runs.count { return String(format: "%.1f", MeasureSummary(toSize).mean) }
        return String(format: "%.1f (all)", MeasureSummary(runs.map(\.seconds)).mean)
    }

    enum ValueStyle { case decimal, percent, count }

    func format(_ summary: MeasureSummary?, _ style: ValueStyle) -> String {
        guard let s = summary else { return "" }
        func value(_ x: Double) -> String {
            switch style {
            case .decimal: return String(format: "%.3f", x)
            case .percent: return String(format: "%.2f", x * 100)
            case .count: return formatCount(x)
            }
        }
        let mean = value(s.mean) + (style == .percent ? "%" : "")
        // One fold has no spread: say so instead of printing ± 0.
        return mean + (s.folds == 1 ? " (1 fold)" : " ± " + value(s.standardDeviation))
    }

    /// The cost-model formulas and measure definitions printed under the tables.
    public var methodNotes: [String] {
        let model = settings.model
        var notes = [
            "Cross-validation: \(settings.folds) folds by \(settings.unit.rawValue) (seed \(settings.seed)); units with exactly the same text are kept in one fold\(settings.parallel ? " (not with --parallel, where lines stay aligned across groups)" : ""), so no held-out unit is also trained on; the setup table gives each group's share of bytes in repeated units. Each algorithm is trained once per fold on the other folds, smaller sizes are cut from its nested vocabularies; values are fold means ± sample standard deviation.",
            "Tokens per word divides all tokens by reference words: ICU word segments with a letter, number or ideograph in the original text (the same count for every algorithm). Split words and OOV types are over each algorithm's own pre-tokens that hold a letter or number.",
            "The model is an assumption set by flags: --model (a published configuration), --d-model, --layers, --non-embedding-params, --tied/--no-tied and --context; every cost below changes with them.",
            "Embedding parameters V·d; output parameters V·d when untied (here \(model.tiedEmbeddings ? "tied: 0" : "untied")); share of N + those, with N = \(formatCount(Double(model.resolvedNonEmbeddingParameters))) non-embedding parameters (d_model \(model.dModel), \(model.layers) layers\(model.nonEmbeddingParameters == nil ? ", 12·layers·d²" : ", given")).",
            "Training FLOPs per token = 6 × (N + V·d) + 6 × n_layer × n_ctx × d (Kaplan et al. 2020: 6 FLOPs per parameter per token, and the attention context term 2·n_layer·n_ctx·d_attn forward, ×3 for training, with d_attn = d = \(model.dModel), n_layer = \(model.layers), n_ctx = \(model.contextLength): \(formatCount(VocabularyCost.attentionTrainingFLOPsPerToken(model: model))) per token). Training FLOPs per byte = held-out tokens per byte × that. The cost table gives each term's share.",
            "Full softmax: 2·V·d FLOPs per token forward. Adaptive softmax (Grave et al. 2017): head V/8 plus 2 cluster logits, tail 1 (3V/8, projection d/4) and tail 2 (V/2, projection d/16), with clusters by token frequency on a training fold and each tail paid only by the held-out share of tokens falling in it; in training the output layer costs 3 × its forward FLOPs, so its column is whole-model training FLOPs per byte like the others. The results table gives its forward ratio to the full softmax.",
            "Sampled softmax (Jean et al. 2015) with k = \(model.sampledSoftmaxSamples): the output layer costs 6·(k + 1)·d training FLOPs per token instead of 6·V·d; inference still pays the full softmax.",
            "Factorized embeddings (ALBERT, Lan et al. 2020) with e = \(model.factorSize): V·e + e·d parameters per table instead of V·d, fewer once V > e·d/(d − e) = \(VocabularyCost.factorizationBreakEven(dModel: model.dModel, factorSize: model.factorSize).map { String(format: "%.0f", $0) } ?? "never").",
            "Table memory: (embedding + output parameters) × bytes per parameter: fp32 4, bf16/fp16 2, int8 1 (configured: \(model.precision.rawValue)).",
            "Shannon and Rényi (α = 2.5, Zouhar et al. 2023) efficiency: entropy of the held-out token distribution over log2 V. VOLT (Xu et al. 2021): entropy per character = entropy / mean token length in characters; MUV = its fall per 1,000 tokens from the next smaller size.",
            settings.parallelReference.map { "Premium (parallel): Petrov et al. (2023)'s tokenization premium, the tokens a group's translation of the same messages takes over the pivot's (\(settings.pivot)), from every fold's vocabulary at that size, on the line-parallel reference \($0) (encoded only, never trained on)." }
                ?? "No parallel reference was given (--parallel-reference DIR), so no true premium is shown.",
            settings.weighting == .bytes
                ? "\"all\" sums the units of every group, so groups weigh by their size in bytes (--weighting equal counts each group once); a per-group row weighs only its own units."
                : "\"all\" counts every group once (--weighting equal): each of its measures is the mean of the groups' values, its counts are sums.",
            "Unused and rare: share of the vocabulary (special tokens aside) seen 0 times, or fewer than \(settings.rareThreshold) times, in held-out text. Compression gap: bytes per token on a training fold of the same size over held-out bytes per token, minus 1.",
        ]
        notes += computeOptimumNotes
        return notes
    }

    /// Tao et al.'s predictions beside this corpus's estimate, with their assumptions.
    var computeOptimumNotes: [String] {
        let model = settings.model
        var notes: [String] = []
        let tao = recommendation.taoPredictions.map { "\($0.approach.title) V ≈ \($0.vocabularySize) (N_v = \(formatCount($0.vocabularyParameters)))" }
        notes.append("Compute-optimal size by Tao et al. (2024), with their published coefficients: " + tao.joined(separator: "; ")
                     + ". Their assumptions: N_nv = N = \(formatCount(Double(model.resolvedNonEmbeddingParameters))) non-vocabulary parameters; a prediction is vocabulary parameters N_v = V·d, so V = N_v / d with d = \(model.dModel); "
                     + "approaches 1 and 2 assume compute-optimal training (data grown with N_nv), approach 3 takes \(model.flopBudget.map { "the FLOP budget " + formatValue($0) } ?? "the compute-optimal budget for N_nv"); "
                     + "the coefficients were fitted on their own runs (33M to 3B non-vocabulary parameters, SlimPajama, 4K to 96K vocabularies), not on this corpus, and their tokens-per-character curve stops at V = \(TaoVocabularyScaling.vocabularyCap).")
        if let fit = recommendation.corpusEstimates[recommendation.algorithm.rawValue] {
            notes.append(String(format: "This corpus's estimate (VocabKit) for %@: tokens per character measured on every fold at %@, made non-increasing in V and interpolated in ln V; times the training FLOPs per token, it is smallest at V ≈ %.0f%@ (searched only between the measured sizes).",
                                recommendation.algorithm.rawValue, fit.sizes.map(String.init).joined(separator: ", "), fit.optimalSize,
                                fit.atMeasuredEdge ? ", the edge of that range, so the optimum may lie beyond it" : ""))
        }
        notes.append("Why they differ: this corpus's estimate only trades the output layer's cost against compression at a fixed model, so it grows V while tokens keep getting longer; Tao et al. also model the loss, in which a larger vocabulary's rare tokens are seen less often and learned worse, which pulls their optimum lower. Neither models downstream quality.")
        return notes
    }

    /// One warning per front end and group whose normalizer removes or changes more than 1% of
    /// the characters: the algorithms using it are measured on altered text there.
    public var frontEndWarnings: [String] {
        results.frontEndChanges.filter { $0.share > 0.01 }.map { change in
            String(format: "Warning: the front end %@ (%@) removes or changes %.1f%% of %@'s characters, so %@ measured on altered text there; choose another normalizer with -n to compare on the same text.",
                   change.frontEnd, change.algorithms.map(\.rawValue).joined(separator: ", "), change.share * 100, change.group,
                   change.algorithms.count == 1 ? "it is" : "they are")
        }
    }

    /// The Markdown report.
    public func markdown() -> String {
        var md = "# Vocabulary-size sweep\n\n"
        md += "**\(recommendation.explanation)**\n\n"
        md += "## Setup\n\n"
        md += "| group | files | \(settings.unit.rawValue)s | MB | bytes in repeated \(settings.unit.rawValue)s | sampled |\n|---|---|---|---|---|---|\n"
        for corpus in settings.corpora {
            md += "| \(corpus.group) | \(corpus.paths.joined(separator: ", ")) | \(corpus.units) | \(String(format: "%.2f", Double(corpus.bytes) / 1e6)) | \(String(format: "%.1f%%", corpus.duplicateShare * 100)) | \(corpus.sampleDescription(unit: settings.unit) ?? "all") |\n"
        }
        md += "\nAlgorithms and front ends: " + settings.algorithms.map { "\($0.rawValue) (\(settings.frontEnds[$0.rawValue] ?? ""))" }.joined(separator: ", ")
        md += ". Sizes: \(settings.sizes.map(String.init).joined(separator: ", ")). Objective: \(settings.objective.rawValue); UNK rate at most \(settings.constraints.maxUnknownRate * 100)%. "
        md += String(format: "Sweep time %.0f s.\n\n", seconds)
        for warning in frontEndWarnings { md += "> \(warning)\n\n" }
        md += "## Results (held-out, mean ± std over folds)\n\n"
        for table in resultTables() { md += markdownTable(table) }
        if let languages = languageTable() { md += markdownTable(languages) }
        md += markdownTable(costTable())
        md += markdownTable(leverTable())
        md += markdownTable(trainingTable())
        md += "## How each number is computed\n\n" + methodNotes.map { "- " + $0 }.joined(separator: "\n") + "\n"
        return md
    }

    func markdownTable(_ table: Table) -> String {
        var md = "### \(table.title)\n\n| " + table.headers.joined(separator: " | ") + " |\n|" + table.headers.map { _ in "---" }.joined(separator: "|") + "|\n"
        for (index, row) in table.rows.enumerated() {
            let cells = table.highlighted.contains(index) ? row.map { $0.isEmpty ? $0 : "**\($0)**" } : row
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return md + "\n"
    }

    /// A compact table and the recommendation for the terminal.
    public func terminalSummary() -> String {
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        var lines = [pad("algorithm", 10, left: true) + pad("size", 7) + pad("tokens/word", 13) + pad("UNK", 9) + pad("bytes/token", 13)
                     + pad("FLOPs/byte", 12) + pad(settings.objective.rawValue, 16)]
        for algorithm in results.algorithms {
            for size in results.sizes {
                guard let point = point(algorithm, size: size) else { continue }
                let objective = recommendation.points.first { $0.algorithm == algorithm && $0.size == size }
                let mark = recommendation.algorithm == algorithm && recommendation.size == size ? "  <= recommended" : ""
                lines.append(pad(algorithm.rawValue, 10, left: true) + pad(String(size), 7)
                             + pad(String(format: "%.3f", point.measures["tokens_per_word"]?.mean ?? 0), 13)
                             + pad(String(format: "%.3f%%", (point.measures["unk_rate"]?.mean ?? 0) * 100), 9)
                             + pad(String(format: "%.3f", point.measures["bytes_per_token"]?.mean ?? 0), 13)
                             + pad(formatCount(point.measures["training_flops_per_byte"]?.mean ?? 0), 12)
                             + pad(objective.map { formatValue($0.objective.mean) } ?? "", 16) + mark)
            }
        }
        return lines.joined(separator: "\n") + "\n\n" + recommendation.explanation + "\n"
            + frontEndWarnings.map { "\n" + $0 + "\n" }.joined()
    }
}
