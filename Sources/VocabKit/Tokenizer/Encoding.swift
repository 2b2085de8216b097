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
    /// The windows truncation cut off (HuggingFace's `overflowing`), each processed like this
    /// encoding (special tokens, padding); empty without truncation. For a pair, the windows of
    /// both texts combine as in `tokenizers` (see `Encoding.merged(with:)`).
    public var overflowing: [Encoding] = []

    public init() {}

    public var count: Int { ids.count }

    /// Appends a plain token (segment 0, not special, attended) without its annotations, which
    /// `completeAnnotations()` adds for every such token at once: the encoder's loop then makes
    /// two appends per token instead of five. O(1) amortized.
    @inline(__always)
    mutating func appendPlain(_ id: UInt32, offset: Range<Int>) {
        ids.append(id)
        offsets.append(offset)
    }

    /// Gives the tokens added by `appendPlain` since the last call their annotations (segment 0,
    /// not special, attended). Called before anything else appends or reads. O(those tokens).
    mutating func completeAnnotations() {
        let missing = ids.count - typeIds.count
        guard missing > 0 else { return }
        typeIds.append(contentsOf: repeatElement(0, count: missing))
        specialTokensMask.append(contentsOf: repeatElement(0, count: missing))
        attentionMask.append(contentsOf: repeatElement(1, count: missing))
    }

    /// Appends a token with its annotations.
    package mutating func append(_ id: UInt32, offset: Range<Int>, typeId: UInt32 = 0, special: Bool = false, attended: Bool = true) {
        ids.append(id)
        offsets.append(offset)
        typeIds.append(typeId)
        specialTokensMask.append(special ? 1 : 0)
        attentionMask.append(attended ? 1 : 0)
    }

    /// The tokens in `range` (no overflowing windows).
    func slice(_ range: Range<Int>) -> Encoding {
        var part = Encoding()
        part.ids = Array(ids[range]); part.offsets = Array(offsets[range]); part.typeIds = Array(typeIds[range])
        part.specialTokensMask = Array(specialTokensMask[range]); part.attentionMask = Array(attentionMask[range])
        part.replacedInvalidSequences = replacedInvalidSequences
        return part
    }

    /// Keeps the first (or last) `length` tokens; the rest become `overflowing` windows of at
    /// most `length` tokens, each overlapping the one before by `stride` tokens (HuggingFace's
    /// `Encoding::truncate`). A stride of `length` or more is taken as `length - 1`.
    /// - Complexity: O(count · length / (length - stride)).
    mutating func truncate(to length: Int, stride: Int = 0, fromLeft: Bool) {
        guard count > length else { return }
        guard length > 0 else {
            let all = self
            self = slice(0..<0)
            overflowing = [all]
            return
        }
        let step = length - min(stride, length - 1)
        var windows: [Range<Int>] = []
        if fromLeft {
            var stop = count
            while true {
                let start = max(0, stop - length)
                windows.append(start..<stop)
                if start == 0 { break }
                stop -= step
            }
        } else {
            var start = 0
            while true {
                let stop = min(start + length, count)
                windows.append(start..<stop)
                if stop == count { break }
                start += step
            }
        }
        let whole = self
        self = whole.slice(windows[0])
        overflowing = windows.dropFirst().map { whole.slice($0) }
    }

    /// This encoding followed by `other`, with the windows of both combined as `tokenizers`
    /// combines them (`Encoding::merge_with`): each of this encoding's windows followed by
    /// `other` and by each of its windows, then this encoding followed by each of `other`'s.
    /// Each window is merged the same way, so windows nest. For a pair with a windows and b
    /// windows that is O(a · b) encodings, as in `tokenizers`.
    public func merged(with other: Encoding) -> Encoding {
        var windows: [Encoding] = []
        for window in overflowing {
            windows.append(window.merged(with: other))
            for otherWindow in other.overflowing { windows.append(window.merged(with: otherWindow)) }
        }
        for otherWindow in other.overflowing { windows.append(merged(with: otherWindow)) }
        var joined = self
        joined.ids += other.ids; joined.offsets += other.offsets; joined.typeIds += other.typeIds
        joined.specialTokensMask += other.specialTokensMask; joined.attentionMask += other.attentionMask
        joined.replacedInvalidSequences += other.replacedInvalidSequences
        joined.overflowing = windows
        return joined
    }
}

extension Encoding {
    /// This encoding with every type id (its windows' too) set to `typeId`.
    func withTypeIds(_ typeId: UInt32) -> Encoding {
        var copy = self
        copy.typeIds = Array(repeating: typeId, count: count)
        copy.overflowing = overflowing.map { $0.withTypeIds(typeId) }
        return copy
    }
}
