/// GPT-2's byte-to-character table: every byte gets a printable Unicode character, so byte-level
/// tokens can be written as strings in `vocab.json`/`tokenizer.json` (" " is "Ġ", "\n" is "Ċ").
///
/// Printable Latin-1 bytes (! to ~, ¡ to ¬, ® to ÿ) map to themselves; the other 68 bytes map to
/// U+0100 onward, in byte order.
public enum ByteLevelAlphabet {
    /// The character of each byte, as UTF-8.
    public static let characters: [[UInt8]] = {
        var result = [[UInt8]](repeating: [], count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            var utf8: [UInt8] = []
            appendUTF8(printable ? UInt32(byte) : next, to: &utf8)
            if !printable { next += 1 }
            result[byte] = utf8
        }
        return result
    }()

    /// The byte of each table character (by scalar value), for decoding.
    public static let bytesByScalar: [UInt32: UInt8] = {
        var result: [UInt32: UInt8] = [:]
        for (byte, utf8) in characters.enumerated() {
            let scalar = utf8.withUnsafeBufferPointer { decodeScalar($0, 0).scalar }
            result[scalar] = UInt8(byte)
        }
        return result
    }()

    /// The code point of the table character of `byte` (0x120 for the space, "Ġ").
    public static func scalarValue(of byte: UInt8) -> UInt32 {
        characters[Int(byte)].withUnsafeBufferPointer { decodeScalar($0, 0).scalar }
    }

    /// Maps raw bytes to their table characters ("Ġhello" for " hello").
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 2)
        for byte in bytes { utf8.append(contentsOf: characters[Int(byte)]) }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The byte of each table character by scalar value (all are below U+0144), or -1.
    private static let byteOfScalar: [Int16] = {
        var result = [Int16](repeating: -1, count: 0x144)
        for (scalar, byte) in bytesByScalar { result[Int(scalar)] = Int16(byte) }
        return result
    }()

    /// Maps table characters given as UTF-8 back to raw bytes; nil if a character is not in the
    /// table (or the bytes are not UTF-8). Same result as `decode(_: String)`, without a String.
    /// - Complexity: O(n), one table read per character.
    public static func decode(utf8 token: [UInt8]) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(token.count)
        var i = 0
        while i < token.count {
            let lead = token[i]
            let scalar: Int
            if lead < 0x80 {
                scalar = Int(lead)
                i += 1
            } else if lead >= 0xC2, lead < 0xE0, i + 1 < token.count, token[i + 1] & 0xC0 == 0x80 {
                scalar = Int(lead & 0x1F) << 6 | Int(token[i + 1] & 0x3F)
                i += 2
            } else {
                return nil  // a longer sequence is never a table character
            }
            guard scalar < byteOfScalar.count, byteOfScalar[scalar] >= 0 else { return nil }
            result.append(UInt8(byteOfScalar[scalar]))
        }
        return result
    }

    /// Maps table characters back to raw bytes; nil if a character is not in the table.
    public static func decode(_ string: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            guard let byte = bytesByScalar[scalar.value] else { return nil }
            result.append(byte)
        }
        return result
    }
}

/// GPT-2's `ByteLevel` pre-tokenizer: optionally a space in front, then the GPT-2 split.
///
/// Pieces stay raw bytes inside VocabKit (a byte-level model works on bytes); the
/// `ByteLevelAlphabet` characters appear only when tokens are written as strings.
public struct ByteLevel: PreTokenizer {
    /// Whether to put a space in front of each piece that does not start with one (GPT-2: false;
    /// RoBERTa: true), so the first word is encoded like the others.
    public let addsPrefixSpace: Bool
    /// Whether to split with the GPT-2 pattern (false when an earlier `Split` already did).
    public let usesRegex: Bool

    public init(addsPrefixSpace: Bool = false, usesRegex: Bool = true) {
        self.addsPrefixSpace = addsPrefixSpace
        self.usesRegex = usesRegex
    }

    public func preTokenize(_ text: inout PreTokenizedText) throws {
        if addsPrefixSpace {
            // Every piece that does not start with a space gets one, as HuggingFace does (so after
            // a WhitespaceSplit, each word does).
            let source = text.text.bytes
            var builder = NormalizedTextBuilder(source: text.text, extraCapacity: text.pieces.count)
            var rewritten: [Range<Int>] = []
            rewritten.reserveCapacity(text.pieces.count)
            for piece in text.pieces {
                builder.keep(upTo: piece.lowerBound)
                let start = builder.outputCount
                if source[piece.lowerBound] != 0x20 {
                    // The space and the first character become one region aligned with that
                    // character, as HuggingFace aligns a prepended space: a token that is only
                    // the space maps to the character after it, not to nothing.
                    let end = min(piece.upperBound, piece.lowerBound + utf8SequenceLength(leading: source[piece.lowerBound]))
                    builder.replace(upTo: end, with: [0x20] + source[piece.lowerBound..<end])
                }
                builder.keep(upTo: piece.upperBound)
                rewritten.append(start..<builder.outputCount)
            }
            text.text = builder.finish()
            text.pieces = rewritten
        }
        if usesRegex { try GPT2Splitter().preTokenize(&text) }
    }
}

// The registry entries (see PreTokenizerComponent).
extension ByteLevel { public var component: PreTokenizerComponent? { .byteLevel(addsPrefixSpace: addsPrefixSpace, usesRegex: usesRegex) } }
