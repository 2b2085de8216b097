/// Token ↔ id lookup and the special roles, symmetric for every model type.
///
/// A token is spelled as its vocabulary file spells it: "Ġworld" for byte-level BPE (GPT-2's
/// byte alphabet), "##ing" for WordPiece, "▁the" for SentencePiece, an added token's content.
extension Tokenizer {
    /// The id of a token as the vocabulary spells it, added tokens first; nil when absent.
    /// - Complexity: O(added tokens + token length).
    public func tokenId(for token: String) -> UInt32? {
        // Compared as bytes: Swift's String equality calls canonically equivalent tokens equal.
        let bytes = Array(token.utf8)
        if let added = addedTokens.last(where: { $0.content.utf8.elementsEqual(bytes) }) { return added.id }
        if model.isByteLevel {
            if let decoded = ByteLevelAlphabet.decode(token), let id = model.id(of: decoded) { return id }
            // A byte-level token outside GPT-2's alphabet is its own UTF-8 (an added token kept in
            // the model); raw text such as " " is not a spelling of "Ġ".
            if let id = model.id(of: bytes), self.token(for: id).map({ $0.utf8.elementsEqual(bytes) }) == true { return id }
            return nil
        }
        return model.id(of: bytes)
    }

    /// The token an id stands for, as the vocabulary spells it (the inverse of `tokenId(for:)`);
    /// nil outside the vocabulary.
    public func token(for id: UInt32) -> String? {
        if let added = addedTokens.last(where: { $0.id == id }) { return added.content }
        guard Int(id) < model.vocabularySize else { return nil }
        return model.tokenString(id)
    }

    /// The post-processor's special token before the text (BOS, [CLS]) and after it (EOS, [SEP]).
    private var templateEnds: (before: UInt32?, after: UInt32?) {
        let around = postProcessor?.specialIdsAroundText
        return (around?.before.last, around?.after.first)
    }

    /// The beginning-of-sequence id: the file's (`specialTokenIds`), else the special token the
    /// post-processor puts before the text.
    public var beginOfSequenceId: UInt32? { specialTokenIds.beginOfSequence ?? templateEnds.before }
    /// The end-of-sequence id: the file's, else the special token the post-processor puts after the text.
    public var endOfSequenceId: UInt32? { specialTokenIds.endOfSequence ?? templateEnds.after }
    /// The unknown token's id: the file's, else the model's.
    public var unknownId: UInt32? {
        if let id = specialTokenIds.unknown { return id }
        switch model {
        case .bpe(let bpe): return bpe.unknownToken
        case .wordPiece(let wordPiece): return wordPiece.unknownToken
        case .unigram(let unigram): return unigram.unknownId
        case .scoredBPE(let scored): return scored.unknownId
        case .wordLevel(let wordLevel): return wordLevel.unknownToken
        case .hybrid: return nil
        }
    }
    /// The padding id: the file's, else the padding setting's; nil when neither names one
    /// (never a silent 0).
    public var paddingId: UInt32? { specialTokenIds.padding ?? padding?.padId }
}

/// The method names of swift-transformers' `Tokenizer` protocol, so model code written against
/// it moves to VocabKit by changing its import. Differences: `encode` throws (a front end with a
/// custom regular expression can pass ICU's time limit on hostile text; VocabKit reports that
/// rather than crash or return nothing), so calls need `try`; chat templates and hub downloads
/// are out of scope (load a local folder with `Tokenizer(contentsOf:)`). As in swift-transformers,
/// these recognize special tokens' text (a rendered chat template has them); VocabKit's own
/// `encode(_:pair:)` refuses it by default.
extension Tokenizer {
    /// The ids of `text`, with the post-processor's special tokens (BOS, [CLS] ... [SEP]).
    public func encode(text: String) throws -> [Int] { try encode(text: text, addSpecialTokens: true) }

    /// The ids of `text`, with or without the post-processor's special tokens.
    public func encode(text: String, addSpecialTokens: Bool) throws -> [Int] {
        guard addSpecialTokens else { return try encodeIds(text, specialTokens: .recognized).map { Int($0) } }
        return try encode(text, specialTokens: .recognized, addsSpecialTokens: true).ids.map { Int($0) }
    }

    /// The pieces of `text` as the vocabulary spells them, without special tokens.
    public func tokenize(text: String) throws -> [String] {
        try encodeIds(text, specialTokens: .recognized).map { token(for: $0) ?? "" }
    }

    /// The text of `tokens`. Throws for an id outside the vocabulary (or a negative one).
    public func decode(tokens: [Int], skipSpecialTokens: Bool = false) throws -> String {
        let ids = try tokens.map { value -> UInt32 in
            guard let id = UInt32(exactly: value) else {
                throw ModelError.idOutOfRange(id: value, vocabularySize: vocabularySize)
            }
            return id
        }
        return try decode(ids, skipsSpecialTokens: skipSpecialTokens)
    }

    public func convertTokenToId(_ token: String) -> Int? { tokenId(for: token).map { Int($0) } }
    public func convertTokensToIds(_ tokens: [String]) -> [Int?] { tokens.map(convertTokenToId) }
    public func convertIdToToken(_ id: Int) -> String? { UInt32(exactly: id).flatMap { token(for: $0) } }
    public func convertIdsToTokens(_ ids: [Int]) -> [String?] { ids.map(convertIdToToken) }

    public var bosTokenId: Int? { beginOfSequenceId.map { Int($0) } }
    public var eosTokenId: Int? { endOfSequenceId.map { Int($0) } }
    public var unknownTokenId: Int? { unknownId.map { Int($0) } }
    public var padTokenId: Int? { paddingId.map { Int($0) } }
    public var bosToken: String? { beginOfSequenceId.flatMap { token(for: $0) } }
    public var eosToken: String? { endOfSequenceId.flatMap { token(for: $0) } }
    public var unknownToken: String? { unknownId.flatMap { token(for: $0) } }
    public var padToken: String? { paddingId.flatMap { token(for: $0) } }
}
