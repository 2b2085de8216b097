import CICU

/// An ICU regular expression over UTF-8, usable from many threads at once.
///
/// Used where a pattern comes from a file or the command line, and as the test oracle for the
/// hand-written splitters. Syntax: ICU's (`\p{L}`, possessive `++`, lookahead `(?!...)`,
/// `(?i:...)`), which covers the GPT, cl100k, o200k and Llama 3 patterns as published.
package final class ICURegex: @unchecked Sendable {
    /// The pattern as given.
    package let pattern: String
    private let pool: ICUHandlePool

    /// Compiles `pattern`; throws `TextError.invalidPattern` with ICU's message.
    package init(_ pattern: String, caseInsensitive: Bool = false) throws {
        self.pattern = pattern
        var message = [CChar](repeating: 0, count: 256)
        let bytes = Array(pattern.utf8)
        guard let handle = vk_regex_create(bytes, Int32(bytes.count), caseInsensitive ? 1 : 0, &message, 256) else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TextError.invalidPattern(pattern: pattern, message: text)
        }
        pool = ICUHandlePool(prototype: handle, clone: { vk_regex_clone($0) }, destroy: { vk_regex_destroy($0) })
    }

    /// The byte ranges of every non-overlapping match in `bytes[range]` (offsets into `bytes`).
    /// Empty matches are skipped.
    /// With `keepsEmpty`, empty matches are kept too, except one where the previous match ended
    /// (the rule of Rust's `regex` and `onig` iterators, which HuggingFace's `Split` uses): a
    /// zero-width pattern such as `(?=(\d{3})+(?!\d))` then cuts where it matches.
    package func matches(in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, keepsEmpty: Bool = false) throws -> [Range<Int>] {
        guard !range.isEmpty else { return [] }
        return try pool.withHandle { handle, buffer in
            let status = vk_regex_find_all(handle, bytes.baseAddress! + range.lowerBound, Int32(range.count), buffer.handle)
            // -2: ICU's time limit or backtracking stack limit tripped (see regex.cpp).
            if status == -2 { throw TextError.patternTooSlow(pattern: pattern, bytes: range.count) }
            guard status <= 0 else { throw TextError.icuFailure(operation: "regex find", code: status) }
            let ints = buffer.ints
            var result: [Range<Int>] = []
            result.reserveCapacity(ints.count / 2)
            var previousEnd: Int32 = -1
            for k in stride(from: 0, to: ints.count, by: 2) {
                let (start, end) = (ints[k], ints[k + 1])
                defer { previousEnd = end }
                guard end > start || (keepsEmpty && start != previousEnd) else { continue }
                result.append((range.lowerBound + Int(start))..<(range.lowerBound + Int(end)))
            }
            return result
        }
    }

    /// The matches in a string, as strings (convenience).
    package func matches(in string: String) throws -> [String] {
        let bytes = Array(string.utf8)
        return try bytes.withUnsafeBufferPointer { p in
            try matches(in: p, 0..<p.count).map { String(decoding: bytes[$0], as: UTF8.self) }
        }
    }
}
