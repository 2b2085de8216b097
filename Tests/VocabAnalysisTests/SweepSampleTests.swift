import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabAnalysis

/// The plain reference for `UnitReader`: the unit ranges of a whole file held in memory.
func referenceUnits(of bytes: [UInt8], unit: CorpusUnit) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var start = 0
    while start < bytes.count {
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        var contentEnd = end
        if contentEnd > start && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        lines.append(start..<contentEnd)
        start = end + 1
    }
    func isBlank(_ r: Range<Int>) -> Bool { bytes[r].allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    let content = lines.filter { !isBlank($0) }
    switch unit {
    case .line, .auto: return content
    case .record: fatalError("records are JSON; tested in recordUnits")
    case .file: return content.isEmpty ? [] : [content.first!.lowerBound..<content.last!.upperBound]
    case .document:
        var documents: [Range<Int>] = [], current: Range<Int>?
        for line in lines {
            if isBlank(line) {
                if let c = current { documents.append(c); current = nil }
            } else {
                current = current.map { $0.lowerBound..<line.upperBound } ?? line
            }
        }
        if let c = current { documents.append(c) }
        return documents
    }
}

@Suite("Streaming and sampling the sweep's input")
struct SweepSampleTests {
    /// Random text of lines, blank lines (with spaces and tabs), CRLF and no final line break.
    func randomText(_ random: inout SplitMix64, lines: Int) -> String {
        let words = ["a", "bb", "ccc", "δέκα", "日本語", "x\ty", "🙂", " lead", "trail "]
        var text = ""
        for _ in 0..<lines {
            switch random.next() % 6 {
            case 0: text += ["", " ", "\t", "  \t"][Int(random.next() % 4)]
            default: text += (0..<(1 + Int(random.next() % 6))).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
            }
            text += random.next() % 4 == 0 ? "\r\n" : "\n"
        }
        if random.next() % 2 == 0, text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    @Test("Streamed units equal the whole-file reference for every unit kind, across block boundaries")
    func streamedUnitsMatchTheReference() throws {
        var random = SplitMix64(seed: 5)
        for trial in 0..<40 {
            let text = randomText(&random, lines: 1 + trial * 3)
            let path = try temporaryFile(text)
            let bytes = Array(text.utf8)
            for unit in [CorpusUnit.line, .document, .file] {
                let expected = referenceUnits(of: bytes, unit: unit).map { Array(bytes[$0]) }
                for blockSize in [1, 7, 64, 1 << 18] {
                    var got: [[UInt8]] = []
                    let totals = try UnitReader(path: path, unit: unit, blockSize: blockSize).read { got.append(Array($0)) }
                    #expect(got == expected, "trial \(trial), \(unit), blocks of \(blockSize)")
                    #expect(totals.units == expected.count && totals.bytes == bytes.count && totals.unitBytes == expected.reduce(0) { $0 + $1.count })
                }
                // A length limit drops exactly the longer units, and counts them.
                let limit = 12
                var kept: [[UInt8]] = []
                let totals = try UnitReader(path: path, unit: unit, maximumLength: limit, blockSize: 7).read { kept.append(Array($0)) }
                #expect(kept == expected.filter { $0.count <= limit }, "trial \(trial), \(unit), limited")
                #expect(totals.oversized == expected.filter { $0.count > limit }.count)
            }
        }
    }

    @Test("The byte sample fills its budget with distinct texts, keeps copies together and depends only on the set of units")
    func sampleIsASetFunction() throws {
        var lines = (0..<3000).map { "line \($0) with some words \($0 * 7919 % 1000)" }
        lines += Array(repeating: "a repeated boilerplate line", count: 40)
        let budget = 20_000
        func sampled(_ lines: [String], seed: UInt64) throws -> (texts: [String], input: InputShare) {
            let path = try temporaryFile(lines.joined(separator: "\n") + "\n")
            let corpus = try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 3, seed: seed, sampleBytesPerGroup: budget)
            return ((0..<corpus.unitCount).map { String(decoding: corpus.unitText($0), as: UTF8.self) }, corpus.inputByGroup[0])
        }
        let (texts, input) = try sampled(lines, seed: 1)
        // Distinct texts fill the budget to within one line, never over.
        let distinctBytes = Set(texts).reduce(0) { $0 + $1.utf8.count }
        #expect(distinctBytes <= budget && distinctBytes > budget - 60, "\(distinctBytes) bytes")
        #expect(input.sampledBytes == texts.reduce(0) { $0 + $1.utf8.count } && input.sampledUnits == texts.count)
        #expect(input.units == lines.count && input.unitBytes == lines.reduce(0) { $0 + $1.utf8.count })
        #expect(abs(input.sampledShare - Double(input.sampledBytes) / Double(input.unitBytes)) < 1e-12)
        // Copies of one text are all in or all out.
        let boilerplate = texts.filter { $0 == "a repeated boilerplate line" }.count
        #expect(boilerplate == 0 || boilerplate == 40)
        // The same set of units in another order gives the same sample, kept in input order.
        var random = SplitMix64(seed: 3)
        var shuffled = lines
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        let (again, _) = try sampled(shuffled, seed: 1)
        #expect(again.sorted() == texts.sorted())
        #expect(again == shuffled.filter { Set(texts).contains($0) })
        // Another seed gives another sample.
        let (other, _) = try sampled(lines, seed: 2)
        #expect(Set(other) != Set(texts))
        // A text repeated far past the budget costs its bytes once and crowds nothing out.
        // (2,000 copies take 22 kB, more than the budget; the 501 distinct texts take 9 kB.)
        let crowded = Array(repeating: "hello world", count: 2000) + (0..<500).map { "distinct line \($0)" }
        let (kept, _) = try sampled(crowded, seed: 1)
        #expect(Set(kept).count == 501 && kept.filter { $0 == "hello world" }.count == 2000, "\(Set(kept).count) distinct")
    }

