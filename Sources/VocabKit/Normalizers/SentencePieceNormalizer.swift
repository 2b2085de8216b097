/// SentencePiece's normalizer: the precompiled rewrite map, whitespace clean-up, the dummy
/// prefix and "▁" for spaces, exactly as the `sentencepiece` library applies a `.model`'s
/// `normalizer_spec`.
///
/// 1. At each position take the longest user-defined symbol (kept verbatim), else the longest
///    rule of the map, else one character unchanged.
/// 2. With `removesExtraWhitespace`, drop leading spaces, spaces right after a space, and
///    trailing spaces (after the map, so tabs and newlines that the map turns into spaces count).
/// 3. Put one space in front (or at the end with `treatsWhitespaceAsSuffix`) with
///    `addsDummyPrefix`, and write every space as "▁" with `escapesWhitespace`.
///
/// Differences from the library on invalid UTF-8: VocabKit replaces each maximal ill-formed
/// subsequence by one U+FFFD before normalizing; SentencePiece replaces each byte.
/// - Complexity: O(n x longest rule).
public struct SentencePieceNormalizer: Normalizer {
    public var charsMap: PrecompiledCharsMap? {
        didSet { updateFilters() }
    }
    public var addsDummyPrefix: Bool
    public var removesExtraWhitespace: Bool
    public var escapesWhitespace: Bool
    public var treatsWhitespaceAsSuffix: Bool
    /// User-defined symbols: matched before the map and never rewritten.
    package var protectedSymbols: DoubleArrayTrie? {
        didSet { updateFilters() }
    }
    /// The map's name in `.model` files ("nmt_nfkc", "identity", ...).
    public var name: String
    /// Whether some rule or user-defined symbol starts with each byte. The three filters follow
    /// the map and the symbols when either is replaced (`updateFilters`).
    private(set) var mayRewrite: [Bool] = []
    /// Bit `lead << 8 | second`: whether some rule or symbol starts with that pair of bytes or
    /// is `lead` alone (multi-byte characters that no rule touches skip the look-up).
    private(set) var mayRewritePair: [UInt64] = []
    /// Bit of each character of three bytes (U+0800-U+FFFF, by code point): whether some rule
    /// or symbol starts with it or with a part of it (8 KB). Japanese kana share their first two
    /// bytes with the few kana a rule rewrites, so the pairs alone sent every other one to the
    /// look-up.
    private(set) var mayRewriteTriple: [UInt64] = []

    public init(charsMap: PrecompiledCharsMap?, name: String = "identity", addsDummyPrefix: Bool = true,
                removesExtraWhitespace: Bool = true, escapesWhitespace: Bool = true,
                treatsWhitespaceAsSuffix: Bool = false, protectedSymbols: [[UInt8]] = []) throws {
        self.charsMap = charsMap
        self.name = name
        self.addsDummyPrefix = addsDummyPrefix
        self.removesExtraWhitespace = removesExtraWhitespace
        self.escapesWhitespace = escapesWhitespace
        self.treatsWhitespaceAsSuffix = treatsWhitespaceAsSuffix
        self.protectedSymbols = protectedSymbols.isEmpty ? nil
            : try DoubleArrayTrie(keys: protectedSymbols, values: protectedSymbols.indices.map { Int32($0) })
        updateFilters()
    }

    /// Builds the filters that let the one-pass path copy characters no rule or symbol can
    /// start with: by first byte, by first two bytes, and by code point for three-byte
    /// characters.
    /// - Complexity: O(256 x 256 + 16 x 64 x 64 x 3) trie steps (loading
    ///   `Vocabs/unigram-multi-16k`'s `.model`, nmt_nfkc: 9.8 ms with the code-point filter, 9.6
    ///   without).
    private mutating func updateFilters() {
        let tries = [charsMap?.trie, protectedSymbols].compactMap { $0 }
        var mayRewrite = [Bool](repeating: false, count: 256)
        for trie in tries {
            for byte in 0..<256 { mayRewrite[byte] = mayRewrite[byte] || trie.hasTransition(fromRootOn: UInt8(byte)) }
        }
        self.mayRewrite = mayRewrite
        var mayRewritePair = [UInt64](repeating: 0, count: 65536 / 64)
        for trie in tries {
            for lead in 0..<256 where mayRewrite[lead] {
                for second in 0..<256 where trie.hasKey(startingWith: UInt8(lead), UInt8(second)) {
                    Self.set(&mayRewritePair, lead << 8 | second)
                }
            }
        }
        self.mayRewritePair = mayRewritePair
        var mayRewriteTriple = [UInt64](repeating: 0, count: 65536 / 64)
        var character: [UInt8] = [0, 0, 0]
        for trie in tries {
            for lead in 0xE0..<0xF0 {
                for second in 0x80..<0xC0 where Self.isSet(mayRewritePair, lead << 8 | second) {
                    character[0] = UInt8(lead)
                    character[1] = UInt8(second)
                    for third in 0x80..<0xC0 {
                        character[2] = UInt8(third)
                        character.withUnsafeBufferPointer { p in
                            if trie.hasKey(startingWithOrPrefixOf: p) { Self.set(&mayRewriteTriple, Int(decodeScalar(p, 0).scalar)) }
                        }
                    }
                }
            }
        }
        self.mayRewriteTriple = mayRewriteTriple
    }

