import Testing
@testable import VocabKit

/// The hand-written GPT-style splitters against the regular expressions they replace, run by
/// ICU's regex engine: the pieces must be identical.
@Suite("GPT-style splitters match their regular expressions")
struct SplitterDifferentialTests {
    /// Scanner pieces and ICU regex matches for `bytes`.
    private func compare(_ pattern: SplitPattern, _ bytes: [UInt8], regex: ICURegex) throws -> (expected: [Range<Int>], actual: [Range<Int>]) {
        let text = try NormalizedText(validating: bytes)
        return try text.bytes.withUnsafeBufferPointer { p in
            var actual: [Range<Int>] = []
            try pattern.splitter.split(p, 0..<p.count, into: &actual)
            let expected = try regex.matches(in: p, 0..<p.count)
            return (expected, actual)
        }
    }

    private func firstDifference(_ expected: [Range<Int>], _ actual: [Range<Int>], in bytes: [UInt8]) -> String {
        let index = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, actual.count)
        func show(_ ranges: [Range<Int>]) -> String {
            ranges[max(0, index - 2)..<min(ranges.count, index + 3)]
                .map { "\(String(decoding: bytes[$0.clamped(to: 0..<bytes.count)], as: UTF8.self).debugDescription)" }
                .joined(separator: " ")
        }
        return "piece \(index): regex gives \(show(expected)), scanner gives \(show(actual))"
    }

    @Test("identical pieces on every corpus file", arguments: SplitPattern.allCases)
    func corpora(pattern: SplitPattern) throws {
        let regex = try ICURegex(pattern.regex)
        for name in TestCorpora.names {
            for block in TestCorpora.blocks(name) {
                let (expected, actual) = try compare(pattern, block, regex: regex)
                #expect(expected == actual, "\(pattern) on \(name): \(firstDifference(expected, actual, in: block))")
                if expected != actual { return }
            }
        }
    }

    @Test("identical pieces on adversarial strings", arguments: SplitPattern.allCases)
    func adversarial(pattern: SplitPattern) throws {
        let regex = try ICURegex(pattern.regex)
        for string in AdversarialText.strings + AdversarialText.random(count: 3000, seed: 7) {
            let bytes = Array(string.utf8)
            let (expected, actual) = try compare(pattern, bytes, regex: regex)
            #expect(expected == actual, "\(pattern) on \(string.debugDescription): \(firstDifference(expected, actual, in: bytes))")
        }
    }

    @Test("identical pieces on invalid UTF-8 after repair", arguments: SplitPattern.allCases)
    func invalidUTF8(pattern: SplitPattern) throws {
        let regex = try ICURegex(pattern.regex)
        let inputs: [[UInt8]] = [
            [0x61, 0xFF, 0x62], [0xED, 0xA0, 0x80, 0x20, 0x61], [0xC3], [0x20, 0xE2, 0x82], [0xF0, 0x9F, 0x98, 0x20, 0x27, 0x73],
            Array("don".utf8) + [0x80] + Array("'t".utf8),
        ]
        for bytes in inputs {
            let repaired = try NormalizedText(validating: bytes).bytes
            let (expected, actual) = try compare(pattern, bytes, regex: regex)
            #expect(expected == actual, "\(pattern) on \(bytes): \(firstDifference(expected, actual, in: repaired))")
        }
    }

    @Test("splitters cover their input exactly, in order")
    func coverage() throws {
        for pattern in SplitPattern.allCases {
            for string in AdversarialText.strings {
                let pieces = try pattern.splitter.preTokenize(string)
                #expect(pieces.joined() == string, "\(pattern) lost text of \(string.debugDescription)")
                #expect(!pieces.contains(""), "\(pattern) made an empty piece of \(string.debugDescription)")
            }
        }
    }

    @Test("known splits from the published tokenizers")
    func knownSplits() throws {
        #expect(try GPT2Splitter().preTokenize("Hello world's  end\n") == ["Hello", " world", "'s", " ", " end", "\n"])
        #expect(try CL100kSplitter.cl100k.preTokenize("I'LL pay 12345 dollars!!\n\n") == ["I", "'LL", " pay", " ", "123", "45", " dollars", "!!\n\n"])
        #expect(try CL100kSplitter.llama3.preTokenize("x \n  ") == ["x", " \n", "  "])
        #expect(try CL100kSplitter.cl100k.preTokenize("x \n  ") == ["x", " \n  "])
        #expect(try O200kSplitter().preTokenize("HelloWorld XMLHttp don't") == ["Hello", "World", " XMLHttp", " don't"])
    }
}
