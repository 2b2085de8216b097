import Foundation

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