    /// Bit `index` of a bit set stored in 64-bit words.
    @inline(__always)
    static func isSet(_ bits: [UInt64], _ index: Int) -> Bool { bits[index >> 6] & (1 << UInt64(index & 63)) != 0 }

    @inline(__always)
    private static func set(_ bits: inout [UInt64], _ index: Int) { bits[index >> 6] |= 1 << UInt64(index & 63) }

    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]

    public func normalize(_ text: inout NormalizedText) throws {
        var spare = FrontEndBuffers()
        try normalize(&text, buffers: &spare)
    }

    /// `normalize(_:)` with the one-pass output written into `buffers`' spare arrays and the
    /// input's arrays left there for the next text (the segment path allocates as `normalize`).
    /// - Complexity: O(n x longest rule).
    func normalize(_ text: inout NormalizedText, buffers: inout FrontEndBuffers) throws {
        guard !text.bytes.isEmpty else { return }
        if text.changedRegionCount == 0, var direct = normalizeInOnePass(text, buffers: &buffers) {
            swap(&text, &direct)
            buffers.recycle(bytes: &direct.bytes)
            buffers.recycle(spans: &direct.alignment.spans)
            return
        }
        normalizeBySegments(&text)
    }

    /// The general path: every rewrite as a segment of one buffer, then the segments that
    /// changed length as alignment spans. `normalize` takes it when `normalizeInOnePass` cannot.
    /// - Complexity: O(n x longest rule).
    package func normalizeBySegments(_ text: inout NormalizedText) {
        guard !text.bytes.isEmpty else { return }
        // Phase 1: the rewritten text as segments (source end, output end) over one buffer,
        // spaces still as 0x20.
        var output: [UInt8] = []
        output.reserveCapacity(text.bytes.count + 8)
        var segments: [(sourceEnd: Int, outputEnd: Int)] = []
        segments.reserveCapacity(text.bytes.count / 4 + 8)
        var plain: [Bool] = []  // by segment: copied unchanged
        plain.reserveCapacity(text.bytes.count / 4 + 8)
        let outputs = charsMap?.outputs ?? []
        outputs.withUnsafeBufferPointer { outputsPointer in
        text.bytes.withUnsafeBufferPointer { p in
            var i = 0
            if removesExtraWhitespace {
                while i < p.count {
                    let (length, mapped) = rewrite(p, at: i)
                    let isSpace = mapped.map { $0.count == 1 && outputs[$0.lowerBound] == 0x20 } ?? (length == 1 && p[i] == 0x20)
                    guard isSpace else { break }
                    i += length
                }
                if i > 0 { segments.append((i, 0)) }
            }
            guard i < p.count else { return }
            if addsDummyPrefix && !treatsWhitespaceAsSuffix {
                output.append(0x20)
                segments.append((i, output.count))
            }
            var previousIsSpace = removesExtraWhitespace
            var runStart = -1
            while i < p.count {
                // Fast path: a character no rule can start with (and not a space) is copied as
                // part of a run, which becomes one unchanged segment.
                let lead = p[i]
                if lead != 0x20 && !mayRewrite[Int(lead)] {
                    if runStart < 0 { runStart = i }
                    i += lead < 0x80 ? 1 : min(p.count - i, max(1, UTF8Validation.sequenceLength(p, at: i)))
                    previousIsSpace = false
                    continue
                }
                if runStart >= 0 {
                    output.append(contentsOf: p[runStart..<i])
                    segments.append((i, output.count))
                    while plain.count < segments.count - 1 { plain.append(false) }
                    plain.append(true)
                    runStart = -1
                }
                let (length, mapped) = rewrite(p, at: i)
                var start = mapped?.lowerBound ?? i
                let end = mapped?.upperBound ?? (i + length)
                let bytes = mapped == nil ? p : outputsPointer
                while previousIsSpace && start < end && bytes[start] == 0x20 { start += 1 }
                if start < end {
                    output.append(contentsOf: bytes[start..<end])
                    previousIsSpace = bytes[end - 1] == 0x20
                }
                if !removesExtraWhitespace { previousIsSpace = false }
                i += length
                segments.append((i, output.count))
            }
            if runStart >= 0 {
                output.append(contentsOf: p[runStart..<p.count])
                segments.append((p.count, output.count))
                while plain.count < segments.count - 1 { plain.append(false) }
                plain.append(true)
            }
        }
        }
        // Phase 2: trailing spaces, then the suffix space.
        if removesExtraWhitespace {
            var end = output.count
            while end > 0 && output[end - 1] == 0x20 { end -= 1 }
            if end < output.count {
                output.removeLast(output.count - end)
                for index in segments.indices.reversed() where segments[index].outputEnd > end {
                    segments[index].outputEnd = end
                }
            }
        }
        if addsDummyPrefix && treatsWhitespaceAsSuffix && !output.isEmpty {
            output.append(0x20)
            segments.append((text.bytes.count, output.count))
        }
        // Phase 3: apply the segments that differ from the source, keeping the alignment.
        let source = text.bytes
        if text.changedRegionCount == 0 {
            // Fast path: the source maps one to one, so spans are written directly.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(output.count + output.count / 2)
            var spans: [AlignmentSpan] = []
            var sourceStart = 0, outputStart = 0
            for (index, segment) in segments.enumerated() {
                let produced = output[outputStart..<segment.outputEnd]
                let isPlain = index < plain.count && plain[index]
                let start = bytes.count
                if isPlain { bytes.append(contentsOf: produced) } else { appendEscaping(produced, to: &bytes) }
                if !isPlain && bytes.count - start != segment.sourceEnd - sourceStart {
                    spans.append(AlignmentSpan(normalizedStart: start, normalizedEnd: bytes.count,
                                               originalStart: sourceStart, originalEnd: segment.sourceEnd))
                }
                sourceStart = segment.sourceEnd
                outputStart = segment.outputEnd
            }
            if sourceStart < source.count {
                spans.append(AlignmentSpan(normalizedStart: bytes.count, normalizedEnd: bytes.count,
                                           originalStart: sourceStart, originalEnd: source.count))
            }
            text = NormalizedText(bytes: bytes, originalCount: text.originalCount, alignment: Alignment(spans: spans),
                                  replacedInvalidSequences: text.replacedInvalidSequences)
            return
        }
        var builder = NormalizedTextBuilder(source: text, extraCapacity: output.count - text.bytes.count + 64)
        var sourceStart = 0, outputStart = 0
        for (index, segment) in segments.enumerated() {
            let produced = output[outputStart..<segment.outputEnd]
            let isPlain = index < plain.count && plain[index]
            let changed = !isPlain && (produced.count != segment.sourceEnd - sourceStart
                || (escapesWhitespace && produced.contains(0x20))
                || !produced.elementsEqual(source[sourceStart..<segment.sourceEnd]))
            if changed {
                builder.keep(upTo: sourceStart)
                var escaped: [UInt8] = []
                appendEscaping(produced, to: &escaped)
                builder.replace(upTo: segment.sourceEnd, with: escaped)
            }
            sourceStart = segment.sourceEnd
            outputStart = segment.outputEnd
        }
        builder.keep(upTo: sourceStart)
        if sourceStart < source.count { builder.replace(upTo: source.count, with: EmptyCollection()) }
        text = builder.finish()
    }

    /// Appends `produced`, with each space written as "▁" when escaping whitespace.
    @inline(__always)
    private func appendEscaping(_ produced: ArraySlice<UInt8>, to bytes: inout [UInt8]) {
        guard escapesWhitespace else { bytes.append(contentsOf: produced); return }
        for byte in produced {
            if byte == 0x20 { bytes.append(contentsOf: Self.escapedSpace) } else { bytes.append(byte) }
        }
    }

    /// Step 1 at position `i`: bytes consumed, and the range of the map's outputs that replaces
    /// them (nil: unchanged).
    @inline(__always)
    func rewrite(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int, Range<Int>?) {
        if let protectedSymbols {
            var longest = 0
            protectedSymbols.forEachPrefix(of: p, from: i, to: p.count) { _, length in longest = max(longest, length) }
            if longest > 0 { return (longest, nil) }
        }
        if let charsMap, let match = charsMap.longestMatch(p, at: i) {
            return (match.length, match.output)
        }
        return (min(p.count - i, max(1, UTF8Validation.sequenceLength(p, at: i))), nil)
    }
}

