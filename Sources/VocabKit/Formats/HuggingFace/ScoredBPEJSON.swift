import Foundation

/// SentencePiece BPE (merges chosen by piece score) in `tokenizer.json`, which ranks merges by
/// position: the equivalent BPE model and front end, as HuggingFace's own converters for Llama
/// and Mistral build them.
///
/// 1. Merges: for every normal piece, every split into two
///    pieces that are both in the vocabulary, at character boundaries.
/// 2. Ranks: by the piece's score, highest first; a piece's splits by (left id, right id); equal
///    scores by piece id. SentencePiece merges the adjacent pair whose concatenation scores
///    highest, so this order gives its segmentations (checked in the cross-check against
///    `sentencepiece` and against llama.cpp's Llama 2 test vocabulary).
/// 3. Front end: `Prepend("▁")` (the dummy prefix) and `Replace(" ", "▁")`; the decoder replaces
///    "▁" with a space, turns `<0xAB>` tokens into bytes and strips the prefix's space.
/// Normalization maps and whitespace removal have no such form here; nor do user-defined pieces
/// (SentencePiece matches them inside the normalized text, where HuggingFace's added tokens match
/// the raw text and the dummy prefix then lands differently) or unused pieces (SentencePiece
/// splits them back, a merge list cannot). Those throw, naming the `.model` to write instead.
/// Equal scores are ordered by piece id; SentencePiece takes the leftmost of equal-scored pairs,
/// so overlapping equal-scored pieces could segment differently (none do in the checked models).
enum ScoredBPEJSON {
    /// The merges in rank order.
    /// - Complexity: O(Σ piece characters) lookups, then a sort of the merges.
    static func merges(_ model: ScoredBPEModel) -> [(UInt32, UInt32, UInt32)] {
        var candidates: [(score: Float, piece: UInt32, left: UInt32, right: UInt32)] = []
        for (index, piece) in model.pieces.enumerated() {
            guard model.kinds[index] == .normal else { continue }
            // Split points: every UTF-8 character boundary inside the piece.
            for cut in 1..<piece.count where piece[cut] & 0xC0 != 0x80 {
                guard let left = model.lookup.id(of: piece[..<cut]), let right = model.lookup.id(of: piece[cut...]) else { continue }
                candidates.append((model.scores[index], UInt32(index), left, right))
            }
        }
        candidates.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.piece != b.piece { return a.piece < b.piece }
            return (a.left, a.right) < (b.left, b.right)
        }
        return candidates.map { ($0.left, $0.right, $0.piece) }
    }

    /// The rank-ordered BPE model equivalent to `model`.
    static func equivalentModel(_ model: ScoredBPEModel) throws -> BPEModel {
        try BPEModel(tokens: model.pieces, merges: merges(model), isByteLevel: false, unknownToken: model.unknownId,
                     fusesUnknown: true, byteFallback: model.byteFallback)
    }

    /// The tokenizer with the equivalent model, front end and decoder, for writing.
    static func equivalent(_ tokenizer: Tokenizer, _ model: ScoredBPEModel) throws -> Tokenizer {
        guard let normalizer = tokenizer.frontEnd.normalizer as? SentencePieceNormalizer,
              tokenizer.frontEnd.preTokenizer.component?.flattened.isEmpty ?? false else {
            throw ModelError.invalidModel("this SentencePiece BPE front end has no tokenizer.json form; write a .model file")
        }
        guard normalizer.charsMap == nil, !normalizer.removesExtraWhitespace, normalizer.escapesWhitespace,
              !normalizer.treatsWhitespaceAsSuffix else {
            throw ModelError.invalidModel("tokenizer.json cannot state this SentencePiece normalizer (a normalization map or whitespace removal) with piece-score merges; write a .model file")
        }
        if let index = model.kinds.firstIndex(where: { $0 == .userDefined || $0 == .unused }) {
            let kind = model.kinds[index] == .userDefined ? "user-defined" : "unused"
            throw ModelError.invalidModel("piece \(index) (\(String(decoding: model.pieces[index], as: UTF8.self).debugDescription)) is \(kind), which tokenizer.json cannot state with piece-score merges; write a .model file")
        }
        let space = "\u{2581}"
        let steps: [any Normalizer] = (normalizer.addsDummyPrefix ? [Prepend(space)] : []) + [ReplaceLiteral(" ", with: space)]
        var converted = Tokenizer(frontEnd: TextFrontEnd(normalizer: NormalizerSequence(steps), preTokenizer: PreTokenizerSequence([])),
                                  model: .bpe(try equivalentModel(model)), addedTokens: tokenizer.addedTokens,
                                  decoder: normalizer.addsDummyPrefix ? .metaspace : .concatenate)
        converted.postProcessor = tokenizer.postProcessor
        converted.truncation = tokenizer.truncation
        converted.padding = tokenizer.padding
        converted.specialTokenIds = tokenizer.specialTokenIds
        return converted
    }
}
