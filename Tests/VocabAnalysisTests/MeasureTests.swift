import Foundation
import Testing
import VocabTestSupport
import VocabKit
import VocabTraining
@testable import VocabAnalysis

@Suite("Measures on hand-computed examples")
struct MeasureTests {
    @Test("Shannon, Rényi and efficiency of known distributions")
    func entropies() {
        #expect(abs(InformationMeasures.shannonEntropy([5, 5, 5, 5] as [Int64]) - 2) < 1e-12)
        #expect(abs(InformationMeasures.renyiEntropy([5, 5, 5, 5] as [Int64], alpha: 2.5) - 2) < 1e-12)
        #expect(abs(InformationMeasures.efficiency(entropy: 2, vocabularySize: 4) - 1) < 1e-12)
        // p = (1/2, 1/4, 1/4): H = 1.5 bits; H_2.5 = log2(0.5^2.5 + 2 * 0.25^2.5) / (1 - 2.5) = 1.3754988...
        #expect(abs(InformationMeasures.shannonEntropy([2, 1, 1, 0] as [Int64]) - 1.5) < 1e-12)
        #expect(abs(InformationMeasures.renyiEntropy([2, 1, 1] as [Int64], alpha: 2.5) - 1.3754988) < 1e-6)
        // Rényi entropy never exceeds Shannon entropy for alpha > 1.
        #expect(InformationMeasures.renyiEntropy([9, 3, 1, 1] as [Int64], alpha: 2.5) < InformationMeasures.shannonEntropy([9, 3, 1, 1] as [Int64]))
        // VOLT MUV: entropy per character 4.0 at 1,000 and 3.5 at 2,000 gives 0.5 per 1,000 tokens.
        #expect(abs(InformationMeasures.marginalUtility(smaller: (1000, 4.0), larger: (2000, 3.5)) - 0.5) < 1e-12)
    }

    @Test("Every measure of a tiny WordPiece vocabulary on three lines")
    func tinyWordPiece() throws {
        let path = try temporaryFile("ab abc\nba x\n\na , ab\n")
        let corpus = try SweepCorpus(groups: [("t", [path])], unit: .line, folds: 2, seed: 1)
        #expect(corpus.unitCount == 3)
        let frontEnd = try TextFrontEnd(normalizer: "none", preTokenizers: ["whitespace"])
        let text = try PreTokenizedCorpus(corpus, frontEnd: frontEnd)
        let tokens = ["[UNK]", "a", "b", "c", "##a", "##b", "##c", "ab", "abc"].map { Array($0.utf8) }
        let model = TokenModel.wordPiece(try WordPieceModel(tokens: tokens))
        var classes = [TokenClass](repeating: .ordinary, count: tokens.count)
        classes[0] = .unknown
        var options = SweepOptions()
        options.model.contextLength = 2
        let cells = Sweep.measure(model: model, classes: classes, algorithm: .wordpiece, size: 9, fold: 0, corpus: corpus,
                                  text: text, heldOut: [0, 1, 2], trainSample: [0], options: options)
        #expect(cells.count == 1)
        let m = cells[0].measures
        // Lines: [ab][abc] | [b ##a][UNK] | [a][UNK ","][ab]: 8 tokens, 6 reference words.
        #expect(m.tokens == 8 && m.words == 6 && m.units == 3 && m.characters == 16 && m.bytes == 16)
        #expect(abs(m.tokensPerWord - 8.0 / 6) < 1e-12)
        // Word pieces: ab abc ba x a ab; only "ba" is split. Types ab abc ba x a: "ba" split, "x" unknown.
        #expect(abs(m.splitWordShare - 1.0 / 6) < 1e-12)
        #expect(abs(m.oovTypeRate - 2.0 / 5) < 1e-12)
        #expect(abs(m.unknownRate - 2.0 / 8) < 1e-12)
        // "x" is the one word occurrence with an unknown token ("," is not a word).
        #expect(abs(m.unknownWordShare - 1.0 / 6) < 1e-12)
        #expect(m.byteFallbackRate == 0)
        #expect(abs(m.characterCoverage - 14.0 / 16) < 1e-12)
        #expect(abs(m.bytesPerToken - 2) < 1e-12 && abs(m.tokensPerThousandCharacters - 500) < 1e-12)
        #expect(m.lengthP50 == 3 && m.lengthP95 == 3 && m.lengthP99 == 3)
        #expect(abs(m.overContextShare - 2.0 / 3) < 1e-12)
        // Ids 0:2, 1:1, 2:1, 4:1, 7:2, 8:1 of 8: H = 2.5 bits over log2 9.
        #expect(abs(m.shannonEfficiency - 2.5 / log2(9)) < 1e-12)
        // Unused: c, ##b, ##c of the 9 (the unknown token is not special).
        #expect(abs(m.unusedTokenShare - 3.0 / 9) < 1e-12)
        #expect(abs(m.rareTokenShare - 1) < 1e-12)
        // The training sample is line 0 ("ab abc": 6 bytes, 2 tokens): 3 bytes per token, gap +50%.
        #expect(abs(m.trainBytesPerToken - 3) < 1e-12 && abs(m.compressionGap - 0.5) < 1e-12)
        // VOLT: 7 ordinary tokens of 1, 1, 1, 1, 1, 1, 2, 3 characters ("##" not counted): l_v = 11/8.
        let meanLength = HeldOutMeasurement.meanTokenCharacters(model, classes: classes)
        #expect(abs(meanLength - 11.0 / 8) < 1e-12)
        #expect(abs(m.entropyPerCharacter - 2.5 / meanLength) < 1e-12)
    }
}

