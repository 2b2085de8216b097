/// How token strings join back into text (HuggingFace's decoders).
public enum TokenDecoder: Sendable, Equatable {
    /// Concatenate the tokens' bytes (byte-level BPE, tiktoken).
    case concatenate
    /// Replace the end-of-word suffix (such as "</w>") with a space, trim the end (HuggingFace `BPEDecoder`).
    case endOfWordSuffix(String)
    /// Drop the continuing-subword prefix (such as "##") and put a space before other tokens,
    /// except on the first token, which is kept as it is (HuggingFace `WordPiece` decoder); with
    /// `cleanup`, also BERT's clean-up of spaces before punctuation and contractions (" ." → ".",
    /// " n't" → "n't", ...).
    case continuingPrefix(String, cleanup: Bool = false)
    /// Replace "▁" with a space and drop the space at the very start (HuggingFace `Metaspace`).
    case metaspace
    /// The `sentencepiece` library's decoding: control pieces vanish, the unknown piece becomes
    /// `unknownSurface` (" ⁇ "), "▁" becomes a space, and the leading space that the dummy
    /// prefix added is dropped (every leading space with `stripsAllLeadingSpaces`).
    case sentencePiece(SentencePieceDecoding)
    /// Tokens joined with single spaces: what HuggingFace does when `tokenizer.json` has no
    /// decoder (word-level vocabularies over whitespace-split words).
    case spaceSeparated
    /// A `tokenizer.json` decoder exactly as `tokenizers` runs it: the steps in order over the
    /// token strings, then the strings concatenated (`DecoderStep`).
    case huggingFace([DecoderStep])

    /// Joins token bytes into text bytes. Without ids every token spelled `<0xAB>` is taken for a
    /// byte-fallback piece and becomes its byte (a `huggingFace` chain does that only in its
    /// `byteFallback` step); `Tokenizer.decode` asks the model which ids are byte pieces.
    /// Throws only for a `replaceRegex` step whose search fails (ICU's time limit).
    func join(_ tokens: [[UInt8]]) throws -> [UInt8] {
        if case .huggingFace(let steps) = self {
            return try steps.reduce(tokens) { try $1.apply($0) }.flatMap { $0 }
        }
        var joiner = TokenJoiner(self)
        for token in tokens { token.withUnsafeBufferPointer { joiner.append($0, asByte: DecoderStep.fallbackByte($0)) } }
        return joiner.finish()
    }
}

/// Joins tokens into text one at a time for the decoders that are not a `tokenizer.json` chain,
/// writing into one buffer (no array per token).
///
/// Complexity: O(bytes) per token; `finish()` O(output) (BERT's clean-up: 11 scans of the bytes).
struct TokenJoiner {
    let decoder: TokenDecoder
    private(set) var out: [UInt8] = []
    private var index = 0
    private var consumedLeadingSpace = false
    /// The last token ended with the end-of-word suffix, so a space follows it unless it is last.
    private var spaceIsPending = false
    /// Bytes already taken from the front of `out` (`take(keepingLast:)`).
    private var taken = 0
    /// The decoder's suffix or prefix as bytes.
    private let affix: [UInt8]

    init(_ decoder: TokenDecoder, capacity: Int = 0) {
        self.decoder = decoder
        switch decoder {
        case .endOfWordSuffix(let suffix): affix = Array(suffix.utf8)
        case .continuingPrefix(let prefix, _): affix = Array(prefix.utf8)
        default: affix = []
        }
        out.reserveCapacity(capacity)
    }

