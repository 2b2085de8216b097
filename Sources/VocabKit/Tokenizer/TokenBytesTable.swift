/// Every token's bytes in one buffer, by id, so decoding reads a token in place
/// (`forEach`, `slice`) without an array per token (`Tokenizer.decodeBytes`).
///
/// Memory: the vocabulary's bytes plus 8 bytes per token (cl100k: about 1.5 MB), none for a
/// SentencePiece BPE or WordPiece model (it shares the model's, `FlatTokenStorage`). Built in
/// O(vocabulary bytes) when the tokenizer's model is set.
struct TokenBytesTable: Sendable {
    /// Every token's bytes, by id.
    private let tokens: FlatByteStrings
    /// The model's byte-fallback piece for each byte (`TokenVocabulary.bytePieceIds`).
    private let bytePieceIds: [UInt32]

    init(_ vocabulary: any TokenVocabulary) {
        // SentencePiece BPE and WordPiece models keep their tokens in this form already: shared,
        // not copied.
        tokens = (vocabulary as? any FlatTokenStorage)?.tokenList ?? FlatByteStrings(vocabulary.tokens)
        let bytePieceIds = vocabulary.bytePieceIds
        self.bytePieceIds = bytePieceIds.count == 256 ? bytePieceIds : []
    }

    /// Token `id`'s bytes as a new array (`id` below `count`). O(its length).
    subscript(id: UInt32) -> [UInt8] { tokens[Int(id)] }

    /// Token `id`'s bytes in place, without a copy (`id` below `count`). O(1).
    func slice(_ id: UInt32) -> ArraySlice<UInt8> { tokens.bytes[tokens.range(Int(id))] }

    /// The byte that token `id`, whose bytes are `token`, stands for when it is one of the
    /// model's byte-fallback pieces; nil for any other token, even one spelled `<0xAB>`. O(1).
    func fallbackByte(of id: UInt32, _ token: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard !bytePieceIds.isEmpty, let byte = DecoderStep.fallbackByte(token), bytePieceIds[Int(byte)] == id else { return nil }
        return byte
    }

    /// The number of tokens.
    var count: Int { tokens.count }

    /// Calls `body` with the bytes of every id in `ids` below `count`, in order, and with nil for
    /// an id outside the table (the caller decides: an added token or an error). O(ids + bytes).
    func forEach(_ ids: some Collection<UInt32>, _ body: (UInt32, UnsafeBufferPointer<UInt8>?) throws -> Void) rethrows {
        try tokens.withView { view in
            for id in ids {
                try body(id, Int(id) < view.count ? view[Int(id)] : nil)
            }
        }
    }
}
