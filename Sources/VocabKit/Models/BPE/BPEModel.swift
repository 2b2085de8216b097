/// A byte-pair-encoding model: a vocabulary and ranked merge rules.
///
/// Two alphabets share one algorithm. Byte-level models (GPT-2, cl100k, Llama 3) start every
/// piece from its bytes, so any text is encodable and nothing is unknown. Character-level models
/// start from UTF-8 characters (with an optional continuing-subword prefix such as "##" and
/// end-of-word suffix such as "</w>"); a character missing from the vocabulary becomes its
/// `<0xAB>` byte tokens with byte fallback, else the unknown token, else it is dropped, exactly as
/// HuggingFace's `BPE` model does.
///
/// Tokens are stored as raw bytes. For byte-level models these are the bytes themselves; files
/// that write them as strings (`tokenizer.json`, GPT-2's `encoder.json`) use `ByteLevelAlphabet`.
public struct BPEModel: Sendable {
    /// Whether pieces start from bytes (true) or from UTF-8 characters (false).
    public var isByteLevel: Bool { didSet { cacheIdentity = CacheIdentity() } }
    /// Token bytes by id.
    public private(set) var tokens: [[UInt8]]
    /// Merge rules in rank order: merging `pairs[r].0` then `pairs[r].1` gives `pairs[r].2`.
    public private(set) var merges: [(UInt32, UInt32, UInt32)]
    /// Look a whole piece up in the vocabulary before merging (HuggingFace `ignore_merges`,
    /// tiktoken's behaviour).
    public var ignoresMerges: Bool { didSet { cacheIdentity = CacheIdentity() } }
    public var unknownToken: UInt32? { didSet { cacheIdentity = CacheIdentity() } }
    /// Whether consecutive unknown characters become one unknown token.
    public var fusesUnknown: Bool { didSet { cacheIdentity = CacheIdentity() } }
    public var byteFallback: Bool { didSet { cacheIdentity = CacheIdentity() } }
    public var continuingSubwordPrefix: [UInt8]? { didSet { cacheIdentity = CacheIdentity() } }
    public var endOfWordSuffix: [UInt8]? { didSet { cacheIdentity = CacheIdentity() } }
    /// Whose encodings a scratch's piece cache holds: a new one for every model built and every
    /// setting changed, so a scratch shared between models never answers from another's cache.
    var cacheIdentity = CacheIdentity()

    /// Whether a merge's rank is the id of the token it makes (tiktoken) rather than its position.
    public let ranksByResult: Bool
    let lookup: ByteStringTable
    let mergeTable: MergeTable
    /// The id of each single byte's token (byte-level), or UInt32.max when the vocabulary lacks it.
    let byteIds: [UInt32]
    /// The id of each `<0xAB>` byte-fallback token, or UInt32.max.
    let fallbackIds: [UInt32]
    /// Whether every single byte is a token (byte-level pieces then start from bytes directly).
    let hasEveryByte: Bool
    /// Characters whose token can start a byte-level piece in place of their bytes (see the type).
    let characterStarts: CharacterStarts

    /// Builds a model from its tokens (by id) and its merges in rank order.
    ///
    /// With `ranksByResult`, a merge's rank is the id of the token it makes (tiktoken's rule: the
    /// pair whose concatenation has the lowest rank merges first) instead of its list position.
    /// Throws when a merge names an id outside the vocabulary or when two ids share one token.
    public init(tokens: [[UInt8]], merges: [(UInt32, UInt32, UInt32)], isByteLevel: Bool, ranksByResult: Bool = false,
                ignoresMerges: Bool = false, unknownToken: UInt32? = nil, fusesUnknown: Bool = false,
                byteFallback: Bool = false, continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil) throws {
        self.tokens = tokens
        self.merges = merges
        self.ranksByResult = ranksByResult
        self.isByteLevel = isByteLevel
        self.ignoresMerges = ignoresMerges
        self.unknownToken = unknownToken
        self.fusesUnknown = fusesUnknown
        self.byteFallback = byteFallback
        self.continuingSubwordPrefix = continuingSubwordPrefix.map { Array($0.utf8) }
        self.endOfWordSuffix = endOfWordSuffix.map { Array($0.utf8) }
        // 1. The vocabulary table, and each token's edge bytes and possible characters while
        //    its bytes are at hand (for `CharacterStarts`).
        var lookup = ByteStringTable(capacity: tokens.count)
        var edges = CharacterStarts.Edges(count: isByteLevel ? tokens.count : 0)
        for (id, token) in tokens.enumerated() {
            if lookup.id(of: token) != nil {
                throw ModelError.invalidModel("token \(String(decoding: token, as: UTF8.self).debugDescription) appears twice in the vocabulary")
            }
            lookup.insert(token, id: UInt32(id))
            if isByteLevel { edges.add(token, id: UInt32(id)) }
        }
        // 2. The merge table; a later duplicate pair replaces the earlier (HuggingFace does too).
        var table = MergeTable(capacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            let (left, right, result) = merge
            guard Int(left) < tokens.count, Int(right) < tokens.count, Int(result) < tokens.count else {
                throw ModelError.invalidModel("merge \(rank) refers to an id outside the vocabulary of \(tokens.count)")
            }
            table.insert(left, right, rank: ranksByResult ? result : UInt32(rank), result: result)
        }
        if let unknownToken, Int(unknownToken) >= tokens.count {
            throw ModelError.invalidModel("unknown token id \(unknownToken) is outside the vocabulary")
        }
        // 3. Single bytes and byte-fallback tokens.
        self.byteIds = (0..<256).map { lookup.id(of: [UInt8($0)]) ?? UInt32.max }
        self.fallbackIds = (0..<256).map { byte in
            lookup.id(of: Array(String(format: "<0x%02X>", byte).utf8)) ?? UInt32.max
        }
        self.hasEveryByte = byteIds.allSatisfy { $0 != UInt32.max }
        // 4. Characters that can start from their token (byte-level only).
        self.characterStarts = isByteLevel && hasEveryByte
            ? CharacterStarts(edges: edges, tokens: tokens, merges: merges, ranksByResult: ranksByResult, byteIds: byteIds, table: table)
            : CharacterStarts()
        self.lookup = lookup
        self.mergeTable = table
    }

    /// The number of tokens.
    public var vocabularySize: Int { tokens.count }

    /// The id of a token given as bytes.
    public func id<C: Collection>(of token: C) -> UInt32? where C.Element == UInt8 { lookup.id(of: token) }

    /// The token of `id` as a display string (byte-level tokens in GPT-2's alphabet).
    public func tokenString(_ id: UInt32) -> String {
        guard Int(id) < tokens.count else { return "" }
        return isByteLevel ? ByteLevelAlphabet.encode(tokens[Int(id)]) : String(decoding: tokens[Int(id)], as: UTF8.self)
    }
}


import Foundation
