/// Decodes ids one at a time into text for streaming generation (HuggingFace's `DecodeStream`).
///
/// `step(_:)` returns the text that a new id completes, or nil while the decoded bytes end inside
/// a UTF-8 character (a byte-fallback token, or a byte-level token cut mid-character) or add
/// nothing; `finish()` returns what is still held (an unfinished character as U+FFFD). For every
/// decoder that treats each token by itself and by its neighbours (byte-level, tiktoken,
/// SentencePiece, Metaspace, WordPiece without clean-up, the `tokenizer.json` chains of Llama
/// and Mistral), the returned strings and `finish()` joined are exactly `decode(ids)`; tested on
/// random ids for every model type. The exception is the clean-up of a `vocab.txt` WordPiece
/// tokenizer, which rewrites across tokens (" ' s" → "'s"): it is streamed as `tokenizers`'
/// WordPiece decoder cleans up, one token at a time, so spaces around apostrophes and before
/// punctuation can differ from decoding all at once.
///
/// How: the ByteLevel chain alone holds only an unfinished character's bytes. Every decoder
/// that is not a `tokenizer.json` chain (tiktoken's concatenation, SentencePiece, Metaspace,
/// WordPiece without clean-up, BPE suffixes, word-level) joins tokens left to right: the stream
/// keeps its `TokenJoiner` and returns its new bytes at each step, holding the same at most 3 bytes
/// (O(token) per step, memory O(largest token)). For `tokenizer.json` chains (and so for
/// WordPiece with clean-up), which may look at any neighbour, the stream decodes a window of
/// ids, its context (whole groups of ids that already
/// returned text, at least `minimumContext` ids when there are that many, so it never starts
/// inside a character) and the ids since, and returns the bytes after the context's own
/// decoding, so a token's leading space or a stripped first space comes out as in the whole text.
/// Complexity: O(window) per step; the window holds at most 2 × (`minimumContext` +
/// `maximumPending` + 1) ids. Ids that decode to nothing or to an unfinished character wait; past
/// `maximumPending` of them the window keeps the context and the last `minimumContext` pending
/// ids, and unfinished bytes are returned as they decode (only a pathological run of ids, such as
/// 64 byte tokens that never make a character, gets there). Memory O(window).
public struct DecodeStream: Sendable {
    /// The tokenizer whose decoder the stream runs.
    public let tokenizer: Tokenizer
    /// Whether special added tokens (`<|endoftext|>`, `</s>`) are left out, as in `decode`.
    public let skipsSpecialTokens: Bool
    /// Ids kept before the new ones so that context-dependent decoders see their neighbours.
    public static let minimumContext = 8
    /// Ids that may wait for text before the context restarts from them.
    public static let maximumPending = 64

    private let added: AddedTokenIndex
    /// The window: `ids[..<contextCount]` are already text, the rest are pending.
    private var ids: [UInt32] = []
    private var contextCount = 0
    /// `ids[..<textContextCount]`: the context kept when text last came out.
    private var textContextCount = 0
    /// Where each group of ids that returned text together starts in `ids` (ascending).
    private var groupStarts: [Int] = []
    /// The decoder is the ByteLevel chain alone (`Tokenizer.decodingConcatenates`): the stream
    /// keeps only `pendingBytes`, an unfinished character's, instead of a window, and repairs
    /// invalid UTF-8 to U+FFFD's bytes as `decodeBytes` does.
    private let concatenates: Bool
    private var pendingBytes: [UInt8] = []
    /// Every decoder that is not a `tokenizer.json` chain joins tokens left to right, looking
    /// back only into the current token (`TokenJoiner`): the stream keeps the joiner instead of
    /// a window, and takes its new bytes but an unfinished character's (at most 3 bytes) at
    /// each step. Nil for the chains, which run over the window.
    private var joiner: TokenJoiner?
    /// `decodeBytes(ids[..<contextCount])`: the bytes the new text follows.
    private var contextBytes: [UInt8] = []

    /// The ids in the window (context and pending), plus the bytes held for an unfinished
    /// character (the only state of the concatenating and joining paths), for tests of its bound.
    var windowCount: Int { ids.count + pendingBytes.count + (joiner?.out.count ?? 0) }

