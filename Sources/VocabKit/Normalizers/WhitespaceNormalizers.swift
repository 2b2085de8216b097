/// Replaces every whitespace character (Unicode White_Space) by one ASCII space.
///
/// With `collapse`, each run of whitespace becomes a single space instead (SentencePiece's
/// `remove_extra_whitespaces`, together with `Strip`). With `keepNewlines`, line feeds stay (and
/// end a run), so line structure survives.
///
/// - Complexity: O(n).
public struct ReplaceWhitespace: Normalizer {
    public var collapse: Bool
    public var keepNewlines: Bool

    public init(collapse: Bool = false, keepNewlines: Bool = false) {
        self.collapse = collapse
        self.keepNewlines = keepNewlines
    }

    public func normalize(_ text: inout NormalizedText) throws {
        var builder: NormalizedTextBuilder?
        text.bytes.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let (scalar, length) = decodeScalar(p, i)
                guard UnicodeTables.isWhiteSpace(scalar), !(keepNewlines && scalar == 0x0A) else {
                    i += length
                    continue
                }
                // A run of whitespace (one character unless collapsing).
                var end = i + length
                while collapse && end < p.count {
                    let (next, nextLength) = decodeScalar(p, end)
                    guard UnicodeTables.isWhiteSpace(next), !(keepNewlines && next == 0x0A) else { break }
                    end += nextLength
                }
                if end - i != 1 || p[i] != 0x20 {
                    if builder == nil { builder = NormalizedTextBuilder(source: text) }
                    builder!.keep(upTo: i)
                    builder!.replaceAlignedToLast(upTo: end, with: CollectionOfOne(UInt8(0x20)))
                }
                i = end
            }
        }
        if var builder { text = builder.finish() }
    }
}

/// Removes whitespace (Unicode White_Space) at the start and/or end of the text.
public struct Strip: Normalizer {
    public var left: Bool
    public var right: Bool

    public init(left: Bool = true, right: Bool = true) {
        self.left = left
        self.right = right
    }

    public func normalize(_ text: inout NormalizedText) throws {
        let (start, end) = text.bytes.withUnsafeBufferPointer { p -> (Int, Int) in
            var start = 0, end = p.count
            while left && start < end {
                let (scalar, length) = decodeScalar(p, start)
                guard UnicodeTables.isWhiteSpace(scalar) else { break }
                start += length
            }
            while right && end > start {
                var j = end - 1
                while p[j] & 0xC0 == 0x80 { j -= 1 }
                guard UnicodeTables.isWhiteSpace(decodeScalar(p, j).scalar) else { break }
                end = j
            }
            return (start, end)
        }
        guard start > 0 || end < text.bytes.count else { return }
        var builder = NormalizedTextBuilder(source: text)
        builder.replace(upTo: start, with: EmptyCollection())
        builder.keep(upTo: end)
        builder.replace(upTo: text.bytes.count, with: EmptyCollection())
        text = builder.finish()
    }
}

/// Removes control characters (Cc) except tab, line feed and carriage return.
///
/// Format characters (Cf) such as the zero-width joiner stay: emoji sequences need them.
public struct RemoveControlCharacters: Normalizer {
    public init() {}

    public func normalize(_ text: inout NormalizedText) throws {
        rewriteScalars(&text, keepsASCII: { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { scalar in
            UnicodeTables.category(scalar) == .control ? [] : nil
        }
    }
}

/// Replaces every occurrence of a literal string (HuggingFace's `Replace` with a string pattern).
public struct ReplaceLiteral: Normalizer {
    public let pattern: [UInt8]
    public let content: [UInt8]

    public init(_ pattern: String, with content: String) {
        self.pattern = Array(pattern.utf8)
        self.content = Array(content.utf8)
    }

    public func normalize(_ text: inout NormalizedText) throws {
        guard let first = pattern.first else { return }
        var builder: NormalizedTextBuilder?
        text.bytes.withUnsafeBufferPointer { p in
            var i = 0
            while i + pattern.count <= p.count {
                if p[i] == first && pattern.indices.allSatisfy({ p[i + $0] == pattern[$0] }) {
                    if builder == nil { builder = NormalizedTextBuilder(source: text) }
                    builder!.keep(upTo: i)
                    builder!.replaceAlignedToLast(upTo: i + pattern.count, with: content)
                    i += pattern.count
                } else {
                    i += 1
                }
            }
        }
        if var builder { text = builder.finish() }
    }
}

/// Puts a string in front of non-empty text (HuggingFace's `Prepend`, e.g. "▁" for Llama 2).
public struct Prepend: Normalizer {
    public let prefix: [UInt8]

    public init(_ prefix: String) { self.prefix = Array(prefix.utf8) }

    public func normalize(_ text: inout NormalizedText) throws {
        guard !text.bytes.isEmpty, !prefix.isEmpty else { return }
        var builder = NormalizedTextBuilder(source: text)
        builder.insert(prefix)
        text = builder.finish()
    }
}

/// Replaces every match of a regular expression (HuggingFace's `Replace` with a regex pattern).
/// A zero-width match inserts the replacement there, aligned to the character before it, as
/// HuggingFace does.
public struct ReplaceRegex: Normalizer {
    package let regex: ICURegex
    public let content: [UInt8]

    public init(pattern: String, with content: String) throws {
        self.regex = try ICURegex(pattern)
        self.content = Array(content.utf8)
    }

    public func normalize(_ text: inout NormalizedText) throws {
        let matches = try text.bytes.withUnsafeBufferPointer { try regex.matches(in: $0, 0..<$0.count, keepsEmpty: true) }
        guard !matches.isEmpty else { return }
        var builder = NormalizedTextBuilder(source: text)
        for match in matches {
            guard match.isEmpty, match.lowerBound > 0 else {
                builder.keep(upTo: match.lowerBound)
                if match.isEmpty { builder.insert(content) } else { builder.replaceAlignedToLast(upTo: match.upperBound, with: content) }
                continue
            }
            // An insertion takes the original range of the character before it, as in HuggingFace.
            var start = match.lowerBound - 1
            while start > 0 && text.bytes[start] & 0xC0 == 0x80 { start -= 1 }
            builder.keep(upTo: start)
            builder.replace(upTo: match.lowerBound, with: text.bytes[start..<match.lowerBound] + content)
        }
        text = builder.finish()
    }
}

// The registry entries (see NormalizerComponent).
extension ReplaceWhitespace { public var component: NormalizerComponent? { .replaceWhitespace(collapse: collapse, keepNewlines: keepNewlines) } }
extension Strip { public var component: NormalizerComponent? { .strip(left: left, right: right) } }
extension RemoveControlCharacters { public var component: NormalizerComponent? { .removeControl } }
extension ReplaceLiteral { public var component: NormalizerComponent? { .replaceLiteral(String(decoding: pattern, as: UTF8.self), with: String(decoding: content, as: UTF8.self)) } }
extension Prepend { public var component: NormalizerComponent? { .prepend(String(decoding: prefix, as: UTF8.self)) } }
extension ReplaceRegex { public var component: NormalizerComponent? { .replaceRegex(regex.pattern, with: String(decoding: content, as: UTF8.self)) } }
