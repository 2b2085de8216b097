import Foundation

/// The `post_processor`, `truncation` and `padding` sections of `tokenizer.json`.
enum PostProcessorJSON {
    /// The template of a post-processor, or nil for one that adds nothing (ByteLevel).
    static func read(_ object: JSONObject) throws -> TemplatePostProcessor? {
        switch try object.type {
        case "ByteLevel": return nil
        case "BertProcessing":
            let cls = try pair(object, "cls"), sep = try pair(object, "sep")
            return .bert(cls: cls.1, sep: sep.1, clsToken: cls.0, sepToken: sep.0)
        case "TemplateProcessing":
            var specials: [String: UInt32] = [:]
            if let map = object.fields["special_tokens"] as? [String: Any] {
                for (name, value) in map {
                    let token = try JSONObject(value, path: "\(object.path).special_tokens.\(name)", file: object.file)
                    guard let ids = token.fields["ids"] as? [NSNumber], ids.count == 1 else {
                        throw token.error("only special tokens of exactly one id are supported")
                    }
                    specials[name] = UInt32(ids[0].intValue)
                }
            }
            func template(_ key: String) throws -> [TemplatePostProcessor.Piece] {
                try object.array(key).enumerated().map { index, value in
                    let item = try JSONObject(value, path: "\(object.path).\(key)[\(index)]", file: object.file)
                    if let special = try item.object("SpecialToken") {
                        let name = try special.requiredString("id")
                        guard let id = specials[name] else { throw special.error("\(name) is not in special_tokens") }
                        return .special(name, id: id, typeId: UInt32((special.fields["type_id"] as? NSNumber)?.intValue ?? 0))
                    }
                    if let sequence = try item.object("Sequence") {
                        let name = try sequence.requiredString("id")
                        guard name == "A" || name == "B" else { throw sequence.error("sequence id must be A or B") }
                        return .sequence(second: name == "B", typeId: UInt32((sequence.fields["type_id"] as? NSNumber)?.intValue ?? 0))
                    }
                    throw item.error("neither SpecialToken nor Sequence")
                }
            }
            return TemplatePostProcessor(single: try template("single"), pair: try template("pair"))
        case let type:
            throw object.error("post-processor type \"\(type)\" is not supported yet (TemplateProcessing, BertProcessing, ByteLevel are)")
        }
    }

    private static func pair(_ object: JSONObject, _ key: String) throws -> (String, UInt32) {
        guard let value = object.fields[key] as? [Any], value.count == 2, let token = value[0] as? String,
              let id = (value[1] as? NSNumber)?.intValue else { throw object.error("\"\(key)\" is not [token, id]") }
        return (token, UInt32(id))
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
        guard let maxLength = (object.fields["max_length"] as? NSNumber)?.intValue, maxLength > 0 else {
            throw object.error("\"max_length\" is missing or not positive")
        }
        if let stride = (object.fields["stride"] as? NSNumber)?.intValue, stride != 0 {
            throw object.error("truncation with a stride (overflowing windows) is not supported yet")
        }
        let name = try object.string("strategy") ?? "LongestFirst"
        guard let strategy = Truncation.Strategy(rawValue: name) else { throw object.error("unknown truncation strategy \"\(name)\"") }
        return Truncation(maxLength: maxLength, strategy: strategy, fromLeft: try object.string("direction") == "Left")
    }

    static func write(_ truncation: Truncation) -> JSON {
        .object([("direction", .string(truncation.fromLeft ? "Left" : "Right")), ("max_length", .int(truncation.maxLength)),
                 ("strategy", .string(truncation.strategy.rawValue)), ("stride", .int(0))])
    }

    static func readPadding(_ object: JSONObject) throws -> Padding {
        var padding = Padding()
        if let strategy = object.fields["strategy"] as? [String: Any], let fixed = (strategy["Fixed"] as? NSNumber)?.intValue {
            padding.length = .fixed(fixed)
        } else if let name = object.fields["strategy"] as? String, name == "BatchLongest" {
            padding.length = .longest
        } else {
            throw object.error("\"strategy\" must be \"BatchLongest\" or {\"Fixed\": N}")
        }
        padding.onLeft = try object.string("direction") == "Left"
        padding.padId = UInt32((object.fields["pad_id"] as? NSNumber)?.intValue ?? 0)
        padding.padTypeId = UInt32((object.fields["pad_type_id"] as? NSNumber)?.intValue ?? 0)
        padding.padToken = try object.string("pad_token") ?? "[PAD]"
        padding.multipleOf = (object.fields["pad_to_multiple_of"] as? NSNumber)?.intValue
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
