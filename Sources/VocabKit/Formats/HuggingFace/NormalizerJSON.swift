import Foundation

/// The `normalizer` section of `tokenizer.json`: each `NormalizerComponent` read and written.
enum NormalizerJSON {
    /// The regular expressions VocabKit writes for its own normalizers, recognized on reading so
    /// that a file VocabKit wrote reads back into the same components.
    static let whitespaceRegex = "\\s", collapsedWhitespaceRegex = "\\s+"
    static let controlRegex = "[\\x{0}-\\x{8}\\x{B}\\x{C}\\x{E}-\\x{1F}\\x{7F}-\\x{9F}]"
    static let sentencePieceControlRegex = "[\\x{1}-\\x{8}\\x{B}\\x{E}-\\x{1F}\\x{7F}\\x{8F}\\x{9F}]"
    static let sentencePieceSpaceRegex = "[\\t\\n\\x{C}\\r\\x{1680}\\x{200B}-\\x{200F}\\x{2028}\\x{2029}\\x{2581}\\x{FEFF}\\x{FFFD}]"

    static func read(_ object: JSONObject) throws -> any Normalizer {
        try component(object).make()
    }

    /// The component of one JSON normalizer.
    static func component(_ object: JSONObject) throws -> NormalizerComponent {
        switch try object.type {
        case "Sequence":
            let steps = try object.array("normalizers").enumerated().map {
                try component(JSONObject($0.element, path: "\(object.path).normalizers[\($0.offset)]", file: object.file))
            }
            return .sequence(folding(steps))
        case "NFC": return .unicodeForm(.nfc)
        case "NFD": return .unicodeForm(.nfd)
        case "NFKC": return .unicodeForm(.nfkc)
        case "NFKD": return .unicodeForm(.nfkd)
        case "Lowercase": return .lowercase
        case "StripAccents": return .removeNonspacingMarks
        case "Strip": return .strip(left: try object.bool("strip_left", default: true), right: try object.bool("strip_right", default: true))
        case "Prepend": return .prepend(try object.requiredString("prepend"))
        case "Replace":
            let content = try object.requiredString("content")
            guard let pattern = try object.object("pattern") else { throw object.error("\"pattern\" is missing") }
            if let literal = try pattern.string("String") { return .replaceLiteral(literal, with: content) }
            guard let regex = try pattern.string("Regex") else { throw pattern.error("neither \"String\" nor \"Regex\"") }
            switch (regex, content) {
            case (whitespaceRegex, " "): return .replaceWhitespace(collapse: false, keepNewlines: false)
            case (collapsedWhitespaceRegex, " "): return .replaceWhitespace(collapse: true, keepNewlines: false)
            case (controlRegex, ""): return .removeControl
            default: return .replaceRegex(regex, with: content)
            }
        case "BertNormalizer":
            let lowercase = try object.bool("lowercase", default: true)
            var steps: [NormalizerComponent] = []
            if try object.bool("clean_text", default: true) { steps.append(.bertClean) }
            if try object.bool("handle_chinese_chars", default: true) { steps.append(.cjkSpacing) }
            if try object.bool("strip_accents", default: lowercase) { steps.append(.stripAccents(recompose: false)) }
            if lowercase { steps.append(.lowercase) }
            return steps.count == 1 ? steps[0] : .sequence(steps)
        case "Precompiled":
            // A base64 blob; an empty one (some converted files) maps nothing.
            let encoded = try object.string("precompiled_charsmap") ?? ""
            if encoded.isEmpty { return .sequence([]) }
            guard let blob = Data(base64Encoded: encoded) else { throw object.error("precompiled_charsmap is not base64") }
            do { return .precompiled(try PrecompiledCharsMap(blob: Array(blob))) } catch let error as ModelError {
                throw object.error(error.description)
            }
        case let type:
            throw object.unsupported("normalizer type \"\(type)\" is unknown (tokenizers' types: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Prepend, Replace, BertNormalizer, Precompiled, Sequence)")
        }
    }