    /// A `vocab.txt` or GGUF WordPiece tokenizer's clean-up (`.continuingPrefix(_, cleanup: true)`)
    /// rewrites across tokens (" ' s" → "'s"), so the stream runs `tokenizers`' WordPiece decoder
    /// instead, which cleans up each token by itself; `tokenizer` is then that copy.
    public init(tokenizer: Tokenizer, skipsSpecialTokens: Bool = true) {
        var tokenizer = tokenizer
        if case .continuingPrefix(let prefix, true) = tokenizer.decoder {
            tokenizer.decoder = .huggingFace([.wordPiece(prefix: prefix, cleanup: true)])
        }
        self.tokenizer = tokenizer
        self.skipsSpecialTokens = skipsSpecialTokens
        self.added = tokenizer.addedTokensById
        concatenates = tokenizer.decodingConcatenates
        if case .huggingFace = tokenizer.decoder {} else { joiner = TokenJoiner(tokenizer.decoder) }
    }

    /// Adds `id` and returns the text it completes, or nil when it completes none yet.
    /// Throws for an id outside the vocabulary (the stream is then unchanged) and for a decoder
    /// that rewrites text it already returned (`TextError.invalidSpecification`).
    /// Complexity: O(window) (see the type).
    public mutating func step(_ id: UInt32) throws -> String? {
        guard let bytes = try stepBytes(id) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `step(_:)` as bytes: never nil-splits a character, so the bytes are valid UTF-8 unless the
    /// ids themselves decode to invalid UTF-8 that no later id can complete (then U+FFFD's bytes
    /// for `tokenizer.json` byte-level decoders, the raw bytes otherwise).
    public mutating func stepBytes(_ id: UInt32) throws -> [UInt8]? {
        // 1. A skipped special token never reaches the decoder (`decodeBytes` drops it first).
        if skipsSpecialTokens, let token = added[id], token.isSpecial { return nil }
        if concatenates { return try concatenatedStep(id) }
        if joiner != nil { return try joinedStep(id) }
        ids.append(id)
        let bytes: [UInt8]
        do {
            bytes = try tokenizer.decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added)
        } catch {
            ids.removeLast()
            throw error
        }
        // 2. Wait while the bytes add nothing or end inside a character (checked first: a
        //    decoder may rewrite a finished character while the next is unfinished, as
        //    ByteFallback does with a run of byte tokens), unless more than `maximumPending` ids
        //    wait: then the window restarts when nothing was added, and the bytes are text if some were.
        let grew = bytes.count > contextBytes.count
        if !grew || Self.endsUnfinished(bytes[contextBytes.count...]) {
            guard ids.count - contextCount > Self.maximumPending else { return nil }
            if !grew {
                try restartContext()
                return nil
            }
        }
        guard bytes.starts(with: contextBytes) else {
            ids.removeLast()
            throw TextError.invalidSpecification(
                "this tokenizer's decoder rewrites text it already streamed (id \(id)); decode the whole sequence with decode(_:)")
        }
        let new = bytes[contextBytes.count...]
        // 3. The pending ids are text now: they join the context (`keepContext`).
        let text = Array(new)
        try keepContext(decoded: bytes)
        return text
    }

