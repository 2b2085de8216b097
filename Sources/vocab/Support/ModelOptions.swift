import ArgumentParser
import VocabAnalysis

/// The model a vocabulary is sized for: a preset, then any flag given overrides it; a flag not
/// given keeps the preset's value or `ModelConfiguration`'s default.
struct ModelOptions: ParsableArguments {
    static let defaults = ModelConfiguration()

    @Option(help: "A published model to size for (the flags below override its fields).")
    var model: ModelPreset?
    @Option(name: .customLong("d-model"), help: "Model width d (default: \(defaults.dModel)).") var dModel: Int?
    @Option(help: "Transformer layers (default: \(defaults.layers); non-embedding parameters 12 x layers x d^2 unless given).") var layers: Int?
    @Option(name: .customLong("non-embedding-params"), help: "Non-embedding parameter count N (overrides the layers estimate).")
    var nonEmbeddingParameters: Int?
    @Flag(inversion: .prefixedNo, help: "Tied input and output embeddings (default: untied).") var tied: Bool?
    @Option(help: "Context length in tokens (default: \(defaults.contextLength)): the attention FLOPs and the share of units longer than it.")
    var context: Int?
    @Option(help: "Weight precision for table memory (default: \(defaults.precision.rawValue)).")
    var precision: ModelConfiguration.Precision?
    @Option(name: .customLong("factor-size"), help: "Factor size e of factorized embeddings (default: \(defaults.factorSize)).") var factorSize: Int?
    @Option(name: .customLong("sampled-softmax-samples"), help: "Samples k of a sampled softmax (default: \(defaults.sampledSoftmaxSamples)).")
    var sampledSoftmaxSamples: Int?
    @Option(name: .customLong("flop-budget"), help: "Training FLOP budget for the compute-optimal size (e.g. 1e20).") var flopBudget: Double?

    func validate() throws {
        let model = configuration
        guard model.dModel >= 1, model.layers >= 1, model.contextLength >= 1, model.factorSize >= 1, model.sampledSoftmaxSamples >= 1,
              (model.nonEmbeddingParameters ?? 1) >= 1 else {
            throw ValidationError("model dimensions must be positive")
        }
    }

    /// The configuration these flags describe.
    var configuration: ModelConfiguration {
        var configuration = model?.configuration ?? ModelConfiguration()
        if let dModel { configuration.dModel = dModel }
        if let layers { configuration.layers = layers }
        // A preset's N belongs to its shape: a new width or depth goes back to the estimate.
        if dModel != nil || layers != nil { configuration.nonEmbeddingParameters = nil }
        if let nonEmbeddingParameters { configuration.nonEmbeddingParameters = nonEmbeddingParameters }
        if let tied { configuration.tiedEmbeddings = tied }
        if let context { configuration.contextLength = context }
        if let precision { configuration.precision = precision }
        if let factorSize { configuration.factorSize = factorSize }
        if let sampledSoftmaxSamples { configuration.sampledSoftmaxSamples = sampledSoftmaxSamples }
        if let flopBudget { configuration.flopBudget = flopBudget }
        return configuration
    }
}

extension ModelPreset: ExpressibleByArgument {}
extension ModelConfiguration.Precision: ExpressibleByArgument {}
