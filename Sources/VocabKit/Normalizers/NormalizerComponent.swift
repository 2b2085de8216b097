/// The normalizer stage's registry: every built-in normalizer as one case, with its short name
/// (`FrontEndSpecification`, the CLI), the type it builds, and (in
/// `Formats/HuggingFace/NormalizerJSON.swift`) its `tokenizer.json` form.
///
/// Every normalizer type reports its component (`Normalizer.component`, a protocol requirement),
/// and every switch over the cases is exhaustive, so a new normalizer cannot be half-registered:
/// the compiler asks for its name, its type and its file form. Adding one: a case here and in
/// `Kind`, then follow the compiler (`make`, `name`, `kind`, the JSON form) and add an example
/// to `examples`; the registry test checks that the examples cover every kind and round-trips
/// each.
public indirect enum NormalizerComponent: Sendable, Equatable {
    case unicodeForm(UnicodeForm)
    case lowercase
    /// NFD, drop combining marks, then NFC again when `recompose` (BERT's stripping does not).
    case stripAccents(recompose: Bool)
    /// Drop nonspacing marks (HuggingFace's `StripAccents`, which expects NFD input).
    case removeNonspacingMarks
    case removeControl
    case replaceWhitespace(collapse: Bool, keepNewlines: Bool)
    case strip(left: Bool, right: Bool)
    case bertClean
    case cjkSpacing
    /// SentencePiece's `nmt` rules: control characters removed, other spaces become " ".
    case sentencePieceWhitespace
    case prepend(String)
    case replaceLiteral(String, with: String)
    case replaceRegex(String, with: String)
    /// HuggingFace's `Precompiled`: a SentencePiece map applied by grapheme (`PrecompiledNormalizer`).
    case precompiled(PrecompiledCharsMap)
    case sequence([NormalizerComponent])

    /// The normalizer this component describes.
    public func make() throws -> any Normalizer {
        switch self {
        case .unicodeForm(let form): return UnicodeFormNormalizer(form)
        case .lowercase: return Lowercase()
        case .stripAccents(let recompose): return StripAccents(recompose: recompose)
        case .removeNonspacingMarks: return RemoveNonspacingMarks()
        case .removeControl: return RemoveControlCharacters()
        case .replaceWhitespace(let collapse, let keepNewlines): return ReplaceWhitespace(collapse: collapse, keepNewlines: keepNewlines)
        case .strip(let left, let right): return Strip(left: left, right: right)
        case .bertClean: return BertCleanText()
        case .cjkSpacing: return CJKIdeographSpacing()
        case .sentencePieceWhitespace: return SentencePieceWhitespaceRules()
        case .prepend(let prefix): return Prepend(prefix)
        case .replaceLiteral(let pattern, let content): return ReplaceLiteral(pattern, with: content)
        case .replaceRegex(let pattern, let content): return try ReplaceRegex(pattern: pattern, with: content)
        case .precompiled(let charsMap): return PrecompiledNormalizer(charsMap)
        case .sequence(let steps): return NormalizerSequence(try steps.map { try $0.make() })
        }
    }

    /// The short name `FrontEndSpecification` accepts for this component, if it has one.
    public var name: String? {
        switch self {
        case .unicodeForm(let form): return form.rawValue
        case .lowercase: return "lowercase"
        case .stripAccents(let recompose): return recompose ? "strip-accents" : "strip-accents-bert"
        case .removeControl: return "remove-control"
        case .replaceWhitespace(let collapse, let keepNewlines):
            return keepNewlines ? nil : collapse ? "collapse-whitespace" : "whitespace"
        case .strip(let left, let right):
            switch (left, right) {
            case (true, true): return "strip"
            case (true, false): return "strip-left"
            case (false, true): return "strip-right"
            case (false, false): return nil
            }
        case .bertClean: return "bert-clean"
        case .cjkSpacing: return "cjk-spacing"
        case .sentencePieceWhitespace: return "nmt"
        case .removeNonspacingMarks, .prepend, .replaceLiteral, .replaceRegex, .precompiled, .sequence: return nil
        }
    }

    /// Named sequences: BERT's normalizer (HuggingFace `BertNormalizer`), cased and uncased, and
    /// SentencePiece's default `nmt_nfkc`.
    public static let presets: [(name: String, steps: [NormalizerComponent])] = [
        ("none", []),
        ("bert", [.bertClean, .cjkSpacing, .stripAccents(recompose: false), .lowercase]),
        ("bert-cased", [.bertClean, .cjkSpacing]),
        ("nmt-nfkc", [.sentencePieceWhitespace, .unicodeForm(.nfkc), .replaceWhitespace(collapse: true, keepNewlines: false),
                      .strip(left: true, right: true)]),
    ]

    /// One component of every case, with every named variant (the registry test round-trips each).
    public static let examples: [NormalizerComponent] = UnicodeForm.allCases.map { .unicodeForm($0) } + [
        .lowercase, .stripAccents(recompose: true), .stripAccents(recompose: false), .removeNonspacingMarks, .removeControl,
        .replaceWhitespace(collapse: false, keepNewlines: false), .replaceWhitespace(collapse: true, keepNewlines: false),
        .replaceWhitespace(collapse: false, keepNewlines: true), .strip(left: true, right: true), .strip(left: true, right: false),
        .strip(left: false, right: true), .bertClean, .cjkSpacing, .sentencePieceWhitespace, .prepend("▁"),
        .replaceLiteral("``", with: "\""), .replaceRegex(" {2,}", with: " "), .sequence([.unicodeForm(.nfkc), .lowercase]),
        .precompiled(Self.exampleCharsMap),
    ]

    /// A two-rule map for `examples` ("ﬁ" → "fi", "Ⅳ" → "IV").
    private static let exampleCharsMap: PrecompiledCharsMap = {
        do {
            return try PrecompiledCharsMap(rules: [(Array("ﬁ".utf8), Array("fi".utf8)), (Array("Ⅳ".utf8), Array("IV".utf8))])
        } catch {
            preconditionFailure("a two-rule map always builds: \(error)")
        }
    }()

    /// The cases without their values, so a test can check that `examples` covers every case.
    public enum Kind: CaseIterable, Sendable {
        case unicodeForm, lowercase, stripAccents, removeNonspacingMarks, removeControl, replaceWhitespace, strip
        case bertClean, cjkSpacing, sentencePieceWhitespace, prepend, replaceLiteral, replaceRegex, precompiled, sequence
    }

    /// The case of this component.
    public var kind: Kind {
        switch self {
        case .unicodeForm: return .unicodeForm
        case .lowercase: return .lowercase
        case .stripAccents: return .stripAccents
        case .removeNonspacingMarks: return .removeNonspacingMarks
        case .removeControl: return .removeControl
        case .replaceWhitespace: return .replaceWhitespace
        case .strip: return .strip
        case .bertClean: return .bertClean
        case .cjkSpacing: return .cjkSpacing
        case .sentencePieceWhitespace: return .sentencePieceWhitespace
        case .prepend: return .prepend
        case .replaceLiteral: return .replaceLiteral
        case .replaceRegex: return .replaceRegex
        case .precompiled: return .precompiled
        case .sequence: return .sequence
        }
    }

    /// Every name `named(_:)` accepts: the components' names, then the presets.
    public static let names: [String] = examples.compactMap(\.name) + presets.map(\.name)

    /// The components of one name (a preset gives several), or nil for an unknown name.
    public static func named(_ name: String) -> [NormalizerComponent]? {
        if let preset = presets.first(where: { $0.name == name }) { return preset.steps }
        return examples.first { $0.name == name }.map { [$0] }
    }

    /// The steps of this component with nested sequences flattened.
    public var flattened: [NormalizerComponent] {
        if case .sequence(let steps) = self { return steps.flatMap(\.flattened) }
        return [self]
    }
}
