import Foundation

/// The `normalizer` section of `tokenizer.json`.
enum NormalizerJSON {
    static func read(_ object: JSONObject) throws -> any Normalizer {
        switch try object.type {
        case "Sequence":
            return NormalizerSequence(try object.array("normalizers").enumerated().map {
                try read(JSONObject($0.element, path: "\(object.path).normalizers[\($0.offset)]", file: object.file))
            })
        case "NFC": return UnicodeFormNormalizer(.nfc)
        case "NFD": return UnicodeFormNormalizer(.nfd)
        case "NFKC": return UnicodeFormNormalizer(.nfkc)
        case "NFKD": return UnicodeFormNormalizer(.nfkd)
        case "Lowercase": return Lowercase()
        case "StripAccents": return RemoveNonspacingMarks()
        case "Strip":
            return Strip(left: try object.bool("strip_left", default: true), right: try object.bool("strip_right", default: true))
        case "Prepend": return Prepend(try object.requiredString("prepend"))
        case "Replace":
            let content = try object.requiredString("content")
            guard let pattern = try object.object("pattern") else { throw object.error("\"pattern\" is missing") }
            if let literal = try pattern.string("String") { return ReplaceLiteral(literal, with: content) }
            if let regex = try pattern.string("Regex") { return try ReplaceRegex(pattern: regex, with: content) }
            throw pattern.error("neither \"String\" nor \"Regex\"")
        case "BertNormalizer":
            let lowercase = try object.bool("lowercase", default: true)
            var steps: [any Normalizer] = []
            if try object.bool("clean_text", default: true) { steps.append(BertCleanText()) }
            if try object.bool("handle_chinese_chars", default: true) { steps.append(CJKIdeographSpacing()) }
            if try object.bool("strip_accents", default: lowercase) { steps.append(StripAccents(recompose: false)) }
            if lowercase { steps.append(Lowercase()) }
            return NormalizerSequence(steps)
        case let type:
            throw object.error("normalizer type \"\(type)\" is not supported yet")
        }
    }

    /// The JSON of a normalizer (null for one that does nothing).
    static func write(_ normalizer: any Normalizer) throws -> JSON {
        let items = try flatten(normalizer).map(JSON.convert)
        if items.isEmpty { return .null }
        if items.count == 1 { return items[0] }
        return .object([("type", .string("Sequence")), ("normalizers", .array(items))])
    }

    private static func bert(clean: Bool = false, chinese: Bool = false) -> [String: Any] {
        ["type": "BertNormalizer", "clean_text": clean, "handle_chinese_chars": chinese, "strip_accents": false, "lowercase": false]
    }

    private static func flatten(_ normalizer: any Normalizer) throws -> [[String: Any]] {
        switch normalizer {
        case let sequence as NormalizerSequence: return try sequence.steps.flatMap { try flatten($0) }
        case let form as UnicodeFormNormalizer:
            guard form.form != .nfkcCasefold else {
                throw TextError.invalidSpecification("tokenizer.json has no NFKC_Casefold normalizer; use nfkc,lowercase instead")
            }
            return [["type": form.form.rawValue.uppercased()]]
        case is Lowercase: return [["type": "Lowercase"]]
        case is RemoveNonspacingMarks: return [["type": "StripAccents"]]
        case let strip as StripAccents:
            return [["type": "NFD"], ["type": "StripAccents"]] + (strip.recompose ? [["type": "NFC"]] : [])
        case let strip as Strip: return [["type": "Strip", "strip_left": strip.left, "strip_right": strip.right]]
        case let prepend as Prepend: return [["type": "Prepend", "prepend": String(decoding: prepend.prefix, as: UTF8.self)]]
        case let replace as ReplaceLiteral:
            return [["type": "Replace", "pattern": ["String": String(decoding: replace.pattern, as: UTF8.self)],
                     "content": String(decoding: replace.content, as: UTF8.self)]]
        case let replace as ReplaceRegex:
            return [["type": "Replace", "pattern": ["Regex": replace.regex.pattern], "content": String(decoding: replace.content, as: UTF8.self)]]
        case is BertCleanText: return [bert(clean: true)]
        case is CJKIdeographSpacing: return [bert(chinese: true)]
        case let whitespace as ReplaceWhitespace:
            guard !whitespace.keepNewlines else {
                throw TextError.invalidSpecification("whitespace replacement that keeps newlines has no tokenizer.json form")
            }
            return [["type": "Replace", "pattern": ["Regex": whitespace.collapse ? "\\s+" : "\\s"], "content": " "]]
        case is RemoveControlCharacters:
            return [["type": "Replace", "pattern": ["Regex": "[\\x{0}-\\x{8}\\x{B}\\x{C}\\x{E}-\\x{1F}\\x{7F}-\\x{9F}]"], "content": ""]]
        case is SentencePieceWhitespaceRules:
            return [["type": "Replace", "pattern": ["Regex": "[\\x{1}-\\x{8}\\x{B}\\x{E}-\\x{1F}\\x{7F}\\x{8F}\\x{9F}]"], "content": ""],
                    ["type": "Replace", "pattern": ["Regex": "[\\t\\n\\x{C}\\r\\x{1680}\\x{200B}-\\x{200F}\\x{2028}\\x{2029}\\x{2581}\\x{FEFF}\\x{FFFD}]"],
                     "content": " "]]
        default:
            throw TextError.invalidSpecification("the normalizer \(type(of: normalizer)) has no tokenizer.json form")
        }
    }
}
