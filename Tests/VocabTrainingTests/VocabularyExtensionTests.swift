import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

/// `VocabularyExtension`: BPE training continued on a new corpus.
@Suite("Vocabulary extension")
struct VocabularyExtensionTests {
    static func lines(_ name: String, last: Int) throws -> [String] {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
        return text.split(separator: "\n").suffix(last).map(String.init)
    }

    @Test("an English BPE extended with Python: base ids, tokens and merges unchanged; no text longer; code shorter")
    func englishPlusCode() throws {
        var recipe = Recipe(.bpe, vocabularySize: 2000)
        recipe.specialTokens = ["<|endoftext|>"]
        let base = try recipe.train(paths: [try corpusSlice("en", lines: 6000)]).tokenizer
        let code = try corpusSlice("code-python", lines: 8000)
        let result = try VocabularyExtension.extend(base, to: 2600, paths: [code], threads: 2)
        guard case .bpe(let before) = base.model, case .bpe(let after) = result.tokenizer.model else { Issue.record("not BPE"); return }
        #expect(after.tokens.count == 2600 && result.addedTokens == 600 && result.addedMerges >= 600)
        #expect(Array(after.tokens.prefix(2000)) == before.tokens)
        #expect(after.merges.prefix(before.merges.count).elementsEqual(before.merges) { $0 == $1 })
        #expect(result.idMap == (0..<2000).map(Int32.init))
        var baseCode = 0, extendedCode = 0
        for line in try Self.lines("code-python", last: 800) {
            let (a, b) = (try base.encode(line, specialTokens: .asText).ids, try result.tokenizer.encode(line, specialTokens: .asText).ids)
            #expect(b.count <= a.count)
            #expect(try result.tokenizer.decode(b) == line)
            (baseCode, extendedCode) = (baseCode + a.count, extendedCode + b.count)
        }
        #expect(Double(extendedCode) < 0.95 * Double(baseCode), "held-out code: \(extendedCode) tokens against \(baseCode)")
        for line in try Self.lines("en", last: 300) {
            let (a, b) = (try base.encode(line, specialTokens: .asText).ids, try result.tokenizer.encode(line, specialTokens: .asText).ids)
            #expect(b.count <= a.count, "\(line.prefix(40))")
        }
    }

    @Test("refusals: not larger, not BPE, tiktoken ranks, a corpus that adds nothing")
    func refusals() throws {
        let corpus = try corpusSlice("en", lines: 500)
        let base = try Recipe(.bpe, vocabularySize: 800).train(paths: [corpus]).tokenizer
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(base, to: 800, paths: [corpus]) }
        let bert = try Tokenizer(contentsOf: fixture("bert/tokenizer.json"))
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(bert, to: 40_000, paths: [corpus]) }
        let cl100k = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(cl100k, to: 110_000, paths: [corpus]) }
        let tiny = try temporaryFile("a\n", name: "tiny.txt")
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(base, to: 900, paths: [tiny]) }
    }
}
