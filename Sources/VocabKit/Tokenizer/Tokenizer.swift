import Dispatch

/// A complete tokenizer: added tokens, the text front end, a model, and a decoder.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: url)      // tokenizer.json, .tiktoken, GPT-2 folder
/// let encoding = try tokenizer.encode("Hello world")
/// encoding.ids                                         // [9906, 1917] with cl100k_base
/// try tokenizer.decode(encoding.ids)                   // "Hello world"
/// ```
///
/// Encoding a text: 1. added tokens are found in the raw input (unless disabled); 2. each stretch
/// between them goes through the front end (validation, normalization, pre-tokenization);
/// 3. the model encodes every piece; 4. token offsets map back to the original bytes.
///
/// Thread safety: a `Tokenizer` is an immutable-by-default `Sendable` value; one instance can be
/// shared by any number of threads or tasks, which encode exactly as one thread does (tested
/// under ThreadSanitizer). Per-call state lives in an `EncoderScratch`: keep one per thread.
/// Loading validates every id the tokenizer can emit (`validate()`; docs/RELIABILITY.md).
public struct Tokenizer: Sendable {
    public var frontEnd: TextFrontEnd {
        didSet { (matcher, normalizedMatcher) = Self.matchers(addedTokens, frontEnd) }
    }
    public var model: TokenModel {
        didSet { decodingTable = TokenBytesTable(model.vocabulary) }
    }
    public var addedTokens: [AddedToken] {
        didSet {
            (matcher, normalizedMatcher) = Self.matchers(addedTokens, frontEnd)
            addedTokensById = AddedTokenIndex(addedTokens)
        }
    }
    public var decoder: TokenDecoder
    /// Special tokens around the sequences ([CLS] A [SEP]); nil adds none.
    public var postProcessor: TemplatePostProcessor?
    /// Offsets without the tokens' own spaces (HuggingFace's `trim_offsets`), for every
    /// sequence, with or without special tokens; nil keeps the offsets as the model gives them.
    public var offsetTrimming: OffsetTrimming?
    /// Truncation applied by `encode(_:pair:)` and `encodeBatch`; nil keeps everything.
    public var truncation: Truncation?
    /// Padding applied by `encode(_:pair:)` (fixed length) and `encodeBatch`; nil pads nothing.
    public var padding: Padding?
    /// Subword regularization for Unigram and SentencePiece BPE models; nil encodes the best
    /// segmentation. `encodeBatch` seeds text i with `seed + i`, so results do not depend on
    /// threads.
    public var sampling: SubwordSampling?
    /// The ids of the special roles as the file names them (BOS, EOS, padding, ...).
    public var specialTokenIds = SpecialTokenIds()
    /// The longest input the model was trained for, in tokens (`model_max_length` of
    /// `tokenizer_config.json`); informational: truncation is `truncation`'s job.
    public var modelMaxLength: Int?
    /// Added tokens matched in the raw input, and those matched in the normalized text.
    private var matcher: AddedTokenMatcher
    private var normalizedMatcher: AddedTokenMatcher
    /// The added tokens by id, for decoding.
    private(set) var addedTokensById: AddedTokenIndex
    /// The model's tokens in one buffer, for decoding.
    private var decodingTable: TokenBytesTable

    public init(frontEnd: TextFrontEnd, model: TokenModel, addedTokens: [AddedToken] = [], decoder: TokenDecoder = .concatenate) {
        self.frontEnd = frontEnd
        self.model = model
        self.addedTokens = addedTokens
        self.decoder = decoder
        (matcher, normalizedMatcher) = Self.matchers(addedTokens, frontEnd)
        addedTokensById = AddedTokenIndex(addedTokens)
        decodingTable = TokenBytesTable(model.vocabulary)
    }

    /// The two matchers; a normalized token is matched as the normalizer spells its content.
    private static func matchers(_ tokens: [AddedToken], _ frontEnd: TextFrontEnd) -> (AddedTokenMatcher, AddedTokenMatcher) {
        (AddedTokenMatcher(tokens.filter { !$0.isNormalized }),
         AddedTokenMatcher(tokens.filter(\.isNormalized)) { (try? frontEnd.normalizer.normalize($0.content)) ?? $0.content })
    }

