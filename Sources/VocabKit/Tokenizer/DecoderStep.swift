/// One step of a HuggingFace decoder chain: it maps the list of token strings to a new list.
///
/// `tokenizer.json` decoders are read into a chain of these (`TokenDecoder.steps`), so each type
/// behaves exactly as in `tokenizers`: a `Sequence` runs its steps in order and the final list is
/// concatenated. Every step works on UTF-8 bytes and compares code points, never Swift
/// `Character`s (canonical equivalence would merge strings that `tokenizers` keeps apart).
/// Each step is O(total bytes) except `replaceRegex`, which costs the regular expression's search.
public enum DecoderStep: Sendable, Equatable {
    /// Tokens in GPT-2's byte alphabet become their bytes (a token with any other character
    /// stays as its own UTF-8); all of them are joined into one text, invalid UTF-8 replaced.
    case byteLevel
    /// Tokens spelled `<0xAB>` become their byte; each run of them becomes its text, or one
    /// U+FFFD per byte when the run is not valid UTF-8.
    case byteFallback
    /// All tokens joined into one.
    case fuse
    /// Removes up to `start` leading and `stop` trailing occurrences of `content` from every token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// Replaces every occurrence of `pattern` with `content` in every token.
    case replace(String, with: String)
    /// Replaces every match of the regular expression (ICU syntax) with `content` in every token.
    case replaceRegex(String, with: String)
    /// `replacement` becomes a space; in the first token, with a prepend scheme other than
    /// `never`, it is removed instead (HuggingFace's `Metaspace` decoder).
    case metaspace(replacement: Unicode.Scalar, prependsSpace: Bool)
    /// Every token but the first: the continuing prefix is removed, or a space is put before it;
    /// with `cleanup`, each token gets BERT's clean-up of spaces before punctuation.
    case wordPiece(prefix: String, cleanup: Bool)
    /// The end-of-word suffix becomes a space (nothing in the last token), wherever it occurs.
    case bpeSuffix(String)
    /// Connectionist temporal classification: repeated tokens collapse into one, the padding
    /// token disappears, and with `cleanup` the word delimiter becomes a space after BERT's clean-up.
    case ctc(padToken: String, wordDelimiter: String, cleanup: Bool)

