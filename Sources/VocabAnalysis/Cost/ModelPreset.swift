/// Published model configurations to size a vocabulary for (`vocab sweep --model`).
///
/// Non-embedding parameters are the attention and MLP weights of the published architecture
/// (norms and biases aside): 12·layers·d² for GPT-2 and BERT (4d² attention, 4x MLP), and for
/// Llama the SwiGLU MLP 3·d·h plus attention with its key/value heads.
///
/// | preset | d | layers | heads | context | embeddings |
/// |---|---|---|---|---|---|
/// | `gpt2-small` (Radford et al. 2019) | 768 | 12 | 12 | 1,024 | tied |
/// | `gpt2-medium` | 1,024 | 24 | 16 | 1,024 | tied |
/// | `bert-base` (Devlin et al. 2019) | 768 | 12 | 12 | 512 | tied (MLM head) |
/// | `llama-2-7b` (Touvron et al. 2023), MLP 11,008 | 4,096 | 32 | 32 | 4,096 | untied |
/// | `llama-3-8b`, MLP 14,336, 8 key/value heads | 4,096 | 32 | 32 | 8,192 | untied |
public enum ModelPreset: String, Sendable, Codable, CaseIterable {
    case gpt2Small = "gpt2-small", gpt2Medium = "gpt2-medium", bertBase = "bert-base"
    case llama2_7B = "llama-2-7b", llama3_8B = "llama-3-8b"

    /// Attention heads (for the record; the FLOPs use d_attn = d).
    public var heads: Int {
        switch self {
        case .gpt2Small, .bertBase: return 12
        case .gpt2Medium: return 16
        case .llama2_7B, .llama3_8B: return 32
        }
    }

    /// The model configuration (other settings at their defaults).
    public var configuration: ModelConfiguration {
        var model = ModelConfiguration()
        switch self {
        case .gpt2Small:
            (model.dModel, model.layers, model.contextLength, model.tiedEmbeddings) = (768, 12, 1024, true)
        case .gpt2Medium:
            (model.dModel, model.layers, model.contextLength, model.tiedEmbeddings) = (1024, 24, 1024, true)
        case .bertBase:
            (model.dModel, model.layers, model.contextLength, model.tiedEmbeddings) = (768, 12, 512, true)
        case .llama2_7B:
            (model.dModel, model.layers, model.contextLength, model.tiedEmbeddings) = (4096, 32, 4096, false)
            model.nonEmbeddingParameters = Self.llamaParameters(d: 4096, layers: 32, mlp: 11_008, keyValueShare: 1)
        case .llama3_8B:
            (model.dModel, model.layers, model.contextLength, model.tiedEmbeddings) = (4096, 32, 8192, false)
            model.nonEmbeddingParameters = Self.llamaParameters(d: 4096, layers: 32, mlp: 14_336, keyValueShare: 0.25)
        }
        return model
    }

    /// Per layer: query and output projections d², key and value projections d² x the share of
    /// key/value heads, and a SwiGLU MLP 3·d·mlp.
    static func llamaParameters(d: Int, layers: Int, mlp: Int, keyValueShare: Double) -> Int {
        layers * (2 * d * d + Int(2 * Double(d * d) * keyValueShare) + 3 * d * mlp)
    }
}