    @Test("UnitSampler equals its definition (smallest keys up to the budget, texts in order of first occurrence) through many squeezes of its arena")
    func samplerMatchesTheReference() {
        var random = SplitMix64(seed: 11)
        for trial in 0..<60 {
            // Units of 0-40 bytes from a small alphabet, so texts repeat.
            let units: [[UInt8]] = (0..<(20 + trial * 15)).map { _ in
                (0..<Int(random.next() % 41)).map { _ in [0x61, 0x62, 0xCE, 0xB4][Int(random.next() % 4)] }
            }
            let budget = 1 + Int(random.next() % 400), seed = random.next()
            // The reference: distinct texts by key, taken while they fit.
            var firstIndex: [[UInt8]: Int] = [:]
            for (index, unit) in units.enumerated() where firstIndex[unit] == nil { firstIndex[unit] = index }
            var kept = Set<[UInt8]>(), bytes = 0
            for text in firstIndex.keys.sorted(by: { UnitSampler.key($0[...], seed: seed) < UnitSampler.key($1[...], seed: seed) }) {
                guard bytes + text.count <= budget else { break }
                kept.insert(text)
                bytes += text.count
            }
            let expectedText = firstIndex.filter { kept.contains($0.key) }.sorted { $0.value < $1.value }.flatMap(\.key)
            let expectedUnits = units.filter { kept.contains($0) }

            var sampler = UnitSampler(budget: budget, seed: seed, expectedBytes: trial % 2 == 0 ? 0 : .max)
            for unit in units { sampler.offer(unit[...]) }
            #expect(sampler.distinctBytes == bytes, "trial \(trial)")
            let (text, ranges) = sampler.drain()
            #expect(text == expectedText, "trial \(trial): budget \(budget), \(units.count) units")
            #expect(ranges.map { Array(text[$0]) } == expectedUnits, "trial \(trial)")
        }
    }

    @Test("A budget above the input keeps the corpus and folds exactly as without a sample")
    func largeBudgetChangesNothing() throws {
        let en = try corpusSlice("en", lines: 400), de = try corpusSlice("de", lines: 250)
        let groups = [("en", [en]), ("de", [de])]
        let whole = try SweepCorpus(groups: groups, unit: .line, folds: 4, seed: 7)
        let sampled = try SweepCorpus(groups: groups, unit: .line, folds: 4, seed: 7, sampleBytesPerGroup: 1 << 30)
        #expect(whole.unitCount == sampled.unitCount && (0..<whole.unitCount).allSatisfy { whole.unitText($0) == sampled.unitText($0) })
        #expect(whole.unitFolds == sampled.unitFolds && whole.unitGroups == sampled.unitGroups)
        #expect(whole.duplicateShareByGroup == sampled.duplicateShareByGroup)
        #expect(sampled.inputByGroup.allSatisfy { $0.sampledShare == 1 && $0.oversizedUnits == 0 })
    }

