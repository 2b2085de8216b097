import VocabKit

/// Removes tokens from a trained vocabulary by how they are used on a corpus, keeping a valid
/// tokenizer of the same kind, as `vocab prune` writes it.
///
/// Never removed: added and special tokens, the unknown token, base symbols (bytes, characters
/// no merge makes, WordPiece's single characters and their continuations, Unigram's non-normal
/// and single-character pieces).
///
/// 1. Encode the corpus (special-token text as text, no post-processing) and count each id as a
///    final token. For `.residue`, also count how often BPE builds each token on the way to the
///    final ones (each final token's merge tree, counted once per occurrence): residue is final
///    / built, near 0 for an intermediate product that is almost never a token of the output
///    (Picky BPE, LiteToken).
/// 2. Rank the removable tokens by the criterion, lowest first (ties: fewer final uses, then the
///    later id).
/// 3. Remove in that order until the model has `size` tokens. WordPiece and Unigram tokens are
///    simply dropped. A BPE token is dropped with the merge that makes it; each merge that uses
///    it is rewritten to another split of its result into two kept tokens (BPE applies a pair
///    whenever both exist, by rank, so the result stays reachable); a token with a merge that
///    has no such split is kept.
/// 4. Renumber: kept tokens keep their order (`SurgeryIds`).
/// - Complexity: one encoding of the corpus; BPE removal O(merges · token length) per removed
///   token with children. Memory: a count per id and the merge lists.
public enum VocabularyPrune {
    public enum Criterion: String, Sendable, CaseIterable {
        /// The fewest uses as a final token.
        case usage
        /// The lowest share of final uses among the times BPE builds the token (BPE only).
        case residue
    }

    public struct Result: Sendable {
        public var tokenizer: Tokenizer
        /// Old id → new id (-1: removed), for every id of the input.
        public var idMap: [Int32]
        /// Tokens removed, and removable ones kept because a merge needs them (BPE).
        public var removed: Int
        public var keptForMerges: Int
        /// Final-token occurrences on the corpus of the removed tokens, and of all tokens.
        public var removedUses: Int
        public var totalUses: Int
    }

    public static func prune(_ tokenizer: Tokenizer, to size: Int, by criterion: Criterion, texts: [String], threads: Int = 0) throws -> Result {
        let modelSize = tokenizer.model.vocabularySize
        guard size >= 1, size < modelSize else {
            throw TrainingError.invalidOption("the model has \(modelSize) tokens; prune to a smaller size of at least 1, not \(size)")
        }
        // 1. Final uses (and, for residue, builds).
        var uses = [Int](repeating: 0, count: modelSize)
        for encoding in try tokenizer.encodeBatch(texts, specialTokens: .asText, addsSpecialTokens: false, threads: threads) {
            for id in encoding.ids where Int(id) < modelSize { uses[Int(id)] += 1 }
        }
        let totalUses = uses.reduce(0, +)
        guard totalUses > 0 else { throw TrainingError.invalidOption("the corpus encodes to no tokens; give text the vocabulary is for") }
        let added = Set(tokenizer.addedTokens.map { Int($0.id) })
        switch tokenizer.model {
        case .bpe(let m):
            guard m.continuingSubwordPrefix == nil && m.endOfWordSuffix == nil else {
                throw TrainingError.invalidOption("vocab prune rewrites merges of BPE without a continuing-subword prefix or end-of-word suffix; this model has one")
            }
            var score = uses.map(Double.init)
            if criterion == .residue {
                let built = builtCounts(m, uses: uses)
                score = (0..<modelSize).map { built[$0] > 0 ? Double(uses[$0]) / Double(built[$0]) : 0 }
            }
            return try pruneBPE(tokenizer, m, size: size, score: score, uses: uses, added: added, totalUses: totalUses)
        case .wordPiece(let m):
            guard criterion == .usage else { throw residueOnlyBPE(tokenizer.model) }
            let tokens = m.tokens  // read once: it builds an array per token
            let removable = (0..<modelSize).filter {
                !added.contains($0) && UInt32($0) != m.unknownToken && !VocabularyCut.isSingleCharacter(tokens[$0], prefix: m.continuingSubwordPrefix)
            }
            let drop = try chooseDrop(removable, count: modelSize - size, uses: uses, score: uses.map(Double.init))
            let keep = (0..<modelSize).filter { !drop.contains($0) }
            let pruned = try WordPieceModel(tokens: keep.map { tokens[$0] }, unknownToken: m.tokenString(m.unknownToken),
                                            continuingSubwordPrefix: String(decoding: m.continuingSubwordPrefix, as: UTF8.self),
                                            maxInputCharactersPerWord: m.maxInputCharactersPerWord)
            return try finish(tokenizer, .wordPiece(pruned), keep: keep, uses: uses, totalUses: totalUses, kept: 0)
        case .unigram(let m):
            guard criterion == .usage else { throw residueOnlyBPE(tokenizer.model) }
            let removable = (0..<modelSize).filter {
                !added.contains($0) && m.kinds[$0] == .normal && !VocabularyCut.isSingleCharacter(m.pieces[$0], prefix: nil)
            }
            let drop = try chooseDrop(removable, count: modelSize - size, uses: uses, score: uses.map(Double.init))
            let keep = (0..<modelSize).filter { !drop.contains($0) }
            let pruned = try UnigramModel(pieces: keep.map { m.pieces[$0] }, scores: keep.map { m.scores[$0] }, kinds: keep.map { m.kinds[$0] },
                                          unknownId: UInt32(keep.firstIndex(of: Int(m.unknownId))!), byteFallback: m.byteFallback, flavor: m.flavor)
            return try finish(tokenizer, .unigram(pruned), keep: keep, uses: uses, totalUses: totalUses, kept: 0)
        case .scoredBPE, .hybrid, .wordLevel:
            throw TrainingError.invalidOption("vocab prune prunes BPE, WordPiece and Unigram models, not \(tokenizer.model.kind) models")
        }
    }

