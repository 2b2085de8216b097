/// Checks that every id a tokenizer can emit lies in its vocabulary, so that a hostile or
/// hand-edited file is refused on load rather than producing ids no model has.
extension Tokenizer {
    /// How far added-token ids may lie past the model's ids and the added tokens themselves.
    /// Real files leave small gaps (cl100k's `<|endofprompt|>` is 100276, after 100256 ranks);
    /// an id like 4294967295 would make every table sized by the vocabulary huge.
    public static let maximumIdGap = 1 << 16

    /// Throws `ModelError.invalidModel` naming the first id out of range: an empty model, an
    /// added token past the ids the added tokens can extend the model by, a post-processor
    /// special token or the padding id outside the vocabulary.
    /// - Complexity: O(added tokens + template pieces).
    public func validate() throws {
        // 1. The model has tokens.
        let modelSize = model.vocabularySize
        guard modelSize > 0 else { throw ModelError.invalidModel("the model's vocabulary is empty") }
        // 2. A byte-level BPE without an unknown token must spell every byte, or text with a
        //    missing byte would lose it silently (HuggingFace drops it).
        if case .bpe(let bpe) = model, bpe.isByteLevel, bpe.unknownToken == nil,
           let missing = bpe.byteIds.firstIndex(of: UInt32.max) {
            let count = bpe.byteIds.filter { $0 == UInt32.max }.count
            throw ModelError.invalidModel(String(format: "the byte-level vocabulary has no token for byte 0x%02X", missing)
                + (count > 1 ? " and \(count - 1) other bytes" : "") + "; text with them could not be encoded. Add the 256 byte tokens (or an unk_token)")
        }
        // 3. Added tokens reuse model ids or extend them, with gaps of at most `maximumIdGap`.
        let addedLimit = modelSize + addedTokens.count + Tokenizer.maximumIdGap
        for token in addedTokens where Int(token.id) >= addedLimit {
            throw ModelError.invalidModel("added token \(token.content.debugDescription) has id \(token.id), more than \(Tokenizer.maximumIdGap) past the model's \(modelSize) ids and the \(addedTokens.count) added tokens")
        }
        // 4. Ids the post-processor and padding insert.
        let size = vocabularySize
        for piece in (postProcessor?.single ?? []) + (postProcessor?.pair ?? []) {
            if case .special(let name, let id, _) = piece, Int(id) >= size {
                throw ModelError.invalidModel("post-processor special token \(name.debugDescription) has id \(id), outside the vocabulary of \(size)")
            }
        }
        for id in specialTokenIds.all where Int(id) >= size {
            throw ModelError.invalidModel("special token id \(id) is outside the vocabulary of \(size)")
        }
        if let padding, Int(padding.padId) >= size {
            throw ModelError.invalidModel("padding id \(padding.padId) is outside the vocabulary of \(size)")
        }
        if let padding {
            if case .fixed(let length) = padding.length, !(0...Padding.maximumLength).contains(length) {
                throw ModelError.invalidModel("fixed padding length \(length) is not from 0 to \(Padding.maximumLength)")
            }
            if let multiple = padding.multipleOf, !(0...Padding.maximumLength).contains(multiple) {
                throw ModelError.invalidModel("padding multiple \(multiple) is not from 0 to \(Padding.maximumLength)")
            }
        }
    }
}
