import ArgumentParser
import Foundation
import VocabKit

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a tokenizer to another file format.",
        discussion: """
        Reads any tokenizer VocabKit loads (tokenizer.json, SentencePiece .model, .tiktoken, vocab.txt, a GGUF model's
        tokenizer, GPT-2 folder) and writes it by the output's extension, as `vocab train` does: .json (HuggingFace
        tokenizer.json, any model), .model (SentencePiece; Unigram and SentencePiece BPE), .tiktoken (ranks; byte-level
        BPE only, special tokens are left out), .txt (BERT's vocab.txt; WordPiece only) or .gguf (a vocabulary-only GGUF
        file, no tensors, as llama.cpp and the `gguf` Python package read it; byte-level BPE whose split rules llama.cpp
        names, SentencePiece BPE, Unigram, WordPiece). The converted tokenizer gives the same ids; what a format cannot
        say is an error naming the format to use instead.

        Examples:
          vocab convert --tokenizer cl100k_base.tiktoken -o cl100k.json
          vocab convert --tokenizer llama-3.Q4_K_M.gguf -o tokenizer.json     (reads the metadata only)
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(name: .shortAndLong, help: "The file to write (.json, .model, .tiktoken, .txt or .gguf), atomically.")
    var output: String

    func validate() throws {
        guard TokenizerFile.Format(path: output) != nil else {
            throw ValidationError("--output must end in \(TokenizerFile.extensionList)")
        }
        do { try AtomicFile.checkWritable(output) } catch { throw ValidationError("--output: \(error)") }
    }

    func run() throws {
        try TokenizerFile.write(try tokenizerOptions.load(), to: output)
    }
}