    /// A tokenizer with a BPE model.
    public init(frontEnd: TextFrontEnd, model: BPEModel, addedTokens: [AddedToken] = [], decoder: TokenDecoder = .concatenate) {
        self.init(frontEnd: frontEnd, model: .bpe(model), addedTokens: addedTokens, decoder: decoder)
    }

    /// The number of ids the tokenizer can produce (model tokens and added tokens).
    public var vocabularySize: Int {
        max(model.vocabularySize, (addedTokens.map { Int($0.id) }.max() ?? -1) + 1)
    }

    /// Encodes UTF-8 bytes. With `allowsAddedTokens: false`, added-token text is encoded as
    /// ordinary text (tiktoken's `encode_ordinary`); `specialTokens` says what special tokens'
    /// text does otherwise (this low-level entry recognizes it, as HuggingFace does; the `String`
    /// entries refuse it by default).
    public func encode(_ bytes: UnsafeBufferPointer<UInt8>, allowsAddedTokens: Bool = true,
                       specialTokens: SpecialTokenPolicy = .recognized, scratch: inout EncoderScratch) throws -> Encoding {
        var encoding = Encoding()
        encoding.ids.reserveCapacity(bytes.count / 3 + 1)
        encoding.offsets.reserveCapacity(bytes.count / 3 + 1)
        try encode(bytes, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, into: &encoding, scratch: &scratch)
        if let offsetTrimming { trimOffsets(&encoding, offsetTrimming, text: bytes) }
        return encoding
    }

    /// The ids `encode(_:allowsAddedTokens:specialTokens:scratch:)` gives UTF-8 bytes, appended
    /// to `ids`, without offsets, annotations or the post-processor's special tokens (what
    /// tiktoken's `encode` and sentencepiece's `encode` return). Faster: no token is mapped back
    /// to the input, and one array is filled instead of five. Invalid UTF-8 is replaced by U+FFFD
    /// as there; returns how many ill-formed sequences were replaced. A text that throws leaves
    /// `ids` as it was.
    @discardableResult
    public func encodeIds(_ bytes: UnsafeBufferPointer<UInt8>, allowsAddedTokens: Bool = true,
                          specialTokens: SpecialTokenPolicy = .recognized, into ids: inout [UInt32],
                          scratch: inout EncoderScratch) throws -> Int {
        var sink = TokenIds(ids: [])
        // About a token per three bytes or fewer: one allocation, not one per doubling; and
        // geometric, so that a caller appending text after text does not copy on every call.
        let needed = ids.count + bytes.count / 3 + 1
        if ids.capacity < needed { ids.reserveCapacity(max(needed, 2 * ids.capacity)) }
        swap(&sink.ids, &ids)
        let start = sink.ids.count
        do {
            try encode(bytes, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, into: &sink, scratch: &scratch)
        } catch {
            // Nothing of a text that failed stays in the caller's array.
            sink.ids.removeSubrange(start...)
            swap(&sink.ids, &ids)
            throw error
        }
        swap(&sink.ids, &ids)
        return sink.replacedInvalidSequences
    }

