import Foundation

/// GPT-2's original files: `encoder.json` (token in the byte-level alphabet → id) and `vocab.bpe`
/// (the merges in rank order, one "left right" pair a line after a "#version" line).
public enum GPT2Files {
    /// The model from the two files' contents.
    public static func model(encoderJSON: Data, vocabBPE: Data, encoderPath: String = "encoder.json",
                             mergesPath: String = "vocab.bpe") throws -> BPEModel {
        // 1. The vocabulary.
        guard let object = try? JSONSerialization.jsonObject(with: encoderJSON) as? [String: Any] else {
            throw ModelError.invalidFile(path: encoderPath, reason: "not a JSON object of token to id")
        }
        var tokens = [[UInt8]?](repeating: nil, count: object.count)
        for (token, value) in object {
            guard let id = JSONObject.integer(value, in: 0...(object.count - 1)) else {
                throw ModelError.invalidFile(path: encoderPath, reason: "token \(token.debugDescription) has id \(value), not 0 to \(object.count - 1)")
            }
            guard let bytes = ByteLevelAlphabet.decode(token) else {
                throw ModelError.invalidFile(path: encoderPath, reason: "token \(token.debugDescription) has a character outside the byte-level alphabet")
            }
            guard tokens[id] == nil else { throw ModelError.invalidFile(path: encoderPath, reason: "id \(id) appears twice") }
            tokens[id] = bytes
        }
        let vocabulary = tokens.compactMap { $0 }
        var lookup: [String: UInt32] = [:]
        for (token, value) in object { lookup[token] = UInt32(JSONObject.integer(value, in: 0...(object.count - 1))!) }   // checked above
        // 2. The merges.
        var merges: [(UInt32, UInt32, UInt32)] = []
        for (index, line) in String(decoding: vocabBPE, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ")
            guard parts.count == 2, let left = lookup[String(parts[0])], let right = lookup[String(parts[1])],
                  let result = lookup[String(parts[0] + parts[1])] else {
                throw ModelError.invalidFile(path: mergesPath, reason: "line \(index + 1) is not a merge of two tokens into a token: \(line.prefix(80))")
            }
            merges.append((left, right, result))
        }
        return try BPEModel(tokens: vocabulary, merges: merges, isByteLevel: true)
    }
}
