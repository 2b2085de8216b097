import Foundation

/// tiktoken's rank files (`cl100k_base.tiktoken`): one "base64-token rank" line per token.
///
/// A rank file has no merge list: tiktoken merges any two adjacent parts whose concatenation is a
/// token, lowest rank first, after looking the whole piece up. `model(from:)` rebuilds exactly that
/// as merge rules: for every token and every split of it into two tokens, a rule ranked by the
/// whole token's rank.
public enum TiktokenFile {
    /// The named encodings: split pattern and special tokens, as tiktoken defines them.
    public enum Encoding: String, CaseIterable, Sendable {
        case r50k = "r50k_base", p50k = "p50k_base", cl100k = "cl100k_base", o200k = "o200k_base"

        public var pattern: SplitPattern {
            switch self {
            case .r50k, .p50k: return .gpt2
            case .cl100k: return .cl100k
            case .o200k: return .o200k
            }
        }

        public var specialTokens: [(String, UInt32)] {
            switch self {
            case .r50k: return [("<|endoftext|>", 50256)]
            case .p50k: return [("<|endoftext|>", 50256)]
            case .cl100k:
                return [("<|endoftext|>", 100257), ("<|fim_prefix|>", 100258), ("<|fim_middle|>", 100259),
                        ("<|fim_suffix|>", 100260), ("<|endofprompt|>", 100276)]
            case .o200k: return [("<|endoftext|>", 199999), ("<|endofprompt|>", 200018)]
            }
        }

        /// The encoding a file name suggests ("cl100k_base.tiktoken" → cl100k).
        public init?(fileName: String) {
            guard let match = Self.allCases.first(where: { fileName.contains($0.rawValue) }) else { return nil }
            self = match
        }
    }

    /// Parses rank-file text into tokens by rank. Ranks must be 0, 1, 2, ... (any order in the file).
    ///
    /// One pass over the bytes: each line's base64 (the standard alphabet, padded, as tiktoken
    /// writes it) decodes straight into its token, and its rank indexes an array of at most one
    /// slot per line.
    /// - Complexity: O(file bytes).
    public static func tokens(from data: Data, path: String = "<tiktoken>") throws -> [[UInt8]] {
        try data.withUnsafeBytes { raw -> [[UInt8]] in
            let bytes = raw.bindMemory(to: UInt8.self)
            let lineCount = bytes.reduce(into: 1) { count, byte in if byte == 0x0A { count += 1 } }
            var byRank = [[UInt8]?](repeating: nil, count: lineCount)
            var parsed = 0, lineNumber = 0, position = 0
            while position < bytes.count {
                lineNumber += 1
                var end = position
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                defer { position = end + 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[position..<end])
                if line.allSatisfy(isSpace) { continue }
                guard let (token, rank) = parseLine(line) else {
                    throw ModelError.invalidFile(path: path, reason: "line \(lineNumber) is not \"BASE64 RANK\"")
                }
                // A rank past the number of lines cannot be part of 0...n-1: one is missing.
                guard rank < lineCount else {
                    throw ModelError.invalidFile(path: path, reason: "line \(lineNumber): rank \(rank) is past the \(lineCount) lines of the file, so a rank is missing")
                }
                guard byRank[rank] == nil else {
                    throw ModelError.invalidFile(path: path, reason: "line \(lineNumber): rank \(rank) appears twice")
                }
                byRank[rank] = token
                parsed += 1
            }
            guard parsed > 0 else { throw ModelError.invalidFile(path: path, reason: "no tokens") }
            var tokens: [[UInt8]] = []
            tokens.reserveCapacity(parsed)
            for rank in 0..<parsed {
                guard let token = byRank[rank] else {
                    throw ModelError.invalidFile(path: path, reason: "rank \(rank) is missing (ranks must be 0 to \(parsed - 1))")
                }
                tokens.append(token)
            }
            return tokens
        }
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C }

    /// One rank-file line (without its "\n"): the token and its rank, or nil. Fields split on runs
    /// of whitespace, as tiktoken's `line.split()` does, so CRLF files and doubled spaces read too.
    static func parseLine(_ line: UnsafeBufferPointer<UInt8>) -> (token: [UInt8], rank: Int)? {
        var from = line.startIndex, to = line.endIndex
        while from < to && isSpace(line[from]) { from += 1 }
        while to > from && isSpace(line[to - 1]) { to -= 1 }
        var space = from
        while space < to && !isSpace(line[space]) { space += 1 }
        var rankStart = space
        while rankStart < to && isSpace(line[rankStart]) { rankStart += 1 }
        guard space < to, let token = base64Decode(UnsafeBufferPointer(rebasing: line[from..<space])),
              let rank = decimal(UnsafeBufferPointer(rebasing: line[rankStart..<to])) else { return nil }
        return (token, rank)
    }