    /// Appends one token's text, or `byte` alone for a byte-fallback piece (the caller knows
    /// which ids are: `TokenBytesTable.fallbackByte(of:_:)`).
    mutating func append(_ token: UnsafeBufferPointer<UInt8>, asByte byte: UInt8? = nil) {
        defer { index += 1 }
        if spaceIsPending { out.append(0x20); spaceIsPending = false }
        if let byte {
            out.append(byte)
            return
        }
        switch decoder {
        case .concatenate, .huggingFace:
            out.append(contentsOf: token)
        case .spaceSeparated:
            if index > 0 { out.append(0x20) }
            out.append(contentsOf: token)
        case .endOfWordSuffix:
            if !affix.isEmpty, token.count >= affix.count, token.suffix(affix.count).elementsEqual(affix) {
                out.append(contentsOf: token.dropLast(affix.count))
                spaceIsPending = true
            } else {
                out.append(contentsOf: token)
            }
        case .continuingPrefix:
            // The first token keeps its prefix, as in `tokenizers` and BERT's own
            // `convert_tokens_to_string`: there is no word for it to continue.
            if index == 0 {
                out.append(contentsOf: token)
            } else if !affix.isEmpty && token.starts(with: affix) {
                out.append(contentsOf: token.dropFirst(affix.count))
            } else {
                out.append(0x20)
                out.append(contentsOf: token)
            }
        case .metaspace:
            let start = out.count
            appendReplacingEscapedSpaces(token[...])
            if index == 0 && out.count > start && out[start] == 0x20 { out.remove(at: start) }
        case .sentencePiece(let options):
            var text = token[...]
            if out.isEmpty && taken == 0 && !consumedLeadingSpace && options.stripsLeadingSpace {
                // The first piece's "▁" came from the dummy prefix; with remove_extra_whitespaces
                // every "▁" before the first visible text goes, otherwise only that one.
                if text.starts(with: SentencePieceNormalizer.escapedSpace) {
                    text = text.dropFirst(3)
                    consumedLeadingSpace = !options.stripsAllLeadingSpaces
                }
            }
            appendReplacingEscapedSpaces(text)
        }
    }

    /// "▁" (U+2581) → " ", byte by byte.
    private mutating func appendReplacingEscapedSpaces(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        var i = bytes.startIndex
        var run = i
        while i < bytes.endIndex {
            if bytes[i] == 0xE2 && i + 2 < bytes.endIndex && bytes[i + 1] == 0x96 && bytes[i + 2] == 0x81 {
                out.append(contentsOf: bytes[run..<i])
                out.append(0x20)
                i += 3
                run = i
            } else {
                i += 1
            }
        }
        out.append(contentsOf: bytes[run..<bytes.endIndex])
    }

    /// Removes the output but its last `held` bytes and returns it: a stream's new text. Joining
    /// goes on as if it were still there (every decoder here only appends, and looks back at most
    /// into the current token), so the pieces taken and `finish()` joined are the text of all the
    /// tokens at once, except for BERT's clean-up, which rewrites the whole output. O(bytes).
    mutating func take(keepingLast held: Int) -> [UInt8] {
        let text = Array(out[..<(out.count - held)])
        out.removeFirst(text.count)
        taken += text.count
        return text
    }

    /// The joined text; a pending end-of-word space is dropped (the last token's), and BERT's
    /// clean-up applied.
    mutating func finish() -> [UInt8] {
        spaceIsPending = false
        if case .continuingPrefix(_, true) = decoder {
            out = DecoderStep.cleanedUp(out)
        }
        return out
    }
}

/// How the `sentencepiece` library turns pieces back into text (see `TokenDecoder.sentencePiece`).
public struct SentencePieceDecoding: Sendable, Equatable {
    public var unknownId: UInt32
    public var unknownSurface: String
    /// Control pieces (<s>, </s>): decoded as nothing.
    public var controlIds: Set<UInt32>
    /// add_dummy_prefix or remove_extra_whitespaces.
    public var stripsLeadingSpace: Bool
    /// remove_extra_whitespaces.
    public var stripsAllLeadingSpaces: Bool

    public init(unknownId: UInt32, unknownSurface: String = " \u{2047} ", controlIds: Set<UInt32> = [],
                stripsLeadingSpace: Bool = true, stripsAllLeadingSpaces: Bool = true) {
        self.unknownId = unknownId
        self.unknownSurface = unknownSurface
        self.controlIds = controlIds
        self.stripsLeadingSpace = stripsLeadingSpace
        self.stripsAllLeadingSpaces = stripsAllLeadingSpaces
    }
}

extension SentencePieceDecoding {
    /// What piece `id` decodes as when it is not an ordinary piece: nothing for a control piece,
    /// the unknown surface for the unknown piece; nil for an ordinary piece (its own bytes).
    func specialSurface(for id: UInt32) -> [UInt8]? {
        if controlIds.contains(id) { return [] }
        if id == unknownId { return Array(unknownSurface.utf8) }
        return nil
    }
}

import Foundation