    private static func residueOnlyBPE(_ model: TokenModel) -> TrainingError {
        TrainingError.invalidOption("--by residue measures BPE's intermediate merge products; \(model.kind) models have none, use --by usage")
    }

    /// How often each token is built on the way to the final tokens: every final occurrence of
    /// t counts once for t and for every token of the merge tree that makes it.
    /// - Complexity: O(vocabulary) with the trees summed in merge order.
    static func builtCounts(_ m: BPEModel, uses: [Int]) -> [Int] {
        // The merge that first makes each token (by rank).
        var maker = [Int](repeating: -1, count: m.tokens.count)
        for (rank, merge) in m.merges.enumerated() where maker[Int(merge.2)] < 0 { maker[Int(merge.2)] = rank }
        // Built(t) = uses(t) + built of parents passing through t: push counts down from results
        // to parts, results first (a result always comes after its parts in merge order).
        var built = uses
        for rank in m.merges.indices.reversed() {
            let (left, right, result) = m.merges[rank]
            guard maker[Int(result)] == rank else { continue }
            built[Int(left)] += built[Int(result)]
            built[Int(right)] += built[Int(result)]
        }
        return built
    }

    /// The `count` removable ids with the lowest score (ties: fewer uses, then the later id).
    private static func chooseDrop(_ removable: [Int], count: Int, uses: [Int], score: [Double]) throws -> Set<Int> {
        guard removable.count >= count else {
            throw TrainingError.invalidOption("only \(removable.count) tokens can be removed (the rest are special, unknown or base symbols), not \(count)")
        }
        let ranked = removable.sorted { (score[$0], uses[$0], -$0) < (score[$1], uses[$1], -$1) }
        return Set(ranked.prefix(count))
    }

    private static func finish(_ tokenizer: Tokenizer, _ model: TokenModel, keep: [Int], uses: [Int], totalUses: Int, kept: Int) throws -> Result {
        var modelMap = [Int32](repeating: -1, count: tokenizer.model.vocabularySize)
        for (new, old) in keep.enumerated() { modelMap[old] = Int32(new) }
        let (result, idMap) = try SurgeryIds.assemble(tokenizer, model: model, modelMap: modelMap)
        let removedUses = (0..<uses.count).filter { modelMap[$0] < 0 }.reduce(0) { $0 + uses[$1] }
        return Result(tokenizer: result, idMap: idMap, removed: tokenizer.model.vocabularySize - keep.count, keptForMerges: kept,
                      removedUses: removedUses, totalUses: totalUses)
    }

