/// Every token's bytes in one buffer, by id, so decoding reads a token without retaining an
/// array per token (`Tokenizer.decodeBytes`).
///
/// Memory: the vocabulary's bytes plus 8 bytes per token (cl100k: about 1.5 MB). Built in
/// O(vocabulary bytes) when the tokenizer's model is set.
struct TokenBytesTable: Sendable {
    private let bytes: [UInt8]
    /// `ends[i]`: where token i ends in `bytes`; it starts where token i - 1 ends.
    private let ends: [Int]
    /// The model's byte-fallback piece for each byte (`TokenVocabulary.bytePieceIds`).
    private let bytePieceIds: [UInt32]

    init(_ vocabulary: any TokenVocabulary) {
        let tokens = vocabulary.tokens, bytePieceIds = vocabulary.bytePieceIds
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.reduce(0) { $0 + $1.count })
        var ends: [Int] = []
        ends.reserveCapacity(tokens.count)
        for token in tokens {
            bytes += token
            ends.append(bytes.count)
        }
        self.bytes = bytes
        self.ends = ends
        self.bytePieceIds = bytePieceIds.count == 256 ? bytePieceIds : []
    }

    /// The byte that token `id`, whose bytes are `token`, stands for when it is one of the
    /// model's byte-fallback pieces; nil for any other token, even one spelled `<0xAB>`. O(1).
    func fallbackByte(of id: UInt32, _ token: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard !bytePieceIds.isEmpty, let byte = DecoderStep.fallbackByte(token), bytePieceIds[Int(byte)] == id else { return nil }
        return byte
    }

    /// The number of tokens.
    var count: Int { ends.count }

    /// Calls `body` with the bytes of every id in `ids` below `count`, in order, and with nil for
    /// an id outside the table (the caller decides: an added token or an error). O(ids + bytes).
    func forEach(_ ids: some Collection<UInt32>, _ body: (UInt32, UnsafeBufferPointer<UInt8>?) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            try ends.withUnsafeBufferPointer { ends in
                for id in ids {
                    let index = Int(id)
                    guard index < ends.count else { try body(id, nil); continue }
                    let start = index == 0 ? 0 : ends[index - 1]
                    try body(id, UnsafeBufferPointer(rebasing: all[start..<ends[index]]))
                }
            }
        }
    }
}
