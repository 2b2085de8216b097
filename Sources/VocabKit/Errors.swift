// The errors of the runtime module, in one place: text (front end), model (files and
// vocabularies), input (corpus files) and the double-array build. Each message names what is
// wrong and where, and what to do where that is not obvious.

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
    /// A regular expression passed its match time or backtracking limit on a text.
    case patternTooSlow(pattern: String, bytes: Int)
    /// The text contains a special token's text (`<|endoftext|>`) that the policy refuses.
    case specialTokenInText(token: String, offset: Int)

    public var description: String {
        switch self {
        case .invalidUTF8(let offset):
            return "invalid UTF-8 at byte offset \(offset) (this reading is strict; fix the input, or read it with the replace policy, VocabKit's default, which turns ill-formed bytes into U+FFFD)"
        case .textTooLarge(let bytes):
            return "text of \(bytes) bytes is larger than 2 GiB, the most one call can process; split it (by lines or documents)"
        case .icuFailure(let operation, let code):
            return "ICU \(operation) failed with error code \(code) (check that the system ICU, libicu, is installed with its data)"
        case .invalidPattern(let pattern, let message): return "invalid regular expression \(pattern): \(message)"
        case .invalidSpecification(let message): return message
        case .specialTokenInText(let token, let offset):
            return "the text contains the special token \(token) at byte \(offset); pass specialTokens: .recognized (or .refused(except: [\(token.debugDescription)])) to encode it as the special token, or .asText to encode its characters as ordinary text (tiktoken's allowed_special / encode_ordinary)"
        case .patternTooSlow(let pattern, let bytes):
            return "the regular expression \(pattern.prefix(200).debugDescription) passed ICU's match time limit on a text of \(bytes) bytes (catastrophic backtracking, as in (a+)+$); rewrite it with possessive quantifiers or atomic groups"
        }
    }
}

/// Errors about models and model files. A caller can switch on the cases that call for
/// different handling (a missing file, a format or component VocabKit does not run, an id past
/// the vocabulary, a batch that needs a padding token); `invalidFile` and `invalidModel` are
/// malformed or inconsistent content, with the reason in words.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// Settings or parts that do not make a working model (an unknown token not in the
    /// vocabulary, sampling settings out of range, a padding id past the vocabulary).
    case invalidModel(String)
    /// A file that is malformed or inconsistent: `reason` says what and where in it.
    case invalidFile(path: String, reason: String)
    /// No file or folder at `path`.
    case fileNotFound(path: String)
    /// A file whose content is none of the formats VocabKit reads.
    case unrecognizedFormat(path: String)
    /// A well-formed file that uses something VocabKit does not run (a tokenizer.json component
    /// type, a SentencePiece model type, a GGUF model or pre-tokenizer name): `feature` names it.
    case unsupported(path: String, feature: String)
    /// Texts of different lengths to pad into one matrix, and no padding token named.
    case noPaddingToken
    /// An id given to decode (or look up) that the vocabulary does not have: a caller can
    /// switch on it (a model that sampled past the tokenizer's ids, say).
    case idOutOfRange(id: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case .invalidModel(let reason): return "invalid model: \(reason)"
        case .invalidFile(let path, let reason): return "\(path): \(reason)"
        case .fileNotFound(let path): return "\(path): no such file or folder"
        case .unrecognizedFormat(let path):
            return "\(path): not a tokenizer file VocabKit knows (tokenizer.json, SentencePiece .model, tiktoken ranks, vocab.txt, GGUF, or a folder with one of them or GPT-2's encoder.json and vocab.bpe)"
        case .unsupported(let path, let feature): return "\(path): \(feature)"
        case .noPaddingToken:
            return "the texts encode to different lengths and this tokenizer names no padding token; set `padding` or `specialTokenIds.padding` (with the id the model was trained to ignore)"
        case .idOutOfRange(let id, let size):
            return "id \(id) is outside the vocabulary of \(size) (ids are 0 to \(size - 1))"
        }
    }
}

/// Errors reading input files and writing output files.
public enum InputError: Error, Equatable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    /// A file could not be created, written in full or renamed into place (e.g. a full disk).
    case cannotWrite(path: String, reason: String)
    case invalidCorpus(String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason); check the free space and permissions of its folder"
        case .invalidCorpus(let reason): return reason
        }
    }
}

extension DoubleArrayTrie {
    /// Errors from building a double array.
    package enum BuildError: Error, Equatable, CustomStringConvertible {
        case emptyKey
        case keyContainsNUL
        case duplicateKey([UInt8])
        case valueOutOfRange(Int)
        case tooLarge

        package var description: String {
            switch self {
            case .emptyKey: return "a double-array key must not be empty"
            case .keyContainsNUL: return "a double-array key must not contain a NUL byte"
            case .duplicateKey(let key): return "duplicate double-array key \(String(decoding: key, as: UTF8.self).debugDescription)"
            case .valueOutOfRange(let value): return "double-array value \(value) is outside 0..<2^31"
            case .tooLarge: return "the double array would exceed 2^29 units"
            }
        }
    }
}