    @Test("auto counts only what the sample can hold; standard input is refused")
    func automaticUnitWithASample() throws {
        let folder = temporaryPath("sampled-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<60 {
            let text = (0..<40).map { "file \(i) line \($0) of a longer file" }.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/f\(i).txt"))
        }
        #expect(try SweepCorpus(groups: [("g", [folder])], unit: .auto, folds: 5, seed: 1).unit == .file)
        // Each file is about 1.3 kB: a 20 kB sample holds about 15 files, fewer than 5 folds x 10.
        let sampled = try SweepCorpus(groups: [("g", [folder])], unit: .auto, folds: 5, seed: 1, sampleBytesPerGroup: 20_000)
        #expect(sampled.unit == .line && sampled.unitCount > 400)
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("g", ["-"])], unit: .line, folds: 2, seed: 1) }
    }

    @Test("JSON Lines records are units: the same folds and units as the texts written one per line; bad records name their line")
    func recordUnits() throws {
        var random = SplitMix64(seed: 11)
        let texts = (0..<120).map { i in "record \(i) " + String(repeating: "w\(random.next() % 7) ", count: 1 + i % 9) }
        let escaped = texts.map { t -> String in
            let data = try! JSONSerialization.data(withJSONObject: ["id": 1, "body": t] as [String: Any])
            return String(decoding: data, as: UTF8.self)
        }
        let jsonl = try temporaryFile(escaped.joined(separator: "\n") + "\n\n")
        let plain = try temporaryFile(texts.joined(separator: "\n") + "\n")
        let fromJSON = try SweepCorpus(groups: [("g", [jsonl])], unit: .auto, folds: 3, seed: 4, textKey: "body")
        let fromLines = try SweepCorpus(groups: [("g", [plain])], unit: .line, folds: 3, seed: 4)
        #expect(fromJSON.unit == .record && fromJSON.unitCount == texts.count)
        #expect((0..<texts.count).map { Array(fromJSON.unitText($0)) } == (0..<texts.count).map { Array(fromLines.unitText($0)) })
        #expect((0..<3).map { fromJSON.units(inFold: $0) } == (0..<3).map { fromLines.units(inFold: $0) })
        // Small blocks: records cross block boundaries the same way.
        var small: [[UInt8]] = []
        _ = try UnitReader(path: jsonl, unit: .record, blockSize: 7, textKey: "body").read { small.append(Array($0)) }
        #expect(small == texts.map { Array($0.utf8) })
        let bad = try temporaryFile(escaped[0] + "\n{\"body\": 3}\n")
        do {
            _ = try SweepCorpus(groups: [("g", [bad])], unit: .auto, folds: 2, seed: 1, textKey: "body")
            Issue.record("a non-string text was accepted")
        } catch AnalysisError.invalidCorpus(let message) {
            #expect(message.contains("line 2") && message.contains("not a string"), "\(message)")
        }
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("g", [jsonl])], unit: .document, folds: 2, seed: 1, textKey: "body") }
    }

    @Test("Units longer than the sample are skipped and counted; impossible samples are clear errors")
    func oversizedUnitsAndRefusals() throws {
        let long = String(repeating: "long words ", count: 300)
        let lines = (0..<200).map { $0 % 10 == 0 ? long : "short line \($0)" }
        let path = try temporaryFile(lines.joined(separator: "\n") + "\n")
        let corpus = try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 2, seed: 1, sampleBytesPerGroup: 2000)
        #expect(corpus.inputByGroup[0].oversizedUnits == 20)
        #expect((0..<corpus.unitCount).allSatisfy { corpus.unitText($0).count < 100 })
        let onlyLong = try temporaryFile(long + "\n" + long + "x\n")
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("g", [onlyLong])], unit: .line, folds: 2, seed: 1, sampleBytesPerGroup: 100) }
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 2, seed: 1, sampleBytesPerGroup: 0) }
        #expect(throws: AnalysisError.self) {
            try SweepCorpus(groups: [("a", [path]), ("b", [path])], unit: .line, folds: 2, seed: 1, sampleBytesPerGroup: 2000, parallel: true)
        }
        // Too small a sample for the folds says so.
        #expect(throws: AnalysisError.self) { try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 5, seed: 1, sampleBytesPerGroup: 40) }
    }
}
