import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

/// `VocabularyPrune`: removing tokens by corpus usage or BPE residue, keeping a valid tokenizer.
@Suite("Vocabulary prune")
struct VocabularyPruneTests {
    static func heldOut() throws -> [String] {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
        return text.split(separator: "\n").suffix(1500).map(String.init)
    }

    @Test("BPE by usage and residue: base symbols kept, ids map to the same tokens, text round-trips, the least used go first",
          arguments: [VocabularyPrune.Criterion.usage, .residue])
    func bpe(criterion: VocabularyPrune.Criterion) throws {
        let corpus = try corpusSlice("en", lines: 6000)
        var recipe = Recipe(.bpe, vocabularySize: 2000)
        recipe.specialTokens = ["<|endoftext|>"]
        let full = try recipe.train(paths: [corpus]).tokenizer
        let texts = try Self.heldOut()
        let result = try VocabularyPrune.prune(full, to: 1200, by: criterion, texts: texts, threads: 2)
        guard case .bpe(let before) = full.model, case .bpe(let after) = result.tokenizer.model else { Issue.record("not BPE"); return }
        #expect(after.tokens.count == 1200 && result.removed == 800)
        // Every kept id names the same token; the 256 bytes and the special token are kept.
        for (old, new) in result.idMap.enumerated() where new >= 0 { #expect(after.tokens[Int(new)] == before.tokens[old]) }
        #expect((0..<256).allSatisfy { byte in after.tokens.contains([UInt8(byte)]) })
        #expect(try result.tokenizer.encode("<|endoftext|>", specialTokens: .recognized).ids == [UInt32(result.idMap[0])])
        // Merges name kept tokens and make their results from their parts.
        for merge in after.merges { #expect(after.tokens[Int(merge.0)] + after.tokens[Int(merge.1)] == after.tokens[Int(merge.2)]) }
        var longer = 0, total = 0
        for text in texts {
            let ids = try result.tokenizer.encode(text, specialTokens: .asText).ids
            #expect(try result.tokenizer.decode(ids) == text)
            total += ids.count
            if ids.count > (try full.encode(text, specialTokens: .asText).ids.count) { longer += 1 }
        }
        #expect(longer > 0 && total > result.totalUses)
        if criterion == .usage {
            // The least used go: the removed tokens carry a small share of the corpus's tokens.
            #expect(result.removedUses < result.totalUses / 5)
        }
    }

    @Test("residue: a token built inside others but rarely final has a low share")
    func builtCounts() throws {
        // Tokens a, b, c, ab, abc: "abc" used 10 times, "ab" once, "a" twice.
        let tokens: [[UInt8]] = [[97], [98], [99], [97, 98], [97, 98, 99]]
        let model = try BPEModel(tokens: tokens, merges: [(0, 1, 3), (3, 2, 4)], isByteLevel: false)
        let built = VocabularyPrune.builtCounts(model, uses: [2, 0, 0, 1, 10])
        #expect(built == [13, 11, 10, 11, 10])
    }

    @Test("WordPiece and Unigram by usage; refusals")
    func otherKindsAndRefusals() throws {
        let texts = try Self.heldOut()
        let bert = try Tokenizer(contentsOf: fixture("bert/tokenizer.json"))
        let pruned = try VocabularyPrune.prune(bert, to: 20_000, by: .usage, texts: texts, threads: 2)
        #expect(pruned.tokenizer.model.vocabularySize == 20_000)
        #expect(pruned.tokenizer.postProcessor != nil && pruned.idMap[101] >= 0 && pruned.idMap[102] >= 0, "[CLS] and [SEP] kept")
        for text in texts.prefix(200) {
            let ids = try pruned.tokenizer.encode(text).ids
            #expect(try pruned.tokenizer.decode(ids) == (try bert.decode(try bert.encode(text).ids)))
        }
        let unigram = try Tokenizer(contentsOf: fixture("sentencepiece/botchan_en_unigram_1000.model"))
        let smaller = try VocabularyPrune.prune(unigram, to: 700, by: .usage, texts: texts, threads: 2)
        #expect(smaller.tokenizer.model.vocabularySize == 700)
        for text in texts.prefix(100) {
            #expect(try smaller.tokenizer.decode(try smaller.tokenizer.encode(text).ids) == (try unigram.decode(try unigram.encode(text).ids)))
        }
        #expect(throws: TrainingError.self) { try VocabularyPrune.prune(unigram, to: 700, by: .residue, texts: texts) }
        #expect(throws: TrainingError.self) { try VocabularyPrune.prune(unigram, to: 2000, by: .usage, texts: texts) }
        #expect(throws: TrainingError.self) { try VocabularyPrune.prune(unigram, to: 700, by: .usage, texts: [""]) }
        #expect(throws: TrainingError.self) { try VocabularyPrune.prune(unigram, to: 10, by: .usage, texts: texts) }
    }
}
