import Foundation

/// The `decoder` section of `tokenizer.json`: every decoder type of `tokenizers`, read into the
/// chain of `DecoderStep`s that runs it exactly as `tokenizers` does.
enum DecoderJSON {
    static func read(_ object: JSONObject) throws -> TokenDecoder {
        .huggingFace(try steps(object))
    }

    /// The steps of one decoder object (a `Sequence` flattened).
    static func steps(_ object: JSONObject) throws -> [DecoderStep] {
        switch try object.type {
        case "ByteLevel": return [.byteLevel]
        case "ByteFallback": return [.byteFallback]
        case "Fuse": return [.fuse]
        case "Strip":
            return [.strip(content: try scalar(object, "content", default: " "),
                           start: try object.integer("start", in: 0...Int(Int32.max)) ?? 0,
                           stop: try object.integer("stop", in: 0...Int(Int32.max)) ?? 0)]
        case "Replace":
            let content = try object.requiredString("content")
            guard let pattern = try object.object("pattern") else { throw object.error("\"pattern\" is missing") }
            if let literal = try pattern.string("String") { return [.replace(literal, with: content)] }
            guard let regex = try pattern.string("Regex") else { throw pattern.error("neither \"String\" nor \"Regex\"") }
            do { _ = try ICURegex(regex) } catch { throw pattern.error("\(error)") }
            return [.replaceRegex(regex, with: content)]
        case "Metaspace":
            let prepends: Bool
            if let scheme = try object.string("prepend_scheme") {
                guard ["always", "first", "never"].contains(scheme) else {
                    throw object.error("prepend_scheme \"\(scheme)\" is not always, first or never")
                }
                prepends = scheme != "never"
            } else {
                prepends = try object.bool("add_prefix_space", default: true)
            }
            return [.metaspace(replacement: try scalar(object, "replacement", default: "\u{2581}"), prependsSpace: prepends)]
        case "WordPiece":
            return [.wordPiece(prefix: try object.string("prefix") ?? "##", cleanup: try object.bool("cleanup", default: true))]
        case "BPEDecoder":
            return [.bpeSuffix(try object.string("suffix") ?? "</w>")]
        case "CTC":
            return [.ctc(padToken: try object.string("pad_token") ?? "<pad>",
                         wordDelimiter: try object.string("word_delimiter_token") ?? "|",
                         cleanup: try object.bool("cleanup", default: true))]
        case "Sequence":
            return try object.array("decoders").enumerated().flatMap {
                try steps(JSONObject($0.element, path: "\(object.path).decoders[\($0.offset)]", file: object.file))
            }
        case let type:
            throw object.error("decoder type \"\(type)\" is unknown (ByteLevel, ByteFallback, Fuse, Strip, Replace, Metaspace, WordPiece, BPEDecoder, CTC and Sequence are the decoders of tokenizers)")
        }
    }

    /// A field that must be exactly one character (one Unicode scalar).
    private static func scalar(_ object: JSONObject, _ key: String, default value: Unicode.Scalar) throws -> Unicode.Scalar {
        guard let text = try object.string(key) else { return value }
        let scalars = text.unicodeScalars
        guard scalars.count == 1, let scalar = scalars.first else { throw object.error("\"\(key)\" must be one character, not \(text.debugDescription)") }
        return scalar
    }

    /// The decoder section. VocabKit's own decoders turn the model's byte-fallback pieces into
    /// bytes, so with `byteTokens` (the model has such pieces) a `ByteFallback` step comes first;
    /// `tokenizers` then also turns any other token spelled `<0xAB>` into a byte, which the file
    /// format cannot tell apart.
    static func write(_ decoder: TokenDecoder, byteTokens: Bool = false) -> JSON {
        var steps: [DecoderStep]
        switch decoder {
        case .spaceSeparated: return .null
        case .huggingFace(let chain): steps = chain
        case .concatenate: steps = [.fuse]
        case .metaspace, .sentencePiece: steps = [.metaspace(replacement: "\u{2581}", prependsSpace: true)]
        case .continuingPrefix(let prefix, let cleanup): steps = [.wordPiece(prefix: prefix, cleanup: cleanup)]
        case .endOfWordSuffix(let suffix): steps = [.bpeSuffix(suffix)]
        }
        if case .huggingFace = decoder {} else if byteTokens { steps.insert(.byteFallback, at: 0) }
        let items = steps.map { JSON.convert(fields($0)) }
        return items.count == 1 ? items[0] : .object([("type", .string("Sequence")), ("decoders", .array(items))])
    }

    private static func fields(_ step: DecoderStep) -> [String: Any] {
        switch step {
        case .byteLevel: return ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
        case .byteFallback: return ["type": "ByteFallback"]
        case .fuse: return ["type": "Fuse"]
        case .strip(let content, let start, let stop): return ["type": "Strip", "content": String(Character(content)), "start": start, "stop": stop]
        case .replace(let pattern, let content): return ["type": "Replace", "pattern": ["String": pattern], "content": content]
        case .replaceRegex(let pattern, let content): return ["type": "Replace", "pattern": ["Regex": pattern], "content": content]
        case .metaspace(let replacement, let prepends):
            return ["type": "Metaspace", "replacement": String(Character(replacement)), "prepend_scheme": prepends ? "always" : "never", "split": true]
        case .wordPiece(let prefix, let cleanup): return ["type": "WordPiece", "prefix": prefix, "cleanup": cleanup]
        case .bpeSuffix(let suffix): return ["type": "BPEDecoder", "suffix": suffix]
        case .ctc(let pad, let delimiter, let cleanup):
            return ["type": "CTC", "pad_token": pad, "word_delimiter_token": delimiter, "cleanup": cleanup]
        }
    }
}
