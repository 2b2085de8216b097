import VocabKit
import VocabTraining

/// How much of the text a normalizer removes or changes, so a report can warn when an algorithm
/// is measured on altered text (BERT's uncased normalizer drops every combining mark of Hindi
/// and lowercases everything).
enum FrontEndChanges {
    /// The characters of `original` that do not come through `normalized` unchanged: every
    /// character inside a changed region of the alignment (regions may overlap: each character
    /// counts once), plus the characters rewritten in place (ASCII case mapping keeps the
    /// alignment one to one). A region whose output is its input with spaces added (CJK spacing)
    /// changes nothing.
    /// - Complexity: O(bytes).
    static func changedCharacters(original: ArraySlice<UInt8>, normalized: NormalizedText) -> Int {
        // Nothing changed (the "none" normalizer, or text a normalizer leaves alone): no copy.
        if normalized.changedRegions.isEmpty && normalized.bytes.elementsEqual(original) { return 0 }
        let source = Array(original), output = normalized.bytes
        var changed = 0, o = 0, n = 0
        // One to one: the same byte length, but a character may be rewritten in place (case
        // mapping of "Д" to "д" keeps two bytes and adds no region): compare whole characters.
        func countOneToOne(until end: Int) {
            while o < end && n < output.count {
                var length = 1
                while o + length < end && (source[o + length] & 0xC0) == 0x80 { length += 1 }
                if n + length > output.count || !source[o..<(o + length)].elementsEqual(output[n..<(n + length)]) { changed += 1 }
                o += length; n += length
            }
        }
        for (normalizedStart, normalizedEnd, originalStart, originalEnd) in normalized.changedRegions {
            countOneToOne(until: originalStart)
            let from = max(o, originalStart)
            if from < originalEnd && !output[normalizedStart..<normalizedEnd].filter({ $0 != 0x20 }).elementsEqual(source[originalStart..<originalEnd]) {
                changed += scalarCount(source[from..<originalEnd])
            }
            (o, n) = (max(o, originalEnd), max(n, normalizedEnd))
        }
        countOneToOne(until: source.count)
        return changed
    }
}

/// The share of one group's characters a front end's normalizer removes or changes.
public struct FrontEndChange: Sendable, Codable, Equatable {
    /// The front end ("bert + bert") and the algorithms that use it.
    public var frontEnd: String
    public var algorithms: [Algorithm]
    public var group: String
    public var changedCharacters: Int
    public var characters: Int
    public var share: Double { characters == 0 ? 0 : Double(changedCharacters) / Double(characters) }
}
