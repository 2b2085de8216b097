import Foundation

/// HuggingFace's `tokenizer.json`: reading and writing the parts VocabKit implements.
///
/// Every pipeline stage is an object tagged with `"type"`. Reading maps each known type onto
/// VocabKit's component with the same behavior and rejects any other type with an error naming
/// it and its place in the file (never a silently different tokenizer). Writing produces a file
/// that `tokenizers.Tokenizer.from_file` loads and that gives the same ids.
public enum TokenizerJSON {
    /// Reads a tokenizer from `tokenizer.json` contents.
    public static func read(_ data: Data, path: String = "tokenizer.json") throws -> Tokenizer {
        try read(data, path: path, readsSectionsDirectly: true)
    }

    /// Reads a tokenizer; with `readsSectionsDirectly` false every section goes through
    /// `JSONSerialization` (the general path, which tests compare the fast one with).
    static func read(_ data: Data, path: String, readsSectionsDirectly: Bool) throws -> Tokenizer {
        // 0. The vocabulary and merges straight from the bytes; the rest through JSONSerialization.
        let bytes = [UInt8](data)
        let sections = readsSectionsDirectly ? TokenizerJSONSections(bytes, data: data) : TokenizerJSONSections(unread: data)
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: sections.skeleton) } catch {
            throw ModelError.invalidFile(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        let root = try JSONObject(parsed, path: "tokenizer", file: path)
        if !(root.fields["model"] is [String: Any]) && !root.fields.isEmpty && root.fields.values.allSatisfy({ $0 is NSNumber }) {
            throw ModelError.invalidFile(path: path, reason: "a map of token to id, not a tokenizer.json: GPT-2's encoder.json? Load it with its vocab.bpe (the folder that holds both, or encoder.json with vocab.bpe beside it)")
        }
        guard let modelObject = try root.object("model") else { throw root.error("no \"model\"") }
        // 1. Normalizer and pre-tokenizer.
        let normalizer = try root.object("normalizer").map { try NormalizerJSON.read($0) } ?? NormalizerSequence([])
        let preTokenizerObject = try root.object("pre_tokenizer")
        let preTokenizer = try preTokenizerObject.map { try PreTokenizerJSON.read($0) } ?? PreTokenizerSequence([])
        // 2. The model; tokens are in GPT-2's byte alphabet when a ByteLevel component is present.
        let decoderObject = try root.object("decoder")
        let byteLevel = mentionsByteLevel(root.fields["pre_tokenizer"]) || mentionsByteLevel(root.fields["decoder"])
        // The vocabulary object again, keys as exact bytes (`RawJSONScanner`: a `[String: Any]`
        // merges canonically equivalent keys, which are distinct tokens).
        var rawVocab = sections.vocab
        if rawVocab == nil {
            do { rawVocab = try RawJSONScanner.integerPairs(in: bytes, at: ["model", "vocab"]) } catch {
                throw ModelError.invalidFile(path: path, reason: "model.vocab: \(error)")
            }
        }
        let model: TokenModel
        switch try modelObject.type {
        case "WordPiece": model = .wordPiece(try WordPieceJSON.read(modelObject, rawVocab: rawVocab))
        case "Unigram": model = .unigram(try UnigramJSON.read(modelObject))
        case HybridJSON.type: model = .hybrid(try HybridJSON.read(modelObject))
        case "WordLevel": model = .wordLevel(try WordLevelJSON.read(modelObject, rawVocab: rawVocab))
        default: model = .bpe(try BPEJSON.read(modelObject, isByteLevel: byteLevel, rawVocab: rawVocab, rawMerges: sections.merges))
        }
        // 3. Post-processor, decoder, added tokens, truncation and padding.
        let postProcessor = try root.object("post_processor").map { try PostProcessorJSON.read($0) }
        // Without a decoder HuggingFace joins tokens with spaces (byte-level tokens are joined
        // as bytes instead: their spaces are inside the tokens).
        let decoder = try decoderObject.map { try DecoderJSON.read($0) } ?? (model.isByteLevel ? .concatenate : .spaceSeparated)
        var added: [AddedToken] = []
        for (index, value) in ((root.fields["added_tokens"] as? [Any]) ?? []).enumerated() {
            let token = try JSONObject(value, path: "added_tokens[\(index)]", file: path)
            guard let id = try token.id("id") else { throw token.error("no \"id\"") }
            let special = try token.bool("special", default: false)
            added.append(AddedToken(content: try token.requiredString("content"), id: UInt32(id), isSpecial: special,
                                    isSingleWord: try token.bool("single_word", default: false),
                                    stripsLeft: try token.bool("lstrip", default: false),
                                    stripsRight: try token.bool("rstrip", default: false),
                                    isNormalized: try token.bool("normalized", default: !special)))
        }
        var tokenizer = Tokenizer(frontEnd: TextFrontEnd(normalizer: normalizer, preTokenizer: preTokenizer), model: model,
                                  addedTokens: added, decoder: decoder)
        tokenizer.postProcessor = postProcessor?.template
        tokenizer.offsetTrimming = postProcessor?.trimming
        tokenizer.truncation = try root.object("truncation").map { try PostProcessorJSON.readTruncation($0) }
        tokenizer.padding = try root.object("padding").map { try PostProcessorJSON.readPadding($0) }
        do { try tokenizer.validate() } catch ModelError.invalidModel(let reason) {
            throw ModelError.invalidFile(path: path, reason: reason)
        }
        return tokenizer
    }

    /// Writes a tokenizer as `tokenizer.json`: keys in HuggingFace's order, the vocabulary by
    /// id, so the same tokenizer always gives the same bytes.
    public static func write(_ tokenizer: Tokenizer) throws -> Data {
        if case .scoredBPE(let scored) = tokenizer.model {
            // Piece scores become merge ranks (`ScoredBPEJSON`); the decoder is Llama's: "▁" to
            // space, byte tokens to bytes, and the dummy prefix's space stripped.
            let prefix = (tokenizer.frontEnd.normalizer as? SentencePieceNormalizer)?.addsDummyPrefix ?? false
            var steps: [JSON] = [
                .object([("type", .string("Replace")), ("pattern", .object([("String", .string("\u{2581}"))])), ("content", .string(" "))]),
                .object([("type", .string("ByteFallback"))]), .object([("type", .string("Fuse"))]),
            ]
            if prefix {
                steps.append(.object([("type", .string("Strip")), ("content", .string(" ")), ("start", .int(1)), ("stop", .int(0))]))
            }
            return try write(try ScoredBPEJSON.equivalent(tokenizer, scored),
                             decoder: .object([("type", .string("Sequence")), ("decoders", .array(steps))]))
        }
        return try write(tokenizer, decoder: nil)
    }

    private static func write(_ tokenizer: Tokenizer, decoder decoderOverride: JSON?) throws -> Data {
        let added: [JSON] = tokenizer.addedTokens.map { token in
            .object([("id", .int(Int(token.id))), ("content", .string(token.content)), ("single_word", .bool(token.isSingleWord)),
                     ("lstrip", .bool(token.stripsLeft)), ("rstrip", .bool(token.stripsRight)), ("normalized", .bool(token.isNormalized)),
                     ("special", .bool(token.isSpecial))])
        }
        var isChain = false
        if case .huggingFace = tokenizer.decoder { isChain = true }
        let decoder: JSON = decoderOverride ?? (tokenizer.model.isByteLevel && !isChain
            ? .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)), ("trim_offsets", .bool(true)),
                       ("use_regex", .bool(true))])
            : DecoderJSON.write(tokenizer.decoder, byteTokens: tokenizer.model.vocabulary.bytePieceIds.contains { $0 != UInt32.max }))
        let root: JSON = .object([
            ("version", .string("1.0")),
            ("truncation", tokenizer.truncation.map(PostProcessorJSON.write) ?? .null),
            ("padding", tokenizer.padding.map(PostProcessorJSON.write) ?? .null),
            ("added_tokens", .array(added)),
            ("normalizer", try NormalizerJSON.write(tokenizer.frontEnd.normalizer)),
            ("pre_tokenizer", try PreTokenizerJSON.write(tokenizer.frontEnd.preTokenizer, byteLevelModel: tokenizer.model.isByteLevel)),
            ("post_processor", PostProcessorJSON.write(tokenizer.postProcessor, trimming: tokenizer.offsetTrimming)), ("decoder", decoder),
            ("model", modelJSON(tokenizer.model)),
        ])
        return Data(root.serialized())
    }

    static func modelJSON(_ model: TokenModel) -> JSON {
        switch model {
        case .bpe(let bpe): return BPEJSON.write(bpe)
        case .wordPiece(let wordPiece): return WordPieceJSON.write(wordPiece)
        case .unigram(let unigram): return UnigramJSON.write(unigram)
        case .scoredBPE(let scored): return (try? ScoredBPEJSON.equivalentModel(scored)).map { BPEJSON.write($0) } ?? .null
        case .hybrid(let hybrid): return HybridJSON.write(hybrid)
        case .wordLevel(let wordLevel): return WordLevelJSON.write(wordLevel)
        }
    }

    /// Whether a component (or any inside a Sequence) is ByteLevel.
    static func mentionsByteLevel(_ value: Any?) -> Bool {
        guard let object = value as? [String: Any] else { return false }
        if object["type"] as? String == "ByteLevel" { return true }
        for key in ["pretokenizers", "decoders"] {
            if let items = object[key] as? [Any], items.contains(where: { mentionsByteLevel($0) }) { return true }
        }
        return false
    }
}

