import Foundation

extension GGUFTokenizer {
    /// The metadata of a vocabulary-only GGUF file for `tokenizer` (no tensors), the keys
    /// llama.cpp and the `gguf` Python package read.
    ///
    /// 1. The model type and tokens in GGUF's spelling: byte-level BPE → `gpt2` (GPT-2's byte
    ///    alphabet, merges, and the `tokenizer.ggml.pre` name whose rules equal the tokenizer's
    ///    pre-tokenizer), SentencePiece BPE → `llama`, Unigram → `t5` (with the precompiled map),
    ///    WordPiece → `bert` (llama.cpp's "▁word" / bare continuation spelling).
    /// 2. Token types from piece kinds and added tokens, scores where the model has them.
    /// 3. Special-token ids (`specialTokenIds`, else the post-processor's and the usual names)
    ///    and the add-BOS/EOS/SEP flags the post-processor implies.
    ///
    /// Throws, naming what to write instead, when the tokenizer has something GGUF cannot say
    /// (a normalizer before byte-level BPE, split rules no GGUF name denotes, a post-processor
    /// other than BOS/EOS around the text).
    public static func file(for tokenizer: Tokenizer, name: String = "vocabkit") throws -> GGUFFile {
        var metadata: [(key: String, value: GGUFFile.Value)] = []
        func put(_ key: String, _ value: GGUFFile.Value) { metadata.append((key, value)) }
        func text(_ string: String) -> GGUFFile.Value { .string(Array(string.utf8)) }
        let count = tokenizer.vocabularySize
        if tokenizer.model.vocabularySize != count, !tokenizer.model.isByteLevel {
            throw ModelError.invalidModel("added tokens with ids past the model's \(tokenizer.model.vocabularySize) tokens cannot be written to GGUF for this model type (every GGUF token is in the model's list); write tokenizer.json instead")
        }
        var addedById: [UInt32: AddedToken] = [:]
        for token in tokenizer.addedTokens { addedById[token.id] = token }
        func addedType(_ id: Int) -> TokenType? {
            addedById[UInt32(id)].map { $0.isSpecial ? .control : .userDefined }
        }
        let unsupported = " cannot be written to GGUF; write tokenizer.json instead"
        // Phase 1: model type, tokens, scores and types.
        let modelName: String, architecture: String
        var tokens: [[UInt8]] = [], types: [Int32] = [], scores: [Float]?
        var extra: [(key: String, value: GGUFFile.Value)] = []
        var unknown: UInt32?
        switch tokenizer.model {
        case .bpe(let model):
            guard model.isByteLevel, model.continuingSubwordPrefix == nil, model.endOfWordSuffix == nil, !model.byteFallback else {
                throw ModelError.invalidModel("a BPE model that is not plain byte-level BPE" + unsupported)
            }
            guard isEmpty(tokenizer.frontEnd.normalizer) else {
                throw ModelError.invalidModel("a byte-level BPE tokenizer with a normalizer" + unsupported)
            }
            guard let component = tokenizer.frontEnd.preTokenizer.component,
                  let rules = GGUFPreTokenizer.matching(component, ignoresMerges: model.ignoresMerges) else {
                throw ModelError.invalidModel("these split rules have no tokenizer.ggml.pre name (GGUF files name their rules, and llama.cpp knows only its own list), so they" + unsupported)
            }
            (modelName, architecture) = ("gpt2", "llama")
            // Ids between the model's tokens and the added tokens (cl100k's special tokens start
            // at 100257, with gaps) are filled as llama.cpp's converter fills them: "[PAD<id>]",
            // unused.
            for id in 0..<count {
                if let added = addedById[UInt32(id)] {
                    tokens.append(Array(added.content.utf8))
                    types.append((addedType(id) ?? .normal).rawValue)
                } else if id < model.vocabularySize {
                    tokens.append(Array(model.tokenString(UInt32(id)).utf8))
                    types.append(TokenType.normal.rawValue)
                } else {
                    tokens.append(Array("[PAD\(id)]".utf8))
                    types.append(TokenType.unused.rawValue)
                }
            }
            var lastRank: [UInt64: Int] = [:]
            for (rank, merge) in model.merges.enumerated() { lastRank[UInt64(merge.0) << 32 | UInt64(merge.1)] = rank }
            var merges: [[UInt8]] = []
            for (rank, merge) in model.merges.enumerated() where lastRank[UInt64(merge.0) << 32 | UInt64(merge.1)] == rank {
                merges.append(tokens[Int(merge.0)] + [0x20] + tokens[Int(merge.1)])
            }
            extra.append(("tokenizer.ggml.pre", text(rules.names[0])))
            extra.append(("tokenizer.ggml.merges", .array(.strings(merges))))
            unknown = model.unknownToken
        case .scoredBPE(let model):
            let normalizer = try sentencePieceNormalizer(tokenizer)
            guard normalizer.charsMap == nil else {
                throw ModelError.invalidModel("a SentencePiece BPE model with a normalization map (llama.cpp's llama vocabularies have none)" + unsupported)
            }
            (modelName, architecture) = ("llama", "llama")
            tokens = model.pieces
            scores = model.scores
            types = model.kinds.indices.map { Int32(model.kinds[$0] == .normal ? (addedType($0) ?? .normal).rawValue : Int32(model.kinds[$0].rawValue)) }
            extra += whitespaceFlags(normalizer)
            unknown = model.unknownId
        case .unigram(let model):
            let normalizer = try sentencePieceNormalizer(tokenizer)
            (modelName, architecture) = ("t5", "t5")
            tokens = model.pieces
            scores = model.scores.map { Float($0) }
            let kinds = model.storedKinds
            types = kinds.indices.map { Int32(kinds[$0] == .normal ? (addedType($0) ?? .normal).rawValue : Int32(kinds[$0].rawValue)) }
            extra += whitespaceFlags(normalizer)
            if let map = normalizer.charsMap { extra.append(("tokenizer.ggml.precompiled_charsmap", .array(.bytes(map.blob, signed: false)))) }
            unknown = model.unknownId
        case .wordPiece(let model):
            guard tokenizer.frontEnd.preTokenizer.component?.flattened == [.bert] else {
                throw ModelError.invalidModel("a WordPiece tokenizer without BERT's pre-tokenizer" + unsupported)
            }
            let steps = tokenizer.frontEnd.normalizer.component?.flattenedSteps ?? [.removeControl]
            let base: [NormalizerComponent] = [.bertClean, .cjkSpacing]
            guard steps.starts(with: base), steps.dropFirst(2).allSatisfy({ $0 == .stripAccents(recompose: false) || $0 == .lowercase }) else {
                throw ModelError.invalidModel("a WordPiece tokenizer without BERT's normalizer" + unsupported)
            }
            (modelName, architecture) = ("bert", "bert")
            tokens = model.tokens.map { ggufSpelling(ofWordPiece: $0, prefix: model.continuingSubwordPrefix) }
            types = (0..<count).map { (addedType($0) ?? .normal).rawValue }
            extra.append(("tokenizer.ggml.normalizer.lowercase", .bool(steps.contains(.lowercase))))
            extra.append(("tokenizer.ggml.normalizer.strip_accents", .bool(steps.contains(.stripAccents(recompose: false)))))
            unknown = model.unknownToken
        case .hybrid, .wordLevel:
            throw ModelError.invalidModel("\(tokenizer.model.kind) models" + unsupported)
        }
        // Phase 3: special ids and the flags the post-processor implies.
        var ids = tokenizer.specialTokenIds
        ids.unknown = ids.unknown ?? unknown
        guard let (before, after) = tokenizer.postProcessor.map({ $0.specialIdsAroundText }) ?? ([], []) else {
            throw ModelError.invalidModel("a post-processor without the text" + unsupported)
        }
        guard before.count <= 1, after.count <= 1 else {
            throw ModelError.invalidModel("a post-processor that adds more than one token on a side" + unsupported)
        }
        func named(_ candidates: [String]) -> UInt32? {
            candidates.lazy.compactMap { name in tokens.firstIndex(of: Array(name.utf8)).map { UInt32($0) } }.first
        }
        if modelName == "bert" {
            ids.classifier = ids.classifier ?? before.first ?? named(["[CLS]"])
            ids.separator = ids.separator ?? after.first ?? named(["[SEP]"])
            ids.beginOfSequence = ids.beginOfSequence ?? ids.classifier
            ids.padding = ids.padding ?? tokenizer.padding?.padId ?? named(["[PAD]"])
            ids.mask = ids.mask ?? named(["[MASK]"])
        } else {
            ids.beginOfSequence = before.first ?? ids.beginOfSequence
            ids.endOfSequence = after.first ?? ids.endOfSequence
            ids.padding = ids.padding ?? tokenizer.padding?.padId
        }
        // Phase 4: assemble in llama.cpp's key order.
        put("general.architecture", text(architecture))
        put("general.name", text(name))
        put("tokenizer.ggml.model", text(modelName))
        // Only byte-level BPE reads the name; llama.cpp's converter writes "default" for the others.
        put("tokenizer.ggml.pre", extra.first(where: { $0.key == "tokenizer.ggml.pre" })?.value ?? text("default"))
        put("tokenizer.ggml.tokens", .array(.strings(tokens)))
        if let scores { put("tokenizer.ggml.scores", .array(.float32s(scores))) }
        put("tokenizer.ggml.token_type", .array(.int32s(types)))
        for item in extra where item.key != "tokenizer.ggml.pre" { put(item.key, item.value) }
        let keyed: [(String, UInt32?)] = [("bos", ids.beginOfSequence), ("eos", ids.endOfSequence), ("unknown", ids.unknown),
                                          ("seperator", ids.separator), ("padding", ids.padding), ("cls", ids.classifier),
                                          ("mask", ids.mask)]
        for (key, id) in keyed { if let id { put("tokenizer.ggml.\(key)_token_id", .uint32(id)) } }
        if modelName == "bert" {
            put("tokenizer.ggml.add_bos_token", .bool(!before.isEmpty))
            put("tokenizer.ggml.add_sep_token", .bool(!after.isEmpty))
        } else {
            put("tokenizer.ggml.add_bos_token", .bool(!before.isEmpty))
            put("tokenizer.ggml.add_eos_token", .bool(!after.isEmpty))
        }
        return GGUFFile(metadata: metadata)
    }

