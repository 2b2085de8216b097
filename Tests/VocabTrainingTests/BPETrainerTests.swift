import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabTraining

/// Word counts given directly, sorted as `WordCounter` sorts them.
func counts(_ words: [(String, Int64)]) -> WordCounts {
    WordCounts(words: words.map { (Array($0.0.utf8), $0.1) }.sorted { $0.0.lexicographicallyPrecedes($1.0) },
               lines: words.count, bytes: 0, sampledFrom: nil, replacedInvalidSequences: 0)
}

@Suite("BPE trainer")
struct BPETrainerTests {
    @Test("the textbook example: merges by count, ties to the smaller pair of ids")
    func textbook() throws {
        // Sennrich et al. 2016: low 5, lower 2, newest 6, widest 3, character-level with </w>.
        var options = BPETrainerOptions(vocabularySize: 1000)
        options.isByteLevel = false
        options.endOfWordSuffix = "</w>"
        options.minFrequency = 2
        let result = try BPETrainer(options: options).train(counts([("low", 5), ("lower", 2), ("newest", 6), ("widest", 3)]))
        let merges = result.model.merges.prefix(4).map { result.model.tokenString($0.0) + " " + result.model.tokenString($0.1) }
        // Alphabet ids: d0 e1 i2 l3 n4 o5 r6 s7 t8 w9, then w</w> 10, r</w> 11, t</w> 12.
        // (e,s) 9 and (s,t</w>) 9 tie: (1,7) < (7,12), so e+s first; then es+t</w> (9); then l+o (7);
        // then (n,e), (e,w) and (w,est</w>) tie at 6 ("low" ends in w</w>, so lo+w is only 2): (1,9) wins.
        #expect(merges == ["e s", "es t</w>", "l o", "e w"])
    }

    @Test("byte-level training: every byte in the alphabet, in GPT-2 alphabet order")
    func byteLevelAlphabet() throws {
        var options = BPETrainerOptions(vocabularySize: 300)
        options.specialTokens = ["<|endoftext|>"]
        let result = try BPETrainer(options: options).train(counts([("hello", 10), ("help", 4)]))
        #expect(result.model.tokens[0] == Array("<|endoftext|>".utf8))
        #expect(result.model.tokens[1] == [0x21])  // "!" is the first GPT-2 alphabet character
        #expect(Set(result.model.tokens[1...256]).count == 256)
        #expect(result.model.tokenString(UInt32(result.model.vocabularySize - 1)).count >= 2)
    }

    @Test("trained tokenizers round-trip text and write identical files at any thread count")
    func deterministicAndRoundTrip() throws {
        let corpus = corporaDirectory.appendingPathComponent("en.txt").path
        var files: [Data] = []
        var last: Tokenizer?
        for threads in [1, 2] {
            var counting = WordCountingOptions(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["gpt2"]))
            counting.threads = threads
            let words = try WordCounter.count(paths: [corpus], options: counting)
            var options = BPETrainerOptions(vocabularySize: 1500)
            options.specialTokens = ["<|endoftext|>"]
            let result = try BPETrainer(options: options).train(words)
            let tokenizer = Tokenizer(frontEnd: counting.frontEnd, model: result.model, addedTokens: result.specialTokens)
            files.append(try TokenizerJSON.write(tokenizer))
            last = tokenizer
        }
        #expect(files[0] == files[1])
        let reread = try TokenizerJSON.read(files[0])
        for text in ["Hello world", "The King James Bible: In the beginning", "日本語 👩‍💻 <|endoftext|> ok"] {
            let ids = try last!.encode(text, specialTokens: .recognized).ids
            #expect(try reread.encode(text, specialTokens: .recognized).ids == ids)
            #expect(try last!.decode(ids, skipsSpecialTokens: false) == text)
            #expect(try last!.decode(ids) == text.replacingOccurrences(of: "<|endoftext|>", with: ""), "decode skips special tokens by default")
        }
    }

    @Test("sampling is seeded and reported")
    func sampling() throws {
        let corpus = corporaDirectory.appendingPathComponent("en.txt").path
        var counting = WordCountingOptions(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["gpt2"]))
        counting.maxLines = 500
        let a = try WordCounter.count(paths: [corpus], options: counting)
        let b = try WordCounter.count(paths: [corpus], options: counting)
        #expect(a.lines == 500 && a.sampledFrom == 28249)
        #expect(a.words.map(\.word) == b.words.map(\.word))
        counting.seed = 7
        #expect(try WordCounter.count(paths: [corpus], options: counting).words.map(\.word) != a.words.map(\.word))
    }

    @Test("bad input is a clear error")
    func badInput() throws {
        let frontEnd = try TextFrontEnd(normalizer: "none", preTokenizers: ["gpt2"])
        let options = WordCountingOptions(frontEnd: frontEnd)
        let empty = try temporaryFile("")
        #expect(throws: InputError.self) { try WordCounter.count(paths: [empty], options: options) }
        let binary = try temporaryFile("PK\u{3}\u{4}\u{0}\u{0}binary")
        #expect(throws: InputError.self) { try WordCounter.count(paths: [binary], options: options) }
        #expect(throws: InputError.self) { try WordCounter.count(paths: ["/nonexistent/corpus.txt"], options: options) }
        let words = try WordCounter.count(paths: [try temporaryFile("some text here\n")], options: options)
        #expect(throws: TrainingError.self) { try BPETrainer(options: BPETrainerOptions(vocabularySize: 100)).train(words) }
        var unknown = BPETrainerOptions(vocabularySize: 1000)
        unknown.isByteLevel = false
        unknown.unknownToken = "<unk>"
        #expect(throws: TrainingError.self) { try BPETrainer(options: unknown).train(words) }
    }

    @Test("character-level: coverage, byte fallback and unknown tokens")
    func characterLevel() throws {
        var options = BPETrainerOptions(vocabularySize: 600)
        options.isByteLevel = false
        options.byteFallback = true
        options.characterCoverage = 0.99
        options.specialTokens = ["<unk>"]
        options.unknownToken = "<unk>"
        let words = counts([("aaab", 50), ("abab", 40), ("zz", 1), ("q", 1)])
        let result = try BPETrainer(options: options).train(words)
        let model = result.model
        #expect(model.id(of: Array("z".utf8)) == nil)            // below the coverage
        #expect(model.id(of: Array("<0x7A>".utf8)) != nil)       // its byte token
        let tokenizer = Tokenizer(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["whitespace-split"]), model: model)
        let ids = try tokenizer.encode("zab").ids
        #expect(ids.first == model.id(of: Array("<0x7A>".utf8)))
        #expect(try tokenizer.decode(ids) == "zab")
    }
}
