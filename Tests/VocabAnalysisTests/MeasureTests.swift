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
