import ArgumentParser
import Foundation
import VocabKit
import VocabTraining

/// `vocab count`: the front end's pieces of a corpus with exact counts, to a counts file.
struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count the pre-tokenized pieces of a corpus into a counts file, or merge counts files.",
        discussion: """
        Writes exact 64-bit counts of the pieces the front end makes, sorted by bytes, with the front end and the corpus figures in the file's header (format: the CountsFile documentation). Counting stays within --memory: past it, sorted runs are spilled to disk and merged, so the counts are exact whatever the number of distinct pieces. The front end is the one `vocab train --algorithm A` would use, unless -n or -p say otherwise; `vocab train --from-counts FILE` with the same settings then gives the vocabulary training on the text gives.

        Files counted the same way merge in one streaming pass: vocab count --merge A.counts B.counts -o ALL.counts

        Example: vocab count --algorithm unigram Corpora/*.txt -o corpora.counts
        """
    )

    @Argument(help: "Corpus files ('-' for standard input), or with --merge, counts files.") var inputs: [String]
    @Option(name: .shortAndLong, help: "The counts file to write, atomically.") var output: String
    @Flag(help: "Merge counts files instead of counting text.") var merge = false
    @Option(help: "The algorithm whose front end to count with.") var algorithm: Algorithm = .bpe
    @Flag(help: "BPE: character-level (its default pre-tokenizer differs).") var characters = false
    @Flag(help: "Unigram: whole lines as pieces (SentencePiece without whitespace splitting).") var sentences = false
    @OptionGroup(title: "Front end and corpus") var input: InputFlags
    @Option(help: "Memory for the counting tables before spilling to disk, e.g. 512M or 2G (default: a quarter of the machine's memory).")
    var memory: String?
    @Option(name: .customLong("min-count"), help: "Drop pieces counted fewer times (the header records what was dropped; pruned counts no longer train what the text trains).")
    var minCount: Int64?
    @Option(name: .customLong("max-pieces"), help: "Keep only this many pieces, the most frequent (ties in byte order).") var maxPieces: Int?
    @Flag(name: .customLong("part-of-larger-file"), help: "The input is a line-aligned part of a larger file (as a shard driver streams it): skip the looks-like-text check of the file's start, and write counts even if the part has no pieces, so merged parts equal the whole file.")
    var partOfLargerFile = false
    @Flag(name: .customLong("may-be-empty"), help: "Write a counts file even if the input has no pieces (a shard of a larger corpus, such as a blank file; check the merged counts instead).")
    var mayBeEmpty = false
    @Flag(help: "No progress line and no summary on stderr.") var quiet = false

    /// The recipe whose front end and counting these flags describe.
    var recipe: Recipe {
        var recipe = Recipe(algorithm, vocabularySize: 1)
        input.apply(to: &recipe)
        (recipe.bpe.characters, recipe.unigram.sentences) = (characters, sentences)
        return recipe
    }

    /// "512M" or "2G" in bytes (binary units); `option` names the flag in errors.
    static func parseBytes(_ text: String, option: String = "--memory") throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        let upper = text.uppercased()
        let scale = upper.last.flatMap { units[$0] } ?? 1
        guard let value = Double(scale == 1 ? upper : String(upper.dropLast())), value > 0, value * Double(scale) >= 1, value * Double(scale) < 0x1p62 else {
            throw ValidationError("\(option): '\(text)' is not a size (write 512M or 2G)")
        }
        return Int(value * Double(scale))
    }

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one \(merge ? "counts file" : "corpus file")") }
        if let memory { _ = try Self.parseBytes(memory) }
        guard (minCount ?? 1) >= 1, (maxPieces ?? 1) >= 1 else { throw ValidationError("--min-count and --max-pieces must be at least 1") }
        guard (input.maxPieceBytes ?? 1) >= 1 else { throw ValidationError("--max-piece-bytes must be at least 1") }
    }

    func run() throws {
        let started = Date()
        let pruning = minCount != nil || maxPieces != nil
        // With pruning, count or merge beside the output first, then prune into it.
        try AtomicFile.checkWritable(output)
        let target = pruning ? AtomicFile.hiddenSibling(of: output, "\((output as NSString).lastPathComponent).\(AtomicFile.randomName()).unpruned") : output
        if pruning { TemporaryFiles.remember(target) }
        defer { if pruning { TemporaryFiles.remove(target) } }
        let header: CountsFile.Header
        if merge {
            header = try CountsFile.merge(inputs, into: target)   // many files: merged mergeWidth at a time
        } else {
            let recipe = recipe
            let budget = try memory.map { try Self.parseBytes($0) } ?? Int(ProcessInfo.processInfo.physicalMemory / 4)
            let progress = ProgressLine(label: "count", quiet: quiet)
            defer { progress.finish() }
            var options = recipe.countingOptions(frontEnd: try recipe.frontEndNames.frontEnd())
            (options.partOfLargerFile, options.mayBeEmpty) = (partOfLargerFile, mayBeEmpty)
            header = try WordCounter.countToFile(paths: inputs, options: options,
                                                 frontEnd: recipe.frontEndNames, memoryBudget: budget, output: target) { report in
                progress.update(bytes: report.done, detail: report.phase)
            }.header
        }
        var pruned = ""
        if pruning {
            let report = try CountsFile.prune(target, into: output, minCount: minCount ?? 1, maxPieces: maxPieces)
            pruned = String(format: ", kept %d pieces, dropped %d (%.4f%% of occurrences)", report.keptPieces, report.droppedPieces, report.droppedShare * 100)
        }
        let message = String(format: "%@ %d lines, %.1f MB (%@) in %.1f s%@, wrote %@\n", merge ? "merged" : "counted", header.lines,
                             Double(header.bytes) / 1e6, header.frontEnd.description, Date().timeIntervalSince(started), pruned, output)
        if !quiet { FileHandle.standardError.write(Data(message.utf8)) }
        if !quiet, let long = header.longPieces.summary(textBytes: header.bytes) { FileHandle.standardError.write(Data("note: \(long)\n".utf8)) }
    }
}
