import VocabKit

extension VocabularyExtension {
    /// Continues WordPiece training on new words: the base's tokens keep their ids, new tokens
    /// follow.
    ///
    /// 1. New characters: each character of the corpus seen `minFrequency` times or more that
    ///    the base lacks (as a word start or as a continuation), most frequent first, in both
    ///    forms, while the size allows.
    /// 2. Segment each distinct word greedily (longest match first, as the encoder does) with the
    ///    base plus the new characters; words that still hold an unknown character are skipped.
    /// 3. Merge the most frequent adjacent pair (ties: the smaller pair of ids) until `size`
    ///    tokens or no pair reaches `minFrequency`: the frequency criterion, as training does
    ///    by default. A pair that spells an existing token adds none.
    ///
    /// Greedy longest match is not monotone: a new token can make the encoder take a longer
    /// first match after which the rest of a word needs more pieces, so, unlike BPE, some words
    /// can encode to more tokens than before (measured in the README: rare).
    /// - Complexity: one base encoding per distinct word, then O(pairs re-scored · log pairs) per
    ///   merge. Memory: the distinct words as ids, about 40 bytes per distinct pair.
    static func extendWordPiece(_ base: WordPieceModel, words: WordCounts, size: Int, minFrequency: Int64,
                                progress: ((TrainingProgress) -> Void)?) throws -> WordPieceModel {
        let prefix = base.continuingSubwordPrefix
        let unknown = base.tokenString(base.unknownToken)
        let prefixText = String(decoding: prefix, as: UTF8.self)
        // 1. New characters.
        var tokens = base.tokens
        var known = Set(tokens)
        let ordered = characterCounts(words).filter { $0.value >= max(1, minFrequency) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (scalar, _) in ordered {
            var character: [UInt8] = []
            appendUTF8(scalar, to: &character)
            let forms = [character, prefix + character].filter { !known.contains($0) }
            guard !forms.isEmpty else { continue }
            guard tokens.count + forms.count <= size else { break }
            for form in forms {
                tokens.append(form)
                known.insert(form)
            }
        }
        let withCharacters = try WordPieceModel(tokens: tokens, unknownToken: unknown, continuingSubwordPrefix: prefixText,
                                                maxInputCharactersPerWord: base.maxInputCharactersPerWord)
        // 2. Greedy segmentation; the state's ids may differ from the model's when a file repeats a token.
        let unknownId = withCharacters.unknownToken
        var state = WordPieceState.segmented(words, by: .wordPiece(withCharacters), tokens: tokens, size: size,
                                                  minFrequency: minFrequency, prefix: prefixText,
                                                  maxInputCharacters: base.maxInputCharactersPerWord) { pieces in
            pieces.count >= 2 && !pieces.contains { $0.id == unknownId }
        }
        let firstNew = state.tokens.count
        let baseCount = withCharacters.vocabularySize
        // 3. Merges.
        while tokens.count < size, let _ = state.mergeBest() {
            if state.tokens.count - firstNew > tokens.count - baseCount {
                tokens.append(state.tokens[state.tokens.count - 1])
            }
            if let progress, tokens.count % 256 == 0 {
                progress(TrainingProgress(phase: "merge", done: tokens.count, total: size))
            }
        }
        return try WordPieceModel(tokens: tokens, unknownToken: unknown, continuingSubwordPrefix: prefixText,
                                  maxInputCharactersPerWord: base.maxInputCharactersPerWord)
    }
}
