import ArgumentParser
import VocabKit

/// The output of `vocab cut`, `prune` and `extend`: the tokenizer file, and the old → new id map.
struct SurgeryOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The file to write (.json, .model, .tiktoken, .txt or .gguf), atomically.")
    var output: String

    @Option(name: .customLong("id-map"), help: "Also write old id -> new id (-1 for a removed token) as .json or .npy (int32).")
    var idMap: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard TokenizerFile.Format(path: output) != nil else { throw ValidationError("--output must end in \(TokenizerFile.extensionList)") }
        if let idMap, !(idMap.hasSuffix(".json") || idMap.hasSuffix(".npy")) { throw ValidationError("--id-map must end in .json or .npy") }
        do { try AtomicFile.checkWritable(output) } catch { throw ValidationError("--output: \(error)") }
    }

    /// Writes the tokenizer, then the map when asked for.
    func write(_ tokenizer: Tokenizer, idMap map: [Int32]) throws {
        try TokenizerFile.write(tokenizer, to: output)
        if let idMap { try IdMapFile.write(map, to: idMap) }
    }
}
