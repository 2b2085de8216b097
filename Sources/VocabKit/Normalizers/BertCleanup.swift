/// BERT's "clean text": drops NUL, U+FFFD and control-like characters, maps whitespace to " ".
///
/// Control-like means general category Cc, Cf, Cn, Co or Cs, except tab, line feed and carriage
/// return, which are whitespace (HuggingFace `BertNormalizer`, `clean_text`). The control test
/// comes first, so U+0085 (Cc and White_Space) is removed.
public struct BertCleanText: Normalizer {
    public init() {}

    public func normalize(_ text: inout NormalizedText) throws {
        mapASCIIInPlace(&text) { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
        rewriteScalars(&text, keepsASCII: { $0 >= 0x20 && $0 != 0x7F }) { scalar in
            if scalar == 0 || scalar == 0xFFFD { return [] }
            if UnicodeTables.category(scalar).isOther { return [] }
            if UnicodeTables.isWhiteSpace(scalar) { return scalar == 0x20 ? nil : [0x20] }
            return nil
        }
    }
}

/// Puts a space on each side of every CJK ideograph (BERT's `handle_chinese_chars`), so that the
/// whitespace pre-tokenizer makes each ideograph a word.
///
/// The ranges are HuggingFace `tokenizers`' (CJK Unified Ideographs, extensions A to E, the
/// compatibility ideographs). Its fifth range starts at U+2B920 where Google's original BERT code
/// says U+2B820; HuggingFace's is kept so ids match the library people load BERT with. Hiragana,
/// Katakana and Hangul are not included (as in BERT).
public struct CJKIdeographSpacing: Normalizer {
    public init() {}

    /// Whether `scalar` is in one of BERT's CJK ideograph ranges.
    public static func isCJKIdeograph(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    public func normalize(_ text: inout NormalizedText) throws {
        rewriteScalars(&text, ignoresASCII: true, keepsASCII: { _ in true }) { scalar in
            guard Self.isCJKIdeograph(scalar) else { return nil }
            var bytes: [UInt8] = [0x20]
            appendUTF8(scalar, to: &bytes)
            bytes.append(0x20)
            return bytes
        }
    }
}

/// The extra rules SentencePiece's `nmt_nfkc` adds to NFKC: control characters are removed and
/// whitespace-like characters (tab, line breaks, zero-width spaces and marks, U+2581, BOM,
/// U+FFFD) become an ASCII space.
///
/// Use it before `UnicodeFormNormalizer(.nfkc)`; `NormalizerPreset.sentencePiece` adds
/// SentencePiece's `remove_extra_whitespaces` (collapse runs of spaces, strip the ends).
public struct SentencePieceWhitespaceRules: Normalizer {
    public init() {}

    /// Removed: U+0001-U+0008, U+000B, U+000E-U+001F, U+007F, U+008F, U+009F.
    static func isRemovedControl(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F: return true
        default: return false
        }
    }

    /// Mapped to " ": tab, LF, FF, CR, U+1680, U+200B-U+200F, U+2028, U+2029, U+2581, U+FEFF, U+FFFD.
    static func isSpaceLike(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD: return true
        default: return false
        }
    }

    public func normalize(_ text: inout NormalizedText) throws {
        rewriteScalars(&text, keepsASCII: { $0 >= 0x20 && $0 != 0x7F }) { scalar in
            if Self.isRemovedControl(scalar) { return [] }
            if Self.isSpaceLike(scalar) { return [0x20] }
            return nil
        }
    }
}

// The registry entries (see NormalizerComponent).
extension BertCleanText { public var component: NormalizerComponent? { .bertClean } }
extension CJKIdeographSpacing { public var component: NormalizerComponent? { .cjkSpacing } }
extension SentencePieceWhitespaceRules { public var component: NormalizerComponent? { .sentencePieceWhitespace } }
