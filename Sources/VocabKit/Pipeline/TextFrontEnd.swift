/// The shared text front end: validation, normalization and pre-tokenization in one call.
///
/// Every trainer and encoder runs its input through one of these, so training and encoding see
/// exactly the same pieces.
///
/// ```swift
/// let frontEnd = try TextFrontEnd(normalizer: "nfkc", preTokenizers: ["cl100k"])
/// let pieces = try frontEnd.process(Array("Hello  world!".utf8))
/// pieces.pieceStrings   // ["Hello", " ", " world", "!"]
/// ```
public struct TextFrontEnd: Sendable {
    public var normalizer: any Normalizer {
        didSet { sentencePieceNormalizer = normalizer as? SentencePieceNormalizer }
    }
    public var preTokenizer: any PreTokenizer
    public var invalidUTF8: InvalidUTF8Policy
    /// `normalizer` when it is a `SentencePieceNormalizer`, which `process(_:buffers:)` gives
    /// spare buffers to.
    private var sentencePieceNormalizer: SentencePieceNormalizer?

    public init(normalizer: any Normalizer, preTokenizer: any PreTokenizer, invalidUTF8: InvalidUTF8Policy = .replace) {
        self.normalizer = normalizer
        self.sentencePieceNormalizer = normalizer as? SentencePieceNormalizer
        self.preTokenizer = preTokenizer
        self.invalidUTF8 = invalidUTF8
    }

    /// A front end from names (see `FrontEndSpecification`).
    public init(normalizer: String, preTokenizers: [String], invalidUTF8: InvalidUTF8Policy = .replace) throws {
        self.init(normalizer: try FrontEndSpecification.normalizer(normalizer),
                  preTokenizer: try FrontEndSpecification.preTokenizer(preTokenizers),
                  invalidUTF8: invalidUTF8)
    }

    /// Whether pieces start with Metaspace's "▁" (the first pre-tokenizer step is Metaspace), so a
    /// decoder turns it back into spaces.
    public var usesMetaspace: Bool {
        if case .metaspace? = preTokenizer.component?.flattened.first { return true }
        return false
    }

    /// Validates and normalizes `bytes`.
    public func normalize(_ bytes: UnsafeBufferPointer<UInt8>) throws -> NormalizedText {
        var text = try NormalizedText(validating: bytes, policy: invalidUTF8)
        try normalizer.normalize(&text)
        return text
    }

    /// Validates, normalizes and splits `bytes`.
    public func process(_ bytes: UnsafeBufferPointer<UInt8>) throws -> PreTokenizedText {
        var text = PreTokenizedText(try normalize(bytes))
        try preTokenizer.preTokenize(&text)
        return text
    }

    /// `process(_:)` with the validated copy, the piece list and (for a `SentencePieceNormalizer`'s
    /// one pass) the normalized text in `buffers`' spare arrays: the same result without
    /// allocating those per text (an encoder hands them back with `FrontEndBuffers.recycle(_:)`).
    /// Other normalizers, and pre-tokenizers that rewrite the text, allocate as in `process(_:)`.
    /// - Complexity: that of the normalizer and pre-tokenizer, O(n) for most.
    package func process(_ bytes: UnsafeBufferPointer<UInt8>, buffers: inout FrontEndBuffers) throws -> PreTokenizedText {
        var text = try NormalizedText(validating: bytes, policy: invalidUTF8, storage: buffers.takeBytes(minimumCapacity: bytes.count))
        if let sentencePieceNormalizer {
            try sentencePieceNormalizer.normalize(&text, buffers: &buffers)
        } else {
            try normalizer.normalize(&text)
        }
        var pieces = PreTokenizedText(text, pieces: buffers.takePieces())
        try preTokenizer.preTokenize(&pieces)
        return pieces
    }

    /// Validates and normalizes a slice of bytes.
    public func normalize(_ bytes: ArraySlice<UInt8>) throws -> NormalizedText {
        try bytes.withUnsafeBufferPointer { try normalize($0) }
    }

    /// Validates, normalizes and splits a slice of bytes.
    public func process(_ bytes: ArraySlice<UInt8>) throws -> PreTokenizedText {
        try bytes.withUnsafeBufferPointer { try process($0) }
    }

    /// Validates, normalizes and splits an array of bytes.
    public func process(_ bytes: [UInt8]) throws -> PreTokenizedText {
        try bytes.withUnsafeBufferPointer { try process($0) }
    }

    /// Validates, normalizes and splits a string.
    public func process(_ string: String) throws -> PreTokenizedText {
        try process(Array(string.utf8))
    }
}
