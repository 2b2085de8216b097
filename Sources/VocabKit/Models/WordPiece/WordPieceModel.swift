/// A WordPiece model (BERT): greedy longest-match-first over a vocabulary of word-initial tokens
/// and continuation tokens marked by a prefix ("##").
///
/// A word longer than `maxInputCharactersPerWord` characters, or one that some position of cannot
/// be matched, becomes the unknown token (covering the whole word), as in BERT and HuggingFace.
public struct WordPieceModel: Sendable {
    /// Token bytes by id, in one buffer (continuation tokens include their prefix): what the
    /// matcher is built from, and what the tokenizer's decoding table shares
    /// (`FlatTokenStorage`). Memory: the tokens' bytes plus 8 per token.
    package let tokenList: FlatByteStrings
    /// Token bytes by id (continuation tokens include their prefix), built from `tokenList` on
    /// each call: O(vocabulary bytes), one array per token. Read it once, not per token.
    public var tokens: [[UInt8]] { tokenList.arrays }
    public let unknownToken: UInt32
    public let continuingSubwordPrefix: [UInt8]
    public let maxInputCharactersPerWord: Int
    let lookup: ByteStringTable
    /// The linear-time matcher used for encoding; its trie (word-initial tokens from the root,
    /// continuation tokens below the prefix's node) also serves the plain matcher, the test
    /// oracle of `matcher`.
    let matcher: LinMaxMatch

    /// The most failure pops the linear matcher may hold: 16 per matchable byte of the
    /// vocabulary, and at least 4 million (16 MB). BERT's vocabulary needs far fewer.
    static func maximumPops(vocabularyBytes: Int) -> Int { min(max(1 << 22, 16 * vocabularyBytes), Int(Int32.max)) }

    /// The longest `maxInputCharactersPerWord` a model accepts: words are matched within it, so
    /// it bounds the tokens the tries hold (BERT uses 100).
    public static let maximumInputCharactersPerWord = 1 << 16

    /// Builds a model; `unknownToken` must be in `tokens`. Defaults are BERT's ("##", 100).
    public init(tokens: [[UInt8]], unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                maxInputCharactersPerWord: Int = 100) throws {
        try self.init(tokenList: FlatByteStrings(tokens), unknownToken: unknownToken, continuingSubwordPrefix: continuingSubwordPrefix,
                      maxInputCharactersPerWord: maxInputCharactersPerWord)
    }

