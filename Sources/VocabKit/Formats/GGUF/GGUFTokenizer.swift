import Foundation

/// The tokenizer a GGUF file's metadata describes (`tokenizer.ggml.*`), and the metadata of a
/// vocabulary-only GGUF file for a tokenizer.
///
/// | `tokenizer.ggml.model` | VocabKit model | front end |
/// |---|---|---|
/// | `gpt2` | byte-level BPE (merges) | the split rules `tokenizer.ggml.pre` names (`GGUFPreTokenizer`) |
/// | `llama` | SentencePiece BPE (piece scores, byte fallback) | SentencePiece's whitespace escaping, `add_space_prefix` |
/// | `bert` | WordPiece ("##") | BERT's normalizer and pre-tokenizer |
/// | `t5` | Unigram | SentencePiece's normalizer with the file's precompiled map |
///
/// Token types (`token_type`: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)
/// become piece kinds; control and unknown tokens become special added tokens, user-defined ones
/// ordinary added tokens, matched in the text as HuggingFace matches them. `add_bos_token`,
/// `add_eos_token` and `add_sep_token` become the post-processor; with a key missing, llama.cpp's
/// default for the model type applies. Ids are checked against the vocabulary.
public enum GGUFTokenizer {
    /// GGUF's token types.
    enum TokenType: Int32 {
        case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// The tokenizer in a GGUF file's metadata.
    ///
    /// 1. Tokens, types and scores (types and scores may be missing; counts must cover the tokens).
    /// 2. The model of `tokenizer.ggml.model`, with its front end and decoder.
    /// 3. Special-token ids (the file's, else the model type's defaults when inside the
    ///    vocabulary), added tokens, and the BOS/EOS/SEP post-processor.
    /// - Complexity: O(tokens + merges).
    public static func tokenizer(from file: GGUFFile, path: String = "model.gguf") throws -> Tokenizer {
        var reader = MetadataReader(file: file, path: path)
        return try reader.tokenizer()
    }

    /// Reads a GGUF file (mapped, so tensor data is never read) as a tokenizer.
    public static func read(contentsOf url: URL) throws -> Tokenizer {
        try tokenizer(from: try GGUFFile.read(contentsOf: url), path: url.path)
    }

    private struct MetadataReader {
        let file: GGUFFile
        let path: String

        func fail(_ reason: String) -> ModelError { .invalidFile(path: path, reason: reason) }

        func string(_ key: String) throws -> String? {
            guard let value = file[key] else { return nil }
            guard case .string(let bytes) = value, let text = String(validating: bytes, as: UTF8.self) else {
                throw fail("\(key) must be a UTF-8 string")
            }
            return text
        }

        func bool(_ key: String) throws -> Bool? {
            guard let value = file[key] else { return nil }
            guard case .bool(let flag) = value else { throw fail("\(key) must be a bool") }
            return flag
        }

        /// A token id key: nil when missing; an error when not an integer. Out-of-range ids are
        /// errors too (llama.cpp falls back to its default with a warning; a file that names a
        /// token it does not have is broken, and guessing would change the ids model code gets).
        func id(_ key: String, count: Int) throws -> UInt32? {
            guard let value = file[key] else { return nil }
            guard let id = value.integer else { throw fail("\(key) must be an integer") }
            guard id >= 0, id < count else { throw fail("\(key) is \(id), outside the \(count) tokens") }
            return UInt32(id)
        }

