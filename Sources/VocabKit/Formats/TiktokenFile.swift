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
    public static func tokens(from data: Data, path: String = "<tiktoken>") throws -> [[UInt8]] {
        var byRank: [Int: [UInt8]] = [:]
        var lineNumber = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: 0x20)
            guard fields.count == 2, let token = Data(base64Encoded: Data(fields[0])),
                  let rank = Int(String(decoding: fields[1], as: UTF8.self)), rank >= 0 else {
                throw ModelError.invalidFile(path: path, reason: "line \(lineNumber) is not \"BASE64 RANK\"")
            }
            guard byRank.updateValue(Array(token), forKey: rank) == nil else {
                throw ModelError.invalidFile(path: path, reason: "line \(lineNumber): rank \(rank) appears twice")
            }
        }
        guard !byRank.isEmpty else { throw ModelError.invalidFile(path: path, reason: "no tokens") }
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(byRank.count)
        for rank in 0..<byRank.count {
            guard let token = byRank[rank] else {
                throw ModelError.invalidFile(path: path, reason: "rank \(rank) is missing (ranks must be 0 to \(byRank.count - 1))")
            }
            tokens.append(token)
        }
        return tokens
    }

    /// Tokens up to this many bytes find their splits by hashing both halves at every split
    /// (O(length^2), fastest for the short tokens real files hold); longer ones walk two tries
    /// (O(length)), so a hostile 1 MB token loads in linear time (it took 90 s before).
    static let hashedSplitLength = 64

    /// The BPE model of a rank file's tokens (see the type's documentation).
    /// - Complexity: O(total token length) table and trie look-ups.
    public static func model(tokens: [[UInt8]]) throws -> BPEModel {
        var lookup = ByteStringTable(capacity: tokens.count)
        for (id, token) in tokens.enumerated() { lookup.insert(token, id: UInt32(id)) }
        var merges: [(UInt32, UInt32, UInt32)] = []
        // 1. Short tokens: every split, both halves looked up.
        for (id, token) in tokens.enumerated() where token.count > 1 && token.count <= hashedSplitLength {
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
        let long = tokens.indices.filter { tokens[$0].count > hashedSplitLength }
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
