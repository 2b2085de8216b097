/// A token that is matched in the input before the model sees it (HuggingFace's added tokens).
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var id: UInt32
    /// Special tokens (`<|endoftext|>`, `[CLS]`) are left out when decoding, unless asked.
    public var isSpecial: Bool
    /// Matched only as a whole word: not after or before a word character (`\w`).
    public var isSingleWord = false
    /// The whitespace before a match belongs to the token (RoBERTa's `<mask>`).
    public var stripsLeft = false
    /// The whitespace after a match belongs to the token.
    public var stripsRight = false
    /// Matched in the normalized text, its content normalized too (`"DOG"` with a lowercasing
    /// normalizer matches "dog", "Dog" and "DOG"); otherwise matched in the raw input.
    public var isNormalized = false

    public init(content: String, id: UInt32, isSpecial: Bool = true, isSingleWord: Bool = false,
                stripsLeft: Bool = false, stripsRight: Bool = false, isNormalized: Bool = false) {
        self.content = content
        self.id = id
        self.isSpecial = isSpecial
        self.isSingleWord = isSingleWord
        self.stripsLeft = stripsLeft
        self.stripsRight = stripsRight
        self.isNormalized = isNormalized
    }
}

/// What `encode` does with a special token's text found in the input (`<|endoftext|>`, `[CLS]`,
/// `<|im_start|>`): text from users must not become control tokens unless the caller says so.
/// Added tokens that are not special (vocabulary additions) are always matched.
public enum SpecialTokenPolicy: Sendable, Equatable {
    /// Every special token's text becomes its token (HuggingFace's `encode`, tiktoken's
    /// `allowed_special="all"`): for text the program built itself, such as a chat template.
    case recognized
    /// Special tokens' text is encoded as ordinary text (tiktoken's `encode_ordinary`,
    /// HuggingFace's `split_special_tokens=True`).
    case asText
    /// The named special tokens are recognized; any other special token's text is an error
    /// (`TextError.specialTokenInText`), as tiktoken's `encode` does by default. `.refused(except: [])`
    /// is the default of the `String` APIs.
    case refused(except: Set<String>)

    /// Whether a match of `token` is kept as the token (true), or throws.
    func admits(_ token: AddedToken, at offset: Int) throws -> Bool {
        guard token.isSpecial else { return true }
        switch self {
        case .recognized: return true
        case .asText: return false
        case .refused(let allowed):
            guard allowed.contains(token.content) else { throw TextError.specialTokenInText(token: token.content, offset: offset) }
            return true
        }
    }
}

/// The ids a model gives its special roles (beginning and end of sequence, unknown, padding,
/// separator, classifier, mask), as the file states them: GGUF's `tokenizer.ggml.*_token_id`
/// keys. Nil where the file names none. Encoding does not read them (the post-processor and
/// padding do the inserting); writers and model code do.
public struct SpecialTokenIds: Sendable, Equatable {
    public var beginOfSequence: UInt32?
    public var endOfSequence: UInt32?
    public var unknown: UInt32?
    public var padding: UInt32?
    public var separator: UInt32?
    public var classifier: UInt32?
    public var mask: UInt32?

    public init(beginOfSequence: UInt32? = nil, endOfSequence: UInt32? = nil, unknown: UInt32? = nil,
                padding: UInt32? = nil, separator: UInt32? = nil, classifier: UInt32? = nil, mask: UInt32? = nil) {
        self.beginOfSequence = beginOfSequence
        self.endOfSequence = endOfSequence
        self.unknown = unknown
        self.padding = padding
        self.separator = separator
        self.classifier = classifier
        self.mask = mask
    }

    /// Every id that is set, for validation.
    var all: [UInt32] {
        [beginOfSequence, endOfSequence, unknown, padding, separator, classifier, mask].compactMap { $0 }
    }
}