    /// `encode(_:allowsAddedTokens:specialTokens:scratch:)` into any sink, before offset trimming.
    private func encode<Sink: TokenSink>(_ bytes: UnsafeBufferPointer<UInt8>, allowsAddedTokens: Bool,
                                         specialTokens: SpecialTokenPolicy, into encoding: inout Sink,
                                         scratch: inout EncoderScratch) throws {
        // The scratch's token buffer, held here for the call (the models take the scratch too).
        var pieceTokens: [PieceToken] = []
        swap(&pieceTokens, &scratch.pieceTokens)
        defer { swap(&pieceTokens, &scratch.pieceTokens) }
        var position = 0
        let normalizedTokens = allowsAddedTokens && !normalizedMatcher.isEmpty
        if allowsAddedTokens && !matcher.isEmpty {
            for stretch in try matcher.matches(in: bytes, policy: specialTokens) {
                if stretch.range.lowerBound > position {
                    try encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[position..<stretch.range.lowerBound]), offset: position,
                                       normalizedTokens: normalizedTokens ? specialTokens : nil, into: &encoding, pieceTokens: &pieceTokens,
                                       scratch: &scratch)
                }
                encoding.appendAdded(stretch.id, offset: stretch.range)
                position = max(position, stretch.range.upperBound)
            }
        }
        if bytes.count > position {
            try encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[position...]), offset: position,
                               normalizedTokens: normalizedTokens ? specialTokens : nil, into: &encoding, pieceTokens: &pieceTokens,
                               scratch: &scratch)
        }
    }

    private func trimOffsets(_ encoding: inout Encoding, _ trimming: OffsetTrimming, text: UnsafeBufferPointer<UInt8>) {
        let added = addedTokensById, tokens = decodingTable, byteLevel = model.isByteLevel
        let ids = encoding.ids
        trimming.apply(&encoding, text: text) { index in
            let id = ids[index]
            if let token = added[id] { return (Array(token.content.utf8)[...], false) }
            return (Int(id) < tokens.count ? tokens.slice(id) : [], byteLevel)
        }
    }

    /// Encodes text between raw added tokens: normalization, then (with `normalizedTokens`) the
    /// added tokens matched in the normalized text, then pre-tokenization and the model for the
    /// stretches between them, in order of their place in the input (nil: no normalized tokens).
    private func encodeOrdinary<Sink: TokenSink>(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int, normalizedTokens: SpecialTokenPolicy? = nil,
                                                 into encoding: inout Sink, pieceTokens: inout [PieceToken],
                                                 scratch: inout EncoderScratch) throws {
        // Every token below is plain (added tokens too: segment 0, not special, attended).
        defer { encoding.completeAnnotations() }
        var text: PreTokenizedText
        // Normalized added tokens with their ranges in the input; emitted before the first piece
        // that starts after them (pre-tokenizers may rewrite the normalized text, not the input).
        var added: [(range: Range<Int>, id: UInt32)] = []
        if let policy = normalizedTokens {
            text = PreTokenizedText(try frontEnd.normalize(bytes))
            let found = try text.text.bytes.withUnsafeBufferPointer { try normalizedMatcher.matches(in: $0, policy: policy) }
            if !found.isEmpty {
                var gaps: [Range<Int>] = [], position = 0
                for match in found {
                    if match.range.lowerBound > position { gaps.append(position..<match.range.lowerBound) }
                    position = max(position, match.range.upperBound)
                    let original = text.text.originalRange(of: match.range)
                    added.append(((original.lowerBound + offset)..<(original.upperBound + offset), match.id))
                }
                if text.text.bytes.count > position { gaps.append(position..<text.text.bytes.count) }
                text.pieces = gaps
            }
            try frontEnd.preTokenizer.preTokenize(&text)
        } else {
            text = try frontEnd.process(bytes, buffers: &scratch.frontEnd)
        }
        encoding.replacedInvalidSequences += text.text.replacedInvalidSequences
        // Unchanged text (no normalizer, valid UTF-8) maps offsets one to one: skip the look-ups.
        let identity = text.text.changedRegionCount == 0
        var hints = (0, 0)
        var nextAdded = 0
        model.withPieceEncoder { encodePiece in
            text.text.bytes.withUnsafeBufferPointer { normalized in
                for piece in text.pieces {
                    if nextAdded < added.count {
                        let start = text.text.originalRange(of: piece).lowerBound + offset
                        while nextAdded < added.count && added[nextAdded].range.lowerBound < start {
                            encoding.appendPlain(added[nextAdded].id, offset: added[nextAdded].range)
                            nextAdded += 1
                        }
                    }
                    // Encoders only append: the buffer is cleared now and then, not per piece
                    // (clearing costs a call into the array's generic range replacement).
                    if pieceTokens.count >= 4096 { pieceTokens.removeAll(keepingCapacity: true) }
                    let first = pieceTokens.count
                    encodePiece(UnsafeBufferPointer(rebasing: normalized[piece]), &pieceTokens, &scratch)
                    guard Sink.keepsOffsets else {
                        for k in first..<pieceTokens.count { encoding.appendPlain(pieceTokens[k].id, offset: 0..<0) }
                        continue
                    }
                    for k in first..<pieceTokens.count {
                        let token = pieceTokens[k]
                        let start = piece.lowerBound + Int(token.start), end = piece.lowerBound + Int(token.end)
                        let range = identity ? start..<end : text.text.originalRange(of: start..<end, hints: &hints)
                        encoding.appendPlain(token.id, offset: (range.lowerBound + offset)..<(range.upperBound + offset))
                    }
                }
            }
        }
        for index in nextAdded..<added.count { encoding.appendPlain(added[index].id, offset: added[index].range) }
        scratch.frontEnd.recycle(&text)
    }

    /// Encodes a text, or a pair of texts, with the post-processor's special tokens, truncation
    /// and fixed-length padding as configured (`addsSpecialTokens: false` skips all three).
    ///
    /// Text that contains a special token's text (`<|endoftext|>`) throws
    /// `TextError.specialTokenInText` unless `specialTokens` says otherwise: user text must not
    /// become control tokens. Pass `.recognized` for text the program built (a chat template),
    /// `.refused(except: ["<|endoftext|>"])` to admit named ones, `.asText` to encode them as
    /// characters. `allowsAddedTokens: false` encodes every added token's text as characters.
    ///
    /// With `sampling` set, `samplingSeed` seeds this call's sample (a training loop passes its
    /// step, say, to get a fresh segmentation each epoch that is still reproducible); nil uses
    /// `sampling.seed`, so equal calls give equal samples.
    public func encode(_ text: String, pair: String? = nil, allowsAddedTokens: Bool = true,
                       specialTokens: SpecialTokenPolicy = .refused(except: []), addsSpecialTokens: Bool = true,
                       samplingSeed: UInt64? = nil) throws -> Encoding {
        let (first, second) = try ThreadScratch.with(sampling: sampling(seed: samplingSeed)) { scratch in
            (try encode(utf8Of: text, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, scratch: &scratch),
             try pair.map { try encode(utf8Of: $0, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, scratch: &scratch) })
        }
        guard addsSpecialTokens else { return joined(first, second) }
        var encoding = postProcess(first, second)
        if let padding { padding.apply(&encoding, to: padding.target(longest: encoding.count)) }
        return encoding
    }

    /// The ids of `text` alone: `encode(_:allowsAddedTokens:specialTokens:addsSpecialTokens: false)`'s
    /// ids, without building offsets or annotations (see `encodeIds(_:allowsAddedTokens:specialTokens:into:scratch:)`).
    /// Special tokens' text is refused by default, as in `encode(_:pair:)`.
    public func encodeIds(_ text: String, allowsAddedTokens: Bool = true, specialTokens: SpecialTokenPolicy = .refused(except: []),
                          samplingSeed: UInt64? = nil) throws -> [UInt32] {
        try ThreadScratch.with(sampling: sampling(seed: samplingSeed)) { scratch in
            var ids: [UInt32] = []
            try Self.withUTF8(of: text) {
                _ = try encodeIds($0, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, into: &ids, scratch: &scratch)
            }
            return ids
        }
    }

    /// Encodes a string's UTF-8 (see `withUTF8(of:_:)`).
    private func encode(utf8Of text: String, allowsAddedTokens: Bool, specialTokens: SpecialTokenPolicy,
                        scratch: inout EncoderScratch) throws -> Encoding {
        try Self.withUTF8(of: text) { try encode($0, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, scratch: &scratch) }
    }

    /// Calls `body` with a string's UTF-8, in place when it is stored contiguously (native strings
    /// are), else with a copy.
    private static func withUTF8<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// `sampling` with its seed replaced by `seed` when one is given.
    private func sampling(seed: UInt64?) -> SubwordSampling? {
        guard var sampling else { return nil }
        if let seed { sampling.seed = seed }
        return sampling
    }

    /// Truncation, then the post-processor's special tokens (no padding).
    public func postProcess(_ first: Encoding, _ second: Encoding? = nil) -> Encoding {
        // The second text's tokens, and its windows, have type id 1 until the template says
        // otherwise (as `tokenizers` encodes a pair).
        var first = first, second = second?.withTypeIds(1)
        let added = postProcessor?.addedCount(pair: second != nil) ?? 0
        truncation?.apply(&first, &second, added: added)
        if let postProcessor { return postProcessor.apply(first, second) }
        return joined(first, second)
    }

    /// A pair as one encoding without special tokens or truncation: the second text's tokens
    /// get type id 1 (0 with RoBERTa's post-processor), as HuggingFace's `add_special_tokens=False`.
    public func joined(_ first: Encoding, _ second: Encoding?) -> Encoding {
        guard let second else { return first }
        return first.merged(with: second.withTypeIds(postProcessor?.plainSecondTypeId ?? 1))
    }

    /// Encodes many texts on `threads` threads, in input order, with special tokens, truncation
    /// and padding as configured (padding to the batch's longest with `.longest`).
    /// Special tokens' text is refused by default, as in `encode(_:pair:)`. With `sampling` set,
    /// text i is sampled with seed `(samplingSeed ?? sampling.seed) + i`.
    public func encodeBatch(_ texts: [String], allowsAddedTokens: Bool = true, specialTokens: SpecialTokenPolicy = .refused(except: []),
                            addsSpecialTokens: Bool = true, threads: Int = 0, samplingSeed: UInt64? = nil) throws -> [Encoding] {
        // Chunks of texts, about four per thread, each with its thread's scratch (kept between
        // calls, so a small batch does not rebuild piece caches); text i is sampled with
        // seed + i, so results do not depend on the thread count.
        let sampling = self.sampling(seed: samplingSeed)
        let ranges = Parallel.chunks(texts.count, pieces: Parallel.workers(threads) * 4)
        var results = try Parallel.map(ranges.count, threads: threads) { c in
            try ThreadScratch.with(sampling: sampling) { scratch in
                try ranges[c].map { index in
                    if let sampling { scratch.reseed(sampling.seed &+ UInt64(index)) }
                    let bytes = Array(texts[index].utf8)
                    let raw = try bytes.withUnsafeBufferPointer {
                        try encode($0, allowsAddedTokens: allowsAddedTokens, specialTokens: specialTokens, scratch: &scratch)
                    }
                    return addsSpecialTokens ? postProcess(raw) : raw
                }
            }
        }.flatMap { $0 }
        if addsSpecialTokens, let padding {
            let target = padding.target(longest: results.map(\.count).max() ?? 0)
            for index in results.indices { padding.apply(&results[index], to: target) }
        }
        return results
    }

    /// The bytes that `ids` decode to (may be invalid UTF-8 when a sequence is cut mid-character).
    /// Special added tokens (`<|endoftext|>`, `[CLS]`) are left out unless `skipsSpecialTokens`
    /// is false, as HuggingFace's `decode` does. Throws for an id outside the vocabulary.
    public func decodeBytes(_ ids: [UInt32], skipsSpecialTokens: Bool = true) throws -> [UInt8] {
        try decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: addedTokensById)
    }

    /// The text an added token decodes to: its content, normalized if the token is (as in
    /// HuggingFace).
    func decodedContent(_ token: AddedToken) -> String {
        token.isNormalized ? (try? frontEnd.normalizer.normalize(token.content)) ?? token.content : token.content
    }

    /// Whether decoding is a `tokenizer.json` chain that is ByteLevel alone over a byte-level
    /// model: each token's bytes one after the other, invalid UTF-8 repaired at the end. (The
    /// other decoders that concatenate, such as `.concatenate`, join through `TokenJoiner`.)
    var decodingConcatenates: Bool {
        if case .huggingFace(let chain) = decoder { return model.isByteLevel && chain == [.byteLevel] }
        return false
    }

    /// The bytes token `id` adds when `decodingConcatenates`, before the UTF-8 repair: a model
    /// token's bytes, an added token's content spelled back to bytes as ByteLevel does. Throws
    /// for an id outside the vocabulary.
    func concatenatedBytes(of id: UInt32, added: AddedTokenIndex) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachTokenBytes(CollectionOfOne(id), skipsSpecialTokens: false, added: added, byteLevelAddedTokens: true) { _, _, token in
            bytes = Array(token)
        }
        return bytes
    }

    /// Calls `body(id, isAdded, bytes)` for each id in order: an added token's content (left out
    /// when special and `skipsSpecialTokens`; as ByteLevel spells it back to bytes with
    /// `byteLevelAddedTokens`), else the model token's bytes from `decodingTable`. Throws for an id
    /// outside the vocabulary. O(ids + bytes). Every decoding path reads tokens through here.
    private func forEachTokenBytes(_ ids: some Collection<UInt32>, skipsSpecialTokens: Bool, added: AddedTokenIndex,
                                   byteLevelAddedTokens: Bool = false,
                                   _ body: (UInt32, Bool, UnsafeBufferPointer<UInt8>) -> Void) throws {
        try decodingTable.forEach(ids) { id, token in
            if let token = added[id] {
                guard !(skipsSpecialTokens && token.isSpecial) else { return }
                let content = decodedContent(token)
                let bytes = byteLevelAddedTokens ? ByteLevelAlphabet.decode(content) ?? Array(content.utf8) : Array(content.utf8)
                bytes.withUnsafeBufferPointer { body(id, true, $0) }
            } else if let token {
                body(id, false, token)
            } else {
                throw ModelError.idOutOfRange(id: Int(id), vocabularySize: vocabularySize)
            }
        }
    }

    /// Appends the tokens of `ids` to `joiner`, for every decoder but a `tokenizer.json` chain:
    /// an added token's content (nothing when special and `skipsSpecialTokens`); for
    /// SentencePiece, nothing for a control piece and the unknown surface for the unknown piece;
    /// a byte-fallback piece's byte; any other token's bytes. Throws for an id outside the
    /// vocabulary, before appending anything for it. O(ids + bytes). `DecodeStream` appends one
    /// id at a time to a joiner it keeps.
    func join(_ ids: some Collection<UInt32>, into joiner: inout TokenJoiner, skipsSpecialTokens: Bool,
              added: AddedTokenIndex) throws {
        var sentencePiece: SentencePieceDecoding?
        if case .sentencePiece(let options) = decoder { sentencePiece = options }
        try forEachTokenBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added) { id, isAdded, token in
            if !isAdded, let surface = sentencePiece?.specialSurface(for: id) {
                if !surface.isEmpty { surface.withUnsafeBufferPointer { joiner.append($0) } }
            } else {
                joiner.append(token, asByte: isAdded ? nil : decodingTable.fallbackByte(of: id, token))
            }
        }
    }

    /// `decodeBytes(_:skipsSpecialTokens:)` with the added tokens looked up once by the caller
    /// (`DecodeStream` decodes a few ids per step).
    ///
    /// 1. Added tokens decode as their content (normalized if they are); special ones are skipped
    ///    with `skipsSpecialTokens`.
    /// 2. A `tokenizer.json` decoder chain runs over the token strings, as `tokenizers` runs it.
    /// 3. Any other decoder joins the model's tokens into one buffer (`TokenJoiner`).
    /// Complexity: O(ids + output bytes).
    func decodeBytes(_ ids: some Collection<UInt32>, skipsSpecialTokens: Bool, added: AddedTokenIndex) throws -> [UInt8] {
        guard case .huggingFace(let chain) = decoder else {
            var joiner = TokenJoiner(decoder, capacity: ids.count * 4)
            try join(ids, into: &joiner, skipsSpecialTokens: skipsSpecialTokens, added: added)
            return joiner.finish()
        }
        // A chain that starts with ByteLevel over a byte-level model: the model's tokens are
        // already the bytes that step makes of them (`DecoderStep.byteLevel`). ByteLevel alone
        // (GPT-2, Llama 3): the bytes one after the other, invalid UTF-8 repaired at the end.
        let bytesFirst = model.isByteLevel && chain.first == .byteLevel
        if bytesFirst && chain.count == 1 {
            var out: [UInt8] = []
            out.reserveCapacity(ids.count * 4)
            try forEachTokenBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added, byteLevelAddedTokens: true) { _, _, token in
                out.append(contentsOf: token)
            }
            return String(validating: out, as: UTF8.self) != nil ? out : Array(String(decoding: out, as: UTF8.self).utf8)
        }
        if chain.count == 1, case .wordPiece(let prefix, let cleanup) = chain[0], !model.isByteLevel {
            return try decodeWordPiece(ids, prefix: Array(prefix.utf8), cleanup: cleanup, skipsSpecialTokens: skipsSpecialTokens, added: added)
        }
        let steps = bytesFirst ? Array(chain.dropFirst()) : chain
        let tokens = decodingTable
        var pieces: [[UInt8]] = []
        pieces.reserveCapacity(ids.count)
        for id in ids {
            if let token = added[id] {
                guard !(skipsSpecialTokens && token.isSpecial) else { continue }
                let content = decodedContent(token)
                pieces.append(bytesFirst ? ByteLevelAlphabet.decode(content) ?? Array(content.utf8) : Array(content.utf8))
            } else if Int(id) < tokens.count {
                // `tokenizers` hands its decoder the token as the file spells it.
                pieces.append(model.isByteLevel && !bytesFirst ? Array(model.tokenString(id).utf8) : tokens[id])
            } else {
                throw ModelError.idOutOfRange(id: Int(id), vocabularySize: vocabularySize)
            }
        }
        if bytesFirst {
            // ByteLevel decodes lossily: invalid UTF-8 becomes U+FFFD.
            let bytes = pieces.flatMap { $0 }
            pieces = [String(validating: bytes, as: UTF8.self) != nil ? bytes : Array(String(decoding: bytes, as: UTF8.self).utf8)]
        }
        return try TokenDecoder.huggingFace(steps).join(pieces)
    }

    /// `tokenizers`' WordPiece decoder alone (BERT's tokenizer.json) into one buffer: after the
    /// first token, the prefix is dropped or a space put before the token, and each token is
    /// cleaned up by itself (`DecoderStep.wordPiece`). O(ids + bytes).
    private func decodeWordPiece(_ ids: some Collection<UInt32>, prefix: [UInt8], cleanup: Bool, skipsSpecialTokens: Bool,
                                 added: AddedTokenIndex) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 6)
        var index = 0
        func append(_ token: UnsafeBufferPointer<UInt8>) {
            let start = out.count
            if index > 0 && !prefix.isEmpty && token.starts(with: prefix) {
                out.append(contentsOf: token[prefix.count...])
            } else {
                if index > 0 { out.append(0x20) }
                out.append(contentsOf: token)
            }
            index += 1
            if cleanup && DecoderStep.mayNeedCleanup(out[start...]) {
                out.replaceSubrange(start..., with: DecoderStep.cleanedUp(Array(out[start...])))
            }
        }
        try forEachTokenBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added) { _, _, token in append(token) }
        return out
    }

    /// Decodes ids to text. Invalid UTF-8 in the decoded bytes becomes U+FFFD; use `decodeBytes`
    /// to see the bytes themselves.
    public func decode(_ ids: [UInt32], skipsSpecialTokens: Bool = true) throws -> String {
        String(decoding: try decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens), as: UTF8.self)
    }
}

import Foundation

/// Added tokens by id, with a range check first so that model ids skip the dictionary.
struct AddedTokenIndex: Sendable {
    private let byId: [UInt32: AddedToken]
    private let range: ClosedRange<UInt32>?

    init(_ tokens: [AddedToken]) {
        var byId: [UInt32: AddedToken] = [:]
        for token in tokens { byId[token.id] = token }
        self.byId = byId
        range = tokens.map(\.id).min().map { $0...tokens.map(\.id).max()! }
    }

    subscript(id: UInt32) -> AddedToken? {
        guard let range, range.contains(id) else { return nil }
        return byId[id]
    }
}