extension SentencePieceNormalizer {
    /// The SentencePiece normalizer that does what a VocabKit front end does, for `.model` files.
    ///
    /// A `SentencePieceNormalizer` is returned as it is. Otherwise the front end must be a
    /// normalizer followed by the `Metaspace` pre-tokenizer:
    /// 1. Trailing `collapse-whitespace` and `strip` steps become `remove_extra_whitespaces`.
    /// 2. The other steps are applied to every Unicode scalar on its own; each scalar they change
    ///    becomes a rule of the precompiled map.
    /// 3. Metaspace's prepend scheme becomes `add_dummy_prefix`.
    ///
    /// Limit: rules are per character, so a normalization that joins characters (NFC/NFKC
    /// composing "e" + U+0301 into "é") applies to precomposed input only in the written model.
    /// - Complexity: O(0x110000) normalizer calls.
    public static func compiling(_ frontEnd: TextFrontEnd) throws -> SentencePieceNormalizer {
        if let normalizer = frontEnd.normalizer as? SentencePieceNormalizer { return normalizer }
        // Phase 1: the pre-tokenizer must be Metaspace alone.
        var preTokenizers: [any PreTokenizer] = [frontEnd.preTokenizer]
        while let sequence = preTokenizers.first as? PreTokenizerSequence, preTokenizers.count == 1 {
            preTokenizers = sequence.steps
        }
        guard preTokenizers.count == 1, let metaspace = preTokenizers[0] as? Metaspace else {
            throw ModelError.invalidModel("a .model file can express a normalizer followed by the Metaspace pre-tokenizer only")
        }
        // Phase 2: split off remove_extra_whitespaces.
        var steps: [any Normalizer] = [frontEnd.normalizer]
        while steps.count == 1, let sequence = steps[0] as? NormalizerSequence { steps = sequence.steps }
        var removesExtra = false
        if steps.count >= 2, steps[steps.count - 1] is Strip,
           let collapse = steps[steps.count - 2] as? ReplaceWhitespace, collapse.collapse {
            removesExtra = true
            steps.removeLast(2)
            steps.append(ReplaceWhitespace())
        }
        // Phase 3: one rule per changed scalar.
        let sequence = NormalizerSequence(steps)
        var rules: [(from: [UInt8], to: [UInt8])] = []
        var scalarBytes: [UInt8] = []
        for value in UInt32(1)...0x10FFFF where !(0xD800...0xDFFF).contains(value) {
            scalarBytes.removeAll(keepingCapacity: true)
            appendUTF8(value, to: &scalarBytes)
            var text = try NormalizedText(validating: scalarBytes)
            try sequence.normalize(&text)
            if text.bytes != scalarBytes { rules.append((scalarBytes, text.bytes)) }
        }
        let isNmtNFKC = steps.count == 3 && steps[0] is SentencePieceWhitespaceRules
            && (steps[1] as? UnicodeFormNormalizer)?.form == .nfkc
        return try SentencePieceNormalizer(
            charsMap: rules.isEmpty ? nil : PrecompiledCharsMap(rules: rules),
            name: rules.isEmpty ? "identity" : isNmtNFKC ? "nmt_nfkc" : "vocabkit",
            addsDummyPrefix: metaspace.prependScheme != .never, removesExtraWhitespace: removesExtra)
    }
}

extension SentencePieceNormalizer {
    /// Not in the registry yet: tokenizer.json's `Precompiled` normalizer is not written (a
    /// `.model` file keeps this normalizer).
    public var component: NormalizerComponent? { nil }
}
