import Foundation
import SwiftProtobuf

/// SentencePiece `.model` files (a `ModelProto` protobuf): reading them as tokenizers that give
/// the `sentencepiece` library's ids, and writing VocabKit's Unigram and SentencePiece-BPE
/// tokenizers so that the library loads them.
///
/// A loaded tokenizer runs SentencePiece's normalizer (`SentencePieceNormalizer`) over the whole
/// input, no pre-tokenizer, then the model over the whole normalized sentence, as the library
/// does. Control pieces (<s>, </s>) are never matched in text; user-defined pieces always are.
public enum SentencePieceModelFile {
    /// What a `.model` says beyond the tokenizer itself (written back on save).
    public struct Settings: Sendable, Equatable {
        public var modelType: String
        public var characterCoverage: Float?
        public var maxPieceLength: Int?
        public var splitDigits: Bool
        public var splitByWhitespace: Bool
        public var splitByUnicodeScript: Bool
        public var splitByNumber: Bool
        public var shrinkingFactor: Float?
        public var seedPieceCount: Int?
        public var subIterations: Int?
        public var allowsWhitespaceOnlyPieces: Bool

        public init(modelType: String = "unigram", characterCoverage: Float? = nil, maxPieceLength: Int? = nil,
                    splitDigits: Bool = false, splitByWhitespace: Bool = true, splitByUnicodeScript: Bool = true,
                    splitByNumber: Bool = true, shrinkingFactor: Float? = nil, seedPieceCount: Int? = nil,
                    subIterations: Int? = nil, allowsWhitespaceOnlyPieces: Bool = false) {
            self.modelType = modelType
            self.characterCoverage = characterCoverage
            self.maxPieceLength = maxPieceLength
            self.splitDigits = splitDigits
            self.splitByWhitespace = splitByWhitespace
            self.splitByUnicodeScript = splitByUnicodeScript
            self.splitByNumber = splitByNumber
            self.shrinkingFactor = shrinkingFactor
            self.seedPieceCount = seedPieceCount
            self.subIterations = subIterations
            self.allowsWhitespaceOnlyPieces = allowsWhitespaceOnlyPieces
        }
    }

