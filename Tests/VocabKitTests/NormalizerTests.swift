import Foundation
import Testing
@testable import VocabKit

@Suite("Unicode forms agree with ICU's plain UTF-16 normalization")
struct UnicodeFormTests {
    @Test("fast path equals ICU on every corpus file", arguments: UnicodeForm.allCases)
    func corpora(form: UnicodeForm) throws {
        let normalizer = UnicodeFormNormalizer(form)
        for name in TestCorpora.names {
            for block in TestCorpora.blocks(name, size: 256 * 1024) {
                var text = try NormalizedText(validating: block)
                try normalizer.normalize(&text)
                let expected = try normalizer.referenceNormalize(block)
                #expect(text.bytes == expected, "\(form) differs from ICU on \(name)")
            }
        }
    }

    @Test("fast path equals ICU on adversarial and random strings", arguments: UnicodeForm.allCases)
    func adversarial(form: UnicodeForm) throws {
        let normalizer = UnicodeFormNormalizer(form)
        for string in AdversarialText.strings + AdversarialText.random(count: 2000, seed: 11) {
            let expected = try normalizer.referenceNormalize(Array(string.utf8))
            #expect(try normalizer.normalize(string) == String(decoding: expected, as: UTF8.self),
                    "\(form) differs from ICU on \(string.debugDescription)")
        }
    }

    @Test("known results")
    func known() throws {
        #expect(try UnicodeFormNormalizer(.nfc).normalize("e\u{301}") == "é")
        #expect(try UnicodeFormNormalizer(.nfd).normalize("é") == "e\u{301}")
        #expect(try UnicodeFormNormalizer(.nfkc).normalize("ﬁ ① Ｈｅｌｌｏ") == "fi 1 Hello")
        #expect(try UnicodeFormNormalizer(.nfkd).normalize("ǅ") == "Dz\u{30C}")
        #expect(try UnicodeFormNormalizer(.nfkcCasefold).normalize("Straße HELLO Ｅ\u{301}") == "strasse hello é")
    }
}

@Suite("Normalizer steps")
struct NormalizerStepTests {
    @Test("lowercase is the context-free full mapping of every scalar")
    func lowercaseMatchesSwift() throws {
        // Swift's lowercasing of a one-scalar string is the full mapping without context.
        var input = "", expected = ""
        for value in UInt32(0x41)...0x1FFFF {
            guard let scalar = Unicode.Scalar(value), UnicodeTables.category(value) != .unassigned,
                  UnicodeTables.category(value) != .surrogate else { continue }
            input.unicodeScalars.append(scalar)
            expected += String(scalar).lowercased()
        }
        let actual = try Lowercase().normalize(input)
        #expect(actual == expected)
        #expect(try Lowercase().normalize("ΟΔΟΣ İstanbul") == "οδοσ i̇stanbul")
    }

    /// Expected text from HuggingFace `tokenizers` 0.23.3 (`Replace(Regex(p), "_")`).
    @Test("a regex Replace inserts at zero-width matches, as HuggingFace does")
    func replaceZeroWidth() throws {
        #expect(try ReplaceRegex(pattern: "(?=a)", with: "_").normalize("banana xx ab") == "b_an_an_a xx _ab")
        #expect(try ReplaceRegex(pattern: "x*", with: "_").normalize("banana xx ab") == "_b_a_n_a_n_a_ _ _a_b_")
        #expect(try ReplaceRegex(pattern: "\\b", with: "_").normalize("banana xx ab") == "_banana_ _xx_ _ab_")
        #expect(try ReplaceRegex(pattern: "x+", with: "_").normalize("banana xx ab") == "banana _ ab")
    }

    @Test("strip accents, with and without recomposition")
    func stripAccents() throws {
        #expect(try StripAccents().normalize("Crème brûlée, naïve, 한국") == "Creme brulee, naive, 한국")
        let bert = try StripAccents(recompose: false).normalize("café 한")
        #expect(bert == "cafe \u{1112}\u{1161}\u{11AB}")
    }