/// A `"vocab": {token: id}` object as token bytes by id (ids must be 0..<n, each once). With
/// `raw` (the same object read with its keys as exact bytes), canonically equivalent tokens stay
/// distinct.
func tokensByID(_ object: JSONObject, raw: RawJSONScanner.IntegerPairs? = nil) throws -> [[UInt8]] {
    guard let raw else { return try tokensByIDFromObject(object) }
    let order = try entryByID(object, raw)
    return order.map { raw.keys[$0] }
}

/// The same in one buffer (`FlatByteStrings`): from `raw`, no array per token.
func tokenListByID(_ object: JSONObject, raw: RawJSONScanner.IntegerPairs? = nil) throws -> FlatByteStrings {
    guard let raw else { return FlatByteStrings(try tokensByIDFromObject(object)) }
    let order = try entryByID(object, raw)
    var list = FlatByteStrings()
    list.reserveCapacity(strings: raw.count, bytes: raw.keys.bytes.count)
    raw.keys.withView { keys in
        for entry in order { list.append(keys[entry]) }
    }
    return list
}

/// For each id, the entry of `raw` that has it; an error naming the first entry whose id is out
/// of range or taken. O(entries).
private func entryByID(_ object: JSONObject, _ raw: RawJSONScanner.IntegerPairs) throws -> [Int] {
    // Integers already: no boxing into `Any` and back per entry.
    var order = [Int](repeating: -1, count: raw.count)
    for (entry, id) in raw.values.enumerated() {
        guard id >= 0, id < raw.count, order[id] < 0 else {
            throw object.error("vocab entry \(String(decoding: raw.keys[entry], as: UTF8.self).debugDescription) has id \(id): ids must be distinct and 0 to \(raw.count - 1)")
        }
        order[id] = entry
    }
    return order
}

