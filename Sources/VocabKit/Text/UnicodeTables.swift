import CICU

/// Flat per-code-point property tables, filled once from ICU and then read without locks.
///
/// One byte per code point (0x110000 entries, 1.1 MB): the general category in the low 5 bits,
/// the White_Space property in bit 5 and the Alphabetic property in bit 6. A lookup is one load,
/// where an ICU call per character costs a function call and a trie walk (the GPT-style
/// splitters look up every character).
///
/// Filled once per process, on first use, from ICU's ranges (runs of code points with one
/// category, the property sets' ranges): under 1 ms. Filled one code point at a time it took
/// about 13 ms, paid by the first text a process encoded, on one thread while any other
/// waited; with 5 MB texts that alone held the 1 → 2 thread scaling of BPE encoding under 1.8x.
package enum UnicodeTables {
    static let whiteSpaceBit: UInt8 = 0x20
    static let alphabeticBit: UInt8 = 0x40

    /// The category table; see the type's documentation.
    static let categories: [UInt8] = table(filledBy: vk_fill_category_table)

    /// ICU script codes (`UScriptCode`) per code point, filled on first use from ICU's ranges
    /// (2.2 MB).
    static let scripts: [UInt16] = table(filledBy: vk_fill_script_table)

    /// The category table filled one code point at a time (the reference for tests). O(0x110000).
    package static func referenceCategories() -> [UInt8] { table(filledBy: vk_fill_category_table_reference) }

    /// The script table filled one code point at a time (the reference for tests). O(0x110000).
    package static func referenceScripts() -> [UInt16] { table(filledBy: vk_fill_script_table_reference) }

    /// A table of one entry per code point (0x110000), zeroed, then filled by a CICU function.
    private static func table<Entry: FixedWidthInteger>(filledBy fill: (UnsafeMutablePointer<Entry>?) -> Void) -> [Entry] {
        var table = [Entry](repeating: 0, count: 0x110000)
        table.withUnsafeMutableBufferPointer { fill($0.baseAddress!) }
        return table
    }

    /// The context-free full lowercase mapping of every code point whose lowercase differs from
    /// itself (about 1,400 of them), as UTF-8. Context-free: Σ always lowercases to σ, as in
    /// HuggingFace's `Lowercase` (Rust's `char::to_lowercase`) and BERT.
    static let lowercase: [UInt32: [UInt8]] = {
        var map: [UInt32: [UInt8]] = [:]
        var buffer = [UInt8](repeating: 0, count: 32)
        for scalar in UInt32(0x80)...0x10FFFF {
            let category = GeneralCategory(rawValue: categories[Int(scalar)] & 0x1F) ?? .unassigned
            // Only letters, letter numbers (Ⅻ), enclosed letters (Ⓐ, So) and the combining
            // ypogegrammeni (Mn) change when lowercased; skipping the rest keeps this fast.
            switch category {
            case .uppercaseLetter, .titlecaseLetter, .letterNumber, .otherSymbol, .nonspacingMark: break
            default: continue
            }
            let length = buffer.withUnsafeMutableBufferPointer { vk_full_lowercase(scalar, $0.baseAddress!, 32) }
            if length > 0 { map[scalar] = Array(buffer[0..<Int(length)]) }
        }
        return map
    }()

    /// The general category of `scalar`.
    @inline(__always)
    package static func category(_ scalar: UInt32) -> GeneralCategory {
        GeneralCategory(rawValue: categories[Int(scalar)] & 0x1F) ?? .unassigned
    }

    /// Whether `scalar` has the Unicode White_Space property (what `\s` matches in ICU, Oniguruma
    /// and Rust regular expressions).
    @inline(__always)
    package static func isWhiteSpace(_ scalar: UInt32) -> Bool {
        categories[Int(scalar)] & whiteSpaceBit != 0
    }

    /// Whether `scalar` has the Unicode Alphabetic property (letters, letter numbers, and marks
    /// and symbols that behave as letters, such as Ⓐ).
    @inline(__always)
    package static func isAlphabetic(_ scalar: UInt32) -> Bool {
        categories[Int(scalar)] & alphabeticBit != 0
    }

    /// The ICU script code of `scalar`.
    @inline(__always)
    /// The ICU script code (UScriptCode) of a scalar.
    package static func script(_ scalar: UInt32) -> UInt16 { scripts[Int(scalar)] }
}

/// Character classes used by the GPT-style splitters, derived from the category table.
struct ScannerClass: OptionSet {
    let rawValue: UInt8
    static let letter = ScannerClass(rawValue: 1)       // \p{L}
    static let number = ScannerClass(rawValue: 2)       // \p{N}
    static let space = ScannerClass(rawValue: 4)        // \s (White_Space)
    static let upperish = ScannerClass(rawValue: 8)     // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
    static let lowerish = ScannerClass(rawValue: 16)    // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
    static let lineBreak = ScannerClass(rawValue: 32)   // [\r\n]
    static let mark = ScannerClass(rawValue: 64)        // \p{M}

    /// The class of every possible category-table byte (256 entries; the Alphabetic bit is ignored).
    static let byTableByte: [ScannerClass] = (0..<256).map { byte in
        var result: ScannerClass = []
        if byte & 0x20 != 0 { result.insert(.space) }
        let category = GeneralCategory(rawValue: UInt8(byte & 0x1F)) ?? .unassigned
        if category.isLetter { result.insert(.letter) }
        if category.isNumber { result.insert(.number) }
        if category.isMark { result.insert(.mark) }
        switch category {
        case .uppercaseLetter, .titlecaseLetter: result.insert(.upperish)
        case .lowercaseLetter: result.insert(.lowerish)
        case .modifierLetter, .otherLetter, .nonspacingMark, .enclosingMark, .spacingMark:
            result.formUnion([.upperish, .lowerish])
        default: break
        }
        return result
    }

    /// The class of each ASCII byte (one load on the hot path; measured 15% faster splitting of
    /// English than going through the category table).
    static let ascii: [ScannerClass] = (0..<128).map { byte in
        of(UInt32(byte), table: nil, classes: nil)
    }

    static func of(_ scalar: UInt32, table: UnsafePointer<UInt8>?, classes: UnsafePointer<ScannerClass>?) -> ScannerClass {
        if scalar == 0x0A || scalar == 0x0D { return [.space, .lineBreak] }
        if let table, let classes { return classes[Int(table[Int(scalar)])] }
        return byTableByte[Int(UnicodeTables.categories[Int(scalar)])]
    }

    @inline(__always)
    static func of(_ scalar: UInt32, table: UnsafePointer<UInt8>, classes: UnsafePointer<ScannerClass>) -> ScannerClass {
        if scalar == 0x0A || scalar == 0x0D { return [.space, .lineBreak] }
        return classes[Int(table[Int(scalar)])]
    }
}
