/// VocabKit's own training defaults that more than one trainer or layer shares, each written
/// once, with where it comes from. Defaults that belong to one trainer live in its options.
public enum TrainingDefaults {
    /// Pairs (BPE, WordPiece) or words (hybrid, word level) seen fewer times are not used:
    /// VocabKit's default since its first version (HuggingFace's trainers default to 0).
    public static let minFrequency: Int64 = 2
    /// Characters covering this share of the text make the alphabet: SentencePiece's
    /// `character_coverage` default for most languages.
    public static let characterCoverage = 0.9995
    /// The seed of line sampling.
    public static let seed: UInt64 = 42
    /// Counting skips pre-tokenized pieces longer than this many bytes (and reports them).
    /// Training is quadratic in a word's length (a 1M-byte word took BPE 41 s; a 50 MB line
    /// without spaces hung it), so a cap makes every trainer linear in the corpus. 16 KiB is far
    /// above any word of natural text and a Japanese line without punctuation (1.4 KB at most in
    /// `Corpora/`); SentencePiece skips whole sentences over 4,192 bytes.
    public static let maxPieceBytes = 16_384
}