/// Finds added tokens in bytes: leftmost match first, the longest where several start there,
/// then each token's flags as HuggingFace applies them (a single-word match next to a word
/// character is skipped; stripping takes the whitespace around a match into it).
///
/// A 256-entry table of first bytes lets the scan skip every byte that cannot start a token, so
/// text without added tokens costs one load per byte. O(n · candidates per first byte).
struct AddedTokenMatcher: Sendable {
    private struct Candidate: Sendable {
        var bytes: [UInt8]
        var token: AddedToken
    }
    private var byFirstByte: [[Candidate]] = Array(repeating: [], count: 256)
    let isEmpty: Bool

    /// A matcher for `tokens`, each matched as `pattern(token)` spells it (its content, or its
    /// normalized content).
    init(_ tokens: [AddedToken], pattern: (AddedToken) -> String = { $0.content }) {
        var count = 0
        for token in tokens {
            let bytes = Array(pattern(token).utf8)
            guard !bytes.isEmpty else { continue }
            byFirstByte[Int(bytes[0])].append(Candidate(bytes: bytes, token: token))
            count += 1
        }
        for index in byFirstByte.indices { byFirstByte[index].sort { $0.bytes.count > $1.bytes.count } }
        isEmpty = count == 0
    }

    /// Every match in `p`, in order. Ranges include the whitespace a token strips. With
    /// `policy`, special tokens it does not admit are skipped (their text stays ordinary text)
    /// or throw.
    func matches(in p: UnsafeBufferPointer<UInt8>, policy: SpecialTokenPolicy = .recognized) throws -> [(range: Range<Int>, id: UInt32)] {
        guard !isEmpty else { return [] }
        var result: [(Range<Int>, UInt32)] = []
        var i = 0, previousEnd = 0
        while i < p.count {
            // The longest candidate that matches here and that the policy admits.
            var found: Candidate?
            for candidate in byFirstByte[Int(p[i])] where i + candidate.bytes.count <= p.count
                && candidate.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p.baseAddress! + i, $0.count) == 0 }) {
                if try policy.admits(candidate.token, at: i) {
                    found = candidate
                    break
                }
            }
            guard let candidate = found else {
                i += 1
                continue
            }
            var start = i, end = i + candidate.bytes.count
            let token = candidate.token
            i = end   // the search goes on after the match, kept or not
            if token.isSingleWord && (Self.isWordCharacter(before: start, in: p) || Self.isWordCharacter(at: end, in: p)) { continue }
            if token.stripsLeft {
                var s = start
                while s > 0, let (scalar, from) = Self.scalar(before: s, in: p), scalar.properties.isWhitespace { s = from }
                start = max(s, previousEnd)
            }
            if token.stripsRight {
                while end < p.count, let (scalar, length) = Self.scalar(at: end, in: p), scalar.properties.isWhitespace { end += length }
            }
            result.append((start..<end, token.id))
            previousEnd = end
        }
        return result
    }

    /// The scalar at `i` and its length, or nil for bytes that are not valid UTF-8 there.
    private static func scalar(at i: Int, in p: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        let length = UTF8Validation.sequenceLength(p, at: i)
        guard length > 0 else { return nil }
        return Unicode.Scalar(decodeScalar(p, i).scalar).map { ($0, length) }
    }

    /// The scalar that ends at `i` and where it starts.
    private static func scalar(before i: Int, in p: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        var start = i - 1
        while start > 0 && i - start < 4 && p[start] & 0xC0 == 0x80 { start -= 1 }
        guard let (scalar, length) = scalar(at: start, in: p), start + length == i else { return nil }
        return (scalar, start)
    }

    /// Rust's `\w`: alphabetic, marks, decimal digits, connector punctuation, joiners.
    private static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    private static func isWordCharacter(before i: Int, in p: UnsafeBufferPointer<UInt8>) -> Bool {
        i > 0 && (scalar(before: i, in: p).map { isWord($0.0) } ?? false)
    }

    private static func isWordCharacter(at i: Int, in p: UnsafeBufferPointer<UInt8>) -> Bool {
        i < p.count && (scalar(at: i, in: p).map { isWord($0.0) } ?? false)
    }
}

#if canImport(Glibc)
import Glibc
#endif