        mutating func tokenizer() throws -> Tokenizer {
            guard let modelName = try string("tokenizer.ggml.model") else {
                throw fail("the file has no tokenizer (no tokenizer.ggml.model key); it holds weights only")
            }
            // Phase 1: tokens, types, scores.
            guard case .array(.strings(let tokenBytes))? = file["tokenizer.ggml.tokens"] else {
                throw fail(file["tokenizer.ggml.tokens"] == nil ? "tokenizer.ggml.tokens is missing" : "tokenizer.ggml.tokens must be an array of strings")
            }
            let count = tokenBytes.count
            guard count > 0 else { throw fail("tokenizer.ggml.tokens is empty") }
            var types = [TokenType](repeating: .normal, count: count)
            if let value = file["tokenizer.ggml.token_type"] {
                guard case .array(.int32s(let raw)) = value else { throw fail("tokenizer.ggml.token_type must be an array of int32") }
                guard raw.count >= count else { throw fail("tokenizer.ggml.token_type has \(raw.count) entries for \(count) tokens") }
                for index in 0..<count {
                    guard let type = TokenType(rawValue: raw[index]) else {
                        throw fail("token \(index) has unknown type \(raw[index]) (GGUF defines 0 to 6)")
                    }
                    types[index] = type
                }
            }
            var scores = [Float](repeating: 0, count: count)
            if let value = file["tokenizer.ggml.scores"] {
                switch value {
                case .array(.float32s(let raw)) where raw.count >= count: scores = Array(raw.prefix(count))
                case .array(.int32s(let raw)) where raw.count >= count: scores = raw.prefix(count).map(Float.init)
                default: throw fail("tokenizer.ggml.scores must be an array of float32 (or int32) with an entry per token")
                }
                if let bad = scores.firstIndex(where: { !$0.isFinite }) { throw fail("token \(bad) has score \(scores[bad])") }
            }
            let strings = try tokenBytes.enumerated().map { index, bytes -> String in
                guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("token \(index) is not valid UTF-8") }
                guard !text.isEmpty else { throw fail("token \(index) is empty") }
                return text
            }
            // Phase 2: the model.
            var tokenizer: Tokenizer
            var defaults: SpecialTokenIds
            var addsBOS: Bool, addsEOS = false, addsSEP = false
            switch modelName {
            case "gpt2":
                (tokenizer, addsBOS) = try byteLevelBPE(strings: strings, types: types)
                // llama.cpp's defaults, including that GLM-4's rules have no BOS.
                let noBOS = ["glm4", "chatglm-bpe"].contains(try string("tokenizer.ggml.pre") ?? "")
                defaults = SpecialTokenIds(beginOfSequence: noBOS ? nil : 11, endOfSequence: 11)
            case "llama":
                tokenizer = try sentencePieceBPE(strings: strings, types: types, scores: scores)
                defaults = SpecialTokenIds(beginOfSequence: 1, endOfSequence: 2, unknown: 0)
                addsBOS = true
            case "bert":
                tokenizer = try wordPiece(strings: strings, types: types)
                defaults = SpecialTokenIds(beginOfSequence: 101, unknown: 100, padding: 0, separator: 102, mask: 103)
                addsBOS = true
                addsSEP = true
            case "t5":
                tokenizer = try unigram(strings: strings, types: types, scores: scores)
                defaults = SpecialTokenIds(endOfSequence: 1, unknown: 2, padding: 0)
                addsBOS = false
                addsEOS = true
            case "no_vocab", "none":
                throw fail("the file has no vocabulary (tokenizer.ggml.model is \"\(modelName)\")")
            default:
                throw ModelError.unsupported(path: path, feature: "tokenizer.ggml.model \"\(modelName)\" is not supported (gpt2, llama, bert and t5 are)")
            }
            // Phase 3: special ids, added tokens, post-processor.
            func resolved(_ key: String, _ fallback: UInt32?) throws -> UInt32? {
                if let id = try id("tokenizer.ggml.\(key)_token_id", count: count) { return id }
                return fallback.flatMap { Int($0) < count ? $0 : nil }
            }
            var ids = SpecialTokenIds()
            ids.beginOfSequence = try resolved("bos", defaults.beginOfSequence)
            ids.endOfSequence = try resolved("eos", defaults.endOfSequence)
            ids.unknown = try resolved("unknown", defaults.unknown)
            ids.padding = try resolved("padding", defaults.padding)
            ids.separator = try resolved("seperator", defaults.separator)
            ids.classifier = try resolved("cls", nil)
            ids.mask = try resolved("mask", defaults.mask)
            tokenizer.specialTokenIds = ids
            addsBOS = try bool("tokenizer.ggml.add_bos_token") ?? addsBOS
            addsEOS = try bool("tokenizer.ggml.add_eos_token") ?? addsEOS
            addsSEP = try bool("tokenizer.ggml.add_sep_token") ?? addsSEP
            func special(_ wanted: Bool, _ id: UInt32?, _ role: String) throws -> (token: String, id: UInt32)? {
                guard wanted else { return nil }
                guard let id else { throw fail("add_\(role)_token is true but the file names no \(role) token") }
                return (strings[Int(id)], id)
            }
            if modelName == "bert" {
                if addsBOS || addsSEP {
                    tokenizer.postProcessor = .surrounding(begin: try special(addsBOS, ids.classifier ?? ids.beginOfSequence, "bos"),
                                                           end: try special(addsSEP, ids.separator, "sep"), beginsSecond: false)
                }
            } else if addsBOS || addsEOS {
                tokenizer.postProcessor = .surrounding(begin: try special(addsBOS, ids.beginOfSequence, "bos"),
                                                       end: try special(addsEOS, ids.endOfSequence, "eos"))
            }
            do { try tokenizer.validate() } catch ModelError.invalidModel(let reason) { throw fail(reason) }
            return tokenizer
        }

