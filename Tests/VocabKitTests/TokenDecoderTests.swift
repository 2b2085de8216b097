import Foundation
import Testing
@testable import VocabKit

/// `TokenDecoder.join` and `SentencePieceDecoding.specialSurface(for:)`, case by case. The expected strings
/// are written by hand from HuggingFace tokenizers' decoders (`WordPiece`, `Metaspace`,
/// `BPEDecoder`, `ByteFallback`, no decoder = join with spaces) and from the `sentencepiece`
/// library's `SentencePieceProcessor::Decode`; only cases where VocabKit and the reference agree
/// are asserted.
@Suite("TokenDecoder joins tokens back into text")
struct TokenDecoderTests {
    /// Joins `tokens` (given as text) and returns the bytes.
    private static func joinBytes(_ decoder: TokenDecoder, _ tokens: [String]) -> [UInt8] {
        (try? decoder.join(tokens.map { Array($0.utf8) })) ?? []
    }

    /// Joins `tokens` (given as text) and returns the text (the expected outputs are valid UTF-8).
    private static func join(_ decoder: TokenDecoder, _ tokens: [String]) -> String {
        String(decoding: joinBytes(decoder, tokens), as: UTF8.self)
    }

    static let allDecoders: [TokenDecoder] = [
        .concatenate, .spaceSeparated, .metaspace, .sentencePiece(SentencePieceDecoding(unknownId: 0)),
        .continuingPrefix("##"), .continuingPrefix("##", cleanup: true), .endOfWordSuffix("</w>"),
    ]

    // MARK: - Every decoder

    @Test("No tokens join to no bytes, for every decoder", arguments: allDecoders)
    func emptyInput(decoder: TokenDecoder) throws {
        let out = try decoder.join([])
        #expect(out.isEmpty, "\(decoder) joined an empty token list into \(out)")
    }

    // MARK: - .concatenate

    @Test("concatenate glues tokens together with nothing added or removed")
    func concatenate() {
        let out = Self.join(.concatenate, ["Hel", "lo", " wor", "ld", "!"])
        #expect(out == "Hello world!", "concatenate gave \(out.debugDescription), expected \"Hello world!\"")
        // No other decoder's markers are interpreted.
        let markers = Self.join(.concatenate, ["▁a", "##b", "c</w>", " d"])
        #expect(markers == "▁a##bc</w> d", "concatenate rewrote marker characters: \(markers.debugDescription)")
    }

    @Test("concatenate joins a UTF-8 character whose bytes are split across two tokens (as in tiktoken)")
    func concatenateSplitCharacter() throws {
        // "€" = E2 82 AC; byte-level vocabularies may cut it after any byte.
        let out = try TokenDecoder.concatenate.join([[0x61, 0xE2, 0x82], [0xAC, 0x62]])
        #expect(out == Array("a€b".utf8), "split character joined to \(out), expected the bytes of \"a€b\"")
    }

    // MARK: - .spaceSeparated

