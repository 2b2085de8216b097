import Foundation

/// The `pre_tokenizer` section of `tokenizer.json`.
enum PreTokenizerJSON {
    /// ICU word segmentation, which HuggingFace has no pre-tokenizer for: VocabKit writes it under
    /// its own type, so VocabKit reads such files back and other libraries refuse them (as they
    /// refuse the hybrid model) instead of splitting differently.
    static let wordBreakType = "VocabKitWordBreak"

    static func behavior(_ name: String, in object: JSONObject) throws -> SplitDelimiterBehavior {
        guard let behavior = SplitDelimiterBehavior.allCases.first(where: { $0.jsonName == name }) else {
            throw object.error("unknown split behavior \"\(name)\"")
        }
        return behavior
    }

    /// The published patterns as HuggingFace writes them (Oniguruma reads `{1,3}+` wrongly, so
    /// files use `{1,3}`).
    static func knownPattern(_ regex: String) -> SplitPattern? {
        SplitPattern(regex: regex) ?? SplitPattern(regex: regex.replacingOccurrences(of: "{1,3}", with: "{1,3}+"))
    }

    /// The longest run of `\\p{N}{1,N}`, the form VocabKit writes for runs of at most N digits.
    static func digitRun(_ regex: String) -> Int? {
        guard regex.hasPrefix("\\p{N}{1,"), regex.hasSuffix("}"),
              let run = Int(regex.dropFirst("\\p{N}{1,".count).dropLast()), run > 1 else { return nil }
        return run
    }

    static func read(_ object: JSONObject) throws -> any PreTokenizer {
        try component(object).make()
    }

    /// The component of one JSON pre-tokenizer.
    static func component(_ object: JSONObject) throws -> PreTokenizerComponent {
        switch try object.type {
        case "Sequence":
            return .sequence(try object.array("pretokenizers").enumerated().map {
                try component(JSONObject($0.element, path: "\(object.path).pretokenizers[\($0.offset)]", file: object.file))
            })
        case "ByteLevel":
            return .byteLevel(addsPrefixSpace: try object.bool("add_prefix_space", default: true),
                              usesRegex: try object.bool("use_regex", default: true))
        case "Split":
            let behavior = try behavior(try object.requiredString("behavior"), in: object)
            let invert = try object.bool("invert", default: false)
            guard let pattern = try object.object("pattern") else { throw object.error("\"pattern\" is missing") }
            if let literal = try pattern.string("String") {
                guard !invert else { throw object.unsupported("an inverted string split is not supported") }
                return .literal(literal, behavior: behavior)
            }
            guard let regex = try pattern.string("Regex") else { throw pattern.error("neither \"String\" nor \"Regex\"") }
            if behavior == .isolated && !invert, let known = knownPattern(regex) { return .pattern(known) }
            if behavior == .isolated && !invert, let run = digitRun(regex) { return .digits(maxRun: run) }
            return .regex(regex, behavior: behavior, invert: invert)
        case "Whitespace": return .wordPunctuation
        case "WhitespaceSplit": return .whitespaceSplit
        case "BertPreTokenizer": return .bert
        case "Punctuation": return .punctuation(try behavior(try object.string("behavior") ?? "Isolated", in: object))
        case "Digits": return .digits(maxRun: try object.bool("individual_digits", default: false) ? 1 : nil)
        case "UnicodeScripts": return .unicodeScripts
        case "CharDelimiterSplit": return .literal(try object.requiredString("delimiter"), behavior: .removed)
        case "Metaspace":
            let replacement = try object.string("replacement") ?? "▁"
            guard replacement.count == 1 else { throw object.error("\"replacement\" must be one character") }
            let scheme: Metaspace.PrependScheme
            if let name = try object.string("prepend_scheme") {
                guard let parsed = Metaspace.PrependScheme(rawValue: name) else { throw object.error("unknown prepend_scheme \"\(name)\"") }
                scheme = parsed
            } else {
                scheme = try object.bool("add_prefix_space", default: true) ? .always : .never
            }
            return .metaspace(replacement: replacement, prependScheme: scheme, splits: try object.bool("split", default: true))
        case wordBreakType:
            return .wordBreak(locale: try object.string("locale") ?? "", keepsWhitespace: try object.bool("keep_whitespace", default: false))
        case let type:
            throw object.unsupported("pre-tokenizer type \"\(type)\" is not supported yet")
        }
    }

    /// The JSON of a pre-tokenizer. A byte-level model needs HuggingFace's ByteLevel step (it maps
    /// bytes to the characters its vocabulary is written in), so one is added where missing.
    static func write(_ preTokenizer: any PreTokenizer, byteLevelModel: Bool) throws -> JSON {
        guard let component = preTokenizer.component else {
            throw TextError.invalidSpecification("the pre-tokenizer \(type(of: preTokenizer)) has no tokenizer.json form")
        }
        var items = component.flattened.map(jsonItem)
        if byteLevelModel && !items.contains(where: { $0["type"] as? String == "ByteLevel" }) {
            items.append(["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false])
        }
        let values = items.map(JSON.convert)
        if values.isEmpty { return .null }
        if values.count == 1 { return values[0] }
        return .object([("type", .string("Sequence")), ("pretokenizers", .array(values))])
    }

    private static func split(_ regex: String, _ behavior: SplitDelimiterBehavior = .isolated, invert: Bool = false) -> [String: Any] {
        ["type": "Split", "pattern": ["Regex": regex], "behavior": behavior.jsonName, "invert": invert]
    }

    /// The JSON item of one component (a sequence is flattened before).
    private static func jsonItem(_ component: PreTokenizerComponent) -> [String: Any] {
        switch component {
        case .sequence(let steps):
            return ["type": "Sequence", "pretokenizers": steps.map(jsonItem)]
        case .pattern(.gpt2):
            return ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        case .pattern(let pattern):
            return split(pattern.regex.replacingOccurrences(of: "{1,3}+", with: "{1,3}"))
        case .byteLevel(let prefix, let regex):
            return ["type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": true, "use_regex": regex]
        case .regex(let pattern, let behavior, let invert): return split(pattern, behavior, invert: invert)
        case .literal(let delimiter, let behavior):
            return ["type": "Split", "pattern": ["String": delimiter], "behavior": behavior.jsonName, "invert": false]
        case .wordPunctuation: return ["type": "Whitespace"]
        case .whitespaceSplit: return ["type": "WhitespaceSplit"]
        case .bert: return ["type": "BertPreTokenizer"]
        case .punctuation(let behavior): return ["type": "Punctuation", "behavior": behavior.jsonName]
        case .digits(let maxRun):
            switch maxRun {
            case 1: return ["type": "Digits", "individual_digits": true]
            case nil: return ["type": "Digits", "individual_digits": false]
            case let run?: return split("\\p{N}{1,\(run)}")
            }
        case .unicodeScripts: return ["type": "UnicodeScripts"]
        case .metaspace(let replacement, let scheme, let splits):
            return ["type": "Metaspace", "replacement": replacement, "prepend_scheme": scheme.rawValue, "split": splits]
        case .wordBreak(let locale, let keepsWhitespace):
            return ["type": wordBreakType, "locale": locale, "keep_whitespace": keepsWhitespace]
        }
    }
}
