import ArgumentParser
import Foundation
import VocabAnalysis
import VocabKit
import VocabTraining

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Cross-validate vocabulary sizes and algorithms, and recommend one, with a report.",
        discussion: """
        Each algorithm is trained once per fold on the other folds; every size comes from its nested vocabularies \
        (BPE and WordPiece merge order, Unigram pruning rounds, hybrid word ranking), so sizes cost measurements, \
        not trainings. Held-out folds are measured for length (tokens per word, bytes per token, percentiles), \
        coverage (OOV, UNK, byte fallback), information (Shannon, Rényi, VOLT) and vocabulary use, and the cost \
        model turns them into parameters, memory and FLOPs for the model given by --d-model and friends.

        The recommendation is the smallest size within one standard error of the best value of --objective \
        (the one-standard-error rule), among the points within --max-unk-rate.

        Corpora are files, or name=file to name a group (a language); with several groups one shared vocabulary is \
        trained and each group is measured, with its premium against --pivot. With no corpus, every Corpora/*.txt \
        is a group named after its file.

        The report (report.md, report.json, report.csv, report.html) goes to --report.

        Example: vocab sweep en=Corpora/en.txt zh=Corpora/zh.txt --sizes 2k,4k,8k,16k --folds 3
        """
    )

    @Argument(help: "Corpus files, or name=file for named groups (default: Corpora/*.txt).")
    var corpora: [String] = []

    @Option(help: "Algorithms, comma-separated, of \(Algorithm.allCases.map(\.rawValue).joined(separator: ", ")) (default: \(Algorithm.sweepDefaults.map(\.rawValue).joined(separator: ",")); superbpe on request).")
    var algorithms: String?

    @Option(name: .customLong("wordpiece-criterion"), help: "WordPiece's merge criterion: \(WordPieceTrainerOptions.Criterion.allCases.map(\.rawValue).joined(separator: " or ")) (default: \(Recipe.sweep(.wordpiece).wordPiece.criterion?.rawValue ?? "the trainer's"), see Recipe.sweep).")
    var wordPieceCriterion: WordPieceTrainerOptions.Criterion?

    @Option(help: "Vocabulary sizes, comma-separated; k means thousands (e.g. 1k,2k,4k).")
    var sizes = "1k,2k,4k,8k,16k,32k,64k"

    @Option(help: "Cross-validation folds.")
    var folds = 5

    @Option(help: "Fold units: auto (the largest of file, document and line giving every group \(SweepCorpus.minimumUnitsPerFold) per fold), file (a group may be a folder of files), document (blank-line separated), line, or record (JSON Lines, as --input jsonl).")
    var unit: CorpusUnit?

    @Option(name: .customLong("input"), help: "What one text is, as in vocab encode: lines, jsonl (each record's text is a unit), documents or whole (each file); sets --unit.")
    var input: InputUnit?

    @Option(name: .customLong("text-key"), help: "With --input jsonl: the key of the text in each object (default text).")
    var textKey: String?

    @Option(help: "Seed of the fold assignment.")
    var seed: UInt64 = 42

    @Option(name: .customLong("max-units"), help: "Use a seeded sample of at most this many units per group.")
    var maxUnits: Int?

    @Option(help: ArgumentHelp("Read each group as a stream and keep a seeded sample of its units that fills this many bytes (e.g. 1G); memory then follows the sample, not the input.", discussion: "Units are kept by a pseudo-random key of their text, so the sample does not depend on file order and copies of a text stay together; the report gives the share of each group used. Not with --parallel (use --max-units)."))
    var sample: String?

    @Option(name: .shortAndLong, help: "Normalizer for every algorithm (default: each algorithm's own, see Recipe.sweep).")
    var normalizer: String?

    @Option(name: [.short, .customLong("pre-tokenizer")], help: "Pre-tokenizer for every algorithm (repeat to chain).")
    var preTokenizers: [String] = []

    @OptionGroup(title: "Model") var modelOptions: ModelOptions

    @Option(help: "What the recommendation minimizes: \(SweepObjective.allCases.map(\.rawValue).joined(separator: ", ")).")
    var objective: SweepObjective = .flopsPerByte

    @Option(name: .customLong("max-unk-rate"), help: "Largest UNK rate a recommended point may have (0.01 = 1%).")
    var maxUnknownRate = 0.01

    @Option(name: .customLong("max-vocabulary-share"), help: "Largest share of parameters in embedding and output tables.")
    var maxVocabularyShare: Double?

    @Option(name: .customLong("max-tokens-per-word"), help: "Largest tokens per word a recommended point may have.")
    var maxTokensPerWord: Double?

    @Option(name: .customLong("rare-threshold"), help: "Tokens seen fewer times in held-out text count as rare.")
    var rareThreshold = 10

    @Option(help: "Pivot group of the language premium (default: en if present, else the first group).")
    var pivot: String?

    @Flag(help: "The groups are line-parallel translations (exact token premium).")
    var parallel = false

    @Option(help: "Directory of the report.")
    var report = "vocab-report"

    @Option(name: .customLong("export-folds"), help: "Also write each fold's train.txt and heldout.txt here (to train other tools on the same folds).")
    var exportFolds: String?

    @Option(help: "How \"all\" weighs the groups: bytes (every unit summed; the default) or equal (each group once).")
    var weighting: GroupWeighting?

    @Option(name: .customLong("parallel-reference"), help: "A folder of line-parallel translations, GROUP.txt per group (line i of each is the same message), to measure Petrov et al.'s premium on (default: Corpora/parallel with the default corpora).")
    var parallelReference: String?

    @Option(help: "Folds trained at once, and the threads of Unigram, which trains one fold at a time with all of them (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        guard maxUnknownRate >= 0 else { throw ValidationError("--max-unk-rate must not be negative") }
        _ = try parsedSizes()
        _ = try parsedAlgorithms()
        _ = try InputUnit.resolve(input: input, unit: unit, textKey: textKey, fallback: .auto)
    }

    func parsedSizes() throws -> [Int] {
        try sizes.split(separator: ",").map { raw in
            let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
            let scale = text.hasSuffix("k") ? 1000 : 1
            guard let value = Int(text.hasSuffix("k") ? String(text.dropLast()) : text), value > 0 else {
                throw ValidationError("--sizes: '\(raw)' is not a size (write 8000 or 8k)")
            }
            return value * scale
        }
    }

    func parsedAlgorithms() throws -> [Algorithm] {
        guard let algorithms else { return Algorithm.sweepDefaults }
        return try algorithms.split(separator: ",").map { raw in
            guard let algorithm = Algorithm(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ValidationError("--algorithms: unknown algorithm '\(raw)' (\(Algorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return algorithm
        }
    }

    /// The sweep recipe of each algorithm with these flags.
    func recipes() throws -> [Recipe] {
        try parsedAlgorithms().map { algorithm in
            var recipe = Recipe.sweep(algorithm)
            if let normalizer { recipe.normalizer = normalizer }
            if !preTokenizers.isEmpty { recipe.preTokenizers = preTokenizers }
            if let wordPieceCriterion { recipe.wordPiece.criterion = wordPieceCriterion }
            return recipe
        }
    }

    /// The reference's lines for each group that has a GROUP.txt in `folder`; they must align.
    func loadParallelReference(_ folder: String, groups: [String]) throws -> [String: [String]] {
        var reference: [String: [String]] = [:]
        for group in groups {
            let path = folder + "/" + group + ".txt"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            // Every line is a message, empty ones too (dropping one would shift the alignment).
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
            if lines.last == "" { lines.removeLast() }
            reference[group] = lines
        }
        guard !reference.isEmpty else {
            throw ValidationError("--parallel-reference: \(folder) has no GROUP.txt for any group (\(groups.joined(separator: ", ")))")
        }
        guard Set(reference.values.map(\.count)).count <= 1 else {
            throw ValidationError("--parallel-reference: the files of \(folder) do not have the same number of lines, so they cannot be aligned")
        }
        return reference
    }

    /// Named groups from the arguments, or Corpora/*.txt.
    func groups() throws -> [(name: String, paths: [String])] {
        if corpora.isEmpty {
            let directory = "Corpora"
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
            guard !files.isEmpty else {
                throw ValidationError("no corpus given and no Corpora/*.txt here: name corpus files (vocab sweep FILE... or name=FILE...)")
            }
            return files.map { (String($0.dropLast(4)), ["\(directory)/\($0)"]) }
        }
        var named: [(name: String, paths: [String])] = []
        var unnamed: [String] = []
        for argument in corpora {
            if let eq = argument.firstIndex(of: "="), !FileManager.default.fileExists(atPath: argument) {
                let name = String(argument[..<eq]), path = String(argument[argument.index(after: eq)...])
                if let index = named.firstIndex(where: { $0.name == name }) { named[index].paths.append(path) } else { named.append((name, [path])) }
            } else {
                unnamed.append(argument)
            }
        }
        if !unnamed.isEmpty { named.insert(("corpus", unnamed), at: 0) }
        return named
    }

    func run() throws {
        let started = Date()
        // The report's folder must take files before hours of work, not after.
        do {
            try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        } catch {
            throw CLIError.cannotWrite(path: report, reason: "cannot create the report folder (\(error.localizedDescription))")
        }
        try AtomicFile.checkWritable(report + "/report.md")
        let progress = ProgressLine(label: "sweep", quiet: quiet)
        defer { progress.finish() }
        // 1. Corpora and folds.
        let groups = try groups()
        let names = groups.map(\.name)
        let pivotName = pivot ?? (names.contains("en") ? "en" : names[0])
        guard names.contains(pivotName) else { throw ValidationError("--pivot \(pivotName) is not one of the groups (\(names.joined(separator: ", ")))") }
        let sampleBytes = try sample.map { try CountCommand.parseBytes($0, option: "--sample") }
        let unit = try InputUnit.resolve(input: input, unit: unit, textKey: textKey, fallback: .auto)
        let corpus = try SweepCorpus(groups: groups, unit: unit, folds: folds, seed: seed, maxUnitsPerGroup: maxUnits,
                                     sampleBytesPerGroup: sampleBytes, parallel: parallel,
                                     textKey: unit == .record ? textKey ?? "text" : nil)
        if let exportFolds { try corpus.exportFolds(to: exportFolds) }
        // 2. Options.
        var options = SweepOptions()
        options.recipes = try recipes()
        options.sizes = try parsedSizes()
        options.threads = threads
        let model = modelOptions.configuration
        options.model = model
        options.rareThreshold = rareThreshold
        options.pivot = pivotName
        options.parallel = parallel
        if let weighting { options.weighting = weighting }
        let referenceFolder = parallelReference ?? (corpora.isEmpty && FileManager.default.fileExists(atPath: "Corpora/parallel") ? "Corpora/parallel" : nil)
        if let referenceFolder { options.parallelReference = try loadParallelReference(referenceFolder, groups: names) }
        // 3. The sweep.
        let results = try Sweep.run(corpus, options: options) { report in
            progress.status("\(report.message) [\(report.done)/\(report.total)]")
        }
        // 4. The report.
        var constraints = RecommendationConstraints()
        constraints.maxUnknownRate = maxUnknownRate
        constraints.maxVocabularyShare = maxVocabularyShare
        constraints.maxTokensPerWord = maxTokensPerWord
        var frontEnds: [String: String] = [:]
        for recipe in options.recipes { frontEnds[recipe.algorithm.rawValue] = recipe.frontEndNames.description }
        let corpora = groups.enumerated().map { index, group in
            SweepReport.Corpus(group: group.name, paths: group.paths, units: corpus.unitCount(inGroup: index), bytes: corpus.byteCount(inGroup: index),
                               duplicateShare: corpus.duplicateShare(inGroup: index), input: corpus.inputByGroup[index])
        }
        var settings = SweepReport.Settings(corpora: corpora, unit: corpus.unit, folds: folds, seed: seed, sizes: results.sizes,
                                            algorithms: options.algorithms, frontEnds: frontEnds, model: model, objective: objective,
                                            constraints: constraints, rareThreshold: rareThreshold, pivot: pivotName, parallel: parallel)
        settings.weighting = options.weighting
        if !options.parallelReference.isEmpty {
            settings.parallelReference = "\(options.parallelReference.count) groups of \(options.parallelReference.values.first?.count ?? 0) messages in \(parallelReference ?? "Corpora/parallel")"
        }
        let sweepReport = try SweepReport(results: results, settings: settings, seconds: Date().timeIntervalSince(started))
        try sweepReport.write(to: report)
        progress.finish()
        print(sweepReport.terminalSummary(), terminator: "")
        print("report: \(report)/report.md, report.html, report.json, report.csv")
    }
}

extension CorpusUnit: ExpressibleByArgument {}
extension SweepObjective: ExpressibleByArgument {}
extension GroupWeighting: ExpressibleByArgument {}
