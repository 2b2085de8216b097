/// The model a vocabulary is sized for: what the cost model needs to know.
///
/// Defaults are GPT-2 small's shape (d_model 768, 12 layers) with untied embeddings, a 2,048
/// token context and bf16 weights.
public struct ModelConfiguration: Sendable, Codable, Equatable {
    public enum Precision: String, Sendable, Codable, CaseIterable {
        case fp32, bf16, fp16, int8
        /// Bytes per parameter.
        public var bytes: Int {
            switch self {
            case .fp32: return 4
            case .bf16, .fp16: return 2
            case .int8: return 1
            }
        }
    }

    public var dModel = 768
    public var layers = 12
    /// Parameters outside the embedding and output tables; nil means 12 x layers x d_model^2
    /// (attention 4d^2 plus a 4x MLP 8d^2 per layer, Kaplan et al. 2020).
    public var nonEmbeddingParameters: Int?
    public var tiedEmbeddings = false
    public var contextLength = 2048
    public var precision: Precision = .bf16
    /// ALBERT's factor size e for factorized embeddings (Lan et al. 2020 use 128).
    public var factorSize = 128
    /// Negative samples per token of a sampled softmax (Jean et al. 2015).
    public var sampledSoftmaxSamples = 1024
    /// A training budget in FLOPs, for the compute-optimal size (optional).
    public var flopBudget: Double?

    public init() {}

    /// The non-embedding parameter count N.
    public var resolvedNonEmbeddingParameters: Int {
        nonEmbeddingParameters ?? 12 * layers * dModel * dModel
    }
}
