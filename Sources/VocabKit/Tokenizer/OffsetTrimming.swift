/// Offsets without the spaces a token carries (HuggingFace's `trim_offsets` of the `ByteLevel`
/// and `RobertaProcessing` post-processors): "Ġworld" at 5..<11 maps to 6..<11.
///
/// Applied to each sequence of an encoding before special tokens are added, with or without
/// them, as `tokenizers` does. For each token, the spaces it starts and ends with (for
/// byte-level tokens the byte 0x20, which GPT-2's alphabet spells "Ġ"; for other tokens every
/// White_Space character) move its start forward and its end back, never past each other.
/// With `keepsPrefixSpace`, one leading space on the first token is kept (the pre-tokenizer
/// added it). O(tokens · spaces per token).
public struct OffsetTrimming: Sendable, Equatable {
    /// Keep a single leading space on the first token (`add_prefix_space`).
    public var keepsPrefixSpace: Bool

    public init(keepsPrefixSpace: Bool) {
        self.keepsPrefixSpace = keepsPrefixSpace
    }

    /// Trims `encoding`'s offsets into `text` (the bytes that were encoded); `token(i)` gives the
    /// bytes of token i and whether it is a byte-level model token. Spaces are counted in
    /// characters and offsets move by whole characters of `text`, as `tokenizers` does with its
    /// character offsets (a space that a pre-tokenizer added before "Ö" stands for all of "Ö").
    func apply(_ encoding: inout Encoding, text: UnsafeBufferPointer<UInt8>, token: (Int) -> (bytes: ArraySlice<UInt8>, byteLevel: Bool)) {
        for index in encoding.ids.indices {
            let (bytes, byteLevel) = token(index)
            var leading = Self.spaceCount(bytes, byteLevel: byteLevel, reversed: false)
            let trailing = Self.spaceCount(bytes, byteLevel: byteLevel, reversed: true)
            guard leading > 0 || trailing > 0 else { continue }
            var (start, end) = (encoding.offsets[index].lowerBound, encoding.offsets[index].upperBound)
            if leading > 0 {
                let isFirst = index == 0 || start == 0
                if isFirst && keepsPrefixSpace && leading == 1 { leading = 0 }
                for _ in 0..<leading where start < text.count { start += utf8SequenceLength(leading: text[start]) }
                start = min(start, end)
            }
            if trailing > 0 {
                // Only when the end is at least `trailing` characters from the start of the text.
                var back = end, steps = 0
                while steps < trailing && back > 0 {
                    back -= 1
                    while back > 0 && text[back] & 0xC0 == 0x80 { back -= 1 }
                    steps += 1
                }
                if steps == trailing { end = max(back, start) }
            }
            encoding.offsets[index] = start..<end
        }
    }

    /// How many spaces a token starts (or ends) with: the byte 0x20 for byte-level tokens
    /// (GPT-2's "Ġ"), White_Space characters and "Ġ" for other tokens.
    private static func spaceCount(_ bytes: ArraySlice<UInt8>, byteLevel: Bool, reversed: Bool) -> Int {
        if byteLevel {
            return reversed ? bytes.reversed().prefix { $0 == 0x20 }.count : bytes.prefix { $0 == 0x20 }.count
        }
        let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
        let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace || scalar == "\u{120}" }
        return reversed ? scalars.reversed().prefix(while: isSpace).count : scalars.prefix(while: isSpace).count
    }
}
