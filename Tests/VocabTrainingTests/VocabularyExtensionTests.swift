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

    /// Held-out token counts of `lines` under two tokenizers, and how many lines got longer.
    static func compare(_ base: Tokenizer, _ extended: Tokenizer, _ lines: [String]) throws -> (before: Int, after: Int, longer: Int) {
        var before = 0, after = 0, longer = 0
        for line in lines {
            let (a, b) = (try base.encode(line, specialTokens: .asText).ids.count, try extended.encode(line, specialTokens: .asText).ids.count)
            (before, after, longer) = (before + a, after + b, longer + (b > a ? 1 : 0))
        }
        return (before, after, longer)
    }

    @Test("an English WordPiece extended with Python, then with Hindi: base ids unchanged, new characters, held-out text shorter")
    func wordPiece() throws {
        let base = try Recipe(.wordpiece, vocabularySize: 2000).train(paths: [try corpusSlice("en", lines: 6000)]).tokenizer
        let result = try VocabularyExtension.extend(base, to: 2600, paths: [try corpusSlice("code-python", lines: 8000)], threads: 2)
        guard case .wordPiece(let before) = base.model, case .wordPiece(let after) = result.tokenizer.model else { Issue.record("not WordPiece"); return }
        #expect(after.tokens.count == 2600 && result.addedTokens == 600 && result.addedMerges == 0)
        #expect(Array(after.tokens.prefix(2000)) == before.tokens)
        #expect(Set(after.tokens).count == 2600)
        #expect(result.idMap == (0..<2000).map(Int32.init))
        let code = try Self.compare(base, result.tokenizer, try Self.lines("code-python", last: 800))
        #expect(Double(code.after) < 0.9 * Double(code.before), "held-out code: \(code.after) tokens against \(code.before)")
        let english = try Self.compare(base, result.tokenizer, try Self.lines("en", last: 300))
        #expect(english.longer <= 3 && english.after <= english.before, "English: \(english)")
        // Hindi: characters the English base lacks become tokens (both forms), so [UNK] goes.
        let hindi = try VocabularyExtension.extend(base, to: 2800, paths: [try corpusSlice("hi", lines: 3000)], threads: 2).tokenizer
        let unknown = before.unknownToken
        var unknownBefore = 0, unknownAfter = 0
        for line in try Self.lines("hi", last: 200) {
            unknownBefore += try base.encode(line).ids.filter { $0 == unknown }.count
            unknownAfter += try hindi.encode(line).ids.filter { $0 == unknown }.count
        }
        #expect(unknownBefore > 100 && unknownAfter * 20 < unknownBefore, "[UNK] in held-out Hindi: \(unknownAfter) against \(unknownBefore)")
        guard case .wordPiece(let withHindi) = hindi.model else { return }
        #expect(withHindi.tokens.contains(Array("क".utf8)) && withHindi.tokens.contains(Array("##क".utf8)))
    }

    @Test("an English Unigram extended with Python: base pieces, scores and kinds unchanged; EM-scored new pieces; code shorter")
    func unigram() throws {
        let base = try Recipe(.unigram, vocabularySize: 2000).train(paths: [try corpusSlice("en", lines: 6000)]).tokenizer
        let result = try VocabularyExtension.extend(base, to: 2600, paths: [try corpusSlice("code-python", lines: 8000)], threads: 2)
        guard case .unigram(let before) = base.model, case .unigram(let after) = result.tokenizer.model else { Issue.record("not Unigram"); return }
        #expect(after.pieces.count == 2600 && result.addedTokens == 600)
        #expect(Array(after.pieces.prefix(2000)) == before.pieces && Array(after.scores.prefix(2000)) == before.scores)
        #expect(Array(after.kinds.prefix(2000)) == before.kinds && after.unknownId == before.unknownId)
        let newScores = Array(after.scores[2000...])
        #expect(zip(newScores, newScores.dropFirst()).allSatisfy { $0 >= $1 } && newScores.allSatisfy { $0 < 0 })
        #expect(result.idMap == (0..<2000).map(Int32.init))
        let code = try Self.compare(base, result.tokenizer, try Self.lines("code-python", last: 800))
        #expect(Double(code.after) < 0.9 * Double(code.before), "held-out code: \(code.after) tokens against \(code.before)")
        // The base lacks "#", "_", "=" (unknown, dropped when decoding); the extension spells
        // every character of the code it kept by coverage (up to the normalizer's whitespace).
        let pieces = Set(after.pieces)
        for line in try Self.lines("code-python", last: 50)
        where line.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || pieces.contains(Array(String($0).utf8)) }) {
            let decoded = try result.tokenizer.decode(try result.tokenizer.encode(line, specialTokens: .asText).ids)
            #expect(decoded == line.split(whereSeparator: \.isWhitespace).joined(separator: " "), "\(decoded.debugDescription)")
        }
        let english = try Self.compare(base, result.tokenizer, try Self.lines("en", last: 300))
        #expect(english.longer <= 6 && english.after <= english.before, "English: \(english)")
    }

    @Test("refusals: not larger, SentencePiece BPE, word level, tiktoken ranks, a corpus that adds nothing")
    func refusals() throws {
        let corpus = try corpusSlice("en", lines: 500)
        let base = try Recipe(.bpe, vocabularySize: 800).train(paths: [corpus]).tokenizer
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(base, to: 800, paths: [corpus]) }
        let mistral = try Tokenizer(contentsOf: fixture("sentencepiece/mistral-tokenizer.model.v1"))
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(mistral, to: 40_000, paths: [corpus]) }
        let words = try Recipe(.word, vocabularySize: 300).train(paths: [corpus]).tokenizer
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(words, to: 400, paths: [corpus]) }
        let cl100k = try Tokenizer(contentsOf: fixture("tiktoken/cl100k_base.tiktoken"))
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(cl100k, to: 110_000, paths: [corpus]) }
        let tiny = try temporaryFile("a\n", name: "tiny.txt")
        #expect(throws: TrainingError.self) { try VocabularyExtension.extend(base, to: 900, paths: [tiny]) }
    }
}
