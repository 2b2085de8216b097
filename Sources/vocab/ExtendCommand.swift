import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

struct ExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Continue training a BPE vocabulary on a new corpus, keeping every existing id.",
        discussion: """
        Counts the corpus with the tokenizer's own front end, starts from the base's segmentation of every word, and \
        merges the most frequent pairs until --vocab-size: new merges are appended after the base's and new tokens take \
        the ids after its model, so every existing token, id and merge is unchanged and no text encodes to more tokens \
        than before. Added tokens whose ids lie past the model (Llama 3's specials) move after the new tokens (--id-map). \
        BPE only (tokenizer.json, GPT-2 files; convert a .tiktoken file to tokenizer.json first). The output format \
        follows the extension, written atomically.

        Example: vocab extend -t gpt2-en.json --vocab-size 40000 code/*.py.txt -o gpt2-en-code.json
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var out: SurgeryOutputOptions

    @Argument(help: "Text files of the new domain or language.")
    var corpora: [String] = []

    @Option(name: .customLong("vocab-size"), help: "The size of the model's vocabulary after extending.")
    var vocabSize: Int

    @Option(name: .customLong("min-frequency"), help: "Pairs seen fewer times are not merged.")
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
        var line = "extended \(PruneCommand.name(tokenizer.model)) from \(tokenizer.model.vocabularySize) to \(result.tokenizer.model.vocabularySize) tokens (\(result.addedMerges) merges appended)"
        if result.tokenizer.model.vocabularySize < vocabSize { line += "; the corpus ran out of pairs seen \(minFrequency) times" }
        let moved = zip(tokenizer.addedTokens, result.tokenizer.addedTokens).filter { $0.id != $1.id }.count
        if moved > 0 { line += "; \(moved) added token\(moved == 1 ? "" : "s") moved after the new ones" }
        FileHandle.standardError.write(Data((line + ", wrote \(out.output)\n").utf8))
    }
}