    /// Whether a normalizer does nothing (an empty sequence, possibly nested).
    private static func isEmpty(_ normalizer: any Normalizer) -> Bool {
        guard let component = normalizer.component else { return false }
        return component.flattenedSteps.isEmpty
    }

    private static func sentencePieceNormalizer(_ tokenizer: Tokenizer) throws -> SentencePieceNormalizer {
        do { return try SentencePieceNormalizer.compiling(tokenizer.frontEnd) } catch {
            throw ModelError.invalidModel("the front end has no SentencePiece form, so it cannot be written to GGUF (\(error)); write tokenizer.json instead")
        }
    }

    private static func whitespaceFlags(_ normalizer: SentencePieceNormalizer) -> [(key: String, value: GGUFFile.Value)] {
        var flags: [(key: String, value: GGUFFile.Value)] = [
            ("tokenizer.ggml.add_space_prefix", .bool(normalizer.addsDummyPrefix)),
            ("tokenizer.ggml.remove_extra_whitespaces", .bool(normalizer.removesExtraWhitespace)),
        ]
        if !normalizer.escapesWhitespace { flags.append(("tokenizer.ggml.escape_whitespaces", .bool(false))) }
        if normalizer.treatsWhitespaceAsSuffix { flags.append(("tokenizer.ggml.treat_whitespace_as_suffix", .bool(true))) }
        return flags
    }
}

extension NormalizerComponent {
    /// The steps with nested sequences flattened.
    var flattenedSteps: [NormalizerComponent] {
        if case .sequence(let steps) = self { return steps.flatMap(\.flattenedSteps) }
        return [self]
    }
}
