import Foundation

/// The `post_processor`, `truncation` and `padding` sections of `tokenizer.json`.
enum PostProcessorJSON {
    /// A post-processor: its template (nil for one that adds no tokens) and its offset
    /// trimming (nil for none).
    struct Reading {
        var template: TemplatePostProcessor?
        var trimming: OffsetTrimming?
    }

    static func read(_ object: JSONObject) throws -> Reading {
        switch try object.type {
        case "ByteLevel":
            return Reading(trimming: try trimming(object))
        case "RobertaProcessing":
            let cls = try pair(object, "cls"), sep = try pair(object, "sep")
            return Reading(template: .roberta(cls: cls, sep: sep), trimming: try trimming(object))
        case "Sequence":
            // Trimming works on each sequence before the template adds tokens, wherever it is
            // listed (the template's special tokens have no spaces to trim).
            var result = Reading()
            for (index, value) in try object.array("processors").enumerated() {
                let item = try read(JSONObject(value, path: "\(object.path).processors[\(index)]", file: object.file))
                if let template = item.template {
                    guard result.template == nil else { throw object.unsupported("a Sequence with two post-processors that add tokens is not supported") }
                    result.template = template
                }
                if let trimming = item.trimming {
                    guard result.trimming == nil || result.trimming == trimming else {
                        throw object.unsupported("a Sequence that trims offsets in two different ways is not supported")
                    }
                    result.trimming = trimming
                }
            }
            return result
        case "BertProcessing":
            let cls = try pair(object, "cls"), sep = try pair(object, "sep")
            return Reading(template: .bert(cls: cls.1, sep: sep.1, clsToken: cls.0, sepToken: sep.0))
        case "TemplateProcessing":
            var specials: [String: UInt32] = [:]
            if let map = object.fields["special_tokens"] as? [String: Any] {
                for (name, value) in map {
                    let token = try JSONObject(value, path: "\(object.path).special_tokens.\(name)", file: object.file)
                    guard let ids = token.fields["ids"] as? [Any], ids.count == 1 else {
                        throw token.error("only special tokens of exactly one id are supported")
                    }
                    guard let id = JSONObject.integer(ids[0], in: 0...Int(UInt32.max)) else {
                        throw token.error("ids[0] is \(ids[0]), not an id from 0 to \(UInt32.max)")
                    }
                    specials[name] = UInt32(id)
                }
            }
            func template(_ key: String) throws -> [TemplatePostProcessor.Piece] {
                try object.array(key).enumerated().map { index, value in
                    let item = try JSONObject(value, path: "\(object.path).\(key)[\(index)]", file: object.file)
                    if let special = try item.object("SpecialToken") {
                        let name = try special.requiredString("id")
                        guard let id = specials[name] else { throw special.error("\(name) is not in special_tokens") }
                        return .special(name, id: id, typeId: try special.id("type_id") ?? 0)
                    }
                    if let sequence = try item.object("Sequence") {
                        let name = try sequence.requiredString("id")
                        guard name == "A" || name == "B" else { throw sequence.error("sequence id must be A or B") }
                        return .sequence(second: name == "B", typeId: try sequence.id("type_id") ?? 0)
                    }
                    throw item.error("neither SpecialToken nor Sequence")
                }
            }
            return Reading(template: TemplatePostProcessor(single: try template("single"), pair: try template("pair")))
        case let type:
            throw object.error("post-processor type \"\(type)\" is unknown (TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel and Sequence are those of tokenizers)")
        }
    }

    /// `trim_offsets` and `add_prefix_space` (both true by default in `tokenizers`).
    private static func trimming(_ object: JSONObject) throws -> OffsetTrimming? {
        guard try object.bool("trim_offsets", default: true) else { return nil }
        return OffsetTrimming(keepsPrefixSpace: try object.bool("add_prefix_space", default: true))
    }

    private static func pair(_ object: JSONObject, _ key: String) throws -> (String, UInt32) {
        guard let value = object.fields[key] as? [Any], value.count == 2, let token = value[0] as? String,
              let id = JSONObject.integer(value[1], in: 0...Int(UInt32.max)) else {
            throw object.error("\"\(key)\" is not [token, id] with an id from 0 to \(UInt32.max)")
        }
        return (token, UInt32(id))
    }

