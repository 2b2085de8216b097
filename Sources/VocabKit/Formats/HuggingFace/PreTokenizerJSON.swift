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

    static func read(_ object: JSONObject) throws -> any PreTokenizer {
        switch try object.type {
        case "Sequence":
            return PreTokenizerSequence(try object.array("pretokenizers").enumerated().map {
                try read(JSONObject($0.element, path: "\(object.path).pretokenizers[\($0.offset)]", file: object.file))
            })
        case "ByteLevel":
            return ByteLevel(addsPrefixSpace: try object.bool("add_prefix_space", default: true),
                             usesRegex: try object.bool("use_regex", default: true))
        case "Split":
            let behavior = try behavior(try object.requiredString("behavior"), in: object)
            let invert = try object.bool("invert", default: false)
            guard let pattern = try object.object("pattern") else { throw object.error("\"pattern\" is missing") }
            if let literal = try pattern.string("String") {
                guard !invert else { throw object.error("an inverted string split is not supported") }
                return LiteralSplitter(literal, behavior: behavior)
            }
            guard let regex = try pattern.string("Regex") else { throw pattern.error("neither \"String\" nor \"Regex\"") }
            if behavior == .isolated && !invert, let known = knownPattern(regex) { return known.splitter }
            return try RegexSplitter(pattern: regex, behavior: behavior, invert: invert)
        case "Whitespace": return WordPunctuationSplitter()
        case "WhitespaceSplit": return WhitespaceSplitter()
        case "BertPreTokenizer": return BertPreTokenizer()
        case "Punctuation":
            return PunctuationSplitter(behavior: try behavior(try object.string("behavior") ?? "Isolated", in: object))
        case "Digits": return DigitsSplitter(maxRun: try object.bool("individual_digits", default: false) ? 1 : nil)
        case "UnicodeScripts": return UnicodeScriptSplitter()
        case "CharDelimiterSplit": return LiteralSplitter(try object.requiredString("delimiter"), behavior: .removed)
        case "Metaspace":
            let replacement = try object.string("replacement") ?? "▁"
            guard replacement.count == 1, let character = replacement.first else { throw object.error("\"replacement\" must be one character") }
            let scheme: Metaspace.PrependScheme
            if let name = try object.string("prepend_scheme") {
                guard let parsed = Metaspace.PrependScheme(rawValue: name) else { throw object.error("unknown prepend_scheme \"\(name)\"") }
                scheme = parsed
            } else {
                scheme = try object.bool("add_prefix_space", default: true) ? .always : .never
            }
            return Metaspace(replacement: character, prependScheme: scheme, splits: try object.bool("split", default: true))
        case wordBreakType:
            return try WordBreakSplitter(locale: try object.string("locale") ?? "", keepsWhitespace: try object.bool("keep_whitespace", default: false))
        case let type:
            throw object.error("pre-tokenizer type \"\(type)\" is not supported yet")
        }
    }

    /// The JSON of a pre-tokenizer. A byte-level model needs HuggingFace's ByteLevel step (it maps
    /// bytes to the characters its vocabulary is written in), so one is added where missing.
    static func write(_ preTokenizer: any PreTokenizer, byteLevelModel: Bool) throws -> JSON {
        var items = try flatten(preTokenizer)
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

    private static func flatten(_ preTokenizer: any PreTokenizer) throws -> [[String: Any]] {
        switch preTokenizer {
        case let sequence as PreTokenizerSequence: return try sequence.steps.flatMap { try flatten($0) }
        case is GPT2Splitter:
            return [["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]]
        case let byteLevel as ByteLevel:
            return [["type": "ByteLevel", "add_prefix_space": byteLevel.addsPrefixSpace, "trim_offsets": true, "use_regex": byteLevel.usesRegex]]
        case let splitter as CL100kSplitter:
            let pattern: SplitPattern = splitter.keepsTrailingWhitespaceWhole ? .cl100k : .llama3
            return [split(pattern.regex.replacingOccurrences(of: "{1,3}+", with: "{1,3}"))]
        case is O200kSplitter: return [split(SplitPattern.o200k.regex)]
        case let splitter as RegexSplitter: return [split(splitter.regex.pattern, splitter.behavior, invert: splitter.invert)]
        case let splitter as LiteralSplitter:
            return [["type": "Split", "pattern": ["String": String(decoding: splitter.delimiter, as: UTF8.self)],
                     "behavior": splitter.behavior.jsonName, "invert": false]]
        case is WordPunctuationSplitter: return [["type": "Whitespace"]]
        case is WhitespaceSplitter: return [["type": "WhitespaceSplit"]]
        case is BertPreTokenizer: return [["type": "BertPreTokenizer"]]
        case let splitter as PunctuationSplitter: return [["type": "Punctuation", "behavior": splitter.behavior.jsonName]]
        case let digits as DigitsSplitter:
            switch digits.maxRun {
            case 1: return [["type": "Digits", "individual_digits": true]]
            case nil: return [["type": "Digits", "individual_digits": false]]
            case let run?: return [split("\\p{N}{1,\(run)}")]
            }
        case is UnicodeScriptSplitter: return [["type": "UnicodeScripts"]]
        case let metaspace as Metaspace:
            return [["type": "Metaspace", "replacement": String(decoding: metaspace.replacement, as: UTF8.self),
                     "prepend_scheme": metaspace.prependScheme.rawValue, "split": metaspace.splits]]
        case let wordBreak as WordBreakSplitter:
            return [["type": wordBreakType, "locale": wordBreak.breaker.locale, "keep_whitespace": wordBreak.keepsWhitespace]]
        default:
            throw TextError.invalidSpecification("the pre-tokenizer \(type(of: preTokenizer)) has no tokenizer.json form")
        }
    }
}

/// The `decoder` section of `tokenizer.json`.
enum DecoderJSON {
    static func read(_ object: JSONObject) throws -> TokenDecoder {
        switch try object.type {
        case "ByteLevel", "ByteFallback", "Fuse": return .concatenate
        case "Metaspace": return .metaspace
        case "WordPiece": return .continuingPrefix(try object.string("prefix") ?? "##", cleanup: try object.bool("cleanup", default: true))
        case "BPEDecoder": return .endOfWordSuffix(try object.string("suffix") ?? "</w>")
        case "Sequence":
            let items = try object.array("decoders").enumerated().map {
                try JSONObject($0.element, path: "\(object.path).decoders[\($0.offset)]", file: object.file)
            }
            // Llama-style: Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0).
            if try items.contains(where: { try $0.type == "Replace" && (try $0.object("pattern")?.string("String")) == "▁" }) {
                return .metaspace
            }
            let decoders = try items.map { try read($0) }.filter { $0 != .concatenate }
            guard decoders.count <= 1 else { throw object.error("this decoder sequence is not supported yet") }
            return decoders.first ?? .concatenate
        case let type:
            throw object.error("decoder type \"\(type)\" is not supported yet")
        }
    }

    static func write(_ decoder: TokenDecoder) -> JSON {
        decoder == .spaceSeparated ? .null : JSON.convert(writeFields(decoder))
    }

    private static func writeFields(_ decoder: TokenDecoder) -> [String: Any] {
        switch decoder {
        case .concatenate: return ["type": "Fuse"]
        case .spaceSeparated: return [:]
        case .metaspace, .sentencePiece: return ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true]
        case .continuingPrefix(let prefix, let cleanup): return ["type": "WordPiece", "prefix": prefix, "cleanup": cleanup]
        case .endOfWordSuffix(let suffix): return ["type": "BPEDecoder", "suffix": suffix]
        }
    }
}
