import VocabKit

/// A front end by names (see `FrontEndSpecification`).
public struct FrontEndNames: Sendable, Equatable, Codable {
    public var normalizer: String
    public var preTokenizers: [String]

    public init(normalizer: String, preTokenizers: [String]) {
        self.normalizer = normalizer
        self.preTokenizers = preTokenizers
    }

    /// SentencePiece's default front end: `nmt_nfkc`, then words with "▁" in front.
    public static let sentencePieceWords = FrontEndNames(normalizer: "nmt-nfkc", preTokenizers: ["metaspace"])

    /// "nmt-nfkc + metaspace": how reports and messages name it.
    public var description: String { "\(normalizer) + \(preTokenizers.joined(separator: " + "))" }

    public func frontEnd() throws -> TextFrontEnd {
        try TextFrontEnd(normalizer: normalizer, preTokenizers: preTokenizers)
    }
}
