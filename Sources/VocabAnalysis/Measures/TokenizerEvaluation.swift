import Foundation
import VocabKit

/// Measures any tokenizer on held-out text: the sweep's measures without the sweep.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: "tokenizer.json"))
/// let m = try TokenizerEvaluation.evaluate(tokenizer, paths: ["heldout.txt"])
/// print(m.tokensPerWord, m.unknownRate, m.bytesPerToken)
/// ```
///
/// Added tokens are not matched in the text and post-processing (such as BERT's [CLS]/[SEP]) is
/// not applied: the measures are about the vocabulary. The compression gap is 0 (there is no
/// training text).
public enum TokenizerEvaluation {
    /// - Complexity: one front-end pass over the text and one encoding per distinct piece.
    public static func evaluate(_ tokenizer: Tokenizer, paths: [String], unit: CorpusUnit = .line, textKey: String? = nil,
                                contextLength: Int = 2048, rareThreshold: Int = 10) throws -> TokenizationMeasures {
        // 1. The text as one group in one fold.
        let corpus = try SweepCorpus(groups: [("text", paths)], unit: textKey == nil ? unit : .record, folds: 1, seed: 0,
                                     textKey: textKey, allowsOneFold: true)
        let text = try PreTokenizedCorpus(corpus, frontEnd: tokenizer.frontEnd)
        // 2. Encode distinct pieces, sum per unit.
        let classes = TokenClass.classes(of: tokenizer.model, specialTokens: tokenizer.addedTokens.map(\.content))
        return HeldOutMeasurement.measure(model: tokenizer.model, classes: classes, corpus: corpus, text: text,
                                          heldOut: Array(0..<corpus.unitCount), trainSample: [], contextLength: contextLength,
                                          rareThreshold: rareThreshold)[0].measures
    }
}