    /// Applies the step to a list of token strings (as UTF-8).
    func apply(_ tokens: [[UInt8]]) throws -> [[UInt8]] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                bytes += ByteLevelAlphabet.decode(String(decoding: token, as: UTF8.self)) ?? token
            }
            return [Array(String(decoding: bytes, as: UTF8.self).utf8)]
        case .byteFallback:
            var out: [[UInt8]] = [], run: [UInt8] = []
            func flush() {
                guard !run.isEmpty else { return }
                if String(validating: run, as: UTF8.self) != nil {
                    out.append(run)
                } else {
                    out += Array(repeating: [0xEF, 0xBF, 0xBD], count: run.count)
                }
                run.removeAll()
            }
            for token in tokens {
                if let byte = Self.fallbackByte(token) {
                    run.append(byte)
                } else {
                    flush()
                    out.append(token)
                }
            }
            flush()
            return out
        case .fuse:
            return [tokens.flatMap { $0 }]
        case .strip(let content, let start, let stop):
            var unit: [UInt8] = []
            appendUTF8(content.value, to: &unit)
            return tokens.map { token in
                var lower = 0, upper = token.count
                for _ in 0..<start where lower + unit.count <= upper && token[lower..<(lower + unit.count)].elementsEqual(unit) {
                    lower += unit.count
                }
                for _ in 0..<stop where upper - unit.count >= lower && token[(upper - unit.count)..<upper].elementsEqual(unit) {
                    upper -= unit.count
                }
                return Array(token[lower..<upper])
            }
        case .replace(let pattern, let content):
            return tokens.map { replacingAll(Array(pattern.utf8), with: Array(content.utf8), in: $0) }
        case .replaceRegex(let pattern, let content):
            let regex = try ICURegex(pattern)
            return try tokens.map { token in
                let matches = try token.withUnsafeBufferPointer { try regex.matches(in: $0, 0..<$0.count) }
                var out: [UInt8] = [], position = 0
                for match in matches {
                    out += token[position..<match.lowerBound]
                    out += content.utf8
                    position = match.upperBound
                }
                return out + token[position...]
            }
        case .metaspace(let replacement, let prependsSpace):
            var unit: [UInt8] = []
            appendUTF8(replacement.value, to: &unit)
            return tokens.enumerated().map { index, token in
                replacingAll(unit, with: index == 0 && prependsSpace ? [] : [0x20], in: token)
            }
        case .wordPiece(let prefix, let cleanup):
            let prefixBytes = Array(prefix.utf8)
            return tokens.enumerated().map { index, token in
                var token = token
                if index > 0 {
                    if !prefixBytes.isEmpty && token.starts(with: prefixBytes) {
                        token.removeFirst(prefixBytes.count)
                    } else {
                        token.insert(0x20, at: 0)
                    }
                }
                return cleanup ? Self.cleanedUp(token) : token
            }
        case .bpeSuffix(let suffix):
            return tokens.enumerated().map { index, token in
                replacingAll(Array(suffix.utf8), with: index == tokens.count - 1 ? [] : [0x20], in: token)
            }
        case .ctc(let padToken, let wordDelimiter, let cleanup):
            var out: [[UInt8]] = []
            var previous: [UInt8]?
            for token in tokens where token != previous {
                previous = token
                var text = replacingAll(Array(padToken.utf8), with: [], in: token)
                if cleanup { text = replacingAll(Array(wordDelimiter.utf8), with: [0x20], in: Self.cleanedUp(text)) }
                if !text.isEmpty { out.append(text) }
            }
            return out
        }
    }

    /// The byte of a `<0xAB>` token (upper- or lower-case hex digits), or nil.
    static func fallbackByte<Token: RandomAccessCollection<UInt8>>(_ token: Token) -> UInt8? where Token.Index == Int {
        guard token.count == 6 else { return nil }
        let i = token.startIndex
        guard token[i] == 0x3C, token[i + 1] == 0x30, token[i + 2] == 0x78, token[i + 5] == 0x3E,
              let high = hexDigit(token[i + 3]), let low = hexDigit(token[i + 4]) else { return nil }
        return high << 4 | low
    }

    /// The value of an ASCII hex digit, or nil.
    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// BERT's clean-up of spaces before punctuation and in contractions, in `tokenizers`' order.
    static func cleanedUp(_ token: [UInt8]) -> [UInt8] {
        var text = token
        for (from, to) in Self.cleanupRules { text = replacingAll(from, with: to, in: text) }
        return text
    }

    /// Whether some clean-up rule could match in `bytes`: every rule starts with a space and
    /// then ".", "?", "!", ",", "'", "n't" or "do not"; most tokens have none of these. O(bytes).
    static func mayNeedCleanup(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            if bytes[i] == 0x20 {
                switch bytes[i + 1] {
                case UInt8(ascii: "."), UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: ","), UInt8(ascii: "'"), UInt8(ascii: "n"), UInt8(ascii: "d"):
                    return true
                default: break
                }
            }
            i += 1
        }
        return false
    }

    private static let cleanupRules: [([UInt8], [UInt8])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }
}

/// Every non-overlapping occurrence of `pattern` in `bytes`, left to right, replaced with
/// `content` (bytes unchanged for an empty pattern). O(n·m) worst case; patterns are a few bytes.
func replacingAll(_ pattern: [UInt8], with content: [UInt8], in bytes: [UInt8]) -> [UInt8] {
    guard !pattern.isEmpty, bytes.count >= pattern.count else { return bytes }
    // Most tokens hold no occurrence: find the first before allocating.
    let first = pattern[0], last = bytes.count - pattern.count
    var start = 0
    while start <= last && !(bytes[start] == first && bytes[start..<(start + pattern.count)].elementsEqual(pattern)) { start += 1 }
    guard start <= last else { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    out += bytes[..<start]
    var i = start
    while i < bytes.count {
        if bytes[i] == pattern[0] && i + pattern.count <= bytes.count && bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
            out += content
            i += pattern.count
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return out
}
