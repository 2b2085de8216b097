import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

/// SuperBPE: subwords to the transition, then superwords across whitespace.
@Suite("SuperBPE")
struct SuperBPETests {
    static func heldOut() throws -> [String] {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
        return text.split(separator: "\n").suffix(400).map(String.init)
    }

    /// The released stage-1 front end: digit runs, groups of three, the word split.
    static let stage1 = ["digit-runs", "regex:" + SuperBPERecipe.digitGroupPattern, "regex:" + SuperBPERecipe.wordPattern]

    @Test("the front end of the released tokenizers: digit runs in groups of three from the right, one piece otherwise")
    func frontEnd() throws {
        let frontEnd = try Recipe(.superbpe, vocabularySize: 1000).frontEndNames.frontEnd()
        #expect(try frontEnd.preTokenizer.preTokenize("In 1234567 years, 12 of 123456 cats") == ["In ", "1", "234", "567", " years, ", "12", " of ", "123", "456", " cats"])
        #expect(try frontEnd.preTokenizer.preTokenize("x99999y ١٢٣٤") == ["x", "99", "999", "y ", "١", "٢٣٤"])
    }

    @Test("stage 1 is BPE with whitespace pre-tokenization; stage 2 learns superwords; cuts above the transition equal training there")
    func twoStages() throws {
        let corpus = try corpusSlice("en", lines: 5000)
        var recipe = Recipe(.superbpe, vocabularySize: 1600)
        recipe.superBPE.transition = 1000
        let trained = try recipe.train(paths: [corpus])
        guard case .bpe(let model) = trained.tokenizer.model else { Issue.record("not BPE"); return }
        #expect(model.vocabularySize == 1600)
        // 1. The first 1000 tokens: byte-level BPE on the stage-1 words inside digit-split pieces.
        var bpe = Recipe(.bpe, vocabularySize: 1000)
        bpe.preTokenizers = Self.stage1
        let subword = try bpe.train(paths: [corpus]).tokenizer
        #expect(Array(model.tokens.prefix(1000)) == subword.model.tokens)
        // 2. Superwords: tokens past the transition with a space inside (" of the").
        let superwords = model.tokens.suffix(600).filter { token in token.dropFirst().contains(0x20) && token.contains(where: { $0 != 0x20 }) }
        #expect(superwords.count > 100, "\(superwords.count) superword tokens")
        #expect(model.tokens.contains(Array(" of the".utf8)))
        // 3. Held-out text round-trips, in fewer tokens than BPE of the same size.
        var plainBPE = Recipe(.bpe, vocabularySize: 1600)
        plainBPE.preTokenizers = Self.stage1
        let baseline = try plainBPE.train(paths: [corpus]).tokenizer
        var superTokens = 0, bpeTokens = 0
        for line in try Self.heldOut() {
            let ids = try trained.tokenizer.encode(line, specialTokens: .asText).ids
            #expect(try trained.tokenizer.decode(ids) == line)
            superTokens += ids.count
            bpeTokens += try baseline.encode(line, specialTokens: .asText).ids.count
        }
        #expect(superTokens < bpeTokens, "SuperBPE \(superTokens) tokens against BPE \(bpeTokens)")
        // 4. Nested: the sweep's cut at 1300 (above the transition) is training at 1300, and at
        //    800 (below) is the subword BPE at 800.
        let frontEnd = try recipe.frontEndNames.frontEnd()
        let counts = try WordCounter.count(paths: [corpus], options: recipe.countingOptions(frontEnd: frontEnd))
        let nested = try recipe.trainNested(counts: counts, sizes: [500, 1600])
        var at1300 = recipe
        at1300.vocabularySize = 1300
        #expect(try nested.model(size: 1300).tokens == (try at1300.train(paths: [corpus]).tokenizer.model.tokens))
        bpe.vocabularySize = 800
        let small = try nested.tokenizer(size: 800), subwordSmall = try bpe.train(paths: [corpus]).tokenizer
        #expect(small.model.tokens == subwordSmall.model.tokens)
        for line in try Self.heldOut().prefix(50) {
            #expect(try small.encode(line, specialTokens: .asText).ids == (try subwordSmall.encode(line, specialTokens: .asText).ids))
        }
        // A transition that is not below the size is refused.
        recipe.superBPE.transition = 1600
        #expect(throws: TrainingError.self) { try recipe.train(paths: [corpus]) }
    }
}
