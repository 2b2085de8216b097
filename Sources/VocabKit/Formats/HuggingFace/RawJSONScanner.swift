/// Reads one object of a JSON document with its keys as exact bytes.
///
/// Why: Swift's `String` compares and hashes by canonical equivalence, so a `[String: Any]`
/// from `JSONSerialization` merges keys such as "é" (U+00E9) and "e" + U+0301, which are
/// different tokens: real vocabularies have such pairs (Llama 2's has 6), and merging them
/// loses tokens. The vocabulary is read here instead, in file order, as bytes.
///
/// It is also the fast path for the large sections (`model.vocab`, `model.merges`): they are
/// read here straight from the bytes and left out of what `JSONSerialization` parses, which
/// would otherwise build and bridge an object per token. Strings are checked as JSON requires
/// (no raw control bytes; the caller checks the document is UTF-8), numbers too (no leading
/// zeros), so a section read here is one `JSONSerialization` would have accepted.
struct RawJSONScanner {
    private let bytes: [UInt8]
    private var index = 0

    /// Why the document could not be read; JSONSerialization has accepted it before, so this
    /// is rare (a lone surrogate escape, say).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(_ bytes: [UInt8], at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// An object's keys (as UTF-8 bytes, in one buffer) and whole-number values, in file order.
    struct IntegerPairs {
        var keys = FlatByteStrings()
        var values: [Int] = []
        var count: Int { values.count }
    }

    /// The key/value pairs of the object at `path` (keys of nested objects from the top, e.g.
    /// ["model", "vocab"]), keys as UTF-8 bytes, values as integers; nil when the path does not
    /// lead to an object or a value is not a whole number (the caller's checks then report it).
    /// - Complexity: O(document bytes).
    static func integerPairs(in bytes: [UInt8], at path: [String]) throws -> IntegerPairs? {
        var scanner = RawJSONScanner(bytes)
        return try scanner.find(path[...])
    }

    /// The pairs of a document that is one object of whole numbers and nothing else (GPT-2's
    /// `encoder.json`, read without `JSONSerialization`); nil when it is anything else. The
    /// caller checks the document is UTF-8.
    /// - Complexity: O(document bytes).
    static func integerObject(_ bytes: [UInt8]) throws -> IntegerPairs? {
        var scanner = RawJSONScanner(bytes)
        guard let pairs = try scanner.find([]) else { return nil }
        scanner.skipSpace()
        return scanner.peek == nil ? pairs : nil
    }

