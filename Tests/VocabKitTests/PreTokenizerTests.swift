import Testing
@testable import VocabKit

@Suite("Pre-tokenizers")
struct PreTokenizerTests {
    @Test("delimiter behaviors follow HuggingFace's documented example",
          arguments: [
            (SplitDelimiterBehavior.removed, ["the", "final", "countdown"]),
            (.isolated, ["the", "-", "final", "-", "-", "countdown"]),
            (.mergedWithPrevious, ["the-", "final-", "-", "countdown"]),
            (.mergedWithNext, ["the", "-final", "-", "-countdown"]),
            (.contiguous, ["the", "-", "final", "--", "countdown"]),
          ])
    func behaviors(behavior: SplitDelimiterBehavior, expected: [String]) throws {
        #expect(try LiteralSplitter("-", behavior: behavior).preTokenize("the-final--countdown") == expected)
        #expect(try RegexSplitter(pattern: "-", behavior: behavior).preTokenize("the-final--countdown") == expected)
    }

    /// Expected pieces from HuggingFace `tokenizers` 0.23.3 (`Split(Regex(p), behavior, invert)`):
    /// empty matches cut like any other, except one where the previous match ended.
    @Test("zero-width and empty matches split as in HuggingFace, for every behavior")
    func emptyMatches() throws {
        let cases: [(String, String, SplitDelimiterBehavior, Bool, [String])] = [
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .removed, false, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .removed, true, []),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .isolated, false, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .isolated, true, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .mergedWithPrevious, false, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .mergedWithPrevious, true, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .mergedWithNext, false, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .mergedWithNext, true, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .contiguous, false, ["a1", "234", "567b 12 ", "123", "456"]),
            ("(?=(\\d{3})+(?!\\d))", "a1234567b 12 123456", .contiguous, true, ["a1", "234", "567b 12 ", "123", "456"]),
            ("-*", "the-final--countdown", .removed, false, ["t", "h", "e", "f", "i", "n", "a", "l", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .removed, true, ["-", "--"]),
            ("-*", "the-final--countdown", .isolated, false, ["t", "h", "e", "-", "f", "i", "n", "a", "l", "--", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .isolated, true, ["t", "h", "e", "-", "f", "i", "n", "a", "l", "--", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .mergedWithPrevious, false, ["t", "h", "e-", "f", "i", "n", "a", "l--", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .mergedWithPrevious, true, ["t", "h", "e", "-f", "i", "n", "a", "l", "--c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .mergedWithNext, false, ["t", "h", "e", "-f", "i", "n", "a", "l", "--c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .mergedWithNext, true, ["t", "h", "e-", "f", "i", "n", "a", "l--", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .contiguous, false, ["t", "h", "e", "-", "f", "i", "n", "a", "l", "--", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("-*", "the-final--countdown", .contiguous, true, ["t", "h", "e", "-", "f", "i", "n", "a", "l", "--", "c", "o", "u", "n", "t", "d", "o", "w", "n"]),
            ("\\b", "ab cd", .removed, false, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .removed, true, []),
            ("\\b", "ab cd", .isolated, false, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .isolated, true, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .mergedWithPrevious, false, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .mergedWithPrevious, true, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .mergedWithNext, false, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .mergedWithNext, true, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .contiguous, false, ["ab", " ", "cd"]),
            ("\\b", "ab cd", .contiguous, true, ["ab", " ", "cd"])
        ]
        for (pattern, text, behavior, invert, expected) in cases {
            #expect(try RegexSplitter(pattern: pattern, behavior: behavior, invert: invert).preTokenize(text) == expected,
                    "\(pattern) \(behavior) invert \(invert)")
        }
    }

    @Test("the hand-written digit-group cut equals ICU's on random text, for every behavior")
    func digitGroups() throws {
        var random = SplitMix64(seed: 17)
        let alphabet = Array("0123456789٠١٢٣٤٥٦٧٨٩०१२ab ,.²Ⅻ\n")
        for behavior in SplitDelimiterBehavior.allCases {
            for invert in [false, true] {
                let fast = try RegexSplitter(pattern: RegexSplitter.digitGroupPattern, behavior: behavior, invert: invert)
                let icu = try RegexSplitter(pattern: "(?=(?:\\d{3})+(?!\\d))", behavior: behavior, invert: invert)
                #expect(fast.isDigitGroups && !icu.isDigitGroups)
                for _ in 0..<300 {
                    let text = String((0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
                    #expect(try fast.preTokenize(text) == icu.preTokenize(text), "\(text.debugDescription) \(behavior) \(invert)")
                }
            }
        }
    }

    @Test("invert makes the matches the pieces")
    func invert() throws {
        let splitter = try RegexSplitter(pattern: #"\w+|[^\w\s]+"#, behavior: .removed, invert: true)
        #expect(try splitter.preTokenize("Hey friend!  How are you?!?") == ["Hey", "friend", "!", "How", "are", "you", "?!?"])
    }

    @Test("whitespace, BERT and punctuation splitters")
    func wordSplitters() throws {
        #expect(try WordPunctuationSplitter().preTokenize("Hey friend!  How_are you?!?") == ["Hey", "friend", "!", "How_are", "you", "?!?"])
        #expect(try WhitespaceSplitter().preTokenize(" a\u{3000}b\n\tc ") == ["a", "b", "c"])
        #expect(try BertPreTokenizer().preTokenize("Hello, world! $5 £5 «ok»") == ["Hello", ",", "world", "!", "$", "5", "£5", "«", "ok", "»"])
        #expect(try PunctuationSplitter().preTokenize("a,b") == ["a", ",", "b"])
        // Joiners and Alphabetic symbols are word characters, as in Unicode's \w.
        #expect(try WordPunctuationSplitter().preTokenize("a\u{200d}_b Ⓐx \u{200f}y") == ["a\u{200d}_b", "Ⓐx", "\u{200f}", "y"])
    }

    @Test("digits: single, groups of three, whole runs")
    func digits() throws {
        #expect(try DigitsSplitter(maxRun: 1).preTokenize("Call 123 x٣٤") == ["Call ", "1", "2", "3", " x", "٣", "٤"])
        #expect(try DigitsSplitter(maxRun: 3).preTokenize("a1234567b") == ["a", "123", "456", "7", "b"])
        #expect(try DigitsSplitter(maxRun: nil).preTokenize("a1234567b") == ["a", "1234567", "b"])
    }

    @Test("script boundaries, with kana counted as Han")
    func scripts() throws {
        #expect(try UnicodeScriptSplitter().preTokenize("Hello世界 日本語のテキスト Привет!") ==
                ["Hello", "世界 日本語のテキスト ", "Привет", "!"])
        // As in HuggingFace: leading spaces are dropped, and only spaces give no piece.
        #expect(try UnicodeScriptSplitter().preTokenize("   ab cd") == ["ab cd"])
        #expect(try UnicodeScriptSplitter().preTokenize("   ") == [])
    }

    @Test("Metaspace prepend schemes and offsets")
    func metaspace() throws {
        #expect(try Metaspace().preTokenize("Hello  world") == ["▁Hello", "▁", "▁world"])
        #expect(try Metaspace(prependScheme: .never).preTokenize("Hello world") == ["Hello", "▁world"])
        #expect(try Metaspace(splits: false).preTokenize("a b") == ["▁a▁b"])
        var text = PreTokenizedText(NormalizedText("ab cd"))
        try Metaspace().preTokenize(&text)
        #expect(text.pieceStrings == ["▁ab", "▁cd"])
        #expect(text.originalRange(ofPiece: 0) == 0..<2)
        #expect(text.originalRange(ofPiece: 1) == 2..<5)
        let sequence = PreTokenizerSequence([WhitespaceSplitter(), Metaspace(prependScheme: .first)])
        #expect(try sequence.preTokenize("a b") == ["▁a", "b"])
        // "first" means offset 0 of the original input, as HuggingFace decides it.
        #expect(try sequence.preTokenize("  a b") == ["a", "b"])
        var stripped = PreTokenizedText(try FrontEndSpecification.normalizer("strip").normalizing("  a b"))
        try Metaspace(prependScheme: .first).preTokenize(&stripped)
        #expect(stripped.pieceStrings == ["a", "▁b"])
    }

    @Test("ICU word break segments Thai, Chinese and Japanese")
    func wordBreak() throws {
        let splitter = try WordBreakSplitter()
        #expect(try splitter.preTokenize("ภาษาไทยง่ายนิดเดียว") == ["ภาษา", "ไทย", "ง่าย", "นิด", "เดียว"])
        let chinese = try splitter.preTokenize("我们今天去北京。")
        #expect(chinese.count >= 3 && chinese.joined() == "我们今天去北京。")
        #expect(try splitter.preTokenize("Hello, world!") == ["Hello", ",", "world", "!"])
        #expect(try WordBreakSplitter(keepsWhitespace: true).preTokenize("a b") == ["a", " ", "b"])
    }

    @Test("ByteLevel: the GPT-2 byte alphabet and prefix space")
    func byteLevel() throws {
        let characters = Set(ByteLevelAlphabet.characters)
        #expect(characters.count == 256)
        #expect(ByteLevelAlphabet.encode(Array(" hello\n".utf8)) == "ĠhelloĊ")
        for byte in UInt8.min...UInt8.max {
            #expect(ByteLevelAlphabet.decode(ByteLevelAlphabet.encode([byte])) == [byte])
        }
        #expect(ByteLevelAlphabet.decode("x\u{3000}") == nil)
        #expect(try ByteLevel(addsPrefixSpace: true).preTokenize("Hello world") == [" Hello", " world"])
        #expect(try ByteLevel().preTokenize("Hello world") == ["Hello", " world"])
        // As HuggingFace: after a whitespace split every word gets the space.
        #expect(try PreTokenizerSequence([WhitespaceSplitter(), ByteLevel(addsPrefixSpace: true)]).preTokenize("a b") == [" a", " b"])
    }

    @Test("the front end reports pieces with offsets into the original input")
    func frontEnd() throws {
        let frontEnd = try TextFrontEnd(normalizer: "nfkc", preTokenizers: ["cl100k"])
        let text = try frontEnd.process(Array("Ｈｅｌｌｏ  world!".utf8))
        #expect(text.pieceStrings == ["Hello", " ", " world", "!"])
        #expect(text.originalRange(ofPiece: 0) == 0..<15)
        #expect(text.originalRange(ofPiece: 2) == 16..<22)
    }

    @Test("named patterns are recognized from their regex text")
    func namedPatterns() {
        for pattern in SplitPattern.allCases { #expect(SplitPattern(regex: pattern.regex) == pattern) }
        #expect(SplitPattern(regex: "x+") == nil)
    }
}
