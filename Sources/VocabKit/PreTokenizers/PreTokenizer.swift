/// Normalized text cut into pieces (pre-tokens), each a byte range of `text.bytes`.
///
/// The model (BPE, WordPiece, Unigram, ...) then works inside each piece independently.
public struct PreTokenizedText: Sendable, Equatable {
    public var text: NormalizedText
    public var pieces: [Range<Int>]

    /// The whole text as one piece (no piece when the text is empty).
    public init(_ text: NormalizedText) {
        self.text = text
        self.pieces = text.bytes.isEmpty ? [] : [0..<text.bytes.count]
    }

    /// `init(_:)` with the piece list in `storage` (an empty array whose capacity is reused).
    /// - Complexity: O(1).
    init(_ text: NormalizedText, pieces storage: [Range<Int>]) {
        assert(storage.isEmpty)
        self.text = text
        var pieces = storage
        if !text.bytes.isEmpty { pieces.append(0..<text.bytes.count) }
        self.pieces = pieces
    }

    /// The pieces as strings.
    public var pieceStrings: [String] {
        pieces.map { String(decoding: text.bytes[$0], as: UTF8.self) }
    }

    /// The byte range of the original input that piece `index` came from.
    public func originalRange(ofPiece index: Int) -> Range<Int> {
        text.originalRange(of: pieces[index])
    }
}

/// The second stage of the pipeline: splits normalized text into pieces.
///
/// Most pre-tokenizers only cut (see `PieceSplitter`); a few also rewrite the text (Metaspace
/// replaces spaces with "▁"; ByteLevel may add a leading space), keeping the alignment.
public protocol PreTokenizer: Sendable {
    /// Splits every piece of `text` further (or rewrites it).
    func preTokenize(_ text: inout PreTokenizedText) throws
    /// This pre-tokenizer in the stage's registry (its name and `tokenizer.json` form). Every
    /// built-in type reports its own (the registry test checks each); a custom one defaults to
    /// nil, so it works everywhere but cannot be saved to a file.
    var component: PreTokenizerComponent? { get }
}

extension PreTokenizer {
    public var component: PreTokenizerComponent? { nil }
}

extension PreTokenizer {
    /// Normalized text in, pieces out (convenience for the edges and tests).
    public func preTokenize(_ string: String) throws -> [String] {
        var text = PreTokenizedText(NormalizedText(string))
        try preTokenize(&text)
        return text.pieceStrings
    }
}

/// A pre-tokenizer that only cuts each piece into smaller pieces.
public protocol PieceSplitter: PreTokenizer {
    /// Appends the pieces of `bytes[range]` to `pieces`, in order. Pieces must lie inside `range`
    /// and must not overlap; bytes they leave out (removed delimiters) are dropped.
    func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) throws
}

extension PieceSplitter {
    public func preTokenize(_ text: inout PreTokenizedText) throws {
        // About one piece per five bytes of English; reserving avoids most regrowth.
        let expected = max(text.pieces.count, text.text.bytes.count / 4 + 1)
        if text.pieces.count == 1 {
            // One piece (the whole text, when this is the first step): its pieces go into the
            // same array, whose capacity an encoder reuses from text to text (`FrontEndBuffers`).
            let whole = text.pieces[0]
            var pieces: [Range<Int>] = []
            swap(&pieces, &text.pieces)
            pieces.removeAll(keepingCapacity: true)
            pieces.reserveCapacity(expected)
            do {
                try text.text.bytes.withUnsafeBufferPointer { try split($0, whole, into: &pieces) }
            } catch {
                text.pieces = [whole]
                throw error
            }
            text.pieces = pieces
            return
        }
        var result: [Range<Int>] = []
        result.reserveCapacity(expected)
        try text.text.bytes.withUnsafeBufferPointer { p in
            for piece in text.pieces { try split(p, piece, into: &result) }
        }
        text.pieces = result
    }
}

/// Pre-tokenizers applied one after another, each to the pieces of the previous one.
public struct PreTokenizerSequence: PreTokenizer {
    public var steps: [any PreTokenizer]

    public init(_ steps: [any PreTokenizer]) { self.steps = steps }

    public func preTokenize(_ text: inout PreTokenizedText) throws {
        for step in steps { try step.preTokenize(&text) }
    }

    /// The sequence of its steps' components (nil when a step has none).
    public var component: PreTokenizerComponent? {
        let components = steps.compactMap(\.component)
        return components.count == steps.count ? .sequence(components) : nil
    }
}
