import Foundation

/// One JSON Lines record's text: the string under a key of an object, or a bare JSON string.
package enum JSONLines {
    /// Why a line has no text, for the message naming its file and line.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// The UTF-8 of the line's text; nil for a blank line (no record).
    /// - Complexity: O(line length).
    package static func text(of line: ArraySlice<UInt8>, key: String) throws -> [UInt8]? {
        try texts(of: line, keys: [key])?[0]
    }

    /// The texts under several keys of one object (a text and its pair); nil for a blank line.
    /// A bare JSON string is accepted only for a single key.
    package static func texts(of line: ArraySlice<UInt8>, keys: [String]) throws -> [[UInt8]]? {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) } catch {
            throw Failure(description: "not valid JSON (\(String(decoding: line.prefix(60), as: UTF8.self).debugDescription)...)")
        }
        if keys.count == 1, let text = value as? String { return [Array(text.utf8)] }
        guard let object = value as? [String: Any] else {
            let wanted = keys.map { "\"\($0)\"" }.joined(separator: " and ")
            throw Failure(description: "a JSON \(kind(of: value)), not an object with \(wanted)\(keys.count == 1 ? " or a string" : "")")
        }
        return try keys.map { key in
            guard let field = object[key] else {
                let names = object.keys.sorted().prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
                throw Failure(description: "no \"\(key)\" key (the object has \(names.isEmpty ? "no keys" : names)); choose it with --text-key or --pair-key")
            }
            guard let text = field as? String else {
                throw Failure(description: "\"\(key)\" is a JSON \(kind(of: field)), not a string")
            }
            return Array(text.utf8)
        }
    }

    private static func kind(of value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        case is String: return "string"
        case is NSNumber: return "number or boolean"
        default: return "value"
        }
    }
}
