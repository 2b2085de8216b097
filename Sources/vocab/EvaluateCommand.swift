import ArgumentParser
import Foundation
import VocabAnalysis
import VocabKit

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a tokenizer on held-out text: length, coverage, information, vocabulary use and cost.",
        discussion: """
        The sweep's measures for one tokenizer file (tokenizer.json, .model, .tiktoken, vocab.txt, .gguf): tokens per word \
        (ICU reference words), split words, OOV, UNK and byte-fallback rates, bytes per token, length percentiles, \
        Shannon and Rényi efficiency, unused tokens; and the cost of its size for --d-model and friends. Added \
        tokens are not matched and no post-processing is applied.

        Example: vocab evaluate -t Vocabs/unigram-multi-16k/tokenizer.model Corpora/de.txt
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Argument(help: "Held-out text files.")
    var inputs: [String]

    @Option(help: "Units for length percentiles: line, document, file or record (JSON Lines, as --input jsonl).")
    var unit: CorpusUnit?

    @Option(name: .customLong("input"), help: "What one text is, as in vocab encode: lines (the default), jsonl, documents or whole; sets --unit.")
    var input: InputUnit?

    @Option(name: .customLong("text-key"), help: "With --input jsonl: the key of the text in each object (default text).")
    var textKey: String?

    @OptionGroup(title: "Model") var modelOptions: ModelOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one held-out text file") }
        let unit = try InputUnit.resolve(input: input, unit: unit, textKey: textKey, fallback: .line)
        guard unit != .auto else { throw ValidationError("--unit auto applies to the sweep; give line, document, file or record") }
    }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let model = modelOptions.configuration
        let unit = try InputUnit.resolve(input: input, unit: unit, textKey: textKey, fallback: .line)
        let measures = try TokenizerEvaluation.evaluate(tokenizer, paths: inputs, unit: unit,
                                                        textKey: unit == .record ? textKey ?? "text" : nil, contextLength: model.contextLength)
        let cost = VocabularyCost(size: tokenizer.model.vocabularySize, model: model, tokensPerByte: measures.tokensPerByte,
                                  adaptiveTailMass: measures.adaptiveTailMass)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Output: Encodable { var measures: TokenizationMeasures; var cost: VocabularyCost }
            print(String(decoding: try encoder.encode(Output(measures: measures, cost: cost)), as: UTF8.self))
            return
        }
        print("vocabulary \(tokenizer.model.vocabularySize), \(measures.units) \(unit.rawValue)s, \(measures.words) words, \(measures.characters) characters, \(measures.tokens) tokens")
        for field in TokenizationMeasures.fields {
            guard let value = field.value(measures), field.name != "train_bytes_per_token", field.name != "compression_gap", field.name != "muv" else { continue }
            print(field.name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%12.4f", value) + "  " + field.definition)
        }
        print(String(format: "cost: %d embedding + %d output parameters (%.1f%% of %d), %.3g training FLOPs per byte",
                     cost.embeddingParameters, cost.outputParameters, cost.vocabularyShare * 100, cost.totalParameters,
                     cost.trainingFLOPsPerByte ?? 0))
    }
}
