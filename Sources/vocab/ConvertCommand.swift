import ArgumentParser
import Foundation
import VocabKit

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a tokenizer to another file format.",
        discussion: """
        Reads any tokenizer VocabKit loads (tokenizer.json, .tiktoken, vocab.txt, GPT-2 folder) and writes it by the
        output's extension: .json (HuggingFace tokenizer.json), .tiktoken (ranks; byte-level BPE only, special tokens
        are left out) or .txt (BERT's vocab.txt; WordPiece only). The converted tokenizer gives the same ids.

        Example: vocab convert --tokenizer cl100k_base.tiktoken -o cl100k.json
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(name: .shortAndLong, help: "The file to write (.json or .tiktoken), atomically.")
    var output: String

    func run() throws {
        let source = try tokenizerOptions.load()
        let data: Data
        if output.hasSuffix(".tiktoken") {
            guard let ranks = TiktokenFile.write(source) else { throw ValidationError(".tiktoken files hold byte-level vocabularies only") }
            data = ranks
        } else if output.hasSuffix(".json") {
            data = try TokenizerJSON.write(source)
        } else if output.hasSuffix(".txt") {
            guard case .wordPiece(let model) = source.model else { throw ValidationError(".txt (vocab.txt) holds WordPiece vocabularies only") }
            data = Data(model.vocabText)
        } else {
            throw ValidationError("--output must end in .json, .tiktoken or .txt")
        }
        try AtomicFile.write(data, to: output)
    }
}
