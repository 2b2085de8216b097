/// Reads one object of a JSON document with its keys as exact bytes.
///
/// Why: Swift's `String` compares and hashes by canonical equivalence, so a `[String: Any]`
/// from `JSONSerialization` merges keys such as "é" (U+00E9) and "e" + U+0301, which are
/// different tokens: real vocabularies have such pairs (Llama 2's has 6), and merging them
/// loses tokens. The vocabulary is read here instead, in file order, as bytes.
struct RawJSONScanner {
    private let bytes: [UInt8]
    private var index = 0

    /// Why the document could not be read; JSONSerialization has accepted it before, so this
    /// is rare (a lone surrogate escape, say).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The key/value pairs of the object at `path` (keys of nested objects from the top, e.g.
    /// ["model", "vocab"]), keys as UTF-8 bytes, values as integers; nil when the path does not
    /// lead to an object or a value is not a whole number (the caller's checks then report it).
    /// - Complexity: O(document bytes).
    static func integerPairs(in bytes: [UInt8], at path: [String]) throws -> [(key: [UInt8], value: Int)]? {
        var scanner = RawJSONScanner(bytes)
        return try scanner.find(path[...])
    }

    private mutating func find(_ path: ArraySlice<String>) throws -> [(key: [UInt8], value: Int)]? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return nil }
        index += 1
        var result: [(key: [UInt8], value: Int)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return path.isEmpty ? [] : nil }
        while true {
            skipSpace()
            let key = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            if path.isEmpty {
                guard let value = integer() else { return nil }
                result.append((key, value))
            } else if key == Array(path.first!.utf8) {
                // Keys in HuggingFace files are unique; the first match is the one.
                return try find(path.dropFirst())
            } else {
                try skipValue(depth: 0)
            }
            skipSpace()
            guard let next = peek else { throw Failure(description: "the document ends inside an object") }
            index += 1
            if next == UInt8(ascii: "}") { return path.isEmpty ? result : nil }
            guard next == UInt8(ascii: ",") else { throw Failure(description: "expected , or } at byte \(index - 1)") }
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek == byte else { throw Failure(description: "expected \(Character(Unicode.Scalar(byte))) at byte \(index)") }
        index += 1
    }

    /// A whole number (an optional minus, digits), or nil leaving the index unchanged.
    private mutating func integer() -> Int? {
        let start = index
        var negative = false
        if peek == UInt8(ascii: "-") { negative = true; index += 1 }
        var value = 0, digits = 0
        while let byte = peek, byte >= 0x30, byte <= 0x39, digits < 18 {
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            index += 1
        }
        if digits == 0 || (peek.map { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") || ($0 >= 0x30 && $0 <= 0x39) } ?? false) {
            index = start
            return nil
        }
        return negative ? -value : value
    }

    /// A string's UTF-8 bytes with escapes resolved.
    private mutating func string() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw Failure(description: "a string runs past the end of the document") }
            index += 1
            if byte == UInt8(ascii: "\"") { return out }
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard let escape = peek else { throw Failure(description: "an escape runs past the end of the document") }
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw Failure(description: "a lone surrogate escape in a string")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure(description: "a lone surrogate escape in a string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw Failure(description: "a lone surrogate escape in a string")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Failure(description: "an invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw Failure(description: "an invalid escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(description: "a \\u escape runs past the end") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw Failure(description: "an invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Skips any value (bounded nesting: JSONSerialization has accepted the document).
    private mutating func skipValue(depth: Int) throws {
        guard depth < 512 else { throw Failure(description: "nesting deeper than 512") }
        skipSpace()
        guard let byte = peek else { throw Failure(description: "a value is missing at the end") }
        switch byte {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipSpace()
            if peek == close { index += 1; return }
            while true {
                if byte == UInt8(ascii: "{") {
                    skipSpace()
                    _ = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                guard let next = peek else { throw Failure(description: "the document ends inside a value") }
                index += 1
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw Failure(description: "expected , at byte \(index - 1)") }
            }
        default:
            // A number, true, false or null: up to the next delimiter.
            while let next = peek, next != UInt8(ascii: ","), next != UInt8(ascii: "}"), next != UInt8(ascii: "]"),
                  next != 0x20, next != 0x0A, next != 0x0D, next != 0x09 {
                index += 1
            }
        }
    }
}
