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
    @OptionGroup var out: SurgeryOutputOptions

    @Option(name: .customLong("vocab-size"), help: "The size of the model's vocabulary after the cut.")
    var vocabSize: Int




    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let result = try VocabularyCut.cut(tokenizer, to: vocabSize)
        try out.write(result.tokenizer, idMap: result.idMap)
        if !out.quiet {
            let moved = zip(tokenizer.addedTokens, result.tokenizer.addedTokens).filter { $0.id != $1.id }.count
            var line = "cut \(PruneCommand.name(tokenizer.model)) from \(tokenizer.model.vocabularySize) to \(result.tokenizer.model.vocabularySize) tokens (\(result.dropped) dropped)"
            if moved > 0 { line += "; \(moved) added token\(moved == 1 ? "" : "s") renumbered after them" }
            FileHandle.standardError.write(Data((line + ", wrote \(out.output)\n").utf8))
        }
    }
}
