/// What one vocabulary does to one held-out text: length, coverage, information and use.
///
/// Every field is defined on held-out units (lines or documents). "Words" are reference words:
/// ICU word segments holding a letter, number or ideograph, counted on the original text, so
/// every algorithm shares the denominator of tokens per word. "Words" of the split and OOV
/// measures are the algorithm's own: runs of tokens from one word-initial token (starting with a
/// space or "▁", or after whitespace) to the next, within a pre-token, that hold a letter or
/// number: a pre-token for word-level splitters, a word inside a SentencePiece line.
public struct TokenizationMeasures: Sendable, Codable, Equatable {
    public var tokens: Int = 0
    public var words: Int = 0
    public var characters: Int = 0
    public var bytes: Int = 0
    public var units: Int = 0
    /// Tokens per reference word (fertility).
    public var tokensPerWord: Double = 0
    /// Share of word-piece occurrences split into two or more tokens (Rust et al. 2021's
    /// proportion of continued words).
    public var splitWordShare: Double = 0
    /// Share of distinct held-out word pieces that are not one known token (word-level OOV, by type).
    public var oovTypeRate: Double = 0
    /// Share of word-piece occurrences with an unknown token: the running-text OOV rate of a
    /// word-level vocabulary, the words a subword vocabulary cannot spell.
    public var unknownWordShare: Double = 0
    /// Unknown tokens per token.
    public var unknownRate: Double = 0
    /// Byte-fallback tokens per token.
    public var byteFallbackRate: Double = 0
    /// Share of characters covered by the vocabulary (not unknown, not spelled as bytes).
    public var characterCoverage: Double = 0
    public var tokensPerThousandCharacters: Double = 0
    /// UTF-8 bytes of the original text per token (compression).
    public var bytesPerToken: Double = 0
    public var tokensPerByte: Double = 0
    /// Tokens per unit at the 50th, 95th and 99th percentiles (nearest rank).
    public var lengthP50: Double = 0
    public var lengthP95: Double = 0
    public var lengthP99: Double = 0
    /// Share of units longer than the model's context length.
    public var overContextShare: Double = 0
    /// Shannon entropy of the token distribution over log2 of the vocabulary size.
    public var shannonEfficiency: Double = 0
    /// Rényi entropy of order 2.5 over log2 of the vocabulary size (Zouhar et al. 2023).
    public var renyiEfficiency: Double = 0
    /// VOLT's entropy per character (Xu et al. 2021): token entropy in bits over the mean
    /// length of the vocabulary's tokens in characters.
    public var entropyPerCharacter: Double = 0
    /// VOLT's marginal utility of vocabulary: minus the change of `entropyPerCharacter` per 1,000
    /// tokens from the next smaller size (nil at the smallest size).
    public var marginalUtility: Double?
    /// Share of the vocabulary (special tokens aside) never used in held-out text.
    public var unusedTokenShare: Double = 0
    /// Share of the vocabulary (special tokens aside) used fewer than the rare threshold times.
    public var rareTokenShare: Double = 0
    /// Bytes per token on a training fold of the same size, and the relative gap to held-out
    /// ((train - held-out) / held-out): how much compression was learned by heart.
    public var trainBytesPerToken: Double = 0
    public var compressionGap: Double = 0
    /// Held-out probability mass of the adaptive-softmax tail clusters (tokens ranked by their
    /// frequency on a training fold, or held out without one: head 1/8 of the vocabulary, tail 1
    /// the next 3/8, tail 2 the rest).
    public var adaptiveTailMass: [Double] = [0, 0]

    public init() {}

