/// SentencePiece-style whitespace: replaces every space with "▁" (U+2581), optionally puts one in
/// front, and splits before each "▁" (HuggingFace's `Metaspace`).
///
/// "Hello world" becomes "▁Hello", "▁world" with the default `.always` prepend scheme.
public struct Metaspace: PreTokenizer {
    /// When a "▁" is put in front of a piece that does not start with one.
    public enum PrependScheme: String, Sendable, CaseIterable {
        /// Every piece (SentencePiece's `add_dummy_prefix`).
        case always
        /// Only a piece that starts at offset 0 of the original input (as HuggingFace decides it),
        /// so text that normalization stripped at the front gets no prefix.
        case first
        /// Never.
        case never
    }

    public let replacement: [UInt8]
    public let prependScheme: PrependScheme
    /// Whether to split before each replacement character (otherwise only rewrite).
    public let splits: Bool

    public init(replacement: Character = "▁", prependScheme: PrependScheme = .always, splits: Bool = true) {
        self.replacement = Array(String(replacement).utf8)
        self.prependScheme = prependScheme
        self.splits = splits
    }

    public func preTokenize(_ text: inout PreTokenizedText) throws {
        // 1. Rewrite: spaces become the replacement; a replacement goes in front of each piece the
        //    scheme selects, unless the piece already starts with one (or with a space).
        let source = text.text.bytes
        var builder = NormalizedTextBuilder(source: text.text, extraCapacity: source.count / 2 + 8)
        var rewritten: [Range<Int>] = []
        rewritten.reserveCapacity(text.pieces.count)
        for piece in text.pieces {
            builder.keep(upTo: piece.lowerBound)
            let start = builder.outputCount
            let wantsPrefix: Bool
            switch prependScheme {
            case .always: wantsPrefix = true
            case .first: wantsPrefix = text.text.originalRange(of: piece).lowerBound == 0
            case .never: wantsPrefix = false
            }
            if wantsPrefix && source[piece].first != 0x20 && !source[piece].starts(with: replacement) {
                // Aligned with the first character (see `ByteLevel`): the replacement alone
                // maps to the character after it, as in HuggingFace.
                let end = min(piece.upperBound, piece.lowerBound + utf8SequenceLength(leading: source[piece.lowerBound]))
                builder.replace(upTo: end, with: replacement + source[piece.lowerBound..<end])
            }
            for i in piece where source[i] == 0x20 {
                builder.keep(upTo: i)
                builder.replace(upTo: i + 1, with: replacement)
            }
            builder.keep(upTo: piece.upperBound)
            rewritten.append(start..<builder.outputCount)
        }
        text.text = builder.finish()
        text.pieces = rewritten
        // 2. Split before each replacement character.
        if splits {
            try LiteralSplitter(String(decoding: replacement, as: UTF8.self), behavior: .mergedWithNext)
                .preTokenize(&text)
        }
    }
}

// The registry entries (see PreTokenizerComponent).
extension Metaspace { public var component: PreTokenizerComponent? { .metaspace(replacement: String(decoding: replacement, as: UTF8.self), prependScheme: prependScheme, splits: splits) } }
