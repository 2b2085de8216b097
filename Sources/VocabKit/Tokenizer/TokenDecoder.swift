/// How token strings join back into text (HuggingFace's decoders).
public enum TokenDecoder: Sendable, Equatable {
    /// Concatenate the tokens' bytes (byte-level BPE, tiktoken).
    case concatenate
    /// Replace the end-of-word suffix (such as "</w>") with a space, trim the end (HuggingFace `BPEDecoder`).
    case endOfWordSuffix(String)
    /// Drop the continuing-subword prefix (such as "##") and put a space before other tokens
    /// (HuggingFace `WordPiece` decoder); with `cleanup`, also BERT's clean-up of spaces before
    /// punctuation and contractions (" ." → ".", " n't" → "n't", ...).
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

    /// Joins token bytes into text bytes. `<0xAB>` byte-fallback tokens become their byte (a
    /// `huggingFace` chain does that only in its `byteFallback` step).
    /// Throws only for a `replaceRegex` step whose search fails (ICU's time limit).
    func join(_ tokens: [[UInt8]]) throws -> [UInt8] {
        if case .huggingFace(let steps) = self {
            return try steps.reduce(tokens) { try $1.apply($0) }.flatMap { $0 }
        }
        var out: [UInt8] = []
        var consumedLeadingSpace = false
        for (index, raw) in tokens.enumerated() {
            var token = raw
            if token.count == 6, token[0] == 0x3C, token[1] == 0x30, token[2] == 0x78, token[5] == 0x3E,
               let byte = UInt8(String(decoding: token[3..<5], as: UTF8.self), radix: 16) {
                out.append(byte)
                continue
            }
            switch self {
            case .concatenate, .huggingFace:
                break
            case .spaceSeparated:
                if index > 0 { out.append(0x20) }
            case .endOfWordSuffix(let suffix):
                let suffixBytes = Array(suffix.utf8)
                if !suffixBytes.isEmpty, token.count >= suffixBytes.count, Array(token.suffix(suffixBytes.count)) == suffixBytes {
                    token = Array(token.dropLast(suffixBytes.count)) + (index == tokens.count - 1 ? [] : [0x20])
                }
            case .continuingPrefix(let prefix, _):
                let prefixBytes = Array(prefix.utf8)
                if !prefixBytes.isEmpty && token.starts(with: prefixBytes) {
                    token = Array(token.dropFirst(prefixBytes.count))
                } else if index > 0 {
                    token = [0x20] + token
                }
            case .metaspace:
                token = replacingEscapedSpaces(token[...])
                if index == 0 && token.first == 0x20 { token.removeFirst() }
            case .sentencePiece(let options):
                var text = token[...]
                if out.isEmpty && !consumedLeadingSpace && options.stripsLeadingSpace {
                    // The first piece's "▁" came from the dummy prefix; with remove_extra_whitespaces
                    // every "▁" before the first visible text goes, otherwise only that one.
                    if text.starts(with: SentencePieceNormalizer.escapedSpace) {
                        text = text.dropFirst(3)
                        consumedLeadingSpace = !options.stripsAllLeadingSpaces
                    }
                }
                token = replacingEscapedSpaces(text)
            }
            out.append(contentsOf: token)
        }
        if case .continuingPrefix(_, true) = self {
            var text = String(decoding: out, as: UTF8.self)
            for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                               (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
                text = text.replacingOccurrences(of: from, with: to)
            }
            return Array(text.utf8)
        }
        return out
    }
}

/// "▁" (U+2581) → " ", byte by byte (a String comparison would miss a "▁" that a combining
/// mark follows).
func replacingEscapedSpaces(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = bytes.startIndex
    while i < bytes.endIndex {
        if bytes[i] == 0xE2 && i + 2 < bytes.endIndex && bytes[i + 1] == 0x96 && bytes[i + 2] == 0x81 {
            out.append(0x20)
            i += 3
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return out
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

extension TokenDecoder {
    /// The bytes that stand for token `id` before joining: SentencePiece's control pieces are
    /// empty and its unknown piece is the unknown surface.
    func piece(for id: UInt32, token: [UInt8]) -> [UInt8]? {
        guard case .sentencePiece(let options) = self else { return token }
        if options.controlIds.contains(id) { return nil }
        if id == options.unknownId { return Array(options.unknownSurface.utf8) }
        return token
    }
}

import Foundation
