import ArgumentParser
import Foundation
import VocabKit

/// The `--tokenizer` and `--pattern` options of the commands that load a tokenizer.
struct TokenizerOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Tokenizer file: tokenizer.json, SentencePiece .model, .tiktoken, BERT's vocab.txt, a GGUF model (its tokenizer metadata), or a folder with GPT-2's encoder.json and vocab.bpe.")
    var tokenizer: String

    @Option(help: "For a .tiktoken file: the split pattern, a name (gpt2, cl100k, o200k, llama3) or a regular expression, when the file name does not say.")
    var pattern: String?

    /// The tokenizer, its format recognized by content.
    func load() throws -> Tokenizer {
        try TokenizerFile.read(URL(fileURLWithPath: tokenizer), pattern: pattern)
    }
}
