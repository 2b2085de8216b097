/// The result of encoding one text (or pair of texts): token ids with, for each token, the byte
/// range of the input it came from, its segment (type id), whether it is special, and whether it
/// is real or padding.
public struct Encoding: Sendable, Equatable {
    public var ids: [UInt32] = []
    /// Byte offsets into the input the token came from (empty ranges for added special tokens and
    /// padding; for a pair, offsets of the second sequence are into the second text).
    public var offsets: [Range<Int>] = []
    /// The segment of each token: 0 for the first sequence, 1 for the second (BERT's token types).
    public var typeIds: [UInt32] = []
    /// 1 for tokens the post-processor added ([CLS], [SEP]) and for padding.
    public var specialTokensMask: [UInt8] = []
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [UInt8] = []
    /// How many ill-formed UTF-8 sequences of the input were replaced by U+FFFD.
    public var replacedInvalidSequences = 0

    public init() {}

    public var count: Int { ids.count }

    /// Reserves room for `count` tokens in every per-token array.
    mutating func reserveCapacity(_ count: Int) {
        ids.reserveCapacity(count); offsets.reserveCapacity(count); typeIds.reserveCapacity(count)
        specialTokensMask.reserveCapacity(count); attentionMask.reserveCapacity(count)
    }

    /// Appends a token with its annotations.
    mutating func append(_ id: UInt32, offset: Range<Int>, typeId: UInt32 = 0, special: Bool = false, attended: Bool = true) {
        ids.append(id)
        offsets.append(offset)
        typeIds.append(typeId)
        specialTokensMask.append(special ? 1 : 0)
        attentionMask.append(attended ? 1 : 0)
    }

    /// Keeps the first (or last) `length` tokens.
    mutating func truncate(to length: Int, fromLeft: Bool) {
        guard count > length else { return }
        let range = fromLeft ? (count - length)..<count : 0..<length
        ids = Array(ids[range]); offsets = Array(offsets[range]); typeIds = Array(typeIds[range])
        specialTokensMask = Array(specialTokensMask[range]); attentionMask = Array(attentionMask[range])
    }
}