@Suite("Training-fold figures")
struct TrainingFoldTests {
    /// A word-level model over "w0" ... "w14" after `<unk>` (16 ids), whitespace-split.
    func wordModel() throws -> (TokenModel, [TokenClass], TextFrontEnd) {
        let tokens = [Array("<unk>".utf8)] + (0..<15).map { Array("w\($0)".utf8) }
        var classes = [TokenClass](repeating: .ordinary, count: tokens.count)
        classes[0] = .unknown
        return (.wordLevel(try WordLevelModel(tokens: tokens, unknownToken: "<unk>")), classes,
                try TextFrontEnd(normalizer: "none", preTokenizers: ["whitespace-split"]))
    }

    @Test("each group's compression gap is against the same group's training text")
    func perGroupGap() throws {
        // Within each group the training and held-out lines encode alike, so every gap is 0;
        // measured against the whole mixed training fold, "a" (4 bytes per token incl. spaces)
        // and "b" (1.5) would show large opposite gaps.
        let a = try temporaryFile("w1 w2 w3\nw3 w2 w1\n"), b = try temporaryFile("w1w2w3w4w5\nw5w4w3w2w1\n")
        let corpus = try SweepCorpus(groups: [("a", [a]), ("b", [b])], unit: .line, folds: 2, seed: 1)
        let (model, classes, frontEnd) = try wordModel()
        let text = try PreTokenizedCorpus(corpus, frontEnd: frontEnd)
        let units = { (group: Int) in (0..<corpus.unitCount).filter { Int(corpus.unitGroups[$0]) == group } }
        let measured = HeldOutMeasurement.measure(model: model, classes: classes, corpus: corpus, text: text,
                                                  heldOut: [units(0)[0], units(1)[0]], trainSample: [units(0)[1], units(1)[1]],
                                                  contextLength: 100, rareThreshold: 1)
        #expect(measured.map(\.group) == ["a", "b", "all"])
        for (group, m) in measured {
            #expect(abs(m.compressionGap) < 1e-12, "\(group): gap \(m.compressionGap), train \(m.trainBytesPerToken), held-out \(m.bytesPerToken)")
        }
        #expect(abs(measured[0].measures.trainBytesPerToken - 8.0 / 3) < 1e-12 && abs(measured[1].measures.trainBytesPerToken - 10.0) < 1e-12)
    }

