import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

struct ExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Continue training a BPE, WordPiece or Unigram vocabulary on a new corpus, keeping every existing id.",
        discussion: """
        Counts the corpus with the tokenizer's own front end and starts from the base's segmentation of every word. \
        BPE: the most frequent pairs are merged and the new merges appended after the base's, so no text encodes to more \
        tokens than before. WordPiece: characters the base lacks are added (word-initial and continuation forms), then \
        the most frequent pairs of the greedy segmentation. Unigram: characters the base lacks and the corpus's frequent \
        substrings are scored by EM with the base's scores frozen, and pruned by likelihood loss to --vocab-size. \
        New tokens take the ids after the model, so every existing token and id is unchanged (Unigram: and its score). \
        Added tokens whose ids lie past the model (Llama 3's specials) move after the new tokens (--id-map). \
        Not extended: .tiktoken rank files (convert to tokenizer.json first), SentencePiece BPE, hybrid and word level. \
        The output format follows the extension, written atomically.

        Example: vocab extend -t gpt2-en.json --vocab-size 40000 code/*.py.txt -o gpt2-en-code.json
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var out: SurgeryOutputOptions

    @Argument(help: "Text files of the new domain or language.")
    var corpora: [String] = []

    @Option(name: .customLong("vocab-size"), help: "The size of the model's vocabulary after extending.")
    var vocabSize: Int

    @Option(name: .customLong("min-frequency"), help: "BPE and WordPiece: pairs and new characters seen fewer times are not added.")
    var minFrequency: Int64 = 2



    @Option(help: "Threads for counting (0: all cores).")
    var threads = 0


    func validate() throws {
        guard !corpora.isEmpty else { throw ValidationError("give at least one corpus file of the new domain") }
    }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let result = try VocabularyExtension.extend(tokenizer, to: vocabSize, paths: corpora, minFrequency: minFrequency, threads: threads)
        try out.write(result.tokenizer, idMap: result.idMap)
        guard !out.quiet else { return }
        var line = "extended \(PruneCommand.name(tokenizer.model)) from \(tokenizer.model.vocabularySize) to \(result.tokenizer.model.vocabularySize) tokens"
        if case .bpe = tokenizer.model { line += " (\(result.addedMerges) merges appended)" }
        if result.tokenizer.model.vocabularySize < vocabSize {
            if case .unigram = tokenizer.model { line += "; the corpus ran out of pieces EM keeps" } else { line += "; the corpus ran out of pairs seen \(minFrequency) times" }
        }
        let moved = zip(tokenizer.addedTokens, result.tokenizer.addedTokens).filter { $0.id != $1.id }.count
        if moved > 0 { line += "; \(moved) added token\(moved == 1 ? "" : "s") moved after the new ones" }
        FileHandle.standardError.write(Data((line + ", wrote \(out.output)\n").utf8))
    }
}
