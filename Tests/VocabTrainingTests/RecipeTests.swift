import Foundation
import Testing
import VocabKit
import VocabTestSupport
@testable import VocabTraining

@Suite("Recipes")
struct RecipeTests {
    @Test("the README's training example, verbatim but for paths: a recipe trains a whole tokenizer and writes it")
    func readmeExample() throws {
        let output = temporaryPath("en.json")
        // From the README (Corpora/en.txt and en.json are repository and temporary paths here).
        var recipe = Recipe.bpe(vocabularySize: 8000)           // or .wordPiece, .unigram, .hybrid, .wordLevel
        recipe.specialTokens = ["<|endoftext|>"]
        let trained = try recipe.train(files: [corporaDirectory.appendingPathComponent("en.txt")])
        let ids = try trained.tokenizer.encode("Hello world").ids
        try trained.write(to: output)                           // .json, .model, .tiktoken or .txt, by extension
        print(trained.record.summary())                         // trained byte-level BPE in 0.9 s: ...
        // What it says.
        #expect(trained.record.summary().hasPrefix("trained byte-level BPE in "))
        #expect(try Tokenizer(contentsOf: URL(fileURLWithPath: output)).encode("Hello world").ids == ids)
        #expect(try trained.tokenizer.encode("<|endoftext|>", specialTokens: .recognized).ids == [0], "special tokens take the first ids")
        #expect(trained.tokenizer.model.vocabularySize == 8000)
    }

    @Test("a recipe gives exactly what the trainer gives when driven by hand, for every algorithm")
    func sameAsTrainer() throws {
        let corpus = try corpusSlice("en", lines: 2000)
        for algorithm in Algorithm.allCases {
            let recipe = Recipe(algorithm, vocabularySize: 1200)
            let names = recipe.frontEndNames
            let frontEnd = try TextFrontEnd(normalizer: names.normalizer, preTokenizers: names.preTokenizers)
            var counting = WordCountingOptions(frontEnd: frontEnd)
            counting.keepsLineBreaks = algorithm == .bpe || algorithm == .wordpiece || algorithm == .superbpe
            let counts = try WordCounter.count(paths: [corpus], options: counting)
            let tokens: [[UInt8]]
            switch algorithm {
            case .bpe:
                var options = BPETrainerOptions(vocabularySize: 1200)
                options.minFrequency = 2
                tokens = try BPETrainer(options: options).train(counts).model.tokens
            case .wordpiece:
                var options = WordPieceTrainerOptions(vocabularySize: 1200)
                options.minFrequency = 2
                tokens = try WordPieceTrainer(options: options).train(counts).tokens
            case .unigram: tokens = try UnigramTrainer(options: UnigramTrainerOptions(vocabularySize: 1200)).train(counts).model.pieces
            case .hybrid: tokens = try HybridTrainer(options: HybridTrainerOptions(vocabularySize: 1200)).train(counts).model.tokens
            case .superbpe: tokens = try SuperBPERecipe().trainStages(counts, recipe: recipe, size: 1200, progress: nil).final.tokens
            case .word:
                var options = WordLevelTrainerOptions(vocabularySize: 1200)
                options.minFrequency = 2
                tokens = try WordLevelTrainer(options: options).train(counts).model.tokens
            }
            let trained = try recipe.train(paths: [corpus])
            #expect(trained.tokenizer.model.tokens == tokens, "\(algorithm)")
            #expect(trained.record.algorithm == algorithm && trained.record.lines == 2000)
        }
    }

    @Test("a nested cut assembles the same tokenizer as training at that size (BPE, word level)")
    func nestedTokenizer() throws {
        let corpus = try corpusSlice("en", lines: 2000)
        for algorithm in [Algorithm.bpe, .word] {
            let recipe = Recipe(algorithm, vocabularySize: 700)
            let frontEnd = try recipe.frontEndNames.frontEnd()
            let counts = try WordCounter.count(paths: [corpus], options: recipe.countingOptions(frontEnd: frontEnd))
            let nested = try recipe.trainNested(counts: counts, sizes: [500, 1500])
            let cut = try nested.tokenizer(size: 700)
            let direct = try recipe.train(counts: counts).tokenizer
            #expect(try TokenizerJSON.write(cut) == TokenizerJSON.write(direct), "\(algorithm)")
        }
    }

    @Test("outputs a format cannot hold are refused before training")
    func outputChecks() throws {
        #expect(throws: Never.self) { try Recipe.bpe(vocabularySize: 10).checkOutput("a.tiktoken") }
        #expect(throws: Never.self) { try Recipe.unigram(vocabularySize: 10).checkOutput("a.model") }
        #expect(throws: Never.self) { try Recipe.wordPiece(vocabularySize: 10).checkOutput("vocab.txt") }
        var characters = Recipe.bpe(vocabularySize: 10)
        characters.bpe.characters = true
        #expect(throws: TrainingError.self) { try characters.checkOutput("a.tiktoken") }
        #expect(throws: TrainingError.self) { try Recipe.hybrid(vocabularySize: 10).checkOutput("a.model") }
        #expect(throws: ModelError.self) { try Recipe.bpe(vocabularySize: 10).checkOutput("a.bin") }
        #expect(throws: TrainingError.self) { try Recipe.bpe(vocabularySize: 0).train(paths: ["x"]) }
    }

    @Test("the sweep's recipes differ from vocab train's only where Recipe.sweep says")
    func sweepRecipes() {
        for algorithm in Algorithm.allCases {
            let train = Recipe(algorithm, vocabularySize: 0), sweep = Recipe.sweep(algorithm)
            switch algorithm {
            case .word:
                #expect(sweep.frontEndNames.preTokenizers == ["word-break"] && train.frontEndNames.preTokenizers == ["metaspace"])
            case .wordpiece:
                #expect(sweep.wordPiece.criterion == .frequency && sweep.characterCoverage == 0.9995)
                #expect(sweep.frontEndNames.normalizer == "bert-cased" && train.frontEndNames.normalizer == "bert")
                #expect(sweep.frontEndNames.preTokenizers == train.frontEndNames.preTokenizers)
            default:
                #expect(sweep.frontEndNames == train.frontEndNames && sweep.characterCoverage == nil, "\(algorithm)")
            }
        }
    }

    @Test("the README's train-from-memory example: texts give the vocabulary the same lines in a file give")
    func trainFromTexts() throws {
        let text = try String(contentsOf: corporaDirectory.appendingPathComponent("en.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(2000).map(String.init)
        // From the README.
        let texts = ["The first text.", "The second one."] + lines   // any Sequence of String
        let tokenizer = try Recipe.unigram(vocabularySize: 1000).train(texts: texts).tokenizer
        // The same lines from a file.
        let file = try temporaryFile(texts.joined(separator: "\n") + "\n")
        let fromFile = try Recipe.unigram(vocabularySize: 1000).train(paths: [file]).tokenizer
        #expect(try TokenizerJSON.write(tokenizer) == TokenizerJSON.write(fromFile))
        #expect(throws: InputError.self) { try Recipe.bpe(vocabularySize: 300).train(texts: [String]()) }
    }
}