        /// Control and unknown tokens as special added tokens, user-defined ones as ordinary ones.
        func addedTokens(_ strings: [String], _ types: [TokenType]) -> [AddedToken] {
            types.indices.compactMap { index in
                switch types[index] {
                case .control, .unknown: return AddedToken(content: strings[index], id: UInt32(index), isSpecial: true)
                case .userDefined: return AddedToken(content: strings[index], id: UInt32(index), isSpecial: false)
                default: return nil
                }
            }
        }

        func modelError<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as ModelError {
                if case .invalidModel(let reason) = error { throw fail(reason) }
                throw error
            }
        }

        /// `gpt2`: tokens in GPT-2's byte alphabet (control and user-defined tokens that are not,
        /// such as "<｜begin▁of▁sentence｜>", are their UTF-8), merges as "left right".
        func byteLevelBPE(strings: [String], types: [TokenType]) throws -> (Tokenizer, addsBOS: Bool) {
            let preName = try string("tokenizer.ggml.pre") ?? "default"
            guard let rules = GGUFPreTokenizer.named(preName) else {
                if GGUFPreTokenizer.unsupportedNames.contains(preName) {
                    throw ModelError.unsupported(path: path, feature: "the pre-tokenizer \"\(preName)\" (tokenizer.ggml.pre) is llama.cpp custom code, not regular expressions; VocabKit does not implement it yet")
                }
                throw ModelError.unsupported(path: path, feature: "unknown pre-tokenizer \"\(preName)\" (tokenizer.ggml.pre); VocabKit knows \(GGUFPreTokenizer.all.flatMap(\.names).sorted().joined(separator: ", "))")
            }
            // Tokens are told apart by their bytes, as llama.cpp does (Swift's String equality
            // would merge canonically equivalent ones).
            var idsByBytes: [[UInt8]: UInt32] = [:]
            idsByBytes.reserveCapacity(strings.count)
            var tokens: [[UInt8]] = []
            tokens.reserveCapacity(strings.count)
            for (index, text) in strings.enumerated() {
                guard idsByBytes.updateValue(UInt32(index), forKey: Array(text.utf8)) == nil else {
                    throw fail("token \(text.debugDescription) appears twice")
                }
                if let bytes = ByteLevelAlphabet.decode(text) {
                    tokens.append(bytes)
                } else if types[index] == .control || types[index] == .userDefined || types[index] == .unused {
                    tokens.append(Array(text.utf8))
                } else {
                    throw fail("token \(index) (\(text.debugDescription)) is not in GPT-2's byte alphabet")
                }
            }
            var merges: [(UInt32, UInt32, UInt32)] = []
            if let value = file["tokenizer.ggml.merges"] {
                guard case .array(.strings(let lines)) = value else { throw fail("tokenizer.ggml.merges must be an array of strings") }
                merges.reserveCapacity(lines.count)
                for (index, line) in lines.enumerated() {
                    // Split at the first space after the first byte, as llama.cpp does.
                    guard line.count > 2, let space = line.dropFirst().firstIndex(of: 0x20) else {
                        throw fail("merge \(index) is not \"left right\"")
                    }
                    let left = Array(line[..<space]), right = Array(line[(space + 1)...])
                    guard let a = idsByBytes[left], let b = idsByBytes[right], let result = idsByBytes[left + right] else {
                        throw fail("merge \(index) (\(String(decoding: line, as: UTF8.self))) names a token that is not in the vocabulary")
                    }
                    merges.append((a, b, result))
                }
            } else {
                throw fail("a gpt2 vocabulary needs tokenizer.ggml.merges")
            }
            let model = try modelError {
                try BPEModel(tokens: tokens, merges: merges, isByteLevel: true, ignoresMerges: rules.ignoresMerges)
            }
            let frontEnd = TextFrontEnd(normalizer: NormalizerSequence([]), preTokenizer: try rules.component.make())
            return (Tokenizer(frontEnd: frontEnd, model: .bpe(model), addedTokens: addedTokens(strings, types)), rules.addsBOS)
        }

