import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabTraining

@Suite("Word-level vocabulary")
struct WordLevelTrainerTests {
    func counts(_ pairs: [(String, Int64)]) -> WordCounts {
        WordCounts(words: pairs.map { (Array($0.0.utf8), $0.1) }.sorted { $0.word.lexicographicallyPrecedes($1.word) }, lines: 1, bytes: 1)
    }

    @Test("Most frequent words first, ties by bytes, min frequency, specials first")
    func ranking() throws {
        var options = WordLevelTrainerOptions(vocabularySize: 4)
        options.minFrequency = 2
        let training = try WordLevelTrainer(options: options).train(counts([("b", 3), ("a", 3), ("c", 5), ("d", 1), ("<unk>", 9)]))
        #expect(training.model.tokens.map { String(decoding: $0, as: UTF8.self) } == ["<unk>", "c", "a", "b"])
        #expect(training.ranking.count == 3)
        #expect(try training.model(size: 2).tokens.count == 2)
        #expect(throws: TrainingError.self) { try training.model(size: 1) }
        #expect(throws: TrainingError.self) { try WordLevelTrainer(options: WordLevelTrainerOptions(vocabularySize: 1)).train(counts([("a", 1)])) }
        var bad = WordLevelTrainerOptions(vocabularySize: 10)
        bad.unknownToken = "[UNK]"
        #expect(throws: TrainingError.self) { try WordLevelTrainer(options: bad).train(counts([("a", 1)])) }
        options.minFrequency = 10
        #expect(throws: TrainingError.self) { try WordLevelTrainer(options: options).train(counts([("a", 1)])) }
    }

    @Test("Encoding, decoding and tokenizer.json round trip")
    func tokenizer() throws {
        let frontEnd = try TextFrontEnd(normalizer: "none", preTokenizers: ["whitespace"])
        let model = try WordLevelModel(tokens: ["<unk>", "the", "cat", "."].map { Array($0.utf8) }, unknownToken: "<unk>")
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: .wordLevel(model), addedTokens: [AddedToken(content: "<unk>", id: 0)],
                                  decoder: .spaceSeparated)
        let encoding = try tokenizer.encode("the dog cat.")
        #expect(encoding.ids == [1, 0, 2, 3])
        #expect(try tokenizer.decode(encoding.ids, skipsSpecialTokens: false) == "the <unk> cat .")
        let json = try TokenizerJSON.write(tokenizer)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect((object?["model"] as? [String: Any])?["type"] as? String == "WordLevel")
        #expect(object?["decoder"] is NSNull)
        let reread = try TokenizerJSON.read(json)
        #expect(try reread.encode("the dog cat.").ids == [1, 0, 2, 3])
        #expect(reread.decoder == .spaceSeparated)
        #expect(throws: ModelError.self) { try WordLevelModel(tokens: [Array("a".utf8), Array("a".utf8)], unknownToken: "a") }
        #expect(throws: ModelError.self) { try WordLevelModel(tokens: [Array("a".utf8)], unknownToken: "<unk>") }
        #expect(throws: ModelError.self) { try TokenizerJSON.read(Data(#"{"model": {"type": "WordLevel", "vocab": {"a": 0}}}"#.utf8)) }
    }
}

@Suite("ICU word break in tokenizer.json")
struct WordBreakJSONTests {
    @Test("A word-level Chinese tokenizer with word-break is written and read back with the same ids")
    func roundTrip() throws {
        let frontEnd = try TextFrontEnd(normalizer: "nmt-nfkc", preTokenizers: ["word-break"])
        let path = corporaDirectory.appendingPathComponent("zh.txt").path
        var counting = WordCountingOptions(frontEnd: frontEnd)
        counting.keepsLineBreaks = false
        let counts = try WordCounter.count(paths: [path], options: counting)
        let training = try WordLevelTrainer(options: WordLevelTrainerOptions(vocabularySize: 3000)).train(counts)
        let tokenizer = Tokenizer(frontEnd: frontEnd, model: .wordLevel(training.model), addedTokens: [AddedToken(content: "<unk>", id: 0)],
                                  decoder: .spaceSeparated)
        let json = try TokenizerJSON.write(tokenizer)
        #expect(String(decoding: json, as: UTF8.self).contains("VocabKitWordBreak"))
        let reread = try TokenizerJSON.read(json)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").prefix(300).map(String.init)
        for line in lines {
            #expect(try reread.encode(line).ids == tokenizer.encode(line).ids, "\(line)")
        }
        #expect(try tokenizer.encode(lines[0]).ids.count > 3)
    }
}
