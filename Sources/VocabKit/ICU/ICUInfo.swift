import CICU

/// Versions of the ICU library and Unicode data that VocabKit's text front end uses.
public enum ICUInfo {
    /// The ICU library version, e.g. "72.1".
    public static var icuVersion: String { read(vk_icu_version) }
    /// The Unicode version of ICU's character data, e.g. "15.0".
    public static var unicodeVersion: String { read(vk_unicode_version) }

    private static func read(_ body: (UnsafeMutablePointer<CChar>, Int32) -> Void) -> String {
        var buffer = [CChar](repeating: 0, count: 32)
        buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, 32) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
