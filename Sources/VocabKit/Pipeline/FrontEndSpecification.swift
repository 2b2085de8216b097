/// Builds normalizers and pre-tokenizers from short names, as the CLI and config files give them.
///
/// Normalizers are a comma-separated list applied in order, e.g. `nfkc,lowercase`; a pre-tokenizer
/// is one name, e.g. `gpt2`, `metaspace`, `word-break:th`, `regex:PATTERN` (each match a piece) or
/// `regex-BEHAVIOR:PATTERN` (HuggingFace's delimiter behaviors). The names are the registries'
/// (`NormalizerComponent.names` with its presets `bert`, `bert-cased` and `nmt-nfkc`, and
/// `PreTokenizerComponent.names`); `normalizerNames` and `preTokenizerNames` list them.
public enum FrontEndSpecification {
    /// Every normalizer name `normalizer(_:)` accepts (from the registry, `NormalizerComponent`).
    public static var normalizerNames: [String] { NormalizerComponent.names }

    /// Every fixed pre-tokenizer name `preTokenizer(_:)` accepts (besides `regex:` forms and
    /// `word-break:LOCALE`), from the registry (`PreTokenizerComponent`).
    public static var preTokenizerNames: [String] { PreTokenizerComponent.names }

    /// The normalizer for a comma-separated list of names.
    public static func normalizer(_ specification: String) throws -> NormalizerSequence {
        var steps: [NormalizerComponent] = []
        for rawName in specification.split(separator: ",", omittingEmptySubsequences: true) {
            let name = rawName.trimmingSpaces.lowercased()
            guard let components = NormalizerComponent.named(name) else {
                throw TextError.invalidSpecification(
                    "unknown normalizer '\(name)'; known: \(normalizerNames.joined(separator: ", "))")
            }
            steps += components
        }
        return NormalizerSequence(try steps.map { try $0.make() })
    }

    /// The pre-tokenizer for one name (see the type's documentation).
    public static func preTokenizer(_ specification: String) throws -> any PreTokenizer {
        guard let component = try PreTokenizerComponent.named(specification) else {
            throw TextError.invalidSpecification(
                "unknown pre-tokenizer '\(specification)'; known: \(preTokenizerNames.joined(separator: ", ")), "
                + "word-break:LOCALE, regex:PATTERN, regex-BEHAVIOR:PATTERN")
        }
        return try component.make()
    }

    /// The sequence of pre-tokenizers for a list of names.
    public static func preTokenizer(_ specifications: [String]) throws -> PreTokenizerSequence {
        PreTokenizerSequence(try specifications.map { try preTokenizer($0) })
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
