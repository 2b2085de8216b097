import Foundation
import Testing
import VocabTestSupport
import VocabKit
import VocabTraining
@testable import VocabAnalysis

@Suite("Vocabulary-size sweep")
struct SweepTests {
    @Test("Folds are seeded, disjoint, cover every unit and are balanced within each group")
    func folds() throws {
        let en = try corpusSlice("en", lines: 500), de = try corpusSlice("de", lines: 300)
        let a = try SweepCorpus(groups: [("en", [en]), ("de", [de])], unit: .line, folds: 5, seed: 7)
        let b = try SweepCorpus(groups: [("en", [en]), ("de", [de])], unit: .line, folds: 5, seed: 7)
        let c = try SweepCorpus(groups: [("en", [en]), ("de", [de])], unit: .line, folds: 5, seed: 8)
        #expect(a.unitFolds == b.unitFolds)
        #expect(a.unitFolds != c.unitFolds)
        let all = (0..<5).flatMap { a.units(inFold: $0) }
        #expect(all.count == a.unitCount && Set(all).count == a.unitCount)
        for group in 0..<2 {
            // Balanced to within one class of identical lines (a repeated line is dealt whole).
            var copies: [String: Int] = [:]
            for u in 0..<a.unitCount where a.unitGroups[u] == Int32(group) { copies[String(decoding: a.unitText(u), as: UTF8.self), default: 0] += 1 }
            let sizes = (0..<5).map { fold in a.units(inFold: fold).filter { a.unitGroups[$0] == Int32(group) }.count }
            #expect(sizes.max()! - sizes.min()! <= copies.values.max()!, "group \(group): \(sizes)")
        }
        // Documents: blank-line separated blocks keep their inner line breaks.
        let documents = referenceUnits(of: Array("a b\nc\n\n\nd\n \ne f".utf8), unit: .document)
        #expect(documents.count == 3)
        #expect(referenceUnits(of: Array("a b\nc\n\n\nd\n \ne f".utf8), unit: .line).count == 4)
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("en", [en])], unit: .line, folds: 1, seed: 1) }
        let empty = try temporaryFile("\n\n")
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("e", [empty])], unit: .line, folds: 2, seed: 1) }
        let binary = try temporaryFile("abc\u{0}def")
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("b", [binary])], unit: .line, folds: 2, seed: 1) }
    }

    @Test("BPE cut to size k from a larger training encodes exactly as BPE trained at k")
    func nestedBPE() throws {
        let corpus = try SweepCorpus(groups: [("en", [try corpusSlice("en", lines: 3000)])], unit: .line, folds: 3, seed: 1)
        let text = try PreTokenizedCorpus(corpus, frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["gpt2"]))
        let counts = text.trainingCounts(corpus, excludingFold: 0)
        let nested = try Recipe.sweep(.bpe).trainNested(counts: counts, sizes: [400, 900, 2000])
        let heldOut = corpus.units(inFold: 0).flatMap { u in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] }
        for size in [300, 400, 900, 1500] {
            var options = BPETrainerOptions(vocabularySize: size)
            options.minFrequency = 2
            let direct = try BPETrainer(options: options).train(counts).model
            guard case .bpe(let cut) = try nested.model(size: size) else { Issue.record("not BPE"); return }
            #expect(cut.tokens == direct.tokens)
            #expect(cut.merges.map { [$0.0, $0.1, $0.2] } == direct.merges.map { [$0.0, $0.1, $0.2] })
            var a = BPEScratch(), b = BPEScratch()
            var left: [PieceToken] = [], right: [PieceToken] = []
            for p in Set(heldOut) {
                text.pieces[Int(p)].withUnsafeBufferPointer { piece in
                    cut.encode(piece: piece, into: &left, scratch: &a)
                    direct.encode(piece: piece, into: &right, scratch: &b)
                }
            }
            #expect(left == right, "size \(size)")
        }
        #expect(!nested.offers(100) && nested.offers(2000))
    }

    @Test("A hybrid cut to size k equals the hybrid trained at k; WordPiece and Unigram sizes are exact")
    func nestedOthers() throws {
        let corpus = try SweepCorpus(groups: [("en", [try corpusSlice("en", lines: 3000)])], unit: .line, folds: 3, seed: 1)
        let text = try PreTokenizedCorpus(corpus, frontEnd: try TextFrontEnd(normalizer: "nmt-nfkc", preTokenizers: ["metaspace"]))
        let counts = text.trainingCounts(corpus, excludingFold: 1)
        let hybrid = try Recipe.sweep(.hybrid).trainNested(counts: counts, sizes: [600, 3000])
        var options = HybridTrainerOptions(vocabularySize: 1500)
        options.characterCoverage = 0.9995
        let direct = try HybridTrainer(options: options).train(counts).model
        guard case .hybrid(let cut) = try hybrid.model(size: 1500) else { Issue.record("not hybrid"); return }
        #expect(cut.tokens == direct.tokens)
        for algorithm in [Algorithm.wordpiece, .unigram] {
            let nested = try Recipe.sweep(algorithm).trainNested(counts: counts, sizes: [800, 1600, 3000])
            for size in [800, 1600, 3000] where nested.offers(size) {
                #expect(try nested.model(size: size).vocabularySize == size, "\(algorithm) \(size)")
            }
            #expect(nested.offers(1600), "\(algorithm): \(nested.minimumSize)...\(nested.maximumSize)")
        }
    }

    @Test("A small sweep end to end: deterministic, sensible trends, report files")
    func endToEnd() throws {
        let corpus = try SweepCorpus(groups: [("en", [try corpusSlice("en", lines: 2500)]), ("de", [try corpusSlice("de", lines: 1500)])],
                                     unit: .line, folds: 3, seed: 3)
        var options = SweepOptions()
        options.sizes = [700, 1400, 2800]
        let results = try Sweep.run(corpus, options: options)
        options.threads = 1
        let again = try Sweep.run(corpus, options: options)
        #expect(results.cells == again.cells, "the same cells with 1 thread as with all")
        // Fold order, then recipe order, although Unigram trains after the others, fold by fold.
        let order = results.trainings.map { "\($0.fold) \($0.algorithm.rawValue)" }
        #expect(order == again.trainings.map { "\($0.fold) \($0.algorithm.rawValue)" })
        #expect(order == (0..<3).flatMap { fold in options.algorithms.map { "\(fold) \($0.rawValue)" } })
        #expect(results.trainings.allSatisfy { $0.failure == nil }, "\(results.trainings.compactMap(\.failure))")
        for algorithm in Algorithm.sweepDefaults {
            let sizes = results.sizes.filter { !results.cells(algorithm, size: $0).isEmpty }
            #expect(sizes.count >= 2, "\(algorithm)")
            // Subwords: fewer tokens per word as the vocabulary grows. Words: one token per word at
            // every size, fewer of them lost to <unk>.
            let measure: (TokenizationMeasures) -> Double = algorithm == .word ? { $0.unknownWordShare } : { $0.tokensPerWord }
            let curve = sizes.map { size in MeasureSummary(results.cells(algorithm, size: size).map { measure($0.measures) }).mean }
            #expect(zip(curve, curve.dropFirst()).allSatisfy { $0 > $1 }, "\(algorithm): \(curve)")
            for size in sizes {
                #expect(results.cells(algorithm, size: size, group: "all").count == 3)
                #expect(results.cells(algorithm, size: size, group: "de").count == 3)
            }
        }
        // Byte-level BPE never needs an unknown token.
        #expect(results.cells.filter { $0.algorithm == .bpe }.allSatisfy { $0.measures.unknownRate == 0 && $0.measures.characterCoverage == 1 })
        // The report.
        let settings = SweepReport.Settings(corpora: [.init(group: "en", paths: ["en"], units: 2500, bytes: 1), .init(group: "de", paths: ["de"], units: 1500, bytes: 1)],
                                            unit: .line, folds: 3, seed: 3, sizes: results.sizes, algorithms: results.algorithms,
                                            frontEnds: [:], model: options.model, objective: .flopsPerByte, constraints: RecommendationConstraints(),
                                            rareThreshold: 10, pivot: "en", parallel: false)
        let report = try SweepReport(results: results, settings: settings, seconds: 1)
        let directory = temporaryPath("report")
        try report.write(to: directory)
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 6)
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"))
        #expect(html.contains("class=\"marker\""))
        for algorithm in Algorithm.sweepDefaults { #expect(html.contains("data-series=\"\(algorithm.rawValue)\"")) }
        let csv = try String(contentsOfFile: directory + "/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == results.cells.count + 1)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))) as? [String: Any]
        #expect(json?["recommendation"] != nil)
        let markdown = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(markdown.contains("Recommended: \(report.recommendation.algorithm.rawValue) with \(report.recommendation.size) tokens"))
        #expect(report.point(.bpe, size: 1400, group: "en")?.premium.map { abs($0.mean - 1) < 1e-12 } == true)
        #expect(report.point(.bpe, size: 1400, group: "de")?.premium != nil)
    }

    @Test("Word-level OOV falls with size and stays above the hybrid's UNK rate (English and Chinese, held out)",
          arguments: [("en", ["metaspace"], [2000, 4000, 8000]), ("zh", ["metaspace", "word-break"], [1500, 2000, 2500])])
    func wordBaseline(name: String, preTokenizers: [String], sizes: [Int]) throws {
        let corpus = try SweepCorpus(groups: [(name, [corporaDirectory.appendingPathComponent("\(name).txt").path])], unit: .line, folds: 5, seed: 11)
        var options = SweepOptions()
        options.recipes = [Algorithm.word, .hybrid].map { algorithm in
            var recipe = Recipe.sweep(algorithm)
            recipe.preTokenizers = preTokenizers
            return recipe
        }
        options.sizes = sizes
        let results = try Sweep.run(corpus, options: options)
        var previous = Double.infinity
        for size in sizes {
            let word = MeasureSummary(results.cells(.word, size: size).map(\.measures.unknownWordShare))
            let wordUnknown = MeasureSummary(results.cells(.word, size: size).map(\.measures.unknownRate))
            let hybridUnknown = MeasureSummary(results.cells(.hybrid, size: size).map(\.measures.unknownRate))
            #expect(word.folds == 5 && hybridUnknown.folds == 5, "\(name) \(size)")
            #expect(word.mean < previous, "\(name) \(size): \(word.mean)")
            #expect(wordUnknown.mean > 10 * hybridUnknown.mean, "\(name) \(size): word \(wordUnknown.mean) vs hybrid \(hybridUnknown.mean)")
            // A word-level vocabulary never splits a word.
            #expect(results.cells(.word, size: size).allSatisfy { $0.measures.splitWordShare == 0 })
            previous = word.mean
        }
    }

    @Test("The one-standard-error rule picks the smallest size within one standard error of the best")
    func oneStandardError() throws {
        // tokens per word by fold: 1000 -> 3.0±, 2000 -> 2.51/2.47 (mean 2.49), 4000 -> 2.46/2.50 (best mean 2.48, se 0.02).
        func cell(_ algorithm: Algorithm, _ size: Int, _ fold: Int, _ fertility: Double, unknown: Double = 0) -> SweepCell {
            var m = TokenizationMeasures()
            m.tokensPerWord = fertility
            m.unknownRate = unknown
            m.tokensPerByte = 0.25
            return SweepCell(algorithm: algorithm, size: size, group: "g", fold: fold, measures: m)
        }
        var cells = [cell(.bpe, 1000, 0, 3.0), cell(.bpe, 1000, 1, 3.1), cell(.bpe, 2000, 0, 2.51), cell(.bpe, 2000, 1, 2.47),
                     cell(.bpe, 4000, 0, 2.46), cell(.bpe, 4000, 1, 2.50)]
        var results = SweepResults(groups: ["g"], folds: 2, sizes: [1000, 2000, 4000], algorithms: [.bpe], cells: cells, trainings: [])
        var recommendation = try Recommendation.make(results, objective: .tokensPerWord, model: ModelConfiguration(), constraints: RecommendationConstraints())
        #expect(recommendation.bestSize == 4000 && recommendation.size == 2000)
        #expect(abs(recommendation.threshold - 2.50) < 1e-9)
        // A unigram point below the threshold at 1000, but over the UNK limit: excluded.
        cells += [cell(.unigram, 1000, 0, 2.4, unknown: 0.05), cell(.unigram, 1000, 1, 2.4, unknown: 0.05)]
        results = SweepResults(groups: ["g"], folds: 2, sizes: [1000, 2000, 4000], algorithms: [.bpe, .unigram], cells: cells, trainings: [])
        recommendation = try Recommendation.make(results, objective: .tokensPerWord, model: ModelConfiguration(), constraints: RecommendationConstraints())
        #expect(recommendation.algorithm == .bpe && recommendation.size == 2000)
        #expect(recommendation.explanation.contains("Excluded by the constraints: unigram 1000"))
        var loose = RecommendationConstraints()
        loose.maxUnknownRate = 0.1
        recommendation = try Recommendation.make(results, objective: .tokensPerWord, model: ModelConfiguration(), constraints: loose)
        #expect(recommendation.algorithm == .unigram && recommendation.size == 1000)
        // Table memory grows with V: the smallest allowed size.
        recommendation = try Recommendation.make(results, objective: .tableMemory, model: ModelConfiguration(), constraints: RecommendationConstraints())
        #expect(recommendation.size == 1000 && recommendation.algorithm == .bpe)
    }

    @Test("Compute objectives say what they leave out; the report sets Tao et al.'s predictions beside this corpus's estimate")
    func computeObjectiveExplained() throws {
        func cell(_ size: Int, _ fold: Int, _ tokensPerByte: Double) -> SweepCell {
            var m = TokenizationMeasures()
            (m.tokensPerWord, m.tokensPerByte, m.tokensPerThousandCharacters) = (1.5, tokensPerByte, tokensPerByte * 1000)
            return SweepCell(algorithm: .bpe, size: size, group: "g", fold: fold, measures: m)
        }
        let cells = [cell(1000, 0, 0.40), cell(1000, 1, 0.41), cell(4000, 0, 0.30), cell(4000, 1, 0.31), cell(16000, 0, 0.26), cell(16000, 1, 0.27)]
        let results = SweepResults(groups: ["g"], folds: 2, sizes: [1000, 4000, 16000], algorithms: [.bpe], cells: cells, trainings: [])
        let recommendation = try Recommendation.make(results, objective: .flopsPerByte, model: ModelConfiguration(), constraints: RecommendationConstraints())
        #expect(recommendation.explanation.contains("does not model quality"), "\(recommendation.explanation)")
        #expect(recommendation.taoPredictions.map(\.vocabularySize).allSatisfy { $0 > 6000 && $0 < 10000 }, "\(recommendation.taoPredictions)")
        let tokensPerWord = try Recommendation.make(results, objective: .tokensPerWord, model: ModelConfiguration(), constraints: RecommendationConstraints())
        #expect(!tokensPerWord.explanation.contains("does not model quality"))
        let settings = SweepReport.Settings(corpora: [], unit: .line, folds: 2, seed: 1, sizes: results.sizes, algorithms: [.bpe],
                                            frontEnds: [:], model: ModelConfiguration(), objective: .flopsPerByte,
                                            constraints: RecommendationConstraints(), rareThreshold: 10, pivot: "g", parallel: false)
        let markdown = try SweepReport(results: results, settings: settings, seconds: 1).markdown()
        for phrase in ["## How each number is computed", "Approach 1 (IsoFLOPs power laws) V ≈", "Approach 3 (parametric loss fit)",
                       "This corpus's estimate (VocabKit)", "Why they differ", "--model", "6 × n_layer × n_ctx × d"] {
            #expect(markdown.contains(phrase), "the report lacks \(phrase)")
        }
        #expect(!markdown.contains("Compute optimum (Tao et al. 2024)"), "the corpus fit is no longer presented under Tao et al.'s name")
    }
}