    @Test("BERT clean text and CJK spacing")
    func bert() throws {
        let normalizer = try FrontEndSpecification.normalizer("bert")
        #expect(try normalizer.normalize("Héllo\tWORLD\u{0}\u{fffd}\u{200b}中文!") == "hello world 中  文 !")
        #expect(try BertCleanText().normalize("a\u{85}b\r\nc") == "ab  c")
        #expect(CJKIdeographSpacing.isCJKIdeograph(0x4E2D) && !CJKIdeographSpacing.isCJKIdeograph(0x3042))
    }

    @Test("SentencePiece nmt_nfkc preset")
    func sentencePiece() throws {
        let normalizer = try FrontEndSpecification.normalizer("nmt-nfkc")
        #expect(try normalizer.normalize("  Ｈｅｌｌｏ\u{200b}\u{1}  ｗｏｒｌｄ\t\n ") == "Hello world")
    }

    @Test("whitespace, strip, control characters, replace and prepend")
    func simpleSteps() throws {
        #expect(try ReplaceWhitespace().normalize("a\tb\u{3000}c") == "a b c")
        #expect(try ReplaceWhitespace(collapse: true).normalize("a \t\n b") == "a b")
        #expect(try ReplaceWhitespace(collapse: true, keepNewlines: true).normalize("a \t\n\n b") == "a \n\n b")
        #expect(try Strip().normalize(" \u{3000} x y \n") == "x y")
        #expect(try Strip(left: false, right: true).normalize("  x  ") == "  x")
        #expect(try RemoveControlCharacters().normalize("a\u{0}b\u{7}\tc\u{200d}") == "ab\tc\u{200d}")
        #expect(try ReplaceLiteral(" ", with: "▁").normalize("a b  c") == "a▁b▁▁c")
        #expect(try Prepend("▁").normalize("x") == "▁x")
    }

    @Test("unknown names are clear errors")
    func unknownNames() {
        #expect(throws: TextError.self) { try FrontEndSpecification.normalizer("nfkc,upcase") }
        #expect(throws: TextError.self) { try FrontEndSpecification.preTokenizer("gpt5") }
        #expect(throws: TextError.self) { try FrontEndSpecification.preTokenizer("regex-sideways:x") }
        #expect(throws: TextError.self) { try FrontEndSpecification.preTokenizer("regex:(unclosed") }
    }
}

@Suite("Invalid UTF-8")
struct InvalidUTF8Tests {
    @Test("The validator's fast paths find the first bad sequence where the plain scan does, and where Swift's decoder does")
    func firstInvalidOffsetMatchesReference() {
        var random = SplitMix64(seed: 17)
        // Runs of valid three-byte characters (the fast path) broken by every kind of bad byte:
        // E0 and ED with out-of-range second bytes, surrogates, truncated characters at the end.
        let fragments: [[UInt8]] = [
            Array("日本語かな".utf8), Array("abcdefghij".utf8), Array("é".utf8), Array("😀".utf8), [0xE0, 0xA0, 0x80], [0xE0, 0x80, 0x80],
            [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xE3, 0x81], [0xE3], [0x80], [0xFF], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        ]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...6, using: &random)).flatMap { _ in fragments.randomElement(using: &random)! }
            let (fast, plain) = bytes.withUnsafeBufferPointer { (UTF8Validation.firstInvalidOffset($0), UTF8Validation.firstInvalidOffsetBySequences($0)) }
            #expect(fast == plain, "\(bytes)")
            #expect((fast == nil) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test("repair equals Swift's decoder (maximal subparts) on random bytes")
    func repairMatchesSwift() throws {
        var state: UInt64 = 99
        for _ in 0..<5000 {
            let length = Int(state % 12)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let r = UInt8(truncatingIfNeeded: state >> 40)
                // Bias towards bytes that make interesting sequences.
                bytes.append([r, 0x80 | r & 0x3F, 0xE0 | r & 0x0F, 0xF0 | r & 0x07, 0x61, 0xED, 0xC3][Int(state >> 60) % 7])
            }
            let text = try NormalizedText(validating: bytes)
            let expected = Array(String(decoding: bytes, as: UTF8.self).utf8)
            #expect(text.bytes == expected, "repair of \(bytes)")
            let replaced = String(decoding: bytes, as: UTF8.self).unicodeScalars.filter { $0 == "\u{fffd}" }.count
                - String(decoding: bytes.filter { _ in false }, as: UTF8.self).count
            #expect(text.replacedInvalidSequences <= replaced)
        }
    }

    @Test("replacements are counted and aligned to the bad bytes")
    func counted() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xE2, 0x82, 0x63]
        let text = try NormalizedText(validating: bytes)
        #expect(text.string == "a\u{fffd}b\u{fffd}c")
        #expect(text.replacedInvalidSequences == 2)
        #expect(text.originalRange(of: 1..<4) == 1..<2)
        #expect(text.originalRange(of: 5..<8) == 3..<5)
        #expect(text.originalRange(of: 8..<9) == 5..<6)
    }

    @Test("strict mode names the offset of the first bad sequence")
    func strict() {
        #expect(throws: TextError.invalidUTF8(offset: 3)) {
            try NormalizedText(validating: [0x61, 0x62, 0x63, 0xC0, 0x80], policy: .strict)
        }
        #expect(throws: TextError.invalidUTF8(offset: 0)) {
            try NormalizedText(validating: [0xED, 0xA0, 0x80], policy: .strict)  // a surrogate
        }
    }
}