/// `tokensByID` without raw bytes: the object as `JSONSerialization` read it.
private func tokensByIDFromObject(_ object: JSONObject) throws -> [[UInt8]] {
    let pairs: [(key: [UInt8], value: Any)]
    do {
        guard let vocab = object.fields["vocab"] as? [String: Any] else { throw object.error("\"vocab\" is missing or not an object") }
        pairs = vocab.map { (Array($0.key.utf8), $0.value) }
    }
    var tokens = [[UInt8]?](repeating: nil, count: pairs.count)
    for (token, value) in pairs {
        guard let id = JSONObject.integer(value, in: 0...max(0, pairs.count - 1)), tokens[id] == nil else {
            throw object.error("vocab entry \(String(decoding: token, as: UTF8.self).debugDescription) has id \(value): ids must be distinct and 0 to \(pairs.count - 1)")
        }
        tokens[id] = token
    }
    return tokens.map { $0! }
}

/// The BPE model section.
enum BPEJSON {
    /// Reads the section; `rawVocab` and `rawMerges` are its `vocab` and `merges` already read
    /// from the file's bytes (`TokenizerJSONSections`), else they are read from `object`.
    static func read(_ object: JSONObject, isByteLevel: Bool, rawVocab: RawJSONScanner.IntegerPairs? = nil,
                     rawMerges: MergeList? = nil) throws -> BPEModel {
        let type = try object.type
        guard type == "BPE" else { throw object.unsupported("model type \"\(type)\" is not supported (BPE, WordPiece, Unigram and WordLevel are)") }
        if object.has("dropout") { throw object.error("BPE dropout makes encoding random; VocabKit encodes deterministically, remove \"dropout\"") }
        // 1. Vocabulary by id (ids must be 0..<n), as written (keys as exact bytes).
        let written = try tokensByID(object, raw: rawVocab)
        var table = ByteStringTable(capacity: written.count)
        for (id, token) in written.enumerated() { table.insert(token, id: UInt32(id)) }
        func id(_ token: [UInt8]) -> UInt32? { token.withUnsafeBufferPointer { table.id(of: $0) } }
        // Byte-level vocabularies are written in GPT-2's alphabet; tokens outside it (added
        // tokens such as "<｜begin▁of▁sentence｜>") are their own UTF-8, as HuggingFace keeps them.
        let tokens = written.map { token -> [UInt8] in
            guard isByteLevel else { return token }
            return ByteLevelAlphabet.decode(utf8: token) ?? token
        }
        // 2. Merges, as ["a", "b"] pairs or "a b" strings.
        var list: MergeList
        if let rawMerges {
            list = rawMerges
        } else {
            list = MergeList()
            for (index, entry) in try object.array("merges").enumerated() {
                if let strings = entry as? [String], strings.count == 2 {
                    list.append(left: strings[0].utf8, right: strings[1].utf8)
                } else if let line = entry as? String, let space = line.utf8.firstIndex(of: 0x20) {
                    // Split at the first space byte (a space followed by a combining mark is one
                    // Character, but still the separator).
                    list.append(left: line.utf8[..<space], right: line.utf8[line.utf8.index(after: space)...])
                } else {
                    throw object.error("merges[\(index)] is not a pair of tokens")
                }
            }
        }
        var merges: [(UInt32, UInt32, UInt32)] = []
        merges.reserveCapacity(list.count)
        let prefix = try object.string("continuing_subword_prefix").map { Array($0.utf8) } ?? []
        var joined: [UInt8] = []
        try list.bytes.withUnsafeBufferPointer { buffer in
            for (index, bounds) in list.bounds.enumerated() {
                let left = UnsafeBufferPointer(rebasing: buffer[bounds.start..<bounds.split])
                let right = UnsafeBufferPointer(rebasing: buffer[bounds.split..<bounds.end])
                // The merged token is left + right, without right's continuation prefix if any.
                let result: UInt32?
                if !prefix.isEmpty && right.starts(with: prefix) {
                    joined.removeAll(keepingCapacity: true)
                    joined += left
                    joined += right.dropFirst(prefix.count)
                    result = joined.withUnsafeBufferPointer { table.id(of: $0) }
                } else {
                    result = table.id(of: UnsafeBufferPointer(rebasing: buffer[bounds.start..<bounds.end]))
                }
                guard let leftId = table.id(of: left), let rightId = table.id(of: right), let result else {
                    let names = (String(decoding: left, as: UTF8.self), String(decoding: right, as: UTF8.self))
                    throw object.error("merges[\(index)] (\(names.0) \(names.1)) names a token that is not in the vocab")
                }
                merges.append((leftId, rightId, result))
            }
        }
        list = MergeList()
        let unknown = try object.string("unk_token")
        let unknownId = try unknown.map { token -> UInt32 in
            guard let unknown = id(Array(token.utf8)) else { throw object.error("unk_token \(token.debugDescription) is not in the vocab") }
            return unknown
        }
        return try BPEModel(tokens: tokens, merges: merges, isByteLevel: isByteLevel,
                            ignoresMerges: try object.bool("ignore_merges", default: false),
                            unknownToken: unknownId, fusesUnknown: try object.bool("fuse_unk", default: false),
                            byteFallback: try object.bool("byte_fallback", default: false),
                            continuingSubwordPrefix: try object.string("continuing_subword_prefix"),
                            endOfWordSuffix: try object.string("end_of_word_suffix"))
    }

