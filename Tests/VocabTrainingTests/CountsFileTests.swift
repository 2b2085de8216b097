import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

@Suite("Counts files")
struct CountsFileTests {
    func temporaryDirectory() throws -> String {
        let path = temporaryPath("counts")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Counts `paths` as `recipe` counts, into `output`.
    @discardableResult
    func count(_ paths: [String], _ recipe: Recipe, budget: Int = 1 << 30, to output: String) throws -> WordCounter.CountingResult {
        try WordCounter.countToFile(paths: paths, options: recipe.countingOptions(frontEnd: try recipe.frontEndNames.frontEnd()),
                                    frontEnd: recipe.frontEndNames, memoryBudget: budget, output: output)
    }

    @Test("training from a counts file gives the vocabulary training on the text gives, for every algorithm")
    func trainFromCounts() throws {
        let corpus = [try corpusSlice("en", lines: 1500), try corpusSlice("ja", lines: 600)]
        let folder = try temporaryDirectory()
        for algorithm in Algorithm.allCases {
            var recipe = Recipe(algorithm, vocabularySize: 1200)
            recipe.unigram.sentences = algorithm == .unigram   // whole lines as pieces, too
            try count(corpus, recipe, to: folder + "/\(algorithm).counts")
            let fromCounts = try recipe.train(countsFile: folder + "/\(algorithm).counts").tokenizer
            let direct = try recipe.train(paths: corpus).tokenizer
            #expect(try TokenizerJSON.write(fromCounts) == TokenizerJSON.write(direct), "\(algorithm)")
        }
        // Counts made for another front end are refused, not silently used.
        #expect(throws: TrainingError.self) { try Recipe.bpe(vocabularySize: 500).train(countsFile: folder + "/unigram.counts") }
    }

    @Test("shards merge into the counts of the whole corpus; spilling under a tiny budget changes nothing")
    func mergeAndSpill() throws {
        let folder = try temporaryDirectory()
        let shards = ["en", "de", "zh"].map { try! corpusSlice($0, lines: 700) }
        let recipe = Recipe.bpe(vocabularySize: 1)
        let whole = try count(shards, recipe, to: folder + "/whole.counts")
        #expect(whole.runs == 1, "a large budget spills nothing: \(whole.runs) runs")
        for (index, shard) in shards.enumerated() { try count([shard], recipe, to: folder + "/\(index).counts") }
        let merged = try CountsFile.merge((0..<3).map { folder + "/\($0).counts" }, into: folder + "/merged.counts")
        #expect(merged == whole.header)
        #expect(FileManager.default.contentsEqual(atPath: folder + "/merged.counts", andPath: folder + "/whole.counts"))
        let spilled = try count(shards, recipe, budget: 32 * 1024, to: folder + "/spilled.counts")
        #expect(spilled.runs > 1, "a tiny budget spills: \(spilled.runs) runs")
        // More files than one merge reads at once go through intermediate merges.
        let text = try String(contentsOfFile: shards[0], encoding: .utf8).split(separator: "\n").map(String.init)
        let pieces = (0..<(CountsFile.mergeWidth + 6)).map { i in stride(from: i, to: text.count, by: CountsFile.mergeWidth + 6).map { text[$0] } }
        let paths = try pieces.enumerated().map { index, lines in
            let path = try temporaryFile(lines.joined(separator: "\n") + "\n", name: "piece-\(UUID().uuidString)")
            try count([path], recipe, to: folder + "/piece-\(index).counts")
            return folder + "/piece-\(index).counts"
        }
        try count([shards[0]], recipe, to: folder + "/first.counts")
        let expected = try CountsFile.read(folder + "/first.counts")
        let wide = try CountsFile.merge(paths, into: folder + "/wide.counts")
        let got = try CountsFile.read(folder + "/wide.counts")
        #expect(got.counts.words.elementsEqual(expected.counts.words) { $0.word == $1.word && $0.count == $1.count }, "a \(paths.count)-way merge")
        #expect(wide.lines == expected.header.lines)
        #expect(FileManager.default.contentsEqual(atPath: folder + "/spilled.counts", andPath: folder + "/whole.counts"))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }
        #expect(left.isEmpty, "temporary runs left behind: \(left)")
    }

    @Test("many distinct pieces count exactly under a budget far below an in-memory table")
    func manyDistinctPieces() throws {
        let folder = try temporaryDirectory()
        // 300,000 distinct numbers, each twice, plus a common word: about 20 MB in a table.
        var random = SplitMix64(seed: 4)
        var lines: [String] = []
        let numbers = (0..<300_000).map { _ in String(random.next() % 1_000_000_000_000) }
        for chunk in stride(from: 0, to: numbers.count, by: 50) { lines.append((numbers[chunk..<chunk + 50] + ["the"]).joined(separator: " ")) }
        let path = try temporaryFile((lines + lines).joined(separator: "\n") + "\n", name: "distinct-\(UUID().uuidString)")
        var recipe = Recipe(.bpe, vocabularySize: 1)
        recipe.preTokenizers = ["whitespace-split"]
        let result = try count([path], recipe, budget: 1 << 20, to: folder + "/small.counts")
        #expect(result.runs >= 10, "the table (about 20 MB) spilled under a 1 MB budget: \(result.runs) runs")
        let header = result.header
        let (_, counts) = try CountsFile.read(folder + "/small.counts")
        #expect(counts.words.count == Set(numbers).count + 1)
        #expect(counts.words.allSatisfy { String(decoding: $0.word, as: UTF8.self) == "the" ? $0.count == 12_000 : $0.count % 2 == 0 })
        #expect(counts.words.reduce(0) { $0 + $1.count } == Int64(2 * (numbers.count + lines.count)))
        #expect(header.lines == 2 * lines.count)
        try count([path], recipe, to: folder + "/large.counts")
        #expect(FileManager.default.contentsEqual(atPath: folder + "/small.counts", andPath: folder + "/large.counts"))
    }

    @Test("bad counts files are clear errors: truncated, corrupt, out of order, not counts, other front ends")
    func badFiles() throws {
        let folder = try temporaryDirectory()
        let recipe = Recipe.bpe(vocabularySize: 1)
        try count([try corpusSlice("en", lines: 200)], recipe, to: folder + "/good.counts")
        let good = try String(contentsOfFile: folder + "/good.counts", encoding: .utf8)
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func expectError(_ text: String, _ message: String) throws {
            let path = folder + "/bad-\(UUID().uuidString).counts"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try CountsFile.read(path)
                Issue.record("\(message): no error")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        try expectError(lines.dropLast(2).joined(separator: "\n") + "\n", "truncated")
        var corrupt = lines
        corrupt[9] = "999" + corrupt[9].drop { $0 != "\t" }
        try expectError(corrupt.joined(separator: "\n"), "corrupt")
        lines.swapAt(9, 10)
        try expectError(lines.joined(separator: "\n"), "increasing byte order")
        try expectError("hello\tworld\n", "not a counts file")
        try expectError(good.replacingOccurrences(of: "# vocabkit-counts 1", with: "# vocabkit-counts 9"), "version 9")
        var other = Recipe.bpe(vocabularySize: 1)
        other.normalizer = "nfkc"
        try count([try corpusSlice("en", lines: 200)], other, to: folder + "/nfkc.counts")
        #expect(throws: TrainingError.self) { try CountsFile.merge([folder + "/good.counts", folder + "/nfkc.counts"], into: folder + "/x.counts") }
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.counts"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }.isEmpty)
    }
}

@Suite("Pruning counts")
struct PruningTests {
    @Test("min count and max pieces keep the most frequent pieces, ties in byte order, and record what they dropped")
    func pruning() throws {
        let folder = temporaryPath("prune")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let words: [(String, Int64)] = [("a", 5), ("b", 3), ("c", 3), ("d", 3), ("e", 1), ("f", 2)]
        let counts = WordCounts(words: words.map { (Array($0.0.utf8), $0.1) }, lines: 4, bytes: 40)
        let header = CountsFile.Header(frontEnd: FrontEndNames(normalizer: "none", preTokenizers: ["whitespace"]), keepsLineBreaks: false, lines: 4, bytes: 40)
        try CountsFile.write(counts, header: header, to: folder + "/all.counts")
        // At least 2, at most 3: a (5), then two of the three 3s in byte order (b, c).
        let report = try CountsFile.prune(folder + "/all.counts", into: folder + "/top.counts", minCount: 2, maxPieces: 3)
        #expect(report == CountsFile.PruningReport(keptPieces: 3, droppedPieces: 3, keptOccurrences: 11, droppedOccurrences: 6))
        let (pruned, kept) = try CountsFile.read(folder + "/top.counts")
        #expect(kept.words.map { String(decoding: $0.word, as: UTF8.self) } == ["a", "b", "c"])
        #expect(pruned.pruned?.contains("dropped 3 of 6 pieces, 6 of 17 occurrences") == true, "\(String(describing: pruned.pruned))")
        #expect(pruned.lines == 4 && pruned.sameMaking(header))
        // Min count alone.
        let atLeastThree = try CountsFile.prune(folder + "/all.counts", into: folder + "/three.counts", minCount: 3)
        #expect(atLeastThree.keptPieces == 4 && atLeastThree.droppedOccurrences == 3)
        // Training notes that the counts were pruned.
        var recipe = Recipe(.word, vocabularySize: 4)
        (recipe.normalizer, recipe.preTokenizers, recipe.keepsLineBreaks, recipe.minFrequency) = ("none", ["whitespace"], false, 1)
        let trained = try recipe.train(countsFile: folder + "/top.counts")
        #expect(trained.record.notes.contains { $0.contains("pruned counts") })
    }
}
