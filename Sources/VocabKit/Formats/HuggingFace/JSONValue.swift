import Foundation

/// Typed access to a parsed JSON object, with errors that name the field that is wrong.
struct JSONObject {
    let fields: [String: Any]
    /// Where this object is, for messages ("model", "pre_tokenizer.pretokenizers[1]").
    let path: String
    let file: String

    init(_ value: Any?, path: String, file: String) throws {
        guard let fields = value as? [String: Any] else {
            throw ModelError.invalidFile(path: file, reason: "\(path) is not a JSON object")
        }
        self.fields = fields
        self.path = path
        self.file = file
    }

    func error(_ reason: String) -> ModelError { .invalidFile(path: file, reason: "\(path): \(reason)") }
    /// A well-formed part this reader does not run.
    func unsupported(_ feature: String) -> ModelError { .unsupported(path: file, feature: "\(path): \(feature)") }

    func has(_ key: String) -> Bool { fields[key].map { !Self.isNull($0) } ?? false }

    /// Whether a parsed value is JSON's null. Compares the dynamic type: `value is NSNull`
    /// would first bridge a Swift dictionary or array to its Foundation class, copying it.
    /// - Complexity: O(1).
    @inline(__always)
    static func isNull(_ value: Any) -> Bool { Swift.type(of: value) == NSNull.self }

    var type: String {
        get throws {
            guard let type = fields["type"] as? String else { throw error("no \"type\"") }
            return type
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = fields[key], !Self.isNull(value) else { return nil }
        guard let string = value as? String else { throw error("\"\(key)\" is not a string") }
        return string
    }

    func requiredString(_ key: String) throws -> String {
        guard let string = try string(key) else { throw error("\"\(key)\" is missing") }
        return string
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let raw = fields[key], !Self.isNull(raw) else { return value }
        if let flag = raw as? Bool { return flag }
        guard let number = raw as? NSNumber, let value = Self.integer(number, in: 0...1) else {
            throw error("\"\(key)\" is not true or false")
        }
        return value == 1
    }

    /// The whole number a JSON value holds when it lies in `range`, else nil. Never traps:
    /// -1, 2.5, 1e20, 2^64 and non-numbers are all nil (Foundation's `intValue` traps on 1e20).
    static func integer(_ value: Any?, in range: ClosedRange<Int>) -> Int? {
        guard let number = value as? NSNumber, !(value is String) else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double == double.rounded(), double >= Double(range.lowerBound),
              double <= Double(range.upperBound) else { return nil }
        return Int(double)
    }

    /// An integer field in `range`; nil when absent or null; an error naming the field and the
    /// range when it is anything else.
    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = fields[key], !Self.isNull(value) else { return nil }
        guard let integer = Self.integer(value, in: range) else {
            throw error("\"\(key)\" is \(value), not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    /// An id or type id field (0 to 2^32 - 1).
    func id(_ key: String) throws -> UInt32? { try integer(key, in: 0...Int(UInt32.max)).map { UInt32($0) } }

    func array(_ key: String) throws -> [Any] {
        guard let array = fields[key] as? [Any] else { throw error("\"\(key)\" is missing or not an array") }
        return array
    }

    func object(_ key: String) throws -> JSONObject? {
        guard let value = fields[key], !Self.isNull(value) else { return nil }
        return try JSONObject(value, path: "\(path).\(key)", file: file)
    }
}