    /// The byte ranges of the values of `keys` in the object at `path` (first occurrences), or
    /// nil when the path does not lead to an object. With `pairsKey` (one of `keys`), that value
    /// (its first occurrence) is also read in the same pass when it is an object of whole numbers,
    /// as `integerPairs(in:at:)` reads one (`pairs` is nil otherwise): the vocabulary is scanned
    /// once, not skipped and then read.
    /// - Complexity: O(document bytes).
    static func valueRanges(in bytes: [UInt8], object path: [String], keys: Set<String>, readingPairsOf pairsKey: String? = nil) throws
        -> (ranges: [String: Range<Int>], pairs: IntegerPairs?)? {
        precondition(pairsKey.map(keys.contains) ?? true, "pairsKey must be one of keys")
        var scanner = RawJSONScanner(bytes)
        let wanted = Set(keys.map { Array($0.utf8) })
        let pairsKeyBytes = pairsKey.map { Array($0.utf8) }
        var ranges: [String: Range<Int>] = [:]
        var pairs: IntegerPairs?
        var remaining = path[...]
        while true {
            scanner.skipSpace()
            guard scanner.peek == UInt8(ascii: "{") else { return nil }
            scanner.index += 1
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: "}") { return remaining.isEmpty ? (ranges, pairs) : nil }
            var descended = false
            while true {
                scanner.skipSpace()
                let key = try scanner.string()
                scanner.skipSpace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipSpace()
                if let next = remaining.first, key == Array(next.utf8) {
                    remaining = remaining.dropFirst()
                    descended = true
                    break
                }
                let start = scanner.index
                if remaining.isEmpty, key == pairsKeyBytes, ranges[pairsKey!] == nil, let read = scanner.objectOfIntegers() {
                    pairs = read
                } else {
                    try scanner.skipValue(depth: 0)
                }
                if remaining.isEmpty, wanted.contains(key) {
                    let name = String(decoding: key, as: UTF8.self)
                    if ranges[name] == nil { ranges[name] = start..<scanner.index }
                }
                scanner.skipSpace()
                guard let next = scanner.peek else { throw Failure(description: "the document ends inside an object") }
                scanner.index += 1
                if next == UInt8(ascii: "}") { return remaining.isEmpty ? (ranges, pairs) : nil }
                guard next == UInt8(ascii: ",") else { throw Failure(description: "expected , or } at byte \(scanner.index - 1)") }
            }
            if !descended { return nil }
        }
    }

    /// BPE merges from the array at `range`: each a ["left", "right"] pair or a "left right"
    /// string (split at its first space), as bytes; nil when an entry is anything else (the
    /// caller's checks then report it).
    /// - Complexity: O(range length).
    static func mergePairs(in bytes: [UInt8], range: Range<Int>) throws -> MergeList? {
        var scanner = RawJSONScanner(bytes, at: range.lowerBound)
        try scanner.expect(UInt8(ascii: "["))
        var merges = MergeList()
        var left: [UInt8] = [], right: [UInt8] = []
        scanner.skipSpace()
        if scanner.peek == UInt8(ascii: "]") {
            scanner.index += 1
            return scanner.index == range.upperBound ? merges : nil
        }
        while true {
            scanner.skipSpace()
            switch scanner.peek {
            case UInt8(ascii: "["):
                scanner.index += 1
                left.removeAll(keepingCapacity: true)
                right.removeAll(keepingCapacity: true)
                guard try scanner.pairElement(closedBy: UInt8(ascii: ","), into: &left),
                      try scanner.pairElement(closedBy: UInt8(ascii: "]"), into: &right) else { return nil }
                merges.append(left: left, right: right)
            case UInt8(ascii: "\""):
                let line = try scanner.string()
                guard let space = line.firstIndex(of: 0x20) else { return nil }
                merges.append(left: line[..<space], right: line[(space + 1)...])
            default:
                return nil
            }
            scanner.skipSpace()
            guard let next = scanner.peek else { throw Failure(description: "the document ends inside an array") }
            scanner.index += 1
            if next == UInt8(ascii: "]") { return scanner.index == range.upperBound ? merges : nil }
            guard next == UInt8(ascii: ",") else { throw Failure(description: "expected , or ] at byte \(scanner.index - 1)") }
        }
    }

    /// Reads one string of a merge pair and the byte after it (`closing`: `,` or `]`); false when
    /// the pair is not made of strings.
    private mutating func pairElement(closedBy closing: UInt8, into buffer: inout [UInt8]) throws -> Bool {
        skipSpace()
        guard peek == UInt8(ascii: "\"") else { return false }
        try string(into: &buffer)
        skipSpace()
        guard peek == closing else { return false }
        index += 1
        return true
    }

    /// The string at `range` as bytes, or nil when the value there is not a string.
    static func string(in bytes: [UInt8], range: Range<Int>) throws -> [UInt8]? {
        var scanner = RawJSONScanner(bytes, at: range.lowerBound)
        guard scanner.peek == UInt8(ascii: "\"") else { return nil }
        return try scanner.string()
    }

    private mutating func find(_ path: ArraySlice<String>) throws -> IntegerPairs? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return nil }
        index += 1
        var result = IntegerPairs()
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return path.isEmpty ? result : nil }
        var key: [UInt8] = []
        while true {
            skipSpace()
            if path.isEmpty {
                // The key straight into the list's buffer: no array per key.
                try result.keys.appending { try string(into: &$0) }
            } else {
                key.removeAll(keepingCapacity: true)
                try string(into: &key)
            }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            if path.isEmpty {
                guard let value = integer() else { return nil }
                result.values.append(value)
            } else if key.elementsEqual(path.first!.utf8) {
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

    /// The object of whole numbers at the index, read past; or nil, the index unchanged, when the
    /// value there is anything else (or malformed).
    private mutating func objectOfIntegers() -> IntegerPairs? {
        let start = index
        if peek == UInt8(ascii: "{"), let read = try? find([]) { return read }
        index = start
        return nil
    }

    private mutating func skipSpace() {
        index = bytes.withUnsafeBufferPointer { bytes in
            var i = index
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            return i
        }
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
        // JSON writes no leading zeros ("01"); such a number is left to the caller's checks.
        if peek == 0x30, index + 1 < bytes.count, bytes[index + 1] >= 0x30, bytes[index + 1] <= 0x39 {
            index = start
            return nil
        }
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
        var out: [UInt8] = []
        try string(into: &out)
        return out
    }

    /// Appends a string's UTF-8 bytes, escapes resolved, to `out`.
    private mutating func string(into out: inout [UInt8]) throws {
        try expect(UInt8(ascii: "\""))
        // Most strings have no escape: one copy of the bytes up to the closing quote.
        let end = plainRunEnd(from: index)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            out += bytes[index..<end]
            index = end + 1
            return
        }
        while true {
            guard let byte = peek else { throw Failure(description: "a string runs past the end of the document") }
            index += 1
            if byte == UInt8(ascii: "\"") { return }
            guard byte >= 0x20 else { throw Failure(description: "a raw control byte 0x\(String(byte, radix: 16)) in a string (JSON escapes them)") }
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

    /// Steps over a string without building it (escapes checked as `string()` does, except that
    /// surrogate pairing is left to the reader of the value).
    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while true {
            index = plainRunEnd(from: index)
            guard let byte = peek else { throw Failure(description: "a string runs past the end of the document") }
            index += 1
            if byte == UInt8(ascii: "\"") { return }
            guard byte >= 0x20 else { throw Failure(description: "a raw control byte 0x\(String(byte, radix: 16)) in a string (JSON escapes them)") }
            guard byte == UInt8(ascii: "\\") else { continue }
            guard let escape = peek else { throw Failure(description: "an escape runs past the end of the document") }
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                 UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"): _ = try hex4()
            default: throw Failure(description: "an invalid escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
    }

    /// The first offset from `start` holding a quote, a backslash or a control byte (the end of
    /// the document if none): the run of a string's bytes that need no look.
    /// - Complexity: O(run length).
    @inline(__always)
    private func plainRunEnd(from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { bytes in
            var end = start
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                end += 1
            }
            return end
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
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipSpace()
            if peek == close { index += 1; return }
            while true {
                if byte == UInt8(ascii: "{") {
                    skipSpace()
                    try skipString()
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