@Suite("SentencePiece's normalizer: the one-pass path equals the segment path")
struct SentencePieceOnePassTests {
    /// Both paths on `bytes`: equal text and spans whenever the one pass runs, and `normalize`
    /// equals the segment path always. Returns whether the one pass ran.
    static func check(_ normalizer: SentencePieceNormalizer, _ bytes: [UInt8], _ label: String) throws -> Bool {
        var general = try NormalizedText(validating: bytes)
        normalizer.normalizeBySegments(&general)
        var chosen = try NormalizedText(validating: bytes)
        try normalizer.normalize(&chosen)
        #expect(chosen == general, "\(label): normalize differs from the segment path on \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        let start = try NormalizedText(validating: bytes)
        guard start.changedRegionCount == 0, let direct = normalizer.normalizeInOnePass(start) else { return false }
        let message = "\(label): one pass \(direct.string.debugDescription) \(direct.changedRegions) "
            + "against \(general.string.debugDescription) \(general.changedRegions)"
        #expect(direct == general, Comment(rawValue: message))
        return true
    }

    /// `normalize(_:buffers:)` with `buffers` reused from string to string equals the segment
    /// path, whichever path it takes (a one pass that gives up midway hands its arrays back).
    static func checkReused(_ normalizer: SentencePieceNormalizer, _ bytes: [UInt8], buffers: inout FrontEndBuffers, _ label: String) throws {
        var general = try NormalizedText(validating: bytes)
        normalizer.normalizeBySegments(&general)
        var reused = try NormalizedText(validating: bytes)
        try normalizer.normalize(&reused, buffers: &buffers)
        #expect(reused == general, "\(label): with reused buffers on \(String(decoding: bytes, as: UTF8.self).debugDescription)")
    }

