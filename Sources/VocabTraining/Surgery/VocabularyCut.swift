import VocabKit

/// The nested smaller vocabulary of a trained tokenizer, as `vocab cut` writes it.
///
/// - BPE: the first k ids and the merges among them (merge order: for a tokenizer VocabKit or
///   HuggingFace trained, and tiktoken's ranks, this is training at k, as the sweep measures).
/// - WordPiece and word level: the first k ids (WordPiece's merge order).
/// - Unigram and SentencePiece BPE: every piece that is not a normal one (control, unknown,
///   user-defined, byte) and every single character, then the best-scored pieces; kept pieces
///   keep their order. The sweep cuts Unigram from its pruning rounds, which a file does not
///   hold, so a Unigram cut is the final model's best pieces, not a retraining.
///
/// A base symbol (a byte, a character no merge makes, a byte-fallback token) past k is an
/// error: cutting it would leave text the vocabulary cannot spell. Added tokens are all kept:
/// those past the cut get the ids after it, in their order; the post-processor, padding and
/// special-token ids follow. `idMap[old]` is the new id, or -1 for a dropped token.
public enum VocabularyCut {
    public struct Result: Sendable {
        public var tokenizer: Tokenizer
        /// Old id → new id (-1: dropped), for every id of the input (model and added tokens).
        public var idMap: [Int32]
        /// The tokens dropped from the model.
        public var dropped: Int
    }

    /// Cuts `tokenizer`'s model to `size` tokens.
    /// - Complexity: O(vocabulary + merges), plus building the smaller model's tables.
    public static func cut(_ tokenizer: Tokenizer, to size: Int) throws -> Result {
        let modelSize = tokenizer.model.vocabularySize
        guard size >= 1 else { throw TrainingError.invalidOption("the vocabulary size must be at least 1, not \(size)") }
        guard size < modelSize else {
            throw TrainingError.invalidOption("the model has \(modelSize) tokens; a cut must be smaller, not \(size)")
        }
        // 1. The model and the map of its ids.
        let (model, modelMap) = try cutModel(tokenizer.model, to: size, added: Set(tokenizer.addedTokens.map { Int($0.id) }))
        // 2. Added tokens, the post-processor, padding and special ids follow.
        let (result, idMap) = try SurgeryIds.assemble(tokenizer, model: model, modelMap: modelMap)
        return Result(tokenizer: result, idMap: idMap, dropped: modelSize - model.vocabularySize)
    }

    /// Whether `bytes` is one Unicode scalar, after `prefix` when it starts with it.
    static func isSingleCharacter(_ bytes: [UInt8], prefix: [UInt8]?) -> Bool {
        var body = bytes[...]
        if let prefix, !prefix.isEmpty, bytes.count > prefix.count, bytes.starts(with: prefix) { body = bytes[prefix.count...] }
        guard let text = String(validating: body, as: UTF8.self) else { return body.count == 1 }
        return text.unicodeScalars.count == 1
    }

    static func refuseBase(_ id: Int, _ token: [UInt8], size: Int) -> TrainingError {
        TrainingError.invalidOption("token \(id) (\(String(decoding: token, as: UTF8.self).debugDescription)) is a base symbol no merge makes, and it lies past \(size): the cut would leave text this vocabulary cannot spell. Choose a size above \(id), or use vocab prune, which keeps base symbols")
    }

    /// `added`: ids of added tokens, which are kept whatever the cut (as added tokens).
    private static func cutModel(_ model: TokenModel, to size: Int, added: Set<Int>) throws -> (TokenModel, [Int32]) {
        let prefixMap = (0..<model.vocabularySize).map { Int32($0 < size ? $0 : -1) }
        switch model {
        case .bpe(let m):
            // Base symbols: tokens no merge makes.
            var made = [Bool](repeating: false, count: m.tokens.count)
            for merge in m.merges { made[Int(merge.2)] = true }
            if let base = (size..<m.tokens.count).first(where: { !made[$0] && !added.contains($0) }) { throw refuseBase(base, m.tokens[base], size: size) }
            if let unknown = m.unknownToken, Int(unknown) >= size {
                throw TrainingError.invalidOption("the unknown token (id \(unknown)) lies past \(size); choose a larger size")
            }
            return (.bpe(try m.prefix(size: size)), prefixMap)
        case .wordPiece(let m):
            let tokens = m.tokens  // read once: it builds an array per token
            if let base = (size..<tokens.count).first(where: { !added.contains($0) && isSingleCharacter(tokens[$0], prefix: m.continuingSubwordPrefix) }) {
                throw refuseBase(base, tokens[base], size: size)
            }
            guard Int(m.unknownToken) < size else {
                throw TrainingError.invalidOption("the unknown token (id \(m.unknownToken)) lies past \(size); choose a larger size")
            }
            return (.wordPiece(try m.prefix(size: size)), prefixMap)
        case .unigram(let m):
            let keep = try bestScored(pieces: m.pieces, scores: m.scores, kinds: m.kinds, size: size)
            let cut = try UnigramModel(pieces: keep.map { m.pieces[$0] }, scores: keep.map { m.scores[$0] }, kinds: keep.map { m.kinds[$0] },
                                       unknownId: UInt32(keep.firstIndex(of: Int(m.unknownId))!), byteFallback: m.byteFallback, flavor: m.flavor)
            return (.unigram(cut), map(keep, count: m.pieces.count))
        case .scoredBPE(let m):
            let pieces = m.pieces   // built once: `ScoredBPEModel.pieces` makes the arrays on every call
            let keep = try bestScored(pieces: pieces, scores: m.scores.map(Double.init), kinds: m.kinds, size: size)
            let cut = try ScoredBPEModel(pieces: keep.map { pieces[$0] }, scores: keep.map { m.scores[$0] }, kinds: keep.map { m.kinds[$0] },
                                         unknownId: UInt32(keep.firstIndex(of: Int(m.unknownId))!), byteFallback: m.byteFallback)
            return (.scoredBPE(cut), map(keep, count: pieces.count))
        case .hybrid, .wordLevel:
            throw TrainingError.invalidOption("vocab cut cuts BPE, WordPiece, Unigram and SentencePiece BPE models, not \(model.kind) models; train the smaller size instead")
        }
    }

    /// The ids kept by a score cut: every non-normal piece and single character, then normal
    /// pieces by score (ties to the smaller id), in id order.
    private static func bestScored(pieces: [[UInt8]], scores: [Double], kinds: [UnigramModel.PieceKind], size: Int) throws -> [Int] {
        var required: [Int] = [], others: [Int] = []
        for id in pieces.indices {
            if kinds[id] != .normal || isSingleCharacter(pieces[id], prefix: nil) { required.append(id) } else { others.append(id) }
        }
        guard required.count <= size else {
            throw TrainingError.vocabularyTooSmall(requested: size, minimum: required.count,
                reason: "\(required.count) pieces are special, bytes or single characters, which a cut keeps")
        }
        others.sort { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        return (required + others.prefix(size - required.count)).sorted()
    }

    private static func map(_ keep: [Int], count: Int) -> [Int32] {
        var map = [Int32](repeating: -1, count: count)
        for (new, old) in keep.enumerated() { map[old] = Int32(new) }
        return map
    }
}
