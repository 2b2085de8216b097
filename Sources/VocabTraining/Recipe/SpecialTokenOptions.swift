/// Trainer options with special tokens and a required unknown token, so `Recipe` applies the
/// special-token settings the same way to each (Unigram, hybrid, word level).
protocol SpecialTokenOptions {
    var specialTokens: [String] { get set }
    var unknownToken: String { get set }
}

extension UnigramTrainerOptions: SpecialTokenOptions {}
extension HybridTrainerOptions: SpecialTokenOptions {}
extension WordLevelTrainerOptions: SpecialTokenOptions {}
