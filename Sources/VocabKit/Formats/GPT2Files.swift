import Foundation

/// GPT-2's original files: `encoder.json` (token in the byte-level alphabet → id) and `vocab.bpe`
/// (the merges in rank order, one "left right" pair a line after a "#version" line).
public enum GPT2Files {
    /// The model from the two files' contents.
    public static func model(encoderJSON: Data, vocabBPE: Data, encoderPath: String = "encoder.json",
                             mergesPath: String = "vocab.bpe") throws -> BPEModel {
        guard let model = try modelIfTokenMap(encoderJSON: encoderJSON, vocabBPE: vocabBPE, encoderPath: encoderPath, mergesPath: mergesPath) else {
            throw ModelError.invalidFile(path: encoderPath, reason: "not a JSON object of token to id")
        }
        return model
    }

    /// `model(...)`, or nil when `encoderJSON` is valid UTF-8 but not one JSON object of token to
    /// whole-number id (a `tokenizer.json` named `encoder.json`, say).
    static func modelIfTokenMap(encoderJSON: Data, vocabBPE: Data, encoderPath: String, mergesPath: String) throws -> BPEModel? {
        // 1. The vocabulary, tokens as the file's exact bytes (`RawJSONScanner`: a `[String: Any]`
        //    would merge canonically equivalent keys and silently keep one of two repeated ones).
        //    A UTF-8 byte order mark is skipped, as JSONSerialization skips it.
        var document = [UInt8](encoderJSON)
        if document.starts(with: [0xEF, 0xBB, 0xBF]) { document.removeFirst(3) }
        func invalid(_ reason: String) -> ModelError { .invalidFile(path: encoderPath, reason: reason) }
        if let offset = document.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset($0) }) { throw invalid("not UTF-8 (byte \(offset))") }
        let pairs: RawJSONScanner.IntegerPairs
        do {
            guard let read = try RawJSONScanner.integerObject(document) else { return nil }
            pairs = read
        } catch let failure as RawJSONScanner.Failure {
            throw invalid("not a JSON object of token to id: \(failure)")
        }
        let count = pairs.count
        var tokens = [[UInt8]?](repeating: nil, count: count)
        var lookup = ByteStringTable(capacity: count)   // the token as spelled in the file → id
        for index in 0..<count {
            let spelled = pairs.keys[index], id = pairs.values[index]
            func token() -> String { String(decoding: spelled, as: UTF8.self).debugDescription }
            guard (0..<count).contains(id) else { throw invalid("token \(token()) has id \(id), not 0 to \(count - 1)") }
            guard let bytes = ByteLevelAlphabet.decode(utf8: spelled) else {
                throw invalid("token \(token()) has a character outside the byte-level alphabet")
            }
            guard tokens[id] == nil else { throw invalid("id \(id) appears twice") }
            guard lookup.insertNew(spelled, id: UInt32(id)) else { throw invalid("token \(token()) appears twice") }
            tokens[id] = bytes
        }
        let vocabulary = tokens.compactMap { $0 }   // every id 0..<count is set: count tokens, no repeat
        // 2. The merges, one "left right" pair a line (a final "\r" of CRLF files dropped).
        var merges: [(UInt32, UInt32, UInt32)] = []
        let lines = [UInt8](vocabBPE).split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.last == 0x0D ? rawLine.dropLast() : rawLine
            if line.isEmpty || (index == 0 && line.starts(with: "#version".utf8)) { continue }
            let parts = line.split(separator: 0x20)
            guard parts.count == 2, let left = lookup.id(of: parts[0]), let right = lookup.id(of: parts[1]),
                  let result = lookup.id(of: parts[0] + parts[1]) else {
                throw ModelError.invalidFile(path: mergesPath, reason: "line \(index + 1) is not a merge of two tokens into a token: \(String(decoding: line.prefix(80), as: UTF8.self))")
            }
            merges.append((left, right, result))
        }
        return try BPEModel(tokens: vocabulary, merges: merges, isByteLevel: true)
    }
}
