/// Builds normalizers and pre-tokenizers from short names, as the CLI and config files give them.
///
/// Normalizers are a comma-separated list applied in order, e.g. `nfkc,lowercase`. Names:
/// `nfc nfd nfkc nfkd nfkc-cf lowercase strip-accents strip-accents-bert remove-control whitespace
/// collapse-whitespace strip strip-left strip-right bert-clean cjk-spacing nmt none`, and the
/// presets `bert` (HuggingFace `BertNormalizer`: bert-clean, cjk-spacing, strip-accents-bert,
/// lowercase), `bert-cased` (bert-clean, cjk-spacing) and `nmt-nfkc` (SentencePiece's default:
/// nmt, nfkc, collapse-whitespace, strip).
///
/// A pre-tokenizer is one name: `gpt2 cl100k o200k llama3 byte-level byte-level-prefix whitespace
/// whitespace-split bert punctuation digits digits3 digit-runs scripts word-break
/// word-break:LOCALE metaspace metaspace-first metaspace-never`, or `regex:PATTERN` (each match a
/// piece) and `regex-BEHAVIOR:PATTERN` with BEHAVIOR one of `removed isolated
/// merged-with-previous merged-with-next contiguous`.
public enum FrontEndSpecification {
    /// Every normalizer name `normalizer(_:)` accepts.
    public static let normalizerNames = [
        "nfc", "nfd", "nfkc", "nfkd", "nfkc-cf", "lowercase", "strip-accents", "strip-accents-bert",
        "remove-control", "whitespace", "collapse-whitespace", "strip", "strip-left", "strip-right",
        "bert-clean", "cjk-spacing", "nmt", "none", "bert", "bert-cased", "nmt-nfkc",
    ]

    /// Every fixed pre-tokenizer name `preTokenizer(_:)` accepts (besides `regex:` forms and
    /// `word-break:LOCALE`).
    public static let preTokenizerNames = [
        "gpt2", "cl100k", "o200k", "llama3", "byte-level", "byte-level-prefix", "whitespace",
        "whitespace-split", "bert", "punctuation", "digits", "digits3", "digit-runs", "scripts",
        "word-break", "metaspace", "metaspace-first", "metaspace-never", "metaspace-whole",
    ]

    /// The normalizer for a comma-separated list of names.
    public static func normalizer(_ specification: String) throws -> NormalizerSequence {
        var steps: [any Normalizer] = []
        for rawName in specification.split(separator: ",", omittingEmptySubsequences: true) {
            let name = rawName.trimmingSpaces.lowercased()
            switch name {
            case "none": break
            case "nfc", "nfd", "nfkc", "nfkd", "nfkc-cf":
                steps.append(UnicodeFormNormalizer(UnicodeForm(rawValue: name)!))
            case "lowercase": steps.append(Lowercase())
            case "strip-accents": steps.append(StripAccents(recompose: true))
            case "strip-accents-bert": steps.append(StripAccents(recompose: false))
            case "remove-control": steps.append(RemoveControlCharacters())
            case "whitespace": steps.append(ReplaceWhitespace())
            case "collapse-whitespace": steps.append(ReplaceWhitespace(collapse: true))
            case "strip": steps.append(Strip())
            case "strip-left": steps.append(Strip(left: true, right: false))
            case "strip-right": steps.append(Strip(left: false, right: true))
            case "bert-clean": steps.append(BertCleanText())
            case "cjk-spacing": steps.append(CJKIdeographSpacing())
            case "nmt": steps.append(SentencePieceWhitespaceRules())
            case "bert":
                steps += [BertCleanText(), CJKIdeographSpacing(), StripAccents(recompose: false), Lowercase()]
            case "bert-cased":
                steps += [BertCleanText(), CJKIdeographSpacing()]
            case "nmt-nfkc":
                steps += [SentencePieceWhitespaceRules(), UnicodeFormNormalizer(.nfkc),
                          ReplaceWhitespace(collapse: true), Strip()]
            default:
                throw TextError.invalidSpecification(
                    "unknown normalizer '\(name)'; known: \(normalizerNames.joined(separator: ", "))")
            }
        }
        return NormalizerSequence(steps)
    }

    /// The pre-tokenizer for one name (see the type's documentation).
    public static func preTokenizer(_ specification: String) throws -> any PreTokenizer {
        if let colon = specification.firstIndex(of: ":") {
            let head = specification[..<colon].lowercased()
            let argument = String(specification[specification.index(after: colon)...])
            if head == "word-break" { return try WordBreakSplitter(locale: argument) }
            if head == "regex" { return try RegexSplitter(pattern: argument, behavior: .isolated) }
            if head.hasPrefix("regex-") {
                let behaviorName = head.dropFirst("regex-".count).split(separator: "-").enumerated()
                    .map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }
                    .joined()
                guard let behavior = SplitDelimiterBehavior(rawValue: behaviorName) else {
                    throw TextError.invalidSpecification(
                        "unknown split behavior in '\(head)'; use regex-removed, regex-isolated, "
                        + "regex-merged-with-previous, regex-merged-with-next or regex-contiguous")
                }
                return try RegexSplitter(pattern: argument, behavior: behavior)
            }
        }
        switch specification.trimmingSpaces.lowercased() {
        case "gpt2": return GPT2Splitter()
        case "cl100k": return CL100kSplitter.cl100k
        case "o200k": return O200kSplitter()
        case "llama3": return CL100kSplitter.llama3
        case "byte-level": return ByteLevel()
        case "byte-level-prefix": return ByteLevel(addsPrefixSpace: true)
        case "whitespace": return WordPunctuationSplitter()
        case "whitespace-split": return WhitespaceSplitter()
        case "bert": return BertPreTokenizer()
        case "punctuation": return PunctuationSplitter()
        case "digits": return DigitsSplitter(maxRun: 1)
        case "digits3": return DigitsSplitter(maxRun: 3)
        case "digit-runs": return DigitsSplitter(maxRun: nil)
        case "scripts": return UnicodeScriptSplitter()
        case "word-break": return try WordBreakSplitter()
        case "metaspace": return Metaspace(prependScheme: .always)
        case "metaspace-first": return Metaspace(prependScheme: .first)
        case "metaspace-never": return Metaspace(prependScheme: .never)
        case "metaspace-whole": return Metaspace(prependScheme: .always, splits: false)
        default:
            throw TextError.invalidSpecification(
                "unknown pre-tokenizer '\(specification)'; known: \(preTokenizerNames.joined(separator: ", ")), "
                + "word-break:LOCALE, regex:PATTERN, regex-BEHAVIOR:PATTERN")
        }
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
