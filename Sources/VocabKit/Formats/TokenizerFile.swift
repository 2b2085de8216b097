import Foundation

/// The one file layer: every tokenizer format VocabKit knows, read by content and written by
/// extension. `vocab train`, `vocab convert` and library users all go through it.
///
/// ```swift
/// let tokenizer = try TokenizerFile.read(URL(fileURLWithPath: "cl100k_base.tiktoken"))
/// try TokenizerFile.write(tokenizer, to: "cl100k.json")   // HuggingFace tokenizer.json
/// ```
///
/// | format | extension | holds |
/// |---|---|---|
/// | HuggingFace `tokenizer.json` | `.json` | every model VocabKit has |
/// | SentencePiece `.model` | `.model` | Unigram and SentencePiece BPE |
/// | tiktoken ranks | `.tiktoken` | byte-level BPE (special tokens are not part of a rank file) |
/// | BERT `vocab.txt` | `.txt` | WordPiece |
/// | GGUF (llama.cpp), vocabulary only | `.gguf` | byte-level BPE, SentencePiece BPE, Unigram, WordPiece |
///
/// GPT-2's folder (`encoder.json` and `vocab.bpe`) is read, not written.
public enum TokenizerFile {
    /// A tokenizer file format.
    public enum Format: String, Sendable, CaseIterable {
        case json, sentencePieceModel, tiktoken, vocabText, gguf

        /// The extension this format is written with.
        public var fileExtension: String {
            switch self {
            case .json: return "json"
            case .sentencePieceModel: return "model"
            case .tiktoken: return "tiktoken"
            case .vocabText: return "txt"
            case .gguf: return "gguf"
            }
        }

        /// The format a path's extension names, or nil.
        public init?(path: String) {
            let ext = (path as NSString).pathExtension.lowercased()
            guard let format = Format.allCases.first(where: { $0.fileExtension == ext }) else { return nil }
            self = format
        }

        /// Whether a model of `kind` can be written in this format without losing ids: the one
        /// place the formats' limits are written.
        public func holds(_ kind: TokenModel.Kind) -> Bool {
            switch (self, kind) {
            case (.json, _): return true
            case (.sentencePieceModel, .unigram), (.sentencePieceModel, .scoredBPE): return true
            case (.tiktoken, .bpe(let byteLevel)): return byteLevel
            case (.vocabText, .wordPiece): return true
            case (.gguf, .bpe(let byteLevel)): return byteLevel
            case (.gguf, .scoredBPE), (.gguf, .unigram), (.gguf, .wordPiece): return true
            default: return false
            }
        }

        /// Whether `model` can be written in this format without losing ids.
        public func holds(_ model: TokenModel) -> Bool { holds(model.kind) }

        /// What this format can hold, for error messages.
        public var holdsDescription: String {
            switch self {
            case .json: return "every model"
            case .sentencePieceModel: return "Unigram and SentencePiece BPE vocabularies only"
            case .tiktoken: return "byte-level BPE vocabularies only"
            case .vocabText: return "WordPiece vocabularies only"
            case .gguf: return "byte-level BPE, SentencePiece BPE, Unigram and WordPiece vocabularies only"
            }
        }

        /// Recognizes a file by its first bytes (GPT-2 folders are recognized by `read`).
        static func detect(_ data: Data) -> Format? {
            if GGUFFile.looksLikeGGUF(data) { return .gguf }
            if SentencePieceModelFile.looksLikeModel(data) { return .sentencePieceModel }
            let head = data.prefix(4096)
            if let first = head.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == 0x7B {
                return .json
            }
            guard let firstLine = head.split(separator: 0x0A).first else { return nil }
            // The rank-file reader's own line parser, so what is detected is what reads.
            if Array(firstLine).withUnsafeBufferPointer({ TiktokenFile.parseLine($0) }) != nil { return .tiktoken }
            // BERT's vocab.txt: one token per line, with [UNK] among the first few hundred.
            let lines = head.split(separator: 0x0A).prefix(1000)
            if lines.contains(where: { $0.elementsEqual("[UNK]".utf8) }) && !lines.contains(where: { $0.contains(0x20) }) {
                return .vocabText
            }
            return nil
        }
    }

    /// The extensions `write(_:to:)` accepts, for messages: ".json, .model, .tiktoken, .txt or .gguf".
    public static let extensionList = Format.allCases.map { "." + $0.fileExtension }.dropLast().joined(separator: ", ")
        + " or ." + Format.allCases.last!.fileExtension

    /// Reads any tokenizer file VocabKit knows, recognized by content (see `Tokenizer(contentsOf:)`).
    public static func read(_ url: URL, encoding: TiktokenFile.Encoding? = nil, pattern: String? = nil) throws -> Tokenizer {
        try Tokenizer(contentsOf: url, encoding: encoding, pattern: pattern)
    }

    /// The format `path` will be written in, checked against `model`; call it before long work.
    public static func format(forWriting path: String, model: TokenModel? = nil) throws -> Format {
        guard let format = Format(path: path) else {
            throw ModelError.invalidFile(path: path, reason: "unknown output format; name the file \(extensionList)")
        }
        if let model, !format.holds(model) {
            throw ModelError.invalidFile(path: path, reason: ".\(format.fileExtension) files hold \(format.holdsDescription); write .json instead")
        }
        return format
    }

    /// The bytes of `tokenizer` in `format`. `sentencePiece` is the trainer record a `.model`
    /// keeps (SentencePiece's `TrainerSpec`); nil writes its defaults.
    public static func data(_ tokenizer: Tokenizer, format: Format,
                            sentencePiece: SentencePieceModelFile.Settings? = nil) throws -> Data {
        guard format.holds(tokenizer.model) else {
            throw ModelError.invalidModel(".\(format.fileExtension) files hold \(format.holdsDescription); write .json instead")
        }
        switch format {
        case .json: return try TokenizerJSON.write(tokenizer)
        case .sentencePieceModel: return try SentencePieceModelFile.write(tokenizer, settings: sentencePiece ?? .init())
        case .tiktoken:
            guard let data = TiktokenFile.write(tokenizer) else {
                throw ModelError.invalidModel(".tiktoken files hold \(Format.tiktoken.holdsDescription)")
            }
            return data
        case .vocabText:
            guard case .wordPiece(let model) = tokenizer.model else {
                throw ModelError.invalidModel(".txt files hold \(Format.vocabText.holdsDescription)")
            }
            return Data(model.vocabText)
        case .gguf:
            return try GGUFTokenizer.file(for: tokenizer).serialized()
        }
    }

    /// Writes `tokenizer` to `path` in the format its extension names, atomically.
    public static func write(_ tokenizer: Tokenizer, to path: String,
                             sentencePiece: SentencePieceModelFile.Settings? = nil) throws {
        let format = try format(forWriting: path, model: tokenizer.model)
        try AtomicFile.write(try data(tokenizer, format: format, sentencePiece: sentencePiece), to: path)
    }
}