        func pieceKinds(_ types: [TokenType]) -> [UnigramModel.PieceKind] {
            types.map { UnigramModel.PieceKind(rawValue: UInt8($0.rawValue)) ?? .normal }
        }

        /// The unknown piece: the one typed unknown, else `unknown_token_id`, else `fallback`.
        func unknownId(_ types: [TokenType], fallback: UInt32) throws -> UInt32 {
            let typed = types.indices.filter { types[$0] == .unknown }
            guard typed.count <= 1 else { throw fail("\(typed.count) tokens have the unknown type; a vocabulary has one") }
            if let index = typed.first { return UInt32(index) }
            return try id("tokenizer.ggml.unknown_token_id", count: types.count) ?? fallback
        }

        /// SentencePiece's whitespace handling from the file's flags (`add_space_prefix`,
        /// `remove_extra_whitespaces`), user-defined pieces protected.
        func sentencePieceFrontEnd(strings: [String], types: [TokenType], charsMap: PrecompiledCharsMap?,
                                   addsPrefixByDefault: Bool) throws -> (TextFrontEnd, SentencePieceNormalizer) {
            let normalizer = try SentencePieceNormalizer(
                charsMap: charsMap, name: charsMap == nil ? "identity" : "precompiled",
                addsDummyPrefix: try bool("tokenizer.ggml.add_space_prefix") ?? addsPrefixByDefault,
                removesExtraWhitespace: try bool("tokenizer.ggml.remove_extra_whitespaces") ?? false,
                escapesWhitespace: try bool("tokenizer.ggml.escape_whitespaces") ?? true,
                treatsWhitespaceAsSuffix: try bool("tokenizer.ggml.treat_whitespace_as_suffix") ?? false,
                protectedSymbols: types.indices.filter { types[$0] == .userDefined }.map { Array(strings[$0].utf8) })
            return (TextFrontEnd(normalizer: normalizer, preTokenizer: PreTokenizerSequence([])), normalizer)
        }

        func sentencePieceDecoder(_ normalizer: SentencePieceNormalizer, unknown: UInt32, types: [TokenType]) -> TokenDecoder {
            .sentencePiece(SentencePieceDecoding(
                unknownId: unknown, controlIds: Set(types.indices.filter { types[$0] == .control }.map { UInt32($0) }),
                stripsLeadingSpace: normalizer.addsDummyPrefix || normalizer.removesExtraWhitespace,
                stripsAllLeadingSpaces: normalizer.removesExtraWhitespace))
        }

        /// `llama`: SentencePiece BPE (merges by piece score), byte fallback when byte pieces exist.
        func sentencePieceBPE(strings: [String], types: [TokenType], scores: [Float]) throws -> Tokenizer {
            let unknown = try unknownId(types, fallback: 0)
            var kinds = pieceKinds(types)
            if kinds[Int(unknown)] == .normal { kinds[Int(unknown)] = .unknown }
            let model = try modelError {
                try ScoredBPEModel(pieces: strings.map { Array($0.utf8) }, scores: scores, kinds: kinds, unknownId: unknown,
                                   byteFallback: types.contains(.byte))
            }
            let (frontEnd, normalizer) = try sentencePieceFrontEnd(strings: strings, types: types, charsMap: nil, addsPrefixByDefault: true)
            return Tokenizer(frontEnd: frontEnd, model: .scoredBPE(model), addedTokens: addedTokens(strings, types),
                             decoder: sentencePieceDecoder(normalizer, unknown: unknown, types: types))
        }