    static func write(_ model: BPEModel) -> JSON {
        let names = (0..<model.vocabularySize).map { model.tokenString(UInt32($0)) }
        // A pair merged twice keeps its later rank only (HuggingFace's map does the same).
        var lastRank: [UInt64: Int] = [:]
        for (rank, merge) in model.merges.enumerated() { lastRank[UInt64(merge.0) << 32 | UInt64(merge.1)] = rank }
        var merges: [JSON] = []
        for (rank, merge) in model.merges.enumerated() where lastRank[UInt64(merge.0) << 32 | UInt64(merge.1)] == rank {
            merges.append(.array([.string(names[Int(merge.0)]), .string(names[Int(merge.1)])]))
        }
        func optional(_ bytes: [UInt8]?) -> JSON { bytes.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null }
        return .object([
            ("type", .string("BPE")), ("dropout", .null),
            ("unk_token", model.unknownToken.map { .string(names[Int($0)]) } ?? .null),
            ("continuing_subword_prefix", optional(model.continuingSubwordPrefix)),
            ("end_of_word_suffix", optional(model.endOfWordSuffix)),
            ("fuse_unk", .bool(model.fusesUnknown)), ("byte_fallback", .bool(model.byteFallback)),
            ("ignore_merges", .bool(model.ignoresMerges)),
            ("vocab", .object(names.enumerated().map { ($0.element, .int($0.offset)) })),
            ("merges", .array(merges)),
        ])
    }
}

