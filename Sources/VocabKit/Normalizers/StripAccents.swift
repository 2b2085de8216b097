/// Removes every nonspacing mark (general category Mn), as HuggingFace's `StripAccents` does:
/// it only strips accents from text that an earlier NFD step decomposed.
public struct RemoveNonspacingMarks: Normalizer {
    public init() {}

    public func normalize(_ text: inout NormalizedText) throws {
        rewriteScalars(&text, ignoresASCII: true, keepsASCII: { _ in true }) { scalar in
            UnicodeTables.category(scalar) == .nonspacingMark ? [] : nil
        }
    }
}

/// Removes accents: decomposes (NFD), drops nonspacing marks (Mn), and optionally recomposes.
///
/// With `recompose: false` this is exactly BERT's and HuggingFace's accent stripping
/// (`NFD` then removing Mn), which leaves other decomposable text, such as Hangul syllables,
/// decomposed into jamo. With `recompose: true` (the default) the result is put back into NFC, so
/// "Crème brûlée" becomes "Creme brulee" and "한국" stays "한국".
///
/// - Complexity: O(n).
public struct StripAccents: Normalizer {
    public var recompose: Bool

    public init(recompose: Bool = true) { self.recompose = recompose }

    public func normalize(_ text: inout NormalizedText) throws {
        try UnicodeFormNormalizer(.nfd).normalize(&text)
        try RemoveNonspacingMarks().normalize(&text)
        if recompose { try UnicodeFormNormalizer(.nfc).normalize(&text) }
    }
}

// The registry entries (see NormalizerComponent).
extension RemoveNonspacingMarks { public var component: NormalizerComponent? { .removeNonspacingMarks } }
extension StripAccents { public var component: NormalizerComponent? { .stripAccents(recompose: recompose) } }
