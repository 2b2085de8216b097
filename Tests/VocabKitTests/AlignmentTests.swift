import Foundation
import Testing
@testable import VocabKit

/// Offsets from normalized text back to the original: monotonic, in bounds, and each piece maps
/// to the original text it came from.
@Suite("Offsets survive normalization")
struct AlignmentTests {
    static let pipelines = [
        "nfkc", "nfd", "nfkc-cf", "nfc,lowercase", "strip-accents", "bert", "nmt-nfkc",
        "nfkc,collapse-whitespace,strip", "cjk-spacing,strip-accents-bert,lowercase", "remove-control,nfkd,nfc",
    ]

    /// Checks the alignment of `text` (normalized from `original` by `normalizer`).
    private func check(_ original: [UInt8], _ normalizer: NormalizerSequence, _ name: String) throws {
        var text = try NormalizedText(validating: original)
        try normalizer.normalize(&text)
        // 1. Every boundary maps into the original, and never backwards.
        var previousStart = 0, previousEnd = 0
        var i = 0
        let bytes = text.bytes
        while i <= bytes.count {
            let start = text.originalRange(of: i..<i).lowerBound
            let end = i > 0 ? text.alignment.originalEnd(i) : 0
            #expect(start >= previousStart && end >= previousEnd && start <= original.count && end <= original.count,
                    "\(name): offset \(i) maps to \(start)/\(end) after \(previousStart)/\(previousEnd)")
            if start < previousStart || end < previousEnd { return }
            previousStart = start; previousEnd = end
            i += 1
            while i < bytes.count && bytes[i] & 0xC0 == 0x80 { i += 1 }
        }
        // 2. Searches carried from call to call (increasing ranges, then some going back) give
        //    the same offsets as fresh searches.
        var boundaries = [0]
        for (index, byte) in bytes.enumerated() where index > 0 && byte & 0xC0 != 0x80 { boundaries.append(index) }
        boundaries.append(bytes.count)
        var ranges = zip(boundaries, boundaries.dropFirst()).map { $0..<$1 }
        ranges += ranges.reversed() + ranges.indices.map { ranges[($0 * 7) % ranges.count] }
        var hints = (0, 0)
        for range in ranges {
            #expect(text.originalRange(of: range, hints: &hints) == text.originalRange(of: range),
                    "\(name): hinted search differs at \(range)")
        }
        // 3. Each whitespace-separated piece maps back to original text that normalizes to it.
        var pieces: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { WhitespaceSplitter().split($0, 0..<$0.count, into: &pieces) }
        for piece in pieces {
            let range = text.originalRange(of: piece)
            var again = try NormalizedText(validating: original[range])
            try normalizer.normalize(&again)
            let expected = String(decoding: bytes[piece], as: UTF8.self)
            #expect(again.string.trimmingCharacters(in: .whitespaces) == expected,
                    "\(name): piece \(expected.debugDescription) maps to \(String(decoding: original[range], as: UTF8.self).debugDescription)")
        }
    }

    @Test("random strings", arguments: pipelines)
    func random(pipeline: String) throws {
        let normalizer = try FrontEndSpecification.normalizer(pipeline)
        for string in AdversarialText.strings + AdversarialText.random(count: 1500, seed: 3) {
            try check(Array(string.utf8), normalizer, "\(pipeline) on \(string.debugDescription)")
        }
    }

    @Test("every line of every corpus file", arguments: ["nfkc", "bert", "nmt-nfkc"])
    func corpora(pipeline: String) throws {
        let normalizer = try FrontEndSpecification.normalizer(pipeline)
        for name in TestCorpora.names {
            for line in TestCorpora.lines(name).prefix(1500) {
                try check(line, normalizer, "\(pipeline) on \(name)")
            }
        }
    }

    @Test("a known example")
    func known() throws {
        var text = try NormalizedText(validating: Array("Ｈｅｌｌｏ ﬁne".utf8))
        try UnicodeFormNormalizer(.nfkc).normalize(&text)
        #expect(text.string == "Hello fine")
        #expect(text.originalRange(of: 1..<2) == 3..<6)      // "e" came from "ｅ"
        #expect(text.originalRange(of: 6..<10) == 16..<21)   // "fine" came from "ﬁne"
        #expect(text.originalRange(of: 6..<7) == 16..<19)    // "f" came from all of "ﬁ"
    }
}