    /// Phase 3 for BPE: remove tokens in rank order, rewriting the merges that use them.
    private static func pruneBPE(_ tokenizer: Tokenizer, _ m: BPEModel, size: Int, score: [Double], uses: [Int], added: Set<Int>,
                                 totalUses: Int) throws -> Result {
        let n = m.tokens.count
        var merges: [(UInt32, UInt32, UInt32)?] = m.merges.map { $0 }
        var made = [Bool](repeating: false, count: n)
        for merge in m.merges { made[Int(merge.2)] = true }
        // Merges by the tokens they use, and the pairs in use (a rewrite must not repeat one).
        var usedBy = [[Int]](repeating: [], count: n), makers = [[Int]](repeating: [], count: n)
        var pairs = Set<UInt64>()
        for (rank, merge) in m.merges.enumerated() {
            makers[Int(merge.2)].append(rank)
            usedBy[Int(merge.0)].append(rank)
            if merge.1 != merge.0 { usedBy[Int(merge.1)].append(rank) }
            pairs.insert(UInt64(merge.0) << 32 | UInt64(merge.1))
        }
        var ids: [[UInt8]: Int] = [:]
        for (id, token) in m.tokens.enumerated() { ids[token] = id }
        var removed = [Bool](repeating: false, count: n)
        let candidates = (0..<n).filter { made[$0] && !added.contains($0) && UInt32($0) != m.unknownToken }
            .sorted { (score[$0], uses[$0], -$0) < (score[$1], uses[$1], -$1) }
        var remaining = n, keptForMerges = 0
        for t in candidates where remaining > size {
            // A split of each child merge's result into two kept tokens other than t.
            var rewrites: [(Int, (UInt32, UInt32, UInt32))] = []
            var claimed = Set<UInt64>()
            var possible = true
            for rank in usedBy[t] {
                guard let merge = merges[rank], merge.0 == UInt32(t) || merge.1 == UInt32(t) else { continue }
                let bytes = m.tokens[Int(merge.2)]
                var found: (UInt32, UInt32)?
                for cut in 1..<bytes.count {
                    guard let p = ids[Array(bytes[..<cut])], let q = ids[Array(bytes[cut...])],
                          p != t, q != t, !removed[p], !removed[q] else { continue }
                    let key = UInt64(p) << 32 | UInt64(q)
                    guard !pairs.contains(key), !claimed.contains(key) else { continue }
                    found = (UInt32(p), UInt32(q))
                    claimed.insert(key)
                    break
                }
                guard let (p, q) = found else { possible = false; break }
                rewrites.append((rank, (p, q, merge.2)))
            }
            guard possible else { keptForMerges += 1; continue }
            // Remove t: its making merges, and rewrite the merges that used it.
            removed[t] = true
            remaining -= 1
            for rank in makers[t] {
                guard let merge = merges[rank] else { continue }
                pairs.remove(UInt64(merge.0) << 32 | UInt64(merge.1))
                merges[rank] = nil
            }
            for (rank, rewritten) in rewrites {
                let old = merges[rank]!
                pairs.remove(UInt64(old.0) << 32 | UInt64(old.1))
                pairs.insert(UInt64(rewritten.0) << 32 | UInt64(rewritten.1))
                merges[rank] = rewritten
                usedBy[Int(rewritten.0)].append(rank)
                if rewritten.1 != rewritten.0 { usedBy[Int(rewritten.1)].append(rank) }
            }
            usedBy[t] = []
        }
        guard remaining == size else {
            throw TrainingError.invalidOption("only \(n - remaining) tokens could be removed (\(keptForMerges) more are needed by merges that have no other split); prune to \(remaining) or more")
        }
        // Renumber tokens and merges.
        let keep = (0..<n).filter { !removed[$0] }
        var newId = [UInt32](repeating: .max, count: n)
        for (new, old) in keep.enumerated() { newId[old] = UInt32(new) }
        let rewritten = merges.compactMap { $0 }.map { (newId[Int($0.0)], newId[Int($0.1)], newId[Int($0.2)]) }
        var pruned = try BPEModel(tokens: keep.map { m.tokens[$0] }, merges: rewritten, isByteLevel: m.isByteLevel,
                                  ranksByResult: false, ignoresMerges: m.ignoresMerges,
                                  unknownToken: m.unknownToken.map { newId[Int($0)] }, fusesUnknown: m.fusesUnknown, byteFallback: m.byteFallback)
        pruned.continuingSubwordPrefix = nil
        return try finish(tokenizer, .bpe(pruned), keep: keep, uses: uses, totalUses: totalUses, kept: keptForMerges)
    }
}
