/// Errors raised by the text front end (validation, normalization, pre-tokenization).
public enum TextError: Error, Equatable, CustomStringConvertible {
    /// The input is not valid UTF-8; `offset` is the byte offset of the first bad sequence.
    case invalidUTF8(offset: Int)
    /// The input is larger than ICU can address (2 GiB - 1 bytes per call).
    case textTooLarge(bytes: Int)
    /// An ICU call failed; `code` is ICU's UErrorCode.
    case icuFailure(operation: String, code: Int32)
    /// A regular expression did not compile.
    case invalidPattern(pattern: String, message: String)
    /// A normalizer or pre-tokenizer specification could not be parsed.
    case invalidSpecification(String)

    public var description: String {
        switch self {
        case .invalidUTF8(let offset): return "invalid UTF-8 at byte offset \(offset)"
        case .textTooLarge(let bytes): return "text of \(bytes) bytes is larger than 2 GiB, the most one call can process"
        case .icuFailure(let operation, let code): return "ICU \(operation) failed with error code \(code)"
        case .invalidPattern(let pattern, let message): return "invalid regular expression \(pattern): \(message)"
        case .invalidSpecification(let message): return message
        }
    }
}