    /// The groups' measures with each group counting once (a macro average): every rate, ratio,
    /// quantile and share is the mean of the groups' values; the counts are sums.
    /// - Complexity: O(groups).
    static func macroAverage(_ groups: [TokenizationMeasures]) -> TokenizationMeasures {
        var m = TokenizationMeasures()
        guard !groups.isEmpty else { return m }
        func mean(_ value: (TokenizationMeasures) -> Double) -> Double { groups.reduce(0) { $0 + value($1) } / Double(groups.count) }
        (m.tokens, m.words) = (groups.reduce(0) { $0 + $1.tokens }, groups.reduce(0) { $0 + $1.words })
        (m.characters, m.bytes, m.units) = (groups.reduce(0) { $0 + $1.characters }, groups.reduce(0) { $0 + $1.bytes }, groups.reduce(0) { $0 + $1.units })
        (m.tokensPerWord, m.splitWordShare, m.oovTypeRate) = (mean(\.tokensPerWord), mean(\.splitWordShare), mean(\.oovTypeRate))
        (m.unknownWordShare, m.unknownRate, m.byteFallbackRate) = (mean(\.unknownWordShare), mean(\.unknownRate), mean(\.byteFallbackRate))
        (m.characterCoverage, m.tokensPerThousandCharacters) = (mean(\.characterCoverage), mean(\.tokensPerThousandCharacters))
        // Tokens per byte is the mean; bytes per token its inverse, so the two columns agree.
        m.tokensPerByte = mean(\.tokensPerByte)
        m.bytesPerToken = m.tokensPerByte > 0 ? 1 / m.tokensPerByte : 0
        (m.lengthP50, m.lengthP95, m.lengthP99, m.overContextShare) = (mean(\.lengthP50), mean(\.lengthP95), mean(\.lengthP99), mean(\.overContextShare))
        (m.shannonEfficiency, m.renyiEfficiency, m.entropyPerCharacter) = (mean(\.shannonEfficiency), mean(\.renyiEfficiency), mean(\.entropyPerCharacter))
        (m.unusedTokenShare, m.rareTokenShare) = (mean(\.unusedTokenShare), mean(\.rareTokenShare))
        (m.trainBytesPerToken, m.compressionGap) = (mean(\.trainBytesPerToken), mean(\.compressionGap))
        m.adaptiveTailMass = [mean { $0.adaptiveTailMass[0] }, mean { $0.adaptiveTailMass[1] }]
        return m
    }

    /// The named numeric measures, in report order, with one line of definition each.
    public static let fields: [(name: String, definition: String, value: @Sendable (TokenizationMeasures) -> Double?)] = [
        ("tokens_per_word", "tokens per reference word (fertility)", { $0.tokensPerWord }),
        ("split_word_share", "share of word occurrences split into 2+ tokens", { $0.splitWordShare }),
        ("oov_type_rate", "share of distinct held-out words that are not one token", { $0.oovTypeRate }),
        ("unknown_word_share", "share of word occurrences with an unknown token (running OOV)", { $0.unknownWordShare }),
        ("unk_rate", "unknown tokens per token", { $0.unknownRate }),
        ("byte_fallback_rate", "byte-fallback tokens per token", { $0.byteFallbackRate }),
        ("character_coverage", "share of characters neither unknown nor spelled in bytes", { $0.characterCoverage }),
        ("tokens_per_1k_chars", "tokens per 1,000 characters", { $0.tokensPerThousandCharacters }),
        ("bytes_per_token", "UTF-8 bytes per token", { $0.bytesPerToken }),
        ("length_p50", "tokens per unit, median", { $0.lengthP50 }),
        ("length_p95", "tokens per unit, 95th percentile", { $0.lengthP95 }),
        ("length_p99", "tokens per unit, 99th percentile", { $0.lengthP99 }),
        ("over_context_share", "share of units longer than the context length", { $0.overContextShare }),
        ("shannon_efficiency", "Shannon entropy / log2 V", { $0.shannonEfficiency }),
        ("renyi_efficiency", "Rényi entropy (alpha 2.5) / log2 V", { $0.renyiEfficiency }),
        ("entropy_per_char", "VOLT entropy per character (bits)", { $0.entropyPerCharacter }),
        ("muv", "VOLT marginal utility: entropy-per-character gain per 1,000 tokens", { $0.marginalUtility }),
        ("unused_token_share", "share of the vocabulary never used in held-out text", { $0.unusedTokenShare }),
        ("rare_token_share", "share of the vocabulary used fewer than the rare threshold", { $0.rareTokenShare }),
        ("train_bytes_per_token", "bytes per token on a training fold", { $0.trainBytesPerToken }),
        ("compression_gap", "(train - held-out) / held-out bytes per token", { $0.compressionGap }),
    ]
}