/// The WordPiece model section.
enum WordPieceJSON {
    static func read(_ object: JSONObject, rawVocab: RawJSONScanner.IntegerPairs? = nil) throws -> WordPieceModel {
        let tokens = try tokenListByID(object, raw: rawVocab)
        // Above WordPieceModel.maximumInputCharactersPerWord the value is clamped: words that
        // long (65,536 characters) are not matched in any real file, and the bound keeps the
        // tries small whatever the file says.
        let maxCharacters = min(try object.integer("max_input_chars_per_word", in: 1...Int(Int32.max)) ?? 100,
                                WordPieceModel.maximumInputCharactersPerWord)
        do {
            return try WordPieceModel(tokenList: tokens, unknownToken: try object.string("unk_token") ?? "[UNK]",
                                      continuingSubwordPrefix: try object.string("continuing_subword_prefix") ?? "##",
                                      maxInputCharactersPerWord: maxCharacters)
        } catch let error as ModelError {
            throw object.error(error.description)
        }
    }

    static func write(_ model: WordPieceModel) -> JSON {
        .object([
            ("type", .string("WordPiece")),
            ("unk_token", .string(model.tokenString(model.unknownToken))),
            ("continuing_subword_prefix", .string(String(decoding: model.continuingSubwordPrefix, as: UTF8.self))),
            ("max_input_chars_per_word", .int(model.maxInputCharactersPerWord)),
            ("vocab", .object(model.tokens.enumerated().map { (String(decoding: $0.element, as: UTF8.self), .int($0.offset)) })),
        ])
    }
}

