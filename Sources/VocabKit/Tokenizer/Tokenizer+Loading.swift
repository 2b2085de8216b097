import Foundation

extension Tokenizer {
    /// Loads a tokenizer file, recognizing its format by content: HuggingFace's `tokenizer.json`, a
    /// SentencePiece `.model`, a tiktoken rank file (`.tiktoken`), BERT's `vocab.txt`, a GGUF
    /// model file (its tokenizer metadata; the tensors are never read), or GPT-2's `encoder.json`
    /// and `vocab.bpe` (their folder, or `encoder.json` with `vocab.bpe` beside it).
    ///
    /// For a rank file the split pattern and special tokens come from `encoding`, or from the
    /// encoding its file name names (`cl100k_base.tiktoken`), or are `pattern` (a published
    /// pattern's name such as "cl100k", or any regular expression) with no special tokens.
    public init(contentsOf url: URL, encoding: TiktokenFile.Encoding? = nil, pattern: String? = nil) throws {
        self = try Tokenizer.load(url, encoding: encoding, pattern: pattern)
        do { try validate() } catch ModelError.invalidModel(let reason) {
            throw ModelError.invalidFile(path: url.path, reason: reason)
        }
    }

    private static func load(_ url: URL, encoding: TiktokenFile.Encoding?, pattern: String?) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError.fileNotFound(path: url.path)
        }
        if isDirectory.boolValue { return try loadFolder(url) }
        // GGUF model files can be many gigabytes: recognized by their magic, then mapped, so only
        // the metadata's pages are read.
        if let handle = FileHandle(forReadingAtPath: url.path) {
            let head = (try? handle.read(upToCount: 4)) ?? Data()
            try? handle.close()
            if GGUFFile.looksLikeGGUF(head) { return try GGUFTokenizer.read(contentsOf: url) }
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.invalidFile(path: url.path, reason: "cannot read the file")
        }
        guard let format = TokenizerFile.Format.detect(data) else {
            throw ModelError.unrecognizedFormat(path: url.path)
        }
        switch format {
        case .json:
            // GPT-2's encoder.json named on its own: with its vocab.bpe beside it, the pair (a
            // tokenizer.json that happens to be called encoder.json reads as one).
            let merges = url.deletingLastPathComponent().appendingPathComponent("vocab.bpe")
            if url.lastPathComponent == "encoder.json" && FileManager.default.fileExists(atPath: merges.path) {
                guard let mergesData = FileManager.default.contents(atPath: merges.path) else {
                    throw ModelError.invalidFile(path: merges.path, reason: "cannot read the file")
                }
                if let model = try GPT2Files.modelIfTokenMap(encoderJSON: data, vocabBPE: mergesData, encoderPath: url.path, mergesPath: merges.path) {
                    return Tokenizer.gpt2(model)
                }
            }
            return try TokenizerJSON.read(data, path: url.path)
        case .sentencePieceModel:
            return try SentencePieceModelFile.read(data, path: url.path)
        case .gguf:
            return try GGUFTokenizer.tokenizer(from: GGUFFile.read(data, path: url.path), path: url.path)
        case .vocabText:
            // Casing from a tokenizer_config.json beside it; a missing or unreadable one means uncased.
            let config = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
            let lowercase = (try? TokenizerConfig(contentsOf: config))?.lowercase ?? true
            return try Tokenizer.bert(vocabText: Array(data), lowercase: lowercase, path: url.path)
        case .tiktoken:
            let named = encoding ?? TiktokenFile.Encoding(fileName: url.lastPathComponent)
            let splitter: any PreTokenizer
            if let pattern {
                splitter = try SplitPattern(rawValue: pattern)?.splitter ?? SplitPattern(regex: pattern)?.splitter
                    ?? RegexSplitter(pattern: pattern, behavior: .isolated)
            } else if let named {
                splitter = named.pattern.splitter
            } else {
                throw ModelError.invalidFile(path: url.path, reason: "a tiktoken file needs a split pattern: name the encoding or give a pattern")
            }
            let model = try TiktokenFile.model(tokens: TiktokenFile.tokens(from: data, path: url.path))
            let added = (pattern == nil ? named?.specialTokens ?? [] : []).map { AddedToken(content: $0.0, id: $0.1) }
            var tokenizer = Tokenizer(frontEnd: TextFrontEnd(normalizer: NormalizerSequence([]), preTokenizer: splitter),
                                      model: model, addedTokens: added)
            // tiktoken's end-of-text token (its `eot_token`).
            tokenizer.specialTokenIds.endOfSequence = added.first(where: { $0.content == "<|endoftext|>" })?.id
            return tokenizer
        }
    }

    /// A model folder as Swift model code has it: `tokenizer.json`, else `tokenizer.model`
    /// (SentencePiece), else BERT's `vocab.txt`, else GPT-2's `encoder.json` and `vocab.bpe`;
    /// with `tokenizer_config.json` beside it applied (`TokenizerConfig`).
    private static func loadFolder(_ url: URL) throws -> Tokenizer {
        func file(_ name: String) -> URL? {
            let candidate = url.appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
        }
        let config = try file("tokenizer_config.json").map { try TokenizerConfig(contentsOf: $0) }
        var tokenizer: Tokenizer
        if let json = file("tokenizer.json") {
            tokenizer = try load(json, encoding: nil, pattern: nil)
        } else if let model = file("tokenizer.model") {
            tokenizer = try load(model, encoding: nil, pattern: nil)
        } else if let vocab = file("vocab.txt") {
            guard let data = FileManager.default.contents(atPath: vocab.path) else {
                throw ModelError.invalidFile(path: vocab.path, reason: "cannot read the file")
            }
            tokenizer = try Tokenizer.bert(vocabText: Array(data), lowercase: config?.lowercase ?? true, path: vocab.path)
        } else if let encoder = file("encoder.json"), let merges = file("vocab.bpe") {
            guard let encoderData = FileManager.default.contents(atPath: encoder.path),
                  let mergesData = FileManager.default.contents(atPath: merges.path) else {
                throw ModelError.invalidFile(path: url.path, reason: "cannot read encoder.json or vocab.bpe")
            }
            tokenizer = try Tokenizer.gpt2(encoderJSON: encoderData, vocabBPE: mergesData, encoderPath: encoder.path, mergesPath: merges.path)
        } else {
            throw ModelError.invalidFile(path: url.path, reason: "a tokenizer folder needs tokenizer.json, tokenizer.model (SentencePiece), vocab.txt (BERT), or encoder.json and vocab.bpe (GPT-2)")
        }
        if let config { try config.apply(to: &tokenizer) }
        return tokenizer
    }

    /// BERT from its `vocab.txt`: BERT's normalizer (lowercasing and accent stripping when
    /// `lowercase`), the BERT pre-tokenizer, WordPiece with "##" and [UNK], and `[CLS] A [SEP]`.
    public static func bert(vocabText: [UInt8], lowercase: Bool = true, path: String = "vocab.txt") throws -> Tokenizer {
        let tokens = try WordPieceModel.tokenList(fromVocabText: vocabText, path: path)
        let model: WordPieceModel
        do { model = try WordPieceModel(tokenList: tokens) } catch let error as ModelError {
            throw ModelError.invalidFile(path: path, reason: error.description)
        }
        let normalizer = try FrontEndSpecification.normalizer(lowercase ? "bert" : "bert-cased")
        var tokenizer = Tokenizer(frontEnd: TextFrontEnd(normalizer: normalizer, preTokenizer: BertPreTokenizer()),
                                  model: .wordPiece(model), decoder: .continuingPrefix("##", cleanup: true))
        var added: [AddedToken] = []
        for name in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] {
            if let id = model.lookup.id(of: Array(name.utf8)) { added.append(AddedToken(content: name, id: id)) }
        }
        tokenizer.addedTokens = added
        if let cls = model.lookup.id(of: Array("[CLS]".utf8)), let sep = model.lookup.id(of: Array("[SEP]".utf8)) {
            tokenizer.postProcessor = .bert(cls: cls, sep: sep)
        }
        return tokenizer
    }

    /// GPT-2 from its original files: no normalization, the GPT-2 split, `<|endoftext|>` added.
    public static func gpt2(encoderJSON: Data, vocabBPE: Data, encoderPath: String = "encoder.json",
                            mergesPath: String = "vocab.bpe") throws -> Tokenizer {
        gpt2(try GPT2Files.model(encoderJSON: encoderJSON, vocabBPE: vocabBPE, encoderPath: encoderPath, mergesPath: mergesPath))
    }

    /// GPT-2 around its BPE model.
    static func gpt2(_ model: BPEModel) -> Tokenizer {
        let endOfText = model.id(of: Array("<|endoftext|>".utf8))
        return Tokenizer(frontEnd: TextFrontEnd(normalizer: NormalizerSequence([]), preTokenizer: GPT2Splitter()),
                         model: model, addedTokens: endOfText.map { [AddedToken(content: "<|endoftext|>", id: $0)] } ?? [])
    }
}
