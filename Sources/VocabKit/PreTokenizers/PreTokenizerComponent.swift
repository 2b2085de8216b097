/// The pre-tokenizer stage's registry: every built-in pre-tokenizer as one case, with its short
/// name (`FrontEndSpecification`, the CLI), the type it builds, and (in
/// `Formats/HuggingFace/PreTokenizerJSON.swift`) its `tokenizer.json` form.
///
/// Every pre-tokenizer type reports its component (`PreTokenizer.component`, a protocol
/// requirement) and every switch over the cases is exhaustive, so a new pre-tokenizer cannot be
/// half-registered. Adding one: a case here and in `Kind`, then follow the compiler (`make`,
/// `name`, `kind`, the JSON form) and add an example to `examples`; the registry test checks
/// that the examples cover every kind and round-trips each.
public indirect enum PreTokenizerComponent: Sendable, Equatable {
    /// One of the published GPT-style patterns, with its hand-written splitter.
    case pattern(SplitPattern)
    case byteLevel(addsPrefixSpace: Bool, usesRegex: Bool)
    case regex(String, behavior: SplitDelimiterBehavior, invert: Bool)
    case literal(String, behavior: SplitDelimiterBehavior)
    /// Words and runs of punctuation (HuggingFace's `Whitespace`).
    case wordPunctuation
    case whitespaceSplit
    case bert
    case punctuation(SplitDelimiterBehavior)
    /// Runs of at most `maxRun` digits (nil: whole runs).
    case digits(maxRun: Int?)
    case unicodeScripts
    case metaspace(replacement: String, prependScheme: Metaspace.PrependScheme, splits: Bool)
    /// ICU word segmentation (VocabKit's own `tokenizer.json` type).
    case wordBreak(locale: String, keepsWhitespace: Bool)
    case sequence([PreTokenizerComponent])

    /// The pre-tokenizer this component describes.
    public func make() throws -> any PreTokenizer {
        switch self {
        case .pattern(let pattern): return pattern.splitter
        case .byteLevel(let prefix, let regex): return ByteLevel(addsPrefixSpace: prefix, usesRegex: regex)
        case .regex(let pattern, let behavior, let invert): return try RegexSplitter(pattern: pattern, behavior: behavior, invert: invert)
        case .literal(let delimiter, let behavior): return LiteralSplitter(delimiter, behavior: behavior)
        case .wordPunctuation: return WordPunctuationSplitter()
        case .whitespaceSplit: return WhitespaceSplitter()
        case .bert: return BertPreTokenizer()
        case .punctuation(let behavior): return PunctuationSplitter(behavior: behavior)
        case .digits(let maxRun): return DigitsSplitter(maxRun: maxRun)
        case .unicodeScripts: return UnicodeScriptSplitter()
        case .metaspace(let replacement, let scheme, let splits):
            guard replacement.count == 1, let character = replacement.first else {
                throw TextError.invalidSpecification("a Metaspace replacement must be one character, not \"\(replacement)\"")
            }
            return Metaspace(replacement: character, prependScheme: scheme, splits: splits)
        case .wordBreak(let locale, let keepsWhitespace): return try WordBreakSplitter(locale: locale, keepsWhitespace: keepsWhitespace)
        case .sequence(let steps): return PreTokenizerSequence(try steps.map { try $0.make() })
        }
    }

    /// The short name `FrontEndSpecification` accepts for this component, if it has one.
    public var name: String? {
        switch self {
        case .pattern(let pattern): return pattern.rawValue
        case .byteLevel(let prefix, let regex): return regex ? (prefix ? "byte-level-prefix" : "byte-level") : nil
        case .regex(let pattern, let behavior, let invert):
            guard !invert else { return nil }
            return behavior == .isolated ? "regex:\(pattern)" : "regex-\(Self.behaviorName(behavior)):\(pattern)"
        case .wordPunctuation: return "whitespace"
        case .whitespaceSplit: return "whitespace-split"
        case .bert: return "bert"
        case .punctuation(let behavior): return behavior == .isolated ? "punctuation" : nil
        case .digits(let maxRun):
            switch maxRun {
            case 1: return "digits"
            case 3: return "digits3"
            case nil: return "digit-runs"
            default: return nil
            }
        case .unicodeScripts: return "scripts"
        case .metaspace(let replacement, let scheme, let splits):
            guard replacement == "▁" else { return nil }
            switch (scheme, splits) {
            case (.always, true): return "metaspace"
            case (.first, true): return "metaspace-first"
            case (.never, true): return "metaspace-never"
            case (.always, false): return "metaspace-whole"
            default: return nil
            }
        case .wordBreak(let locale, let keepsWhitespace):
            guard !keepsWhitespace else { return nil }
            return locale.isEmpty ? "word-break" : "word-break:\(locale)"
        case .literal, .sequence: return nil
        }
    }

    /// "merged-with-previous" for `.mergedWithPrevious`: how `regex-BEHAVIOR:` names behaviors.
    static func behaviorName(_ behavior: SplitDelimiterBehavior) -> String {
        behavior.rawValue.reduce(into: "") { name, character in
            if character.isUppercase { name += "-" + character.lowercased() } else { name.append(character) }
        }
    }

    /// One component of every case, with every fixed-name variant (the registry test round-trips
    /// each).
    public static let examples: [PreTokenizerComponent] = SplitPattern.allCases.map { .pattern($0) } + [
        .byteLevel(addsPrefixSpace: false, usesRegex: true), .byteLevel(addsPrefixSpace: true, usesRegex: true),
        .byteLevel(addsPrefixSpace: false, usesRegex: false),
        .regex("\\p{P}", behavior: .isolated, invert: false), .regex("-", behavior: .mergedWithPrevious, invert: false),
        .regex("[a-z]+", behavior: .removed, invert: true), .literal("-", behavior: .removed), .wordPunctuation, .whitespaceSplit, .bert,
        .punctuation(.isolated), .punctuation(.contiguous), .digits(maxRun: 1), .digits(maxRun: 3), .digits(maxRun: nil), .unicodeScripts,
        .metaspace(replacement: "▁", prependScheme: .always, splits: true), .metaspace(replacement: "▁", prependScheme: .first, splits: true),
        .metaspace(replacement: "▁", prependScheme: .never, splits: true), .metaspace(replacement: "▁", prependScheme: .always, splits: false),
        .wordBreak(locale: "", keepsWhitespace: false), .wordBreak(locale: "th", keepsWhitespace: false),
        .sequence([.metaspace(replacement: "▁", prependScheme: .always, splits: true), .digits(maxRun: 1)]),
    ]

    /// The cases without their values, so a test can check that `examples` covers every case.
    public enum Kind: CaseIterable, Sendable {
        case pattern, byteLevel, regex, literal, wordPunctuation, whitespaceSplit, bert, punctuation, digits
        case unicodeScripts, metaspace, wordBreak, sequence
    }

    /// The case of this component.
    public var kind: Kind {
        switch self {
        case .pattern: return .pattern
        case .byteLevel: return .byteLevel
        case .regex: return .regex
        case .literal: return .literal
        case .wordPunctuation: return .wordPunctuation
        case .whitespaceSplit: return .whitespaceSplit
        case .bert: return .bert
        case .punctuation: return .punctuation
        case .digits: return .digits
        case .unicodeScripts: return .unicodeScripts
        case .metaspace: return .metaspace
        case .wordBreak: return .wordBreak
        case .sequence: return .sequence
        }
    }

    /// Every fixed name `named(_:)` accepts (besides `regex:PATTERN`, `regex-BEHAVIOR:PATTERN` and
    /// `word-break:LOCALE`).
    public static let names: [String] = examples.compactMap(\.name).filter { !$0.contains(":") }

    /// The component of one name, or nil for an unknown name.
    public static func named(_ name: String) throws -> PreTokenizerComponent? {
        if let colon = name.firstIndex(of: ":") {
            let head = name[..<colon].lowercased()
            let argument = String(name[name.index(after: colon)...])
            if head == "word-break" { return .wordBreak(locale: argument, keepsWhitespace: false) }
            if head == "regex" { return .regex(argument, behavior: .isolated, invert: false) }
            if head.hasPrefix("regex-") {
                let behaviorName = String(head.dropFirst("regex-".count))
                guard let behavior = SplitDelimiterBehavior.allCases.first(where: { Self.behaviorName($0) == behaviorName }) else {
                    throw TextError.invalidSpecification(
                        "unknown split behavior in '\(head)'; use "
                        + SplitDelimiterBehavior.allCases.map { "regex-" + Self.behaviorName($0) }.joined(separator: ", "))
                }
                return .regex(argument, behavior: behavior, invert: false)
            }
        }
        let key = name.trimmingSpaces.lowercased()
        return examples.first { $0.name == key }
    }

    /// The steps of this component with nested sequences flattened.
    public var flattened: [PreTokenizerComponent] {
        if case .sequence(let steps) = self { return steps.flatMap(\.flattened) }
        return [self]
    }
}
