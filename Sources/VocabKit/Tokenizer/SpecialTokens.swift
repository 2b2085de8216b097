/// A token that is matched in the raw input before normalization (HuggingFace's added tokens).
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var id: UInt32
    /// Special tokens (`<|endoftext|>`, `[CLS]`) can be skipped when decoding.
    public var isSpecial: Bool

    public init(content: String, id: UInt32, isSpecial: Bool = true) {
        self.content = content
        self.id = id
        self.isSpecial = isSpecial
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

/// Finds added tokens in raw bytes: leftmost match first, the longest where several start there.
///
/// A 256-entry table of first bytes lets the scan skip every byte that cannot start a token, so
/// text without special tokens costs one load per byte.
struct AddedTokenMatcher: Sendable {
    private var byFirstByte: [[(bytes: [UInt8], id: UInt32)]] = Array(repeating: [], count: 256)
    let isEmpty: Bool

    init(_ tokens: [AddedToken]) {
        for token in tokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            byFirstByte[Int(bytes[0])].append((bytes, token.id))
        }
        for index in byFirstByte.indices { byFirstByte[index].sort { $0.bytes.count > $1.bytes.count } }
        isEmpty = tokens.isEmpty
    }

    /// Every match in `p`, in order, without overlaps.
    func matches(in p: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, id: UInt32)] {
        guard !isEmpty else { return [] }
        var result: [(Range<Int>, UInt32)] = []
        var i = 0
        while i < p.count {
            let candidates = byFirstByte[Int(p[i])]
            var matched = false
            for candidate in candidates where i + candidate.bytes.count <= p.count {
                if candidate.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p.baseAddress! + i, $0.count) == 0 }) {
                    result.append((i..<(i + candidate.bytes.count), candidate.id))
                    i += candidate.bytes.count
                    matched = true
                    break
                }
            }
            if !matched { i += 1 }
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#endif