    /// The post-processor section: the template, the trimming, both in a `Sequence`, or null.
    static func write(_ processor: TemplatePostProcessor?, trimming: OffsetTrimming?) -> JSON {
        let byteLevel = trimming.map { trimming -> JSON in
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(trimming.keepsPrefixSpace)),
                     ("trim_offsets", .bool(true)), ("use_regex", .bool(true))])
        }
        if let roberta = processor?.robertaTokens {
            return .object([("type", .string("RobertaProcessing")), ("sep", .array([.string(roberta.sep.token), .int(Int(roberta.sep.id))])),
                            ("cls", .array([.string(roberta.cls.token), .int(Int(roberta.cls.id))])),
                            ("trim_offsets", .bool(trimming != nil)), ("add_prefix_space", .bool(trimming?.keepsPrefixSpace ?? false))])
        }
        switch (processor.map(write), byteLevel) {
        case (nil, nil): return .null
        case (let template?, nil): return template
        case (nil, let byteLevel?): return byteLevel
        case (let template?, let byteLevel?): return .object([("type", .string("Sequence")), ("processors", .array([byteLevel, template]))])
        }
    }

    static func write(_ processor: TemplatePostProcessor) -> JSON {
        var specials: [(String, JSON)] = []
        func items(_ pieces: [TemplatePostProcessor.Piece]) -> JSON {
            .array(pieces.map { piece in
                switch piece {
                case .special(let name, let id, let typeId):
                    if !specials.contains(where: { $0.0 == name }) {
                        specials.append((name, .object([("id", .string(name)), ("ids", .array([.int(Int(id))])), ("tokens", .array([.string(name)]))])))
                    }
                    return .object([("SpecialToken", .object([("id", .string(name)), ("type_id", .int(Int(typeId)))]))])
                case .sequence(let second, let typeId):
                    return .object([("Sequence", .object([("id", .string(second ? "B" : "A")), ("type_id", .int(Int(typeId)))]))])
                }
            })
        }
        let single = items(processor.single), pair = items(processor.pair)
        return .object([("type", .string("TemplateProcessing")), ("single", single), ("pair", pair), ("special_tokens", .object(specials))])
    }

    static func readTruncation(_ object: JSONObject) throws -> Truncation {
        guard let maxLength = try object.integer("max_length", in: 1...Int(Int32.max)) else {
            throw object.error("\"max_length\" is missing")
        }
        let stride = try object.integer("stride", in: 0...Int(Int32.max)) ?? 0
        let name = try object.string("strategy") ?? "LongestFirst"
        guard let strategy = Truncation.Strategy(rawValue: name) else { throw object.error("unknown truncation strategy \"\(name)\"") }
        return Truncation(maxLength: maxLength, strategy: strategy, fromLeft: try object.string("direction") == "Left", stride: stride)
    }

    static func write(_ truncation: Truncation) -> JSON {
        .object([("direction", .string(truncation.fromLeft ? "Left" : "Right")), ("max_length", .int(truncation.maxLength)),
                 ("strategy", .string(truncation.strategy.rawValue)), ("stride", .int(truncation.stride))])
    }

    static func readPadding(_ object: JSONObject) throws -> Padding {
        var padding = Padding(padId: 0)   // HuggingFace's default pad_id when the file has none
        if let strategy = object.fields["strategy"] as? [String: Any], strategy["Fixed"] != nil {
            guard let fixed = JSONObject.integer(strategy["Fixed"], in: 0...Padding.maximumLength) else {
                throw object.error("\"Fixed\" is \(strategy["Fixed"]!), not a length from 0 to \(Padding.maximumLength) (Padding.maximumLength)")
            }
            padding.length = .fixed(fixed)
        } else if let name = object.fields["strategy"] as? String, name == "BatchLongest" {
            padding.length = .longest
        } else {
            throw object.error("\"strategy\" must be \"BatchLongest\" or {\"Fixed\": N}")
        }
        padding.onLeft = try object.string("direction") == "Left"
        padding.padId = try object.id("pad_id") ?? 0
        padding.padTypeId = try object.id("pad_type_id") ?? 0
        padding.padToken = try object.string("pad_token") ?? "[PAD]"
        padding.multipleOf = try object.integer("pad_to_multiple_of", in: 0...Padding.maximumLength)
        return padding
    }

    static func write(_ padding: Padding) -> JSON {
        let strategy: JSON
        switch padding.length {
        case .longest: strategy = .string("BatchLongest")
        case .fixed(let length): strategy = .object([("Fixed", .int(length))])
        }
        return .object([("strategy", strategy), ("direction", .string(padding.onLeft ? "Left" : "Right")),
                        ("pad_to_multiple_of", padding.multipleOf.map { .int($0) } ?? .null), ("pad_id", .int(Int(padding.padId))),
                        ("pad_type_id", .int(Int(padding.padTypeId))), ("pad_token", .string(padding.padToken))])
    }
}
