/// The result of encoding one text: token ids with the byte range of the original input that
/// each token came from.
public struct Encoding: Sendable, Equatable {
    public var ids: [UInt32] = []
    /// Byte offsets into the original input, one range per token.
    public var offsets: [Range<Int>] = []
    /// How many ill-formed UTF-8 sequences of the input were replaced by U+FFFD.
    public var replacedInvalidSequences = 0

    public init() {}

    public var count: Int { ids.count }
}