    @Test("every flag combination with deletions, expansions, spaces from rules and user-defined symbols")
    func flagsAndRules() throws {
        let map = try PrecompiledCharsMap(rules: [
            (Array("\u{200B}".utf8), []), (Array("ﬁ".utf8), Array("fi".utf8)), (Array("①".utf8), Array("1".utf8)),
            (Array("\t".utf8), Array(" ".utf8)), (Array("Ａ".utf8), Array("A".utf8)), (Array("ab".utf8), Array("AB".utf8)),
            (Array("q".utf8), Array("qq".utf8)), (Array("\u{3000}".utf8), Array(" ".utf8)), (Array("z".utf8), Array("z z".utf8)),
            // Characters of three bytes whose first two bytes other, untouched, characters share.
            (Array("ぁ".utf8), Array("あ".utf8)), (Array("ｶ".utf8), Array("カ".utf8)), (Array("ゔ".utf8), []),
            (Array("か\u{3099}".utf8), Array("が".utf8)),
        ])
        let spaceRule = try PrecompiledCharsMap(rules: [(Array(" x".utf8), Array("y".utf8))])
        let alphabet = [" ", " ", "  ", "a", "b", "ab", "é", "\u{200B}", "ﬁ", "①", "\t", "Ａ", "q", "\u{3000}", "z", "<sep>", "x y",
                        "x", "日本", "\u{301}", "あ", "→", "ｶ", "、", "ぁ", "ぃ", "ゔ", "ゕ", "カ", "ｷ", "か", "\u{3099}", "<日>", "日"]
        var state: UInt64 = 5
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        let strings = [[UInt8]()] + (0..<1500).map { _ in Array((0..<(next() % 14)).map { _ in alphabet[next() % alphabet.count] }.joined().utf8) }
            + [[0x61, 0xFF, 0x20, 0x62], [0x20, 0xC3]]
        for (name, charsMap) in [("map", map), ("no map", nil), ("space rule", spaceRule)] as [(String, PrecompiledCharsMap?)] {
            for flags in 0..<16 {
                let normalizer = try SentencePieceNormalizer(
                    charsMap: charsMap, addsDummyPrefix: flags & 1 != 0, removesExtraWhitespace: flags & 2 != 0,
                    escapesWhitespace: flags & 4 != 0, treatsWhitespaceAsSuffix: flags & 8 != 0,
                    protectedSymbols: [Array("<sep>".utf8), Array("x y".utf8), Array("日ｶ".utf8)])
                var direct = 0
                for bytes in strings where try Self.check(normalizer, bytes, "\(name) flags \(flags)") { direct += 1 }
                var buffers = FrontEndBuffers()
                for bytes in strings { try Self.checkReused(normalizer, bytes, buffers: &buffers, "\(name) flags \(flags)") }
                // The one pass must carry most strings (not silently fall back), except when a
                // rule starts with a space.
                if name == "space rule" { #expect(direct == 0) } else { #expect(direct > strings.count / 4, "\(name) flags \(flags): \(direct)") }
            }
        }
    }

    @Test("A map or symbols set after the normalizer is made take effect on the one-pass path")
    func filtersFollowTheMap() throws {
        var normalizer = try SentencePieceNormalizer(charsMap: nil)
        let text = Array("ｶぁ 日ｶ".utf8)
        #expect(try normalizer.normalizing(String(decoding: text, as: UTF8.self)).string == "▁ｶぁ▁日ｶ")
        normalizer.charsMap = try PrecompiledCharsMap(rules: [(Array("ｶ".utf8), Array("カ".utf8)), (Array("ぁ".utf8), Array("あ".utf8))])
        #expect(try Self.check(normalizer, text, "map set later"))
        #expect(try normalizer.normalizing(String(decoding: text, as: UTF8.self)).string == "▁カあ▁日カ")
        normalizer.protectedSymbols = try DoubleArrayTrie(keys: [Array("日ｶ".utf8)], values: [0])
        #expect(try Self.check(normalizer, text, "symbols set later"))
        #expect(try normalizer.normalizing(String(decoding: text, as: UTF8.self)).string == "▁カあ▁日ｶ")
        normalizer.charsMap = nil
        #expect(try normalizer.normalizing(String(decoding: text, as: UTF8.self)).string == "▁ｶぁ▁日ｶ")
    }

    @Test("the .model normalizers on corpus lines and hard strings")
    func modelNormalizers() throws {
        let lines = TestCorpora.names.flatMap { Array(TestCorpora.lines($0).prefix(300)) }
            + (AdversarialText.strings + AdversarialText.random(count: 1000, seed: 3)).map { Array($0.utf8) }
        for file in [UnigramTests.unigramFile, UnigramTests.bpeFile, UnigramTests.mistralFile] {
            let normalizer = try #require(try Tokenizer(contentsOf: file).frontEnd.normalizer as? SentencePieceNormalizer)
            var direct = 0
            for line in lines where try Self.check(normalizer, line, file.lastPathComponent) { direct += 1 }
            var buffers = FrontEndBuffers()
            for line in lines { try Self.checkReused(normalizer, line, buffers: &buffers, file.lastPathComponent) }
            #expect(direct > lines.count / 2, "\(file.lastPathComponent): \(direct) of \(lines.count)")
        }
    }
}
