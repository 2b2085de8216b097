import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

struct CutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut",
        abstract: "Cut a trained vocabulary to its nested smaller one.",
        discussion: """
        BPE keeps the first N ids and the merges among them (for a vocabulary trained by VocabKit or HuggingFace, or \
        tiktoken's ranks, exactly what training at N gives, and what vocab sweep measures at N); WordPiece the first N \
        ids; Unigram and SentencePiece BPE every special, byte and single-character piece, then the best-scored pieces \
        (a file holds no pruning rounds, so this is not a retraining). Added tokens are all kept; those past N take the \
        ids after it. A base symbol past N (a byte, a character no merge makes) is an error: the result could not spell \
        every text. The output format follows the extension (.json, .model, .tiktoken, .txt, .gguf), written atomically; \
        --id-map writes old id -> new id (-1: dropped) for slicing embedding rows.

        Example: vocab cut -t en-64k.json --vocab-size 32000 -o en-32k.json --id-map rows.npy
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(name: .customLong("vocab-size"), help: "The size of the model's vocabulary after the cut.")
    var vocabSize: Int

    @Option(name: .shortAndLong, help: "The file to write (.json, .model, .tiktoken, .txt or .gguf), atomically.")
    var output: String

    @Option(name: .customLong("id-map"), help: "Also write old id -> new id (-1 for a dropped token) as .json or .npy (int32).")
    var idMap: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard TokenizerFile.Format(path: output) != nil else { throw ValidationError("--output must end in \(TokenizerFile.extensionList)") }
        if let idMap, !(idMap.hasSuffix(".json") || idMap.hasSuffix(".npy")) { throw ValidationError("--id-map must end in .json or .npy") }
        do { try AtomicFile.checkWritable(output) } catch { throw ValidationError("--output: \(error)") }
    }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let result = try VocabularyCut.cut(tokenizer, to: vocabSize)
        try TokenizerFile.write(result.tokenizer, to: output)
        if let idMap { try IdMapFile.write(result.idMap, to: idMap) }
        if !quiet {
            let moved = zip(tokenizer.addedTokens, result.tokenizer.addedTokens).filter { $0.id != $1.id }.count
            var line = "cut \(PruneCommand.name(tokenizer.model)) from \(tokenizer.model.vocabularySize) to \(result.tokenizer.model.vocabularySize) tokens (\(result.dropped) dropped)"
            if moved > 0 { line += "; \(moved) added token\(moved == 1 ? "" : "s") renumbered after them" }
            FileHandle.standardError.write(Data((line + ", wrote \(output)\n").utf8))
        }
    }
}