    @Test("spaceSeparated puts exactly one space between tokens and none at either end")
    func spaceSeparated() {
        #expect(Self.join(.spaceSeparated, ["the", "cat", "sat", "."]) == "the cat sat .",
                "word-level tokens were not joined with single spaces")
        #expect(Self.join(.spaceSeparated, ["alone"]) == "alone", "a single token got a space added")
        let markers = Self.join(.spaceSeparated, ["##a", "▁b", "c</w>"])
        #expect(markers == "##a ▁b c</w>", "spaceSeparated interpreted a marker: \(markers.debugDescription)")
    }

    // MARK: - .metaspace

    @Test("metaspace turns ▁ into a space and drops the space at the very start")
    func metaspace() {
        let out = Self.join(.metaspace, ["▁Hello", "▁world", "!"])
        #expect(out == "Hello world!", "metaspace gave \(out.debugDescription), expected \"Hello world!\"")
        let pieces = Self.join(.metaspace, ["▁un", "believ", "able", "▁in", "▁New▁York"])
        #expect(pieces == "unbelievable in New York", "metaspace gave \(pieces.debugDescription)")
        // A lone ▁ token in the middle is a real space (two spaces in a row in the text).
        let double = Self.join(.metaspace, ["▁a", "▁", "▁b"])
        #expect(double == "a  b", "a lone ▁ in the middle should stay a space, got \(double.debugDescription)")
    }

    @Test("metaspace leaves a first token without ▁ alone, and only strips the start of the first token")
    func metaspaceFirstToken() {
        let out = Self.join(.metaspace, ["Hello", "▁world"])
        #expect(out == "Hello world", "metaspace gave \(out.debugDescription), expected \"Hello world\"")
        // The second token's leading ▁ is a word boundary, not the dummy prefix.
        let second = Self.join(.metaspace, ["▁", "▁x"])
        #expect(second == " x", "only the first token's ▁ is the prepended one; got \(second.debugDescription)")
    }

    @Test("metaspace replaces ▁ byte-wise, also when a combining mark follows it")
    func metaspaceCombiningMark() {
        // "▁" + U+0301 is one grapheme; a String-level replacement would miss the ▁.
        let out = Self.joinBytes(.metaspace, ["▁a", "▁\u{301}"])
        #expect(out == [0x61, 0x20, 0xCC, 0x81], "▁ before a combining mark was not replaced: \(out)")
    }

    // MARK: - .sentencePiece

    /// (strips the dummy prefix, strips every leading space, tokens, expected text)
    static let leadingSpaceCases: [(Bool, Bool, [String], String)] = [
        // remove_extra_whitespaces: every leading ▁ before the first text goes; later ones stay.
        (true, true, ["▁", "▁Hello", "▁world"], "Hello world"),
        (true, true, ["▁Hello", "▁", "▁world", "▁"], "Hello  world "),
        // add_dummy_prefix only: just the one leading ▁ (a piece may hold several).
        (true, false, ["▁", "▁Hello", "▁world"], " Hello world"),
        (true, false, ["▁Hello", "▁world"], "Hello world"),
        (true, false, ["▁▁x"], " x"),
        // Neither: leading spaces stay.
        (false, false, ["▁", "▁Hello", "▁world"], "  Hello world"),
    ]

    @Test("sentencePiece drops leading ▁ as add_dummy_prefix and remove_extra_whitespaces say", arguments: leadingSpaceCases)
    func sentencePieceLeadingSpaces(stripsLeading: Bool, stripsAll: Bool, tokens: [String], expected: String) {
        let decoder = TokenDecoder.sentencePiece(SentencePieceDecoding(unknownId: 0, stripsLeadingSpace: stripsLeading,
                                                                       stripsAllLeadingSpaces: stripsAll))
        let out = Self.join(decoder, tokens)
        #expect(out == expected, "\(tokens) with strip \(stripsLeading), strip all \(stripsAll): got \(out.debugDescription)")
    }

    @Test("sentencePiece: text from a byte piece at the start ends the leading-space stripping")
    func sentencePieceBytePieceFirst() {
        let decoder = TokenDecoder.sentencePiece(SentencePieceDecoding(unknownId: 0))
        // <0x20> is a space typed by the user, not the dummy prefix; after it, ▁ is a space.
        let out = Self.join(decoder, ["<0x20>", "▁a"])
        #expect(out == "  a", "got \(out.debugDescription), expected two spaces then \"a\"")
        // Byte pieces after a stripped ▁: "€" from three byte pieces.
        let euro = Self.join(decoder, ["▁", "<0xE2>", "<0x82>", "<0xAC>", "1"])
        #expect(euro == "€1", "got \(euro.debugDescription), expected \"€1\"")
    }

    @Test("SentencePiece decoding hides control pieces and replaces the unknown piece with its surface")
    func sentencePiecePieces() {
        let options = SentencePieceDecoding(unknownId: 0, controlIds: [1, 2])
        #expect(options.specialSurface(for: 1) == [], "control piece <s> should decode as nothing")
        #expect(options.specialSurface(for: 2) == [], "control piece </s> should decode as nothing")
        let unknown = options.specialSurface(for: 0)
        #expect(unknown == Array(" \u{2047} ".utf8), "unknown piece should become \" ⁇ \", got \(String(describing: unknown))")
        #expect(options.specialSurface(for: 7) == nil, "a normal piece should pass unchanged")

        let custom = SentencePieceDecoding(unknownId: 3, unknownSurface: "<?>")
        let surface = custom.specialSurface(for: 3)
        #expect(surface == Array("<?>".utf8), "unk_surface \"<?>\" was not used, got \(String(describing: surface))")
    }

    @Test("The clean-up pre-check never skips text a rule would change (random text over the rules' bytes)")
    func cleanupPrecheck() {
        var generator = SplitMix64(seed: 5)
        let alphabet = Array(" .?!,'ntdoamsvre x".utf8)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            if !DecoderStep.mayNeedCleanup(text[...]) {
                #expect(DecoderStep.cleanedUp(text) == text, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }
    }

    @Test("BERT's tokenizer.json decodes in one buffer exactly as its WordPiece step chain does")
    func wordPieceFastPath() throws {
        let bert = try Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json"))
        guard case .huggingFace(let chain) = bert.decoder else { Issue.record("BERT's decoder is a chain"); return }
        var generator = SplitMix64(seed: 8)
        let tokens = bert.model.tokens  // read once: WordPiece builds the arrays per call
        for _ in 0..<200 {
            let ids = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt32.random(in: 0..<UInt32(bert.vocabularySize), using: &generator) }
            let special = Set(bert.addedTokens.filter(\.isSpecial).map(\.id))
            let pieces = ids.filter { !special.contains($0) }.map { tokens[Int($0)] }
            #expect(try bert.decodeBytes(ids) == TokenDecoder.huggingFace(chain).join(pieces))
        }
    }

    /// A SentencePiece Unigram model's pieces, decoded the `sentencepiece` way. Pieces 5...8 are
    /// BYTE pieces; piece 10 is a normal piece that is merely spelled like one.
    private static func sentencePieceTokenizer(stripsAll: Bool = true) throws -> Tokenizer {
        let pieces = ["<unk>", "<s>", "</s>", "▁Hello", "▁world", "<0xE2>", "<0x82>", "<0xAC>", "<0xFF>", "▁", "<0x41>"]
        let kinds: [UnigramModel.PieceKind] = [.unknown, .control, .control, .normal, .normal, .byte, .byte, .byte, .byte, .normal, .normal]
        let model = try UnigramModel(pieces: pieces.map { Array($0.utf8) }, scores: pieces.map { _ in -1 }, kinds: kinds,
                                     unknownId: 0, flavor: .sentencePiece)
        let decoding = SentencePieceDecoding(unknownId: 0, controlIds: [1, 2], stripsLeadingSpace: true,
                                             stripsAllLeadingSpaces: stripsAll)
        return Tokenizer(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["whitespace-split"]),
                         model: .unigram(model), decoder: .sentencePiece(decoding))
    }

    @Test("A HuggingFace Unigram's byte-fallback pieces decode as bytes, keep ByteFallback in tokenizer.json, and are stored as BYTE")
    func huggingFaceUnigramBytePieces() throws {
        let pieces = ["<unk>", "\u{2581}a"] + (0..<256).map { String(format: "<0x%02X>", $0) }
        let model = try UnigramModel(pieces: pieces.map { Array($0.utf8) }, scores: pieces.map { _ in -1 }, unknownId: 0,
                                     byteFallback: true, flavor: .huggingFace)
        #expect(model.kinds[2 + 0xE2] == .normal && model.storedKinds[2 + 0xE2] == .byte && model.storedKinds[1] == .normal)
        let tokenizer = Tokenizer(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["metaspace"]),
                                  model: .unigram(model), decoder: .metaspace)
        let ids: [UInt32] = [1, 2 + 0xE2, 2 + 0x82, 2 + 0xAC]
        #expect(try tokenizer.decode(ids) == "a\u{20AC}")
        var stream = DecodeStream(tokenizer: tokenizer)
        #expect(try ids.compactMap { try stream.step($0) }.joined() == "a\u{20AC}")
        #expect(String(decoding: try TokenizerJSON.write(tokenizer), as: UTF8.self).contains("\"ByteFallback\""))
    }

    @Test("Only byte-fallback pieces decode as their byte: a normal piece spelled <0x41> is text, as in sentencepiece")
    func bytePiecesByType() throws {
        let tokenizer = try Self.sentencePieceTokenizer()
        let ids: [UInt32] = [3, 10, 9, 5, 6, 7]
        let text = try tokenizer.decode(ids)
        #expect(text == "Hello<0x41> €", "got \(text.debugDescription)")
        var stream = DecodeStream(tokenizer: tokenizer)
        let streamed = try ids.map { try stream.step($0) ?? "" }.joined() + (try stream.finish() ?? "")
        #expect(streamed == text)
        // A BPE without byte fallback (as tiktoken's files) has no byte pieces: its bytes are the text.
        let tokens = (0..<256).map { [UInt8]([UInt8($0)]) } + [Array("<0x41>".utf8)]
        let bpe = try BPEModel(tokens: tokens, merges: [], isByteLevel: false)
        let plain = Tokenizer(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: []), model: .bpe(bpe))
        #expect(try plain.decode([0x61, 256, 0x62]) == "a<0x41>b")
        var plainStream = DecodeStream(tokenizer: plain)
        #expect(try [0x61, 256, 0x62].map { try plainStream.step($0) ?? "" }.joined() + (try plainStream.finish() ?? "") == "a<0x41>b")
    }

    @Test("Tokenizer.decode with a sentencePiece decoder: <s> and </s> vanish, <unk> becomes \" ⁇ \"")
    func sentencePieceThroughTokenizer() throws {
        let tokenizer = try Self.sentencePieceTokenizer()
        // <s> ▁Hello <unk> ▁world </s>
        let text = try tokenizer.decode([1, 3, 0, 4, 2])
        #expect(text == "Hello \u{2047}  world", "got \(text.debugDescription), expected \"Hello ⁇  world\"")
        // The unknown surface at the start is visible text: its space stays and stripping ends.
        let unknownFirst = try tokenizer.decode([0, 4])
        #expect(unknownFirst == " \u{2047}  world", "got \(unknownFirst.debugDescription), expected \" ⁇  world\"")
        // A control piece first does not count as text: the ▁ after it is still the dummy prefix.
        let controlFirst = try tokenizer.decode([1, 9, 3])
        #expect(controlFirst == "Hello", "got \(controlFirst.debugDescription), expected \"Hello\"")
        let euro = try tokenizer.decode([3, 9, 5, 6, 7])
        #expect(euro == "Hello €", "byte pieces E2 82 AC should decode to \"€\", got \(euro.debugDescription)")
    }

    @Test("Tokenizer.decode with only add_dummy_prefix keeps the second leading ▁")
    func sentencePieceThroughTokenizerDummyPrefixOnly() throws {
        let tokenizer = try Self.sentencePieceTokenizer(stripsAll: false)
        let text = try tokenizer.decode([1, 9, 3, 4])
        #expect(text == " Hello world", "got \(text.debugDescription), expected \" Hello world\"")
    }

    // MARK: - .continuingPrefix (WordPiece)

    @Test("continuingPrefix glues ## pieces to the previous token and spaces the others")
    func continuingPrefix() {
        let out = Self.join(.continuingPrefix("##"), ["un", "##aff", "##able", "is", "fine", "."])
        #expect(out == "unaffable is fine .", "got \(out.debugDescription); without cleanup \" .\" must stay")
        let contraction = Self.join(.continuingPrefix("##"), ["it", "is", "n't", "it", "'s", ","])
        #expect(contraction == "it is n't it 's ,", "without cleanup nothing may be tidied, got \(contraction.debugDescription)")
    }

    @Test("continuingPrefix keeps the prefix of the first token, as tokenizers' WordPiece decoder does")
    func continuingPrefixFirstToken() throws {
        for decoder in [TokenDecoder.continuingPrefix("##"), .continuingPrefix("##", cleanup: true)] {
            let out = Self.join(decoder, ["##s", "##t", "a", "##b"])
            #expect(out == "##st ab", "\(decoder) gave \(out.debugDescription), expected \"##st ab\"")
            guard case .continuingPrefix(let prefix, let cleanup) = decoder else { continue }
            let chain = try TokenDecoder.huggingFace([.wordPiece(prefix: prefix, cleanup: cleanup)])
                .join(["##s", "##t", "a", "##b"].map { Array($0.utf8) })
            #expect(String(decoding: chain, as: UTF8.self) == out, "the tokenizer.json WordPiece step disagrees with \(decoder)")
        }
    }

    @Test("continuingPrefix uses the given prefix, not ##")
    func continuingPrefixCustom() {
        let out = Self.join(.continuingPrefix("~~"), ["play", "~~ing", "##x", "now"])
        #expect(out == "playing ##x now", "with prefix \"~~\" got \(out.debugDescription), expected \"playing ##x now\"")
    }

    @Test("continuingPrefix cleanup removes the space before . ? ! , and before n't 'm 's 've 're")
    func continuingPrefixCleanup() {
        let tokens = ["hello", ",", "world", "!", "is", "n't", "it", "?", "i", "'m", "sure", "we", "'ve", "seen",
                      "they", "'re", "here", "it", "'s", "the", "dog", "##s", "."]
        let out = Self.join(.continuingPrefix("##", cleanup: true), tokens)
        let expected = "hello, world! isn't it? i'm sure we've seen they're here it's the dogs."
        #expect(out == expected, "cleanup gave \(out.debugDescription), expected \(expected.debugDescription)")
    }

    @Test("continuingPrefix cleanup leaves other punctuation and other contractions ('ll 'd) spaced")
    func continuingPrefixCleanupLeavesOthers() {
        let out = Self.join(.continuingPrefix("##", cleanup: true), ["a", ":", "b", ";", "we", "'ll", "he", "'d", "(", "x", ")"])
        #expect(out == "a : b ; we 'll he 'd ( x )", "cleanup touched something outside its list: \(out.debugDescription)")
    }

    // MARK: - .endOfWordSuffix (BPEDecoder)

    @Test("endOfWordSuffix turns </w> into a space between words and into nothing at the end")
    func endOfWordSuffix() {
        let out = Self.join(.endOfWordSuffix("</w>"), ["hel", "lo</w>", "wor", "ld</w>"])
        #expect(out == "hello world", "got \(out.debugDescription), expected \"hello world\" (no trailing space)")
        let unfinished = Self.join(.endOfWordSuffix("</w>"), ["a</w>", "b"])
        #expect(unfinished == "a b", "got \(unfinished.debugDescription), expected \"a b\"")
        let inside = Self.join(.endOfWordSuffix("</w>"), ["ab", "c", "d"])
        #expect(inside == "abcd", "pieces without the suffix must not be spaced, got \(inside.debugDescription)")
        let bare = Self.join(.endOfWordSuffix("</w>"), ["a", "</w>", "b</w>"])
        #expect(bare == "a b", "a token that is just the suffix should become one space, got \(bare.debugDescription)")
    }

    @Test("endOfWordSuffix uses the given suffix, not </w>")
    func endOfWordSuffixCustom() {
        let out = Self.join(.endOfWordSuffix("</end>"), ["x</end>", "y</w>", "z</end>"])
        #expect(out == "x y</w>z", "with suffix \"</end>\" got \(out.debugDescription), expected \"x y</w>z\"")
    }

    // MARK: - Byte fallback

    @Test("A <0xAB> byte-fallback token becomes its byte; hex digits may be upper or lower case")
    func byteFallbackSingleBytes() {
        let out = Self.join(.concatenate, ["<0x48>", "<0x69>", "<0x2c>", "<0x0A>"])
        #expect(out == "Hi,\n", "byte tokens gave \(out.debugDescription), expected \"Hi,\\n\"")
        let metaspace = Self.join(.metaspace, ["▁go", "<0x21>"])
        #expect(metaspace == "go!", "metaspace byte token gave \(metaspace.debugDescription), expected \"go!\"")
    }

    @Test("A UTF-8 character split across several <0x..> tokens comes back whole")
    func byteFallbackMultiByteCharacter() {
        // "€" = E2 82 AC, "😀" = F0 9F 98 80.
        let euro = Self.join(.concatenate, ["5", "<0xE2>", "<0x82>", "<0xAC>"])
        #expect(euro == "5€", "got \(euro.debugDescription), expected \"5€\"")
        // Llama-style: ▁ then the bytes of a character the vocabulary lacks.
        let emoji = Self.join(.metaspace, ["▁Hi", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁there"])
        #expect(emoji == "Hi 😀 there", "got \(emoji.debugDescription), expected \"Hi 😀 there\"")
        let first = Self.join(.metaspace, ["▁", "<0xE2>", "<0x82>", "<0xAC>", "5"])
        #expect(first == "€5", "got \(first.debugDescription), expected \"€5\" (leading ▁ dropped)")
    }

    @Test("Byte tokens that are not valid UTF-8 are passed through as raw bytes by join")
    func byteFallbackInvalidSequence() {
        // A lone continuation byte, a truncated 3-byte sequence, and 0xFF (never valid).
        let out = Self.joinBytes(.concatenate, ["<0x80>", "a", "<0xE2>", "<0x82>", "b", "<0xFF>"])
        #expect(out == [0x80, 0x61, 0xE2, 0x82, 0x62, 0xFF], "invalid byte tokens were not kept as raw bytes: \(out)")
    }

    @Test("Tokenizer.decodeBytes keeps an invalid byte; Tokenizer.decode shows it as U+FFFD")
    func byteFallbackInvalidThroughTokenizer() throws {
        let tokenizer = try Self.sentencePieceTokenizer()
        // ▁Hello <0xFF> ▁world
        let bytes = try tokenizer.decodeBytes([3, 8, 4])
        #expect(bytes == Array("Hello".utf8) + [0xFF] + Array(" world".utf8), "decodeBytes changed the raw byte: \(bytes)")
        let text = try tokenizer.decode([3, 8, 4])
        #expect(text == "Hello\u{FFFD} world", "decode gave \(text.debugDescription), expected one U+FFFD for 0xFF")
    }

    @Test("Tokens that only look like byte tokens stay text", arguments: [
        "<0x4>", "<0x414>", "<0xZZ>", "<0X41>", "[0x41]", "<0x41", "0x41>",
    ])
    func notByteTokens(token: String) {
        let out = Self.join(.concatenate, ["a", token, "b"])
        #expect(out == "a" + token + "b", "\(token.debugDescription) was treated as a byte token: \(out.debugDescription)")
    }
}
