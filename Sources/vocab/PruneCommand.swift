import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove tokens by how a corpus uses them, keeping a valid tokenizer of the same kind.",
        discussion: """
        --by usage removes the tokens least used as final tokens when the corpus is encoded; --by residue (BPE) those \
        whose share of final uses among the times BPE builds them is lowest: intermediate merge products that almost \
        never reach the output (Picky BPE, LiteToken). Added and special tokens, the unknown token and base symbols \
        (bytes, characters, byte-fallback tokens) are never removed. BPE merges that use a removed token are rewritten \
        to another split of their result into kept tokens; a token with no such split is kept. Kept tokens keep their \
        order; --id-map writes old id -> new id (-1: removed) for slicing embedding rows. The output format follows \
        the extension, written atomically.

        Example: vocab prune -t en-32k.json --to 30000 --by residue Corpora/en.txt -o en-30k.json --id-map rows.npy
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var out: SurgeryOutputOptions

    @Argument(help: "Text files whose lines measure usage (held-out text of the domain the vocabulary is for).")
    var corpora: [String] = []

    @Option(help: "The size of the model's vocabulary after pruning.")
    var to: Int

    @Option(help: "What ranks tokens for removal: usage or residue (BPE).")
    var by: VocabularyPrune.Criterion = .usage



    @Option(help: "Threads for encoding the corpus (0: all cores).")
    var threads = 0


    func validate() throws {
        guard !corpora.isEmpty else { throw ValidationError("give at least one corpus file to measure usage on") }
    }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        var texts: [String] = []
        for path in corpora {
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.cannotRead(path: path, reason: "no such file or not readable") }
            texts += String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
        let result = try VocabularyPrune.prune(tokenizer, to: to, by: by, texts: texts, threads: threads)
        try out.write(result.tokenizer, idMap: result.idMap)
        guard !out.quiet else { return }
        let after = try result.tokenizer.encodeBatch(texts, specialTokens: .asText, addsSpecialTokens: false, threads: threads)
            .reduce(0) { $0 + $1.ids.count }
        var line = String(format: "pruned %@ from %d to %d tokens by %@: the removed tokens were %.3f%% of the corpus's tokens; it encodes to %d tokens, %+.3f%% (%d before)",
                          Self.name(tokenizer.model), tokenizer.model.vocabularySize, result.tokenizer.model.vocabularySize, by.rawValue,
                          100 * Double(result.removedUses) / Double(result.totalUses), after,
                          100 * (Double(after) / Double(result.totalUses) - 1), result.totalUses)
        if result.keptForMerges > 0 { line += "; \(result.keptForMerges) kept because merges need them" }
        FileHandle.standardError.write(Data((line + ", wrote \(out.output)\n").utf8))
    }
}

extension PruneCommand {
    static func name(_ model: TokenModel) -> String {
        switch model {
        case .bpe(let m): return m.isByteLevel ? "byte-level BPE" : "BPE"
        case .wordPiece: return "WordPiece"
        case .unigram: return "Unigram"
        case .scoredBPE: return "SentencePiece BPE"
        case .hybrid: return "hybrid"
        case .wordLevel: return "word-level"
        }
    }
}

extension VocabularyPrune.Criterion: ExpressibleByArgument {}