        /// `t5`: Unigram with the file's precompiled normalization map.
        func unigram(strings: [String], types: [TokenType], scores: [Float]) throws -> Tokenizer {
            let unknown = try unknownId(types, fallback: 2)
            var kinds = pieceKinds(types)
            guard Int(unknown) < kinds.count else { throw fail("the unknown token id \(unknown) is outside the \(kinds.count) tokens") }
            if kinds[Int(unknown)] == .normal { kinds[Int(unknown)] = .unknown }
            var charsMap: PrecompiledCharsMap?
            if let value = file["tokenizer.ggml.precompiled_charsmap"] {
                guard case .array(.bytes(let blob, _)) = value else { throw fail("tokenizer.ggml.precompiled_charsmap must be an array of bytes") }
                do { charsMap = try PrecompiledCharsMap(blob: blob) } catch {
                    throw fail("tokenizer.ggml.precompiled_charsmap: \(error)")
                }
            }
            let model = try modelError {
                try UnigramModel(pieces: strings.map { Array($0.utf8) }, scores: scores.map(Double.init), kinds: kinds,
                                 unknownId: unknown, byteFallback: types.contains(.byte), flavor: .sentencePiece)
            }
            let (frontEnd, normalizer) = try sentencePieceFrontEnd(strings: strings, types: types, charsMap: charsMap, addsPrefixByDefault: false)
            return Tokenizer(frontEnd: frontEnd, model: .unigram(model), addedTokens: addedTokens(strings, types),
                             decoder: sentencePieceDecoder(normalizer, unknown: unknown, types: types))
        }

        /// `bert`: llama.cpp writes word-initial pieces with a leading "▁" and continuation pieces
        /// bare ("##ing" → "ing"); bracketed tokens ([CLS], [unused0]) stay as they are.
        func wordPiece(strings: [String], types: [TokenType]) throws -> Tokenizer {
            let tokens: [[UInt8]] = strings.map { GGUFTokenizer.wordPieceToken(fromGGUF: $0) }
            let unknown = try unknownId(types, fallback: 100)
            guard Int(unknown) < tokens.count else { throw fail("the unknown token id \(unknown) is outside the \(tokens.count) tokens") }
            let model = try modelError {
                try WordPieceModel(tokens: tokens, unknownToken: String(decoding: tokens[Int(unknown)], as: UTF8.self))
            }
            let lowercase = try bool("tokenizer.ggml.normalizer.lowercase") ?? true
            let stripsAccents = try bool("tokenizer.ggml.normalizer.strip_accents") ?? lowercase
            let steps: [NormalizerComponent] = [.bertClean, .cjkSpacing] + (stripsAccents ? [.stripAccents(recompose: false)] : [])
                + (lowercase ? [.lowercase] : [])
            let frontEnd = TextFrontEnd(normalizer: try NormalizerComponent.sequence(steps).make(), preTokenizer: BertPreTokenizer())
            let added = types.indices.compactMap { index -> AddedToken? in
                guard types[index] == .control || types[index] == .unknown || types[index] == .userDefined else { return nil }
                return AddedToken(content: String(decoding: tokens[index], as: UTF8.self), id: UInt32(index), isSpecial: types[index] != .userDefined)
            }
            return Tokenizer(frontEnd: frontEnd, model: .wordPiece(model), addedTokens: added, decoder: .continuingPrefix("##", cleanup: true))
        }
    }

    static let wordStart = "\u{2581}"

    /// A WordPiece token from its GGUF spelling (on bytes, the inverse of `ggufSpelling`).
    static func wordPieceToken(fromGGUF text: String) -> [UInt8] {
        let bytes = Array(text.utf8), marker = Array(wordStart.utf8)
        if bytes.starts(with: marker) && bytes.count > marker.count { return Array(bytes.dropFirst(marker.count)) }
        if bytes.first == 0x5B && bytes.last == 0x5D && bytes.count > 1 { return bytes }
        return Array("##".utf8) + bytes
    }

    /// A WordPiece token's GGUF spelling (llama.cpp's convention, the inverse of the above).
    static func ggufSpelling(ofWordPiece token: [UInt8], prefix: [UInt8]) -> [UInt8] {
        if token.starts(with: prefix) && token.count > prefix.count { return Array(token.dropFirst(prefix.count)) }
        if token.first == 0x5B && token.last == 0x5D && token.count > 1 { return token }
        return Array(wordStart.utf8) + token
    }
}