    /// The value of each base64 character (standard alphabet), 0xFF for others.
    private static let base64Values: [UInt8] = {
        var values = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            values[Int(character)] = UInt8(value)
        }
        return values
    }()

    /// Standard padded base64 (length a multiple of 4, at most two "=" at the end), or nil.
    static func base64Decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard !text.isEmpty, text.count % 4 == 0 else { return nil }
        let padding = text[text.count - 1] == 0x3D ? (text[text.count - 2] == 0x3D ? 2 : 1) : 0
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3 - padding)
        var i = 0
        while i < text.count {
            let last = i + 4 == text.count
            var quad: UInt32 = 0
            for k in 0..<4 {
                let character = text[i + k]
                let value: UInt8
                if character == 0x3D && last && k >= 4 - padding { value = 0 } else {
                    value = base64Values[Int(character)]
                    if value == 0xFF { return nil }
                }
                quad = quad << 6 | UInt32(value)
            }
            out.append(UInt8(truncatingIfNeeded: quad >> 16))
            if !(last && padding == 2) { out.append(UInt8(truncatingIfNeeded: quad >> 8)) }
            if !(last && padding >= 1) { out.append(UInt8(truncatingIfNeeded: quad)) }
            i += 4
        }
        return out
    }

    /// A non-negative decimal of at most 18 digits (a leading "+" allowed, as Python's `int`
    /// allows it), or nil.
    static func decimal(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        let digits = text.first == 0x2B ? UnsafeBufferPointer(rebasing: text.dropFirst()) : text
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for character in digits {
            guard character >= 0x30 && character <= 0x39 else { return nil }
            value = value * 10 + Int(character - 0x30)
        }
        return value
    }

    /// Tokens up to this many bytes find their splits by hashing both halves at every split
    /// (O(length^2), fastest for the short tokens real files hold); longer ones walk two tries
    /// (O(length)), so a hostile 1 MB token loads in linear time (it took 90 s before).
    static let hashedSplitLength = 64
    /// Longer tokens are hashed at every split too while the sum of their squared lengths stays
    /// under this (cl100k's 121 tokens of 65 to 128 bytes: 0.7 million), since building the two
    /// tries over every token costs more than that.
    static let hashedSplitBudget = 16 << 20

    /// The BPE model of a rank file's tokens (see the type's documentation).
    /// - Complexity: O(total token length) table and trie look-ups.
    public static func model(tokens: [[UInt8]]) throws -> BPEModel {
        var lookup = ByteStringTable(capacity: tokens.count)
        for (id, token) in tokens.enumerated() { lookup.insert(token, id: UInt32(id)) }
        var merges: [(UInt32, UInt32, UInt32)] = []
        // 1. Short tokens (and long ones, when few and short enough): every split, both halves
        //    looked up.
        let longCost = tokens.reduce(0) { sum, token in token.count > hashedSplitLength ? min(sum + token.count * token.count, Int.max / 2) : sum }
        let hashedLength = longCost <= hashedSplitBudget ? Int.max : hashedSplitLength
        for (id, token) in tokens.enumerated() where token.count > 1 && token.count <= hashedLength {
            token.withUnsafeBufferPointer { p in
                for split in 1..<p.count {
                    if let left = lookup.id(of: UnsafeBufferPointer(rebasing: p[..<split])),
                       let right = lookup.id(of: UnsafeBufferPointer(rebasing: p[split...])) {
                        merges.append((left, right, UInt32(id)))
                    }
                }
            }
        }
        // 2. Long tokens: the prefixes that are tokens from a walk down a trie of the tokens, the
        //    suffixes from a walk down a trie of the reversed tokens; a split needs both.
        let long = tokens.indices.filter { tokens[$0].count > hashedLength }
        if !long.isEmpty {
            var forward = ByteTrie(), backward = ByteTrie()
            for (id, token) in tokens.enumerated() {
                forward.insert(token, id: UInt32(id))
                backward.insert(token.reversed(), id: UInt32(id))
            }
            for id in long {
                let token = tokens[id]
                var prefixIds = [UInt32](repeating: UInt32.max, count: token.count + 1)
                var node: Int32 = 0
                for (i, byte) in token.enumerated() {
                    node = forward.child(node, byte)
                    if node < 0 { break }
                    prefixIds[i + 1] = forward.terminal[Int(node)]
                }
                node = 0
                for (k, byte) in token.reversed().enumerated() {
                    node = backward.child(node, byte)
                    if node < 0 { break }
                    // The suffix of length k + 1 starts at split count - k - 1.
                    let split = token.count - k - 1, right = backward.terminal[Int(node)]
                    if split > 0 && right != UInt32.max && prefixIds[split] != UInt32.max {
                        merges.append((prefixIds[split], right, UInt32(id)))
                    }
                }
            }
        }
        if !long.isEmpty {
            // In rank (result id) order, as the hashed path gives them, so a written
            // tokenizer.json (ranks by position) ranks them as tiktoken does.
            merges = merges.enumerated().sorted { ($0.element.2, $0.offset) < ($1.element.2, $1.offset) }.map(\.element)
        }
        return try BPEModel(tokens: tokens, merges: merges, isByteLevel: true, ranksByResult: true, ignoresMerges: true)
    }

    /// The rank file of a byte-level tokenizer: its model's tokens in id order, without its added
    /// (special) tokens, which rank files do not hold. Nil for a model that is not byte-level BPE.
    public static func write(_ tokenizer: Tokenizer) -> Data? {
        guard tokenizer.model.isByteLevel else { return nil }
        let special = Set(tokenizer.addedTokens.map(\.id)), tokens = tokenizer.model.tokens
        return write(tokens: tokens.indices.filter { !special.contains(UInt32($0)) }.map { tokens[$0] })
    }

    /// Writes tokens as rank-file text (rank = id).
    public static func write(tokens: [[UInt8]]) -> Data {
        var text = ""
        for (rank, token) in tokens.enumerated() { text += Data(token).base64EncodedString() + " \(rank)\n" }
        return Data(text.utf8)
    }
}
