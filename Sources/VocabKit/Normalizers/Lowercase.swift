/// Lowercases every character with its full, context-free Unicode mapping.
///
/// Context-free means Σ always becomes σ (never the final ς) and İ becomes "i̇", exactly as
/// HuggingFace's `Lowercase` normalizer and BERT's lowercasing (Rust's `char::to_lowercase`) do.
/// ASCII is handled inline; other characters use a table built once from ICU.
///
/// - Complexity: O(n).
public struct Lowercase: Normalizer {
    public init() {}

    public func normalize(_ text: inout NormalizedText) throws {
        let table = UnicodeTables.lowercase
        rewriteScalars(&text, keepsASCII: { $0 < 0x41 || $0 > 0x5A }) { scalar in
            if scalar < 0x80 { return [UInt8(scalar) + 32] }
            return table[scalar]
        }
    }
}
