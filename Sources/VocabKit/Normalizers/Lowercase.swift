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
        mapASCIIInPlace(&text) { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
        let table = UnicodeTables.lowercase
        rewriteScalars(&text, ignoresASCII: true, keepsASCII: { _ in true }) { table[$0] }
    }
}

// The registry entries (see NormalizerComponent).
extension Lowercase { public var component: NormalizerComponent? { .lowercase } }