/// The Unigram model section: `vocab` as [piece, score] pairs in id order.
enum UnigramJSON {
    static func read(_ object: JSONObject) throws -> UnigramModel {
        var pieces: [[UInt8]] = [], scores: [Double] = []
        for (index, entry) in try object.array("vocab").enumerated() {
            // Foundation's JSON parser on Linux does not round decimals correctly (measured:
            // "-3.8347246646881104" → -3.8347246646881117), which flips Viterbi ties; the
            // number's own digits, through Double(_:), are exact.
            guard let pair = entry as? [Any], pair.count == 2, let piece = pair[0] as? String,
                  let number = pair[1] as? NSNumber, let score = Double(number.stringValue) ?? Optional(number.doubleValue) else {
                throw object.error("vocab[\(index)] is not a [piece, score] pair")
            }
            pieces.append(Array(piece.utf8))
            scores.append(score)
        }
        guard let unknown = try object.integer("unk_id", in: 0...max(0, pieces.count - 1)) else {
            throw object.error("a Unigram model without \"unk_id\" cannot encode unknown characters; VocabKit requires it")
        }
        do {
            return try UnigramModel(pieces: pieces, scores: scores, unknownId: UInt32(unknown),
                                    byteFallback: try object.bool("byte_fallback", default: false), flavor: .huggingFace)
        } catch let error as ModelError {
            throw object.error(error.description)
        }
    }

    static func write(_ model: UnigramModel) -> JSON {
        .object([
            ("type", .string("Unigram")),
            ("unk_id", .int(Int(model.unknownId))),
            ("vocab", .array(model.pieces.indices.map {
                .array([.string(String(decoding: model.pieces[$0], as: UTF8.self)), .double(model.scores[$0])])
            })),
            ("byte_fallback", .bool(model.byteFallback)),
        ])
    }
}

/// VocabKit's char-word hybrid: `{"type": "VocabKitHybrid", "words": [...], "spelling": {BPE}}`.
///
/// Libraries that do not know the type refuse the file (HuggingFace: "unknown variant
/// `VocabKitHybrid`"); the normalizer, pre-tokenizer and decoder sections are standard.
enum HybridJSON {
    static let type = "VocabKitHybrid"

    static func read(_ object: JSONObject) throws -> HybridModel {
        guard let spellingObject = try object.object("spelling") else { throw object.error("no \"spelling\" model") }
        let spelling = try BPEJSON.read(spellingObject, isByteLevel: false)
        var words: [[UInt8]] = []
        for (index, entry) in try object.array("words").enumerated() {
            guard let word = entry as? String else { throw object.error("words[\(index)] is not a string") }
            words.append(Array(word.utf8))
        }
        do { return try HybridModel(spelling: spelling, words: words) } catch let error as ModelError {
            throw object.error(error.description)
        }
    }

    static func write(_ model: HybridModel) -> JSON {
        .object([
            ("type", .string(type)),
            ("words", .array(model.words.map { .string(String(decoding: $0, as: UTF8.self)) })),
            ("spelling", BPEJSON.write(model.spelling)),
        ])
    }
}

/// HuggingFace's `WordLevel` model section: `vocab` as token -> id, and `unk_token`.
enum WordLevelJSON {
    static func read(_ object: JSONObject, rawVocab: RawJSONScanner.IntegerPairs? = nil) throws -> WordLevelModel {
        let tokens = try tokensByID(object, raw: rawVocab)
        guard let unknown = try object.string("unk_token") else { throw object.error("a WordLevel model needs \"unk_token\"") }
        do { return try WordLevelModel(tokens: tokens, unknownToken: unknown) } catch let error as ModelError {
            throw object.error(error.description)
        }
    }

    static func write(_ model: WordLevelModel) -> JSON {
        .object([
            ("type", .string("WordLevel")),
            ("vocab", .object(model.tokens.enumerated().map { (String(decoding: $0.element, as: UTF8.self), .int($0.offset)) })),
            ("unk_token", .string(String(decoding: model.tokens[Int(model.unknownToken)], as: UTF8.self))),
        ])
    }
}