    /// The model over `tokenList` (what `tokenizer.json` loading builds, without an array per
    /// token).
    package init(tokenList: FlatByteStrings, unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                 maxInputCharactersPerWord: Int = 100) throws {
        guard (1...Self.maximumInputCharactersPerWord).contains(maxInputCharactersPerWord) else {
            throw ModelError.invalidModel("max_input_chars_per_word is \(maxInputCharactersPerWord), not from 1 to \(Self.maximumInputCharactersPerWord)")
        }
        var lookup = ByteStringTable(capacity: tokenList.count)
        let prefix = Array(continuingSubwordPrefix.utf8)
        // A token longer than any word that can be matched (more characters than
        // maxInputCharactersPerWord plus the prefix) never matches: it stays in the vocabulary
        // for decoding but out of the tries, so one huge token cannot make them huge.
        let prefixCharacters = continuingSubwordPrefix.unicodeScalars.count
        let limit = maxInputCharactersPerWord + prefixCharacters
        // A later duplicate wins, as in a vocab.txt read into a map. One pass over the tokens
        // marks the matchable ones, sums their bytes and fills the look-up table.
        var matchableBytes = 0
        let matchable = tokenList.withView { view in
            [Bool](unsafeUninitializedCapacity: view.count) { matchable, initialized in
                for id in 0..<view.count {
                    let token = view[id]
                    let fits = token.count <= limit || token.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) } <= limit
                    matchable[id] = fits
                    if fits { matchableBytes += token.count }
                    lookup.insert(token, id: UInt32(id))
                }
                initialized = view.count
            }
        }
        guard let unknown = lookup.id(of: Array(unknownToken.utf8)) else {
            throw ModelError.invalidModel("the unknown token \(unknownToken) is not in the vocabulary")
        }
        self.tokenList = tokenList
        self.unknownToken = unknown
        self.continuingSubwordPrefix = prefix
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        self.lookup = lookup
        // A vocabulary whose matcher passes its bound is built to be slow (long tokens sharing no
        // prefixes): walking tries instead would be quadratic per word, so it is refused.
        let maximumPops = Self.maximumPops(vocabularyBytes: matchableBytes)
        guard let matcher = LinMaxMatch(tokens: tokenList, prefix: prefix, matchable: matchable, maximumPops: maximumPops) else {
            throw ModelError.invalidModel("the vocabulary's long tokens would make WordPiece's matcher hold over \(maximumPops) entries "
                                          + "(matching would be quadratic in word length); lower max_input_chars_per_word (\(maxInputCharactersPerWord)) or remove the long tokens")
        }
        self.matcher = matcher
    }

    public var vocabularySize: Int { tokenList.count }

    /// Token `id` as a display string ("" outside the vocabulary). O(its length).
    public func tokenString(_ id: UInt32) -> String {
        tokenList.text(Int(id))
    }

    /// The id of a token given as a string.
    public func lookup(_ token: String) -> UInt32? { lookup.id(of: Array(token.utf8)) }

    /// Encodes one word (piece), appending its tokens: greedy longest-match-first, in linear time.
    ///
    /// 1. Too many characters: the unknown token.
    /// 2. LinMaxMatch emits the tokens longest-match-first would (see `LinMaxMatch`).
    /// 3. If some position has no token, the whole word is the unknown token.
    ///
    /// - Complexity: O(n) for a word of n bytes.
    public func encode(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken]) {
        guard !piece.isEmpty else { return }
        var characters = 0
        for byte in piece where byte & 0xC0 != 0x80 { characters += 1 }
        if characters > maxInputCharactersPerWord {
            output.append(PieceToken(id: unknownToken, start: 0, end: Int32(piece.count)))
        } else if !continuingSubwordPrefix.isEmpty && piece.starts(with: continuingSubwordPrefix) {
            // A word that itself begins with the prefix would walk into the continuation subtree
            // of LinMaxMatch's single trie; such words (impossible after BERT's pre-tokenizer,
            // which isolates "#") take the plain path.
            encodeByTrieWalk(piece: piece, into: &output)
        } else if !matcher.match(piece, into: &output) {
            output.append(PieceToken(id: unknownToken, start: 0, end: Int32(piece.count)))
        }
    }

    /// The plain way: from each start, the longest token by walking a trie. O(n · L); the
    /// oracle `encode(piece:into:)` is tested against.
    func encodeByTrieWalk(piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken]) {
        guard !piece.isEmpty else { return }
        var characters = 0
        for byte in piece where byte & 0xC0 != 0x80 { characters += 1 }
        let unknown = PieceToken(id: unknownToken, start: 0, end: Int32(piece.count))
        if characters > maxInputCharactersPerWord {
            output.append(unknown)
            return
        }
        let first = output.count
        // At a word's start any token matches as written (HuggingFace looks the plain substring
        // up, so "###" can start a word); after it, only continuations, found below the prefix's
        // node (a token equal to the prefix alone is at that node and never matched there; with
        // no prefix that node is the root, as in HuggingFace, which then looks up any token).
        var start = 0
        while start < piece.count {
            let root = start == 0 ? 0 : matcher.continuationRoot
            guard let match = matcher.trie.longestPrefix(of: piece, from: start, root: root) else {
                output.removeSubrange(first...)
                output.append(unknown)
                return
            }
            output.append(PieceToken(id: match.id, start: Int32(start), end: Int32(match.end)))
            start = match.end
        }
    }

    /// BERT's `vocab.txt` of this model: one token per line, in id order.
    public var vocabText: [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(tokenList.bytes.count + tokenList.count)
        tokenList.withView { view in
            for id in 0..<view.count { text += view[id]; text.append(0x0A) }
        }
        return text
    }

    /// Reads BERT's `vocab.txt`: one token per line, the id is the line number.
    public static func tokens(fromVocabText data: [UInt8], path: String = "vocab.txt") throws -> [[UInt8]] {
        try tokenList(fromVocabText: data, path: path).arrays
    }

    /// The same in one buffer (what loading a `vocab.txt` builds the model from).
    ///
    /// 1. The whole file is checked as UTF-8 at once: lines split at ASCII bytes, so it is valid
    ///    exactly when every line is, and its first fault lies in the first faulty line.
    /// 2. Lines split at LF, a CR before it dropped; no empty last line after a final LF.
    /// - Complexity: O(file bytes).
    package static func tokenList(fromVocabText data: [UInt8], path: String = "vocab.txt") throws -> FlatByteStrings {
        guard !data.isEmpty else { throw ModelError.invalidFile(path: path, reason: "the file is empty") }
        return try data.withUnsafeBufferPointer { data in
            if let fault = UTF8Validation.firstInvalidOffset(data) {
                let line = data[..<fault].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                throw ModelError.invalidFile(path: path, reason: "line \(line) is not valid UTF-8")
            }
            var list = FlatByteStrings()
            list.reserveCapacity(strings: data.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }, bytes: data.count)
            var start = 0
            while start < data.count {
                var end = start
                while end < data.count && data[end] != 0x0A { end += 1 }
                let lineEnd = end > start && data[end - 1] == 0x0D ? end - 1 : end
                list.append(UnsafeBufferPointer(rebasing: data[start..<lineEnd]))
                start = end + 1
            }
            guard list.count > 0 else { throw ModelError.invalidFile(path: path, reason: "no tokens") }
            return list
        }
    }
}
