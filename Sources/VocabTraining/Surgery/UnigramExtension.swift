import VocabKit

extension VocabularyExtension {
    /// Continues Unigram training on new words: every base piece keeps its id, kind and score;
    /// new pieces follow with scores re-estimated by EM on the new corpus.
    ///
    /// 1. New characters: those the coverage rule keeps (as training does) that the base lacks.
    ///    They always stay.
    /// 2. Seeds: the trainer's repeated substrings of the new words, less the base's pieces.
    /// 3. EM over the base's normal pieces and the candidates: forward-backward on every word's
    ///    lattice, the base's scores frozen, the candidates' scores digamma(count) -
    ///    digamma(total expected count of all pieces), so that they compete on the scale of the
    ///    base's log probabilities. Candidates expected fewer than 0.5 times go.
    /// 4. Prune candidates only (the trainer's loss: likelihood lost when a piece's
    ///    occurrences fall to its second-best segmentation), keeping `shrinkingFactor` of them,
    ///    back to 3 until at most 1.1 x the room left.
    /// 5. The new characters, then the best-scored candidates up to `size`, by descending score.
    ///
    /// The encoder picks the most probable segmentation, not the shortest, so a new piece can
    /// lengthen some text the base covered (measured in the README: rare).
    /// - Complexity: the trainer's, with the base's pieces in every lattice. Memory: the words,
    ///   the seeds (at most `seedPieceCount`) and their lattices.
    static func extendUnigram(_ base: UnigramModel, words counts: WordCounts, size: Int,
                              threads: Int, progress: ((TrainingProgress) -> Void)?) throws -> UnigramModel {
        var options = UnigramTrainerOptions(vocabularySize: size)
        options.threads = threads
        let trainer = UnigramTrainer(options: options)
        let words = counts.words.filter { !$0.word.isEmpty }
        guard !words.isEmpty else { throw TrainingError.invalidOption("the corpus has no words to extend with") }
        let room = size - base.pieces.count
        // 1-2. The base's normal pieces (frozen), new characters (kept), then seeds.
        typealias Piece = UnigramTrainer.Piece
        var pieces: [Piece] = []
        var listed = Set(base.pieces)
        for id in base.pieces.indices where base.kinds[id] == .normal { pieces.append((base.pieces[id], base.scores[id])) }
        let frozen = pieces.count
        let required = try characterAlphabet(counts, limit: nil, coverage: options.characterCoverage)
        let seeds = trainer.seedPieces(words, required: required)
        let seedScore = Dictionary(seeds.map { ($0.piece, $0.score) }, uniquingKeysWith: { first, _ in first })
        let floor = seeds.map(\.score).min() ?? 0
        for character in required where !listed.contains(character) {
            pieces.append((character, seedScore[character] ?? floor))
            listed.insert(character)
        }
        let fixed = pieces.count
        guard fixed - frozen <= room else {
            throw TrainingError.vocabularyTooSmall(requested: size, minimum: base.pieces.count + fixed - frozen,
                                                   reason: "the base's \(base.pieces.count) pieces plus the \(fixed - frozen) characters of the corpus it lacks")
        }
        for seed in seeds where !listed.contains(seed.piece) {
            pieces.append(seed)
            listed.insert(seed.piece)
        }
        // 3-4. EM with the base frozen, pruning the candidates.
        let desired = max(room, Int(Double(room) * 1.1))
        var round = 0
        while true {
            var objective = 0.0
            for _ in 0..<max(1, options.subIterations) {
                let model = try trainer.trainingModel(pieces)
                let (expected, nll) = trainer.expectation(model, words)
                objective = nll
                pieces = trainer.maximization(pieces, expected: expected, frozen: frozen, fixed: fixed)
            }
            round += 1
            progress?(TrainingProgress(phase: "EM round \(round): \(pieces.count - frozen) new pieces, objective \(String(format: "%.4f", objective))",
                                       done: round, total: nil))
            let candidates = pieces.count - frozen
            if candidates <= desired { break }
            let target = frozen + max(desired, Int(options.shrinkingFactor * Double(candidates)))
            let pruned = try trainer.prune(pieces, words, target: target, fixed: fixed)
            if pruned.count == pieces.count { break }
            pieces = pruned
        }
        // 5. New characters, then the best candidates; all by descending score.
        let byScore = { (a: Piece, b: Piece) in a.score != b.score ? a.score > b.score : a.piece.lexicographicallyPrecedes(b.piece) }
        let candidates = pieces[fixed...].sorted(by: byScore).prefix(room - (fixed - frozen))
        let added = (pieces[frozen..<fixed] + candidates).sorted(by: byScore)
        return try UnigramModel(pieces: base.pieces + added.map(\.piece), scores: base.scores + added.map { Double(Float($0.score)) },
                                kinds: base.kinds + [UnigramModel.PieceKind](repeating: .normal, count: added.count),
                                unknownId: base.unknownId, byteFallback: base.byteFallback, flavor: base.flavor)
    }
}
