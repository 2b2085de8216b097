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