    /// Too many ids that decode to nothing: the window becomes the ids kept when text last came
    /// out and the last `minimumContext` pending ones, all context (a decoder that looks back,
    /// such as SentencePiece's first-space rule or CTC's repeats, still sees both).
    private mutating func restartContext() throws {
        ids.removeSubrange(textContextCount..<(ids.count - Self.minimumContext))
        groupStarts = groupStarts.filter { $0 < textContextCount }
        contextBytes = try tokenizer.decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added)
        contextCount = ids.count
    }

    /// Makes every id context (the pending ids are one more group of returned text) and drops
    /// whole groups from the front while at least `minimumContext` ids remain, so the context
    /// starts where returned text started: never inside a character, which matters to decoders
    /// that treat a run of byte tokens as a whole (ByteFallback: the run is UTF-8 or all U+FFFD).
    private mutating func keepContext(decoded bytes: [UInt8]) throws {
        groupStarts.append(contextCount)
        if let cut = groupStarts.last(where: { ids.count - $0 >= Self.minimumContext }), cut > 0 {
            ids.removeFirst(cut)
            groupStarts = groupStarts.compactMap { $0 >= cut ? $0 - cut : nil }
            contextBytes = try tokenizer.decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added)
        } else {
            contextBytes = bytes
        }
        contextCount = ids.count
        textContextCount = ids.count
    }

    /// `stepBytes` for the ByteLevel chain alone: no window, only the bytes of an unfinished
    /// character wait (at most 3), and what comes before them is returned, repaired. O(token).
    private mutating func concatenatedStep(_ id: UInt32) throws -> [UInt8]? {
        pendingBytes += try tokenizer.concatenatedBytes(of: id, added: added)
        let held = Self.unfinishedSuffixLength(pendingBytes[...])
        guard held < pendingBytes.count else { return nil }
        let ready = pendingBytes[..<(pendingBytes.count - held)]
        let text = Array(String(decoding: ready, as: UTF8.self).utf8)
        pendingBytes.removeFirst(pendingBytes.count - held)
        return text
    }

    /// `stepBytes` for a decoder that joins tokens left to right (`joiner`): the token joins,
    /// and the joined bytes are returned but an unfinished character's. O(token).
    private mutating func joinedStep(_ id: UInt32) throws -> [UInt8]? {
        // Moved out of `self` while it joins: joining into `self.joiner` in place would make
        // Swift copy the tokenizer (both are parts of `self`) at every step.
        var joiner = self.joiner.take()!
        defer { self.joiner = joiner }
        try tokenizer.join(CollectionOfOne(id), into: &joiner, skipsSpecialTokens: skipsSpecialTokens, added: added)
        let held = Self.unfinishedSuffixLength(joiner.out[...])
        guard held < joiner.out.count else { return nil }
        return joiner.take(keepingLast: held)
    }

    /// The text still held (an unfinished character decodes to U+FFFD), or nil when none;
    /// the stream then starts over. One case differs from `decode`: ByteFallback turns a whole
    /// run of byte tokens into U+FFFD when the run ends unfinished, so `decode` of ids that stop
    /// mid-character rewrites the run's finished characters, which the stream already returned;
    /// `finish()` then returns one U+FFFD per waiting id.
    public mutating func finish() throws -> String? {
        defer { reset() }
        if concatenates { return pendingBytes.isEmpty ? nil : String(decoding: pendingBytes, as: UTF8.self) }
        if var joiner {
            let held = joiner.finish()
            return held.isEmpty ? nil : String(decoding: held, as: UTF8.self)
        }
        guard contextCount < ids.count else { return nil }
        let bytes = try tokenizer.decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens, added: added)
        guard bytes.starts(with: contextBytes) else { return String(repeating: "\u{FFFD}", count: ids.count - contextCount) }
        guard bytes.count > contextBytes.count else { return nil }
        return String(decoding: bytes[contextBytes.count...], as: UTF8.self)
    }

    /// Forgets every id: the next step decodes as the start of a text.
    public mutating func reset() {
        ids.removeAll(keepingCapacity: true)
        contextCount = 0
        textContextCount = 0
        groupStarts = []
        contextBytes = []
        pendingBytes = []
        if joiner != nil { joiner = TokenJoiner(tokenizer.decoder) }
    }

    /// Whether `bytes` end inside a UTF-8 character that more bytes could complete, or with
    /// U+FFFD (decoders that replace unfinished bytes before the stream sees them: `tokenizers`'
    /// ByteLevel and ByteFallback).
    static func endsUnfinished(_ bytes: ArraySlice<UInt8>) -> Bool {
        if bytes.count >= 3, bytes.suffix(3).elementsEqual([0xEF, 0xBF, 0xBD]) { return true }
        return unfinishedSuffixLength(bytes) > 0
    }

    /// The length of the trailing bytes that begin a UTF-8 character without finishing it
    /// (0 when the bytes end on a character boundary or with bytes no continuation can mend).
    static func unfinishedSuffixLength(_ bytes: ArraySlice<UInt8>) -> Int {
        // Find the last byte that is not a continuation byte, at most 3 back.
        var start = bytes.endIndex
        var continuations = 0
        while start > bytes.startIndex, continuations <= 3 {
            start -= 1
            if bytes[start] & 0xC0 != 0x80 { break }
            continuations += 1
        }
        guard start < bytes.endIndex, bytes[start] & 0xC0 != 0x80 else { return 0 }
        let lead = bytes[start]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return 0
        }
        let have = bytes.endIndex - start
        guard have < needed else { return 0 }
        // The second byte's range depends on the lead (no overlong forms, surrogates or > U+10FFFF).
        if have >= 2 {
            let second = bytes[start + 1]
            let valid: ClosedRange<UInt8>
            switch lead {
            case 0xE0: valid = 0xA0...0xBF
            case 0xED: valid = 0x80...0x9F
            case 0xF0: valid = 0x90...0xBF
            case 0xF4: valid = 0x80...0x8F
            default: valid = 0x80...0xBF
            }
            guard valid.contains(second) else { return 0 }
        }
        return have
    }
}

extension Tokenizer {
    /// A stream that decodes ids one at a time (`DecodeStream`).
    public func decodeStream(skipsSpecialTokens: Bool = true) -> DecodeStream {
        DecodeStream(tokenizer: self, skipsSpecialTokens: skipsSpecialTokens)
    }
}