    @Test("adaptive-softmax clusters are formed by training-fold frequency, not held-out frequency")
    func clustersFromTraining() throws {
        let path = try temporaryFile("w1 w1 w1 w2 w2 w3\nw9 w9 w9 w9\n")
        let corpus = try SweepCorpus(groups: [("g", [path])], unit: .line, folds: 2, seed: 1)
        let (model, classes, frontEnd) = try wordModel()
        let text = try PreTokenizedCorpus(corpus, frontEnd: frontEnd)
        // Train on the first line, hold out the second: w9 (id 10) is unseen in training, so it
        // falls in the second tail (head: w1, w2; tail 1: w3 then the unseen ids 0, 1, 5, 6, 7).
        let measured = HeldOutMeasurement.measure(model: model, classes: classes, corpus: corpus, text: text, heldOut: [1], trainSample: [0],
                                                  contextLength: 100, rareThreshold: 1)
        #expect(measured[0].measures.adaptiveTailMass == [0, 1], "\(measured[0].measures.adaptiveTailMass)")
        // Without a training fold (vocab evaluate), the held-out counts form the clusters: w9 is the head.
        let alone = HeldOutMeasurement.measure(model: model, classes: classes, corpus: corpus, text: text, heldOut: [1], trainSample: [],
                                               contextLength: 100, rareThreshold: 1)
        #expect(alone[0].measures.adaptiveTailMass == [0, 0])
    }
}

@Suite("Front ends that alter text")
struct FrontEndChangeTests {
    func changed(_ normalizer: String, _ text: String) throws -> Int {
        let frontEnd = try TextFrontEnd(normalizer: normalizer, preTokenizers: ["whitespace-split"])
        let bytes = Array(text.utf8)
        return FrontEndChanges.changedCharacters(original: bytes[...], normalized: try frontEnd.normalize(bytes[...]))
    }

    @Test("changed characters: case mapping in place, accents, compatibility forms; inserted spaces change nothing")
    func counting() throws {
        #expect(try changed("lowercase", "Café Olé") == 2)
        #expect(try changed("lowercase", "Дом ÉTÉ δΔ") == 5, "non-ASCII case mapping in place counts too (Д, É, T, É, Δ)")
        #expect(try changed("bert", "Café") == 2)            // C lowercased, é loses its accent
        #expect(try changed("nfkc", "ﬁne") == 1)
        #expect(try changed("cjk-spacing", "中文ok") == 0)
        #expect(try changed("none", "नमस्ते दुनिया") == 0)
    }

    @Test("the sweep's WordPiece front end keeps Hindi, Thai and Korean; BERT-uncased's does not, and the report warns")
    func sweepWordPieceFrontEnd() throws {
        let groups = try ["hi", "th", "ko"].map { ($0, [try corpusSlice($0, lines: 300)]) }
        let corpus = try SweepCorpus(groups: groups, unit: .line, folds: 2, seed: 3)
        let sweepNames = Recipe.sweep(.wordpiece).frontEndNames
        let kept = try PreTokenizedCorpus(corpus, frontEnd: try sweepNames.frontEnd())
        let bert = try PreTokenizedCorpus(corpus, frontEnd: try TextFrontEnd(normalizer: "bert", preTokenizers: ["bert"]))
        for (g, group) in corpus.groupNames.enumerated() {
            let characters = (0..<corpus.unitCount).reduce(0) { $0 + (Int(corpus.unitGroups[$1]) == g ? Int(corpus.unitCharacters[$1]) : 0) }
            #expect(Double(kept.changedCharactersByGroup[g]) / Double(characters) < 0.01, "\(group): the sweep's WordPiece front end alters it")
            #expect(Double(bert.changedCharactersByGroup[g]) / Double(characters) > 0.05, "\(group): BERT-uncased should alter it")
        }
        // A sweep whose WordPiece uses BERT-uncased's normalizer gets a warning per altered group.
        var options = SweepOptions()
        var wordPiece = Recipe.sweep(.wordpiece)
        wordPiece.normalizer = "bert"
        options.recipes = [wordPiece]
        options.sizes = [400, 800]
        let results = try Sweep.run(corpus, options: options)
        #expect(Set(results.frontEndChanges.filter { $0.share > 0.01 }.map(\.group)) == ["hi", "th", "ko"])
        let settings = SweepReport.Settings(corpora: [], unit: .line, folds: 2, seed: 3, sizes: results.sizes, algorithms: [.wordpiece],
                                            frontEnds: [:], model: ModelConfiguration(), objective: .tokensPerWord,
                                            constraints: RecommendationConstraints(), rareThreshold: 10, pivot: "hi", parallel: false)
        var loose = settings
        loose.constraints.maxUnknownRate = 1
        let report = try SweepReport(results: results, settings: loose, seconds: 1)
        #expect(report.frontEndWarnings.count == 3 && report.markdown().contains("removes or changes"), "\(report.frontEndWarnings)")
    }
}
