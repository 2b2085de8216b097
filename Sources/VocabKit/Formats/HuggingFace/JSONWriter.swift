/// A JSON value with ordered object keys, and its serialization.
///
/// Used to write `tokenizer.json` in a fixed key order (HuggingFace's), with the vocabulary by id,
/// so equal tokenizers give byte-identical files; Foundation's `sortedKeys` compares keys with
/// locale collation, which made writing a 32k vocabulary slower than training it.
indirect enum JSON: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// UTF-8 text, indented by two spaces per level; arrays of scalars stay on one line.
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out, indent: 0)
        out.append(0x0A)
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let value): out += Array(String(value).utf8)
        case .double(let value): out += Array(String(value).utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let items):
            if items.isEmpty { out += [0x5B, 0x5D]; return }
            if items.allSatisfy(\.isScalar) {
                out.append(0x5B)
                for (index, item) in items.enumerated() {
                    if index > 0 { out += [0x2C, 0x20] }
                    item.write(to: &out, indent: indent)
                }
                out.append(0x5D)
                return
            }
            out += [0x5B, 0x0A]
            for (index, item) in items.enumerated() {
                out += [UInt8](repeating: 0x20, count: indent + 2)
                item.write(to: &out, indent: indent + 2)
                if index < items.count - 1 { out.append(0x2C) }
                out.append(0x0A)
            }
            out += [UInt8](repeating: 0x20, count: indent) + [0x5D]
        case .object(let fields):
            if fields.isEmpty { out += [0x7B, 0x7D]; return }
            out += [0x7B, 0x0A]
            for (index, (key, value)) in fields.enumerated() {
                out += [UInt8](repeating: 0x20, count: indent + 2)
                Self.writeString(key, to: &out)
                out += [0x3A, 0x20]
                value.write(to: &out, indent: indent + 2)
                if index < fields.count - 1 { out.append(0x2C) }
                out.append(0x0A)
            }
            out += [UInt8](repeating: 0x20, count: indent) + [0x7D]
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0..<0x20, 0x7F: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}

extension JSON {
    /// The order keys are written in: "type" first, then alphabetical (components are small).
    static func convert(_ fields: [String: Any]) -> JSON {
        let keys = fields.keys.sorted { a, b in a == "type" ? b != "type" : (b == "type" ? false : a.utf8.lexicographicallyPrecedes(b.utf8)) }
        return .object(keys.map { ($0, convert(value: fields[$0]!)) })
    }

    static func convert(value: Any) -> JSON {
        switch value {
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(number)
        case let number as Double: return .double(number)
        case let text as String: return .string(text)
        case let fields as [String: Any]: return convert(fields)
        case let items as [Any]: return .array(items.map { convert(value: $0) })
        default: return .null
        }
    }
}