    /// Whether `data` looks like a `ModelProto` (used to recognise `.model` files): a walk over
    /// its top-level protobuf fields that ends exactly at the end, the first being a piece (field
    /// 1, length-delimited, non-empty). Cheap (no decoding, no allocation); `read` then parses it.
    /// - Complexity: O(top-level fields).
    static func looksLikeModel(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var cursor = SentencePieceRawPieces.Cursor(bytes: raw.bindMemory(to: UInt8.self), position: 0, end: raw.count)
            var fields = 0
            while cursor.position < cursor.end {
                guard let tag = cursor.varint(), tag >> 3 != 0 else { return false }
                if fields == 0 {   // the first field: a non-empty piece
                    guard tag == 0x0A, let length = cursor.varint(), length > 0, length <= UInt64(cursor.end - cursor.position) else { return false }
                    cursor.position += Int(length)
                } else {
                    guard cursor.skip(wireType: tag & 7) else { return false }
                }
                fields += 1
            }
            return fields > 0
        }
    }

    /// Reads a `.model` file's contents.
    ///
    /// 1. Read the pieces straight from the bytes (`SentencePieceRawPieces`) and decode the rest
    ///    of the protobuf with SwiftProtobuf (the whole file when the pieces are not plain);
    ///    check pieces (non-empty, unique, exactly one unknown piece, 256 byte pieces when byte
    ///    fallback is on).
    /// 2. Build the model of the file's type (Unigram or BPE).
    /// 3. Build the normalizer from `normalizer_spec` (the precompiled map, whitespace flags,
    ///    user-defined pieces protected) and the decoder.
    public static func read(_ data: Data, path: String = "tokenizer.model") throws -> Tokenizer {
        try read(data, path: path, readsPiecesDirectly: true)
    }

    /// `read(_:path:)`, with the pieces read by SwiftProtobuf when `readsPiecesDirectly` is false
    /// (the reference the direct reader is tested against).
    static func read(_ data: Data, path: String, readsPiecesDirectly: Bool) throws -> Tokenizer {
        func fail(_ reason: String) -> ModelError { .invalidFile(path: path, reason: reason) }
        let proto: Sentencepiece_ModelProto
        let raw: SentencePieceRawPieces
        // `partial`: no check of proto2 required fields, a walk over every piece that took 15% of
        // loading; what this reader needs is checked below.
        do {
            if readsPiecesDirectly, let direct = SentencePieceRawPieces.read(data) {
                raw = direct
                proto = try Sentencepiece_ModelProto(serializedBytes: direct.rest, partial: true)
            } else {
                proto = try Sentencepiece_ModelProto(serializedBytes: data, partial: true)
                raw = SentencePieceRawPieces(pieces: FlatByteStrings(proto.pieces.map { Array($0.piece.utf8) }), scores: proto.pieces.map(\.score),
                                             types: proto.pieces.map(\.type.rawValue))
            }
        } catch {
            throw fail("not a SentencePiece model (\(error))")
        }
        // Phase 1: pieces.
        guard raw.pieces.count > 0 else { throw fail("the model has no pieces") }
        let pieces = raw.pieces, scores = raw.scores
        var kinds: [UnigramModel.PieceKind] = []
        kinds.reserveCapacity(pieces.count)
        var unknown: UInt32?
        var userDefined: [[UInt8]] = [], controls: Set<UInt32> = []
        for index in 0..<pieces.count {
            guard !pieces.range(index).isEmpty else { throw fail("piece \(index) is empty") }
            guard let kind = UnigramModel.PieceKind(rawValue: UInt8(clamping: raw.types[index])) else {
                throw fail("piece \(index) has unknown type \(raw.types[index])")
            }
            if kind == .unknown {
                if unknown != nil { throw fail("more than one unknown piece") }
                unknown = UInt32(index)
            }
            if kind == .byte && !proto.trainerSpec.byteFallback {
                throw fail("byte piece \(String(decoding: pieces[index], as: UTF8.self)) found although byte_fallback is false")
            }
            if kind == .userDefined { userDefined.append(pieces[index]) }
            if kind == .control { controls.insert(UInt32(index)) }
            guard scores[index].isFinite else { throw fail("piece \(index) has score \(scores[index])") }
            kinds.append(kind)
        }
        guard let unknown else { throw fail("the model has no unknown piece (<unk>)") }
        // Phase 2: the model.
        let model: TokenModel
        do {
            switch proto.trainerSpec.modelType {
            case .unigram:
                model = .unigram(try UnigramModel(pieces: pieces.arrays, scores: scores.map(Double.init), kinds: kinds, unknownId: unknown,
                                                  byteFallback: proto.trainerSpec.byteFallback, flavor: .sentencePiece))
            case .bpe:
                model = .scoredBPE(try ScoredBPEModel(pieceList: pieces, scores: scores, kinds: kinds, unknownId: unknown,
                                                      byteFallback: proto.trainerSpec.byteFallback))
            case .word, .char:
                throw ModelError.unsupported(path: path, feature: "SentencePiece \(proto.trainerSpec.modelType == .word ? "word" : "char") models are not supported (Unigram and BPE are)")
            }
        } catch let error as ModelError {
            if case .invalidModel(let reason) = error { throw fail(reason) }
            throw error
        }
        // Phase 3: normalizer and decoder.
        let spec = proto.normalizerSpec
        if !spec.normalizationRuleTsv.isEmpty && spec.precompiledCharsmap.isEmpty {
            throw fail("normalization_rule_tsv without a precompiled map is not supported; recompile the model's normalizer")
        }
        let charsMap: PrecompiledCharsMap?
        do { charsMap = spec.precompiledCharsmap.isEmpty ? nil : try PrecompiledCharsMap(blob: Array(spec.precompiledCharsmap)) } catch {
            throw fail("precompiled_charsmap: \(error)")
        }
        let normalizer = try SentencePieceNormalizer(
            charsMap: charsMap, name: spec.hasName ? spec.name : "identity", addsDummyPrefix: spec.addDummyPrefix,
            removesExtraWhitespace: spec.removeExtraWhitespaces, escapesWhitespace: spec.escapeWhitespaces,
            treatsWhitespaceAsSuffix: proto.trainerSpec.treatWhitespaceAsSuffix, protectedSymbols: userDefined)
        let decoding = SentencePieceDecoding(
            unknownId: unknown, unknownSurface: proto.trainerSpec.unkSurface, controlIds: controls,
            stripsLeadingSpace: spec.addDummyPrefix || spec.removeExtraWhitespaces,
            stripsAllLeadingSpaces: spec.removeExtraWhitespaces)
        var tokenizer = Tokenizer(frontEnd: TextFrontEnd(normalizer: normalizer, preTokenizer: PreTokenizerSequence([])),
                                  model: model, decoder: .sentencePiece(decoding))
        // The trainer spec's ids of the meta pieces (-1: none). The library adds BOS/EOS only
        // when asked, so no post-processor (a model folder's tokenizer_config.json adds one).
        func meta(_ id: Int32) -> UInt32? { id >= 0 && Int(id) < pieces.count ? UInt32(id) : nil }
        let trainer = proto.trainerSpec   // unset fields read as the schema's defaults (1, 2, -1)
        tokenizer.specialTokenIds = SpecialTokenIds(beginOfSequence: meta(trainer.bosID), endOfSequence: meta(trainer.eosID),
                                                    unknown: unknown, padding: meta(trainer.padID))
        return tokenizer
    }

    /// Writes a tokenizer as a `.model` file.
    ///
    /// The model must be Unigram or SentencePiece BPE. The normalizer must be a
    /// `SentencePieceNormalizer`, or a VocabKit normalizer followed by the `Metaspace`
    /// pre-tokenizer (what `vocab train --algorithm unigram` makes); the latter is compiled into
    /// a precompiled map character by character (see `SentencePieceNormalizer.compiling`).
    public static func write(_ tokenizer: Tokenizer, settings: Settings = Settings()) throws -> Data {
        var proto = Sentencepiece_ModelProto()
        // 1. Pieces.
        let pieces: [[UInt8]], scores: [Float], kinds: [UnigramModel.PieceKind], unknown: UInt32, byteFallback: Bool
        var trainer = Sentencepiece_TrainerSpec()
        switch tokenizer.model {
        case .unigram(let model):
            (pieces, scores, kinds, unknown, byteFallback) = (model.pieces, model.scores.map { Float($0) }, model.storedKinds, model.unknownId, model.byteFallback)
            trainer.modelType = .unigram
        case .scoredBPE(let model):
            (pieces, scores, kinds, unknown, byteFallback) = (model.pieces, model.scores, model.kinds, model.unknownId, model.byteFallback)
            trainer.modelType = .bpe
        default:
            throw ModelError.invalidModel("a .model file holds Unigram or SentencePiece BPE models; write tokenizer.json or .tiktoken instead")
        }
        var addedKinds: [UInt32: UnigramModel.PieceKind] = [:]
        for token in tokenizer.addedTokens where Int(token.id) < pieces.count {
            addedKinds[token.id] = token.isSpecial ? .control : .userDefined
        }
        for index in pieces.indices {
            var piece = Sentencepiece_ModelProto.SentencePiece()
            piece.piece = String(decoding: pieces[index], as: UTF8.self)
            piece.score = scores[index]
            let kind = kinds[index] == .normal ? addedKinds[UInt32(index)] ?? .normal : kinds[index]
            piece.type = Sentencepiece_ModelProto.SentencePiece.TypeEnum(rawValue: Int(kind.rawValue)) ?? .normal
            proto.pieces.append(piece)
        }
        // 2. Trainer spec: ids of the meta pieces and the training settings.
        trainer.vocabSize = Int32(pieces.count)
        trainer.byteFallback = byteFallback
        trainer.unkID = Int32(unknown)
        trainer.unkPiece = String(decoding: pieces[Int(unknown)], as: UTF8.self)
        func id(of name: String) -> Int32 {
            pieces.firstIndex(of: Array(name.utf8)).map { Int32($0) } ?? -1
        }
        trainer.bosID = id(of: "<s>")
        trainer.eosID = id(of: "</s>")
        trainer.padID = id(of: "<pad>")
        if let value = settings.characterCoverage { trainer.characterCoverage = value }
        if let value = settings.maxPieceLength { trainer.maxSentencepieceLength = Int32(clamping: value) }
        if let value = settings.shrinkingFactor { trainer.shrinkingFactor = value }
        if let value = settings.seedPieceCount { trainer.seedSentencepieceSize = Int32(clamping: value) }
        if let value = settings.subIterations { trainer.numSubIterations = Int32(clamping: value) }
        trainer.splitDigits = settings.splitDigits
        trainer.splitByWhitespace = settings.splitByWhitespace
        trainer.splitByUnicodeScript = settings.splitByUnicodeScript
        trainer.splitByNumber = settings.splitByNumber
        trainer.allowWhitespaceOnlyPieces = settings.allowsWhitespaceOnlyPieces
        trainer.modelPrefix = "vocabkit"
        // 3. Normalizer spec.
        let normalizer = try SentencePieceNormalizer.compiling(tokenizer.frontEnd)
        var spec = Sentencepiece_NormalizerSpec()
        spec.name = normalizer.name
        if let charsMap = normalizer.charsMap { spec.precompiledCharsmap = Data(charsMap.blob) }
        spec.addDummyPrefix = normalizer.addsDummyPrefix
        spec.removeExtraWhitespaces = normalizer.removesExtraWhitespace
        spec.escapeWhitespaces = normalizer.escapesWhitespace
        trainer.treatWhitespaceAsSuffix = normalizer.treatsWhitespaceAsSuffix
        proto.trainerSpec = trainer
        proto.normalizerSpec = spec
        return try proto.serializedData()
    }
}