    /// Steps VocabKit writes as several JSON items, read back as one component: SentencePiece's
    /// `nmt` rules (two `Replace` steps) and accent stripping (`NFD`, `StripAccents`, then `NFC`
    /// when recomposing), which is exactly what those items do.
    static func folding(_ steps: [NormalizerComponent]) -> [NormalizerComponent] {
        var result: [NormalizerComponent] = []
        for step in steps {
            switch (result.last, step) {
            case (.replaceRegex(sentencePieceControlRegex, "")?, .replaceRegex(sentencePieceSpaceRegex, " ")):
                result[result.count - 1] = .sentencePieceWhitespace
            case (.unicodeForm(.nfd)?, .removeNonspacingMarks):
                result[result.count - 1] = .stripAccents(recompose: false)
            case (.stripAccents(recompose: false)?, .unicodeForm(.nfc)):
                result[result.count - 1] = .stripAccents(recompose: true)
            default:
                result.append(step)
            }
        }
        return result
    }

    /// The JSON of a normalizer (null for one that does nothing).
    static func write(_ normalizer: any Normalizer) throws -> JSON {
        guard let component = normalizer.component else {
            throw TextError.invalidSpecification("the normalizer \(type(of: normalizer)) has no tokenizer.json form")
        }
        let items = try component.flattened.flatMap(jsonItems).map(JSON.convert)
        if items.isEmpty { return .null }
        if items.count == 1 { return items[0] }
        return .object([("type", .string("Sequence")), ("normalizers", .array(items))])
    }

    private static func bert(clean: Bool = false, chinese: Bool = false) -> [String: Any] {
        ["type": "BertNormalizer", "clean_text": clean, "handle_chinese_chars": chinese, "strip_accents": false, "lowercase": false]
    }

    private static func replace(_ regex: String, _ content: String) -> [String: Any] {
        ["type": "Replace", "pattern": ["Regex": regex], "content": content]
    }

    /// The JSON items of one component (a sequence is flattened before).
    private static func jsonItems(_ component: NormalizerComponent) throws -> [[String: Any]] {
        switch component {
        case .sequence(let steps): return try steps.flatMap(jsonItems)
        case .unicodeForm(let form):
            guard form != .nfkcCasefold else {
                throw TextError.invalidSpecification("tokenizer.json has no NFKC_Casefold normalizer; use nfkc,lowercase instead")
            }
            return [["type": form.rawValue.uppercased()]]
        case .lowercase: return [["type": "Lowercase"]]
        case .removeNonspacingMarks: return [["type": "StripAccents"]]
        case .stripAccents(let recompose):
            return [["type": "NFD"], ["type": "StripAccents"]] + (recompose ? [["type": "NFC"]] : [])
        case .strip(let left, let right): return [["type": "Strip", "strip_left": left, "strip_right": right]]
        case .prepend(let prefix): return [["type": "Prepend", "prepend": prefix]]
        case .replaceLiteral(let pattern, let content): return [["type": "Replace", "pattern": ["String": pattern], "content": content]]
        case .replaceRegex(let pattern, let content): return [replace(pattern, content)]
        case .bertClean: return [bert(clean: true)]
        case .cjkSpacing: return [bert(chinese: true)]
        case .replaceWhitespace(let collapse, let keepNewlines):
            guard !keepNewlines else {
                throw TextError.invalidSpecification("whitespace replacement that keeps newlines has no tokenizer.json form")
            }
            return [replace(collapse ? collapsedWhitespaceRegex : whitespaceRegex, " ")]
        case .removeControl: return [replace(controlRegex, "")]
        case .precompiled(let charsMap): return [["type": "Precompiled", "precompiled_charsmap": Data(charsMap.blob).base64EncodedString()]]
        case .sentencePieceWhitespace: return [replace(sentencePieceControlRegex, ""), replace(sentencePieceSpaceRegex, " ")]
        }
    }
}
