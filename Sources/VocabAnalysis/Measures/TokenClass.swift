import VocabKit

/// What a token id stands for, for the coverage measures.
enum TokenClass: UInt8, Sendable {
    case ordinary, unknown, byteFallback, special

    /// The class of every id of `model`: the unknown token, the byte-fallback pieces
    /// (`TokenVocabulary.bytePieceIds`), special tokens (by content, and SentencePiece's control,
    /// user-defined and unused pieces), the rest ordinary.
    static func classes(of model: TokenModel, specialTokens: [String]) -> [TokenClass] {
        var classes = [TokenClass](repeating: .ordinary, count: model.vocabularySize)
        for token in specialTokens {
            if let id = model.id(of: Array(token.utf8)) { classes[Int(id)] = .special }
        }
        for id in model.vocabulary.bytePieceIds where id != UInt32.max { classes[Int(id)] = .byteFallback }
        func markKinds(_ kinds: [UnigramModel.PieceKind]) {
            for (id, kind) in kinds.enumerated() {
                switch kind {
                case .unknown: classes[id] = .unknown
                case .byte: classes[id] = .byteFallback
                case .control, .userDefined, .unused: classes[id] = .special
                case .normal: break
                }
            }
        }
        switch model {
        case .bpe(let bpe):
            if let unknown = bpe.unknownToken { classes[Int(unknown)] = .unknown }
        case .wordPiece(let wordPiece): classes[Int(wordPiece.unknownToken)] = .unknown
        case .unigram(let unigram): markKinds(unigram.kinds)
        case .scoredBPE(let scored): markKinds(scored.kinds)
        case .hybrid(let hybrid):
            if let unknown = hybrid.spelling.unknownToken { classes[Int(unknown)] = .unknown }
        case .wordLevel(let word): classes[Int(word.unknownToken)] = .unknown
        }
        return classes
    }
}
