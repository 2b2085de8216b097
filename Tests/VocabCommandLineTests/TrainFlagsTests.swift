import Foundation
import Testing
import VocabKit
import VocabTestSupport
import VocabTraining

/// `vocab train` maps every flag onto the recipe: the file the command writes equals the file the
/// library writes from the recipe those flags describe.
@Suite("vocab train flags", .serialized)
struct TrainFlagsTests {
    let cli = CommandLineTests()

    /// (flags, the recipe they describe, output name)
    static let cases: [([String], @Sendable (inout Recipe) -> Void, String)] = [
        (["--algorithm", "bpe", "--vocab-size", "700", "--characters", "--limit-alphabet", "120", "--unk-token", "<unk>",
          "--continuing-subword-prefix", "##", "--max-token-length", "6", "--min-frequency", "3", "--special-token", "<s>",
          "--max-lines", "900", "--seed", "7", "--no-line-breaks", "-n", "nfkc", "-p", "whitespace-split"], { recipe in
            recipe = Recipe(.bpe, vocabularySize: 700)
            recipe.bpe.characters = true
            (recipe.limitAlphabet, recipe.unknownToken, recipe.minFrequency, recipe.specialTokens) = (120, "<unk>", 3, ["<s>"])
            (recipe.bpe.continuingSubwordPrefix, recipe.bpe.maxTokenLength) = ("##", 6)
            (recipe.maxLines, recipe.seed, recipe.keepsLineBreaks) = (900, 7, false)
            (recipe.normalizer, recipe.preTokenizers) = ("nfkc", ["whitespace-split"])
        }, "bpe.json"),
        (["--algorithm", "wordpiece", "--vocab-size", "900", "--criterion", "frequency", "--character-coverage", "0.999"], { recipe in
            recipe = Recipe(.wordpiece, vocabularySize: 900)
            (recipe.wordPiece.criterion, recipe.characterCoverage) = (.frequency, 0.999)
        }, "vocab.txt"),
        (["--algorithm", "unigram", "--vocab-size", "800", "--max-piece-length", "8", "--shrinking-factor", "0.8",
          "--seed-pieces", "20000", "--split-digits", "--byte-fallback"], { recipe in
            recipe = Recipe(.unigram, vocabularySize: 800)
            (recipe.unigram.maxPieceLength, recipe.unigram.shrinkingFactor, recipe.unigram.seedPieces) = (8, 0.8, 20000)
            (recipe.unigram.splitDigits, recipe.byteFallback) = (true, true)
        }, "uni.model"),
        (["--algorithm", "hybrid", "--vocab-size", "1500", "--word-ranking", "savings", "--subword-merges", "100",
          "--min-frequency", "3", "--byte-fallback"], { recipe in
            recipe = Recipe(.hybrid, vocabularySize: 1500)
            (recipe.hybrid.ranking, recipe.hybrid.subwordMerges, recipe.minFrequency, recipe.byteFallback) = (.savings, 100, 3, true)
        }, "hybrid.json"),
        (["--algorithm", "word", "--vocab-size", "600", "-p", "whitespace"], { recipe in
            recipe = Recipe(.word, vocabularySize: 600)
            recipe.preTokenizers = ["whitespace"]
        }, "word.json"),
    ]

    @Test("the file vocab train writes equals the library's from the same recipe", arguments: 0..<cases.count)
    func flagsMapOntoTheRecipe(index: Int) throws {
        let (flags, describe, name) = Self.cases[index]
        let corpus = try corpusSlice("en", lines: 1500)
        let fromCLI = temporaryPath(name), fromLibrary = temporaryPath(name)
        let run = try cli.vocab(["train"] + flags + [corpus, "-o", fromCLI])
        #expect(run.status == 0, "\(flags): \(run.stderr)")
        var recipe = Recipe(.bpe, vocabularySize: 1)
        describe(&recipe)
        try recipe.train(paths: [corpus]).write(to: fromLibrary)
        #expect(FileManager.default.contentsEqual(atPath: fromCLI, andPath: fromLibrary), "\(flags)")
    }
}

@Suite("vocab count", .serialized)
struct CountCommandTests {
    let cli = CommandLineTests()

    @Test("count in shards, merge, train from the counts: the file training on the text writes")
    func countMergeTrain() throws {
        let shards = [try corpusSlice("en", lines: 1000), try corpusSlice("ko", lines: 400)]
        let parts = shards.indices.map { temporaryPath("part\($0).counts") }, all = temporaryPath("all.counts")
        for (shard, part) in zip(shards, parts) {
            let run = try cli.vocab(["count", "--algorithm", "hybrid", shard, "-o", part, "--memory", "256K"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try cli.vocab(["count", "--merge"] + parts + ["-o", all]).status == 0)
        let fromCounts = temporaryPath("fc.json"), direct = temporaryPath("direct.json")
        let trained = try cli.vocab(["train", "--algorithm", "hybrid", "--vocab-size", "1500", "--from-counts", all, "-o", fromCounts])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try cli.vocab(["train", "--algorithm", "hybrid", "--vocab-size", "1500"] + shards + ["-o", direct]).status == 0)
        #expect(FileManager.default.contentsEqual(atPath: fromCounts, andPath: direct))
        // Counts of another algorithm's front end are refused with a message that says what to do.
        let refused = try cli.vocab(["train", "--algorithm", "bpe", "--vocab-size", "500", "--from-counts", all, "-o", temporaryPath("x.json")])
        #expect(refused.status != 0 && refused.stderr.contains("count with the same --algorithm"), "\(refused.stderr)")
    }
}