@Suite("Folds without leakage")
struct FoldLeakageTests {
    @Test("exact duplicate units share a fold, and the report states each group's duplicate share")
    func duplicatesShareAFold() throws {
        // 40 distinct lines, each repeated a different number of times, and one boilerplate line 25 times.
        var lines = (0..<40).flatMap { i in Array(repeating: "line number \(i) of the corpus", count: 1 + i % 3) }
        lines += Array(repeating: "# ---------------------------------------", count: 25)
        let path = try temporaryFile(lines.joined(separator: "\n") + "\n")
        let corpus = try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 5, seed: 9)
        var foldsOf: [String: Set<Int32>] = [:]
        for u in 0..<corpus.unitCount { foldsOf[String(decoding: corpus.unitText(u), as: UTF8.self), default: []].insert(corpus.unitFolds[u]) }
        #expect(foldsOf.count == 41 && foldsOf.values.allSatisfy { $0.count == 1 }, "a text is split over folds")
        // Repeated bytes: the 26 lines with i % 3 != 0 and the boilerplate.
        let bytes = lines.reduce(0) { $0 + $1.utf8.count }
        let repeated = lines.filter { line in lines.filter { $0 == line }.count > 1 }.reduce(0) { $0 + $1.utf8.count }
        #expect(abs(corpus.duplicateShare(inGroup: 0) - Double(repeated) / Double(bytes)) < 1e-12)
        // Every fold still gets units (classes are dealt round robin).
        #expect((0..<5).allSatisfy { !corpus.units(inFold: $0).isEmpty })
        // A unit limit is never passed by a large class, and the kept classes are still dealt evenly.
        let limited = try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 5, seed: 9, maxUnitsPerGroup: 20)
        #expect(limited.unitCount <= 20 && (0..<5).allSatisfy { !limited.units(inFold: $0).isEmpty }, "\(limited.unitCount) units")
    }

    @Test("auto picks the largest unit with enough per fold; a folder is a group of files")
    func automaticUnit() throws {
        let folder = temporaryPath("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<60 {
            try Data("document \(i) first paragraph\n\nsecond paragraph of \(i)\n".utf8).write(to: URL(fileURLWithPath: folder + "/f\(i).txt"))
        }
        try Data("hidden".utf8).write(to: URL(fileURLWithPath: folder + "/.hidden"))
        let byFile = try SweepCorpus(groups: [("g", [folder])], unit: .auto, folds: 5, seed: 1)
        #expect(byFile.unit == .file && byFile.unitCount == 60)
        #expect(byFile.unitText(0).contains(0x0A), "a file unit keeps its inner lines")
        // Two files hold 2 files and 4 documents, fewer than 2 folds x 10 each: line, the smallest unit.
        let few = try SweepCorpus(groups: [("g", [folder + "/f1.txt", folder + "/f2.txt"])], unit: .auto, folds: 2, seed: 1)
        #expect(few.unit == .line && few.unitCount == 4)
        let corpora = try SweepCorpus(groups: [("en", [corporaDirectory.appendingPathComponent("en.txt").path])], unit: .auto, folds: 5, seed: 1)
        #expect(corpora.unit == .line, "en.txt has 7 blank-line documents, too few for 5 folds of 10")
    }

    @Test("Charts mark what is excluded, partial and the threshold; one fold shows no spread; unmeasured sizes are named")
    func honestCharts() throws {
        func cell(_ algorithm: Algorithm, _ size: Int, _ fold: Int, _ tokensPerByte: Double, unknown: Double = 0) -> SweepCell {
            var m = TokenizationMeasures()
            (m.tokensPerWord, m.tokensPerByte, m.unknownRate, m.tokensPerThousandCharacters) = (1.5, tokensPerByte, unknown, tokensPerByte * 1000)
            m.marginalUtility = 0.1
            return SweepCell(algorithm: algorithm, size: size, group: "g", fold: fold, measures: m)
        }
        let cells = [cell(.bpe, 1000, 0, 0.40), cell(.bpe, 1000, 1, 0.41), cell(.bpe, 4000, 0, 0.30), cell(.bpe, 4000, 1, 0.31),
                     cell(.unigram, 4000, 0, 0.29),                                   // one fold only
                     cell(.word, 1000, 0, 0.2, unknown: 0.3), cell(.word, 1000, 1, 0.2, unknown: 0.3),
                     cell(.word, 4000, 0, 0.2, unknown: 0.2), cell(.word, 4000, 1, 0.2, unknown: 0.2)]
        let trainings = [SweepTraining(algorithm: .unigram, fold: 0, seconds: 1, evaluationSeconds: 1, peakMemoryBytes: 0, minimumSize: 2100, maximumSize: 9000),
                         SweepTraining(algorithm: .unigram, fold: 1, seconds: 1, evaluationSeconds: 1, peakMemoryBytes: 0, minimumSize: 4100, maximumSize: 9000)]
        let results = SweepResults(groups: ["g"], folds: 2, sizes: [1000, 4000], algorithms: [.bpe, .unigram, .word], cells: cells, trainings: trainings)
        let settings = SweepReport.Settings(corpora: [], unit: .line, folds: 2, seed: 1, sizes: results.sizes, algorithms: results.algorithms,
                                            frontEnds: [:], model: ModelConfiguration(), objective: .flopsPerByte,
                                            constraints: RecommendationConstraints(), rareThreshold: 10, pivot: "g", parallel: false)
        let report = try SweepReport(results: results, settings: settings, seconds: 1)
        let flops = report.flopsChart().render()
        #expect(flops.contains("word (excluded)") && flops.contains("stroke-dasharray=\"6 4\""), "the excluded word-level series is dashed and labelled")
        #expect(flops.contains("class=\"partial\""), "the 1-fold unigram point is drawn hollow")
        #expect(flops.contains("class=\"threshold\""), "the one-standard-error threshold is drawn")
        let unigramRow = try #require(report.resultTables().first { $0.title == "unigram" }?.rows.first)
        #expect(unigramRow[1] == "1.500 (1 fold)" && !unigramRow.contains { $0.contains("±") }, "one fold shows no spread: \(unigramRow)")
        #expect(report.recommendation.explanation.contains("Not measured") && report.recommendation.explanation.contains("unigram 1000 (its trainings offer 2100–9000)"),
                "\(report.recommendation.explanation)")
        #expect(report.trainingTable().rows.first { $0[0] == "unigram" }?[4] == "0: 2100–9000, 1: 4100–9000", "every fold's offered range")
    }

    /// Two groups of the first lines of two corpora, in 2 folds by line.
    func twoGroups(_ a: (name: String, lines: Int), _ b: (name: String, lines: Int), seed: UInt64) throws -> SweepCorpus {
        try SweepCorpus(groups: [(a.name, [try corpusSlice(a.name, lines: a.lines)]), (b.name, [try corpusSlice(b.name, lines: b.lines)])],
                        unit: .line, folds: 2, seed: seed)
    }

    @Test("A parallel reference gives Petrov et al.'s premium beside the tokens-per-character ratio")
    func parallelReferencePremium() throws {
        let corpus = try twoGroups(("en", 800), ("de", 400), seed: 5)
        var options = SweepOptions()
        (options.algorithms, options.sizes) = ([.word], [200, 400])
        // "de" says everything twice: about twice the tokens of "en" on the same messages.
        let messages = ["the beginning", "and the earth was without form", "light", "in the day of the lord"]
        options.parallelReference = ["en": messages, "de": messages.map { $0 + " " + $0 }]
        let results = try Sweep.run(corpus, options: options)
        #expect(results.parallelCounts.count == 2 * 2 * 2, "folds x sizes x groups: \(results.parallelCounts.count)")
        var settings = SweepReport.Settings(corpora: [], unit: .line, folds: 2, seed: 5, sizes: results.sizes, algorithms: [.word],
                                            frontEnds: [:], model: ModelConfiguration(), objective: .tokensPerWord,
                                            constraints: RecommendationConstraints(), rareThreshold: 10, pivot: "en", parallel: false)
        settings.constraints.maxUnknownRate = 1
        settings.parallelReference = "a test reference"
        let report = try SweepReport(results: results, settings: settings, seconds: 1)
        let de = try #require(report.point(.word, size: 400, group: "de")?.referencePremium)
        #expect(abs(de.mean - 2) < 1e-9, "premium \(de.mean)")
        #expect(report.point(.word, size: 400, group: "en")?.referencePremium?.mean == 1)
        let table = try #require(report.languageTable())
        #expect(table.headers.contains("400: premium (parallel)") && table.headers.contains("400: tokens/char vs en") && !table.title.contains("premium ="))
        #expect(report.methodNotes.contains { $0.contains("Petrov et al. (2023)'s tokenization premium") })
    }

    @Test("--weighting: \"all\" sums every unit (bytes) or averages the groups (equal)")
    func groupWeighting() throws {
        let corpus = try twoGroups(("en", 900), ("zh", 300), seed: 2)
        var options = SweepOptions()
        (options.algorithms, options.sizes) = ([.bpe], [600])
        for weighting in GroupWeighting.allCases {
            options.weighting = weighting
            let results = try Sweep.run(corpus, options: options)
            for fold in 0..<2 {
                let cells = Dictionary(uniqueKeysWithValues: results.cells.filter { $0.fold == fold }.map { ($0.group, $0.measures) })
                let (en, zh, all) = (cells["en"]!, cells["zh"]!, cells["all"]!)
                let expected = weighting == .equal ? (en.tokensPerWord + zh.tokensPerWord) / 2
                    : Double(en.tokens + zh.tokens) / Double(en.words + zh.words)
                #expect(abs(all.tokensPerWord - expected) < 1e-12, "\(weighting) fold \(fold): \(all.tokensPerWord) vs \(expected)")
                #expect(all.tokens == en.tokens + zh.tokens, "counts are sums either way")
            }
        }
    }
}

