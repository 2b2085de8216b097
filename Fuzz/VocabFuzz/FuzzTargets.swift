import Foundation
import VocabKit
import VocabTraining

/// The fuzz targets: every loader on arbitrary bytes, and encoding then decoding arbitrary bytes
/// with each model type. Each returns normally for any input: an error is a correct answer, a
/// crash, a sanitizer report or a hang (libFuzzer's -timeout) is a bug.
enum FuzzTarget: String, CaseIterable {
    case tokenizerJSON = "tokenizer-json"
    case sentencePieceModel = "sentencepiece-model"
    case tiktoken
    case vocabText = "vocab-txt"
    case gpt2
    case counts
    case gguf
    case encodeBPE = "encode-bpe"
    case encodeTiktoken = "encode-tiktoken"
    case encodeWordPiece = "encode-wordpiece"
    case encodeUnigram = "encode-unigram"
    case encodeScoredBPE = "encode-scored-bpe"
    case encodeHybrid = "encode-hybrid"
    case encodeWordLevel = "encode-word-level"

    /// The target named by the environment variable `FUZZ_TARGET`.
    static var selected: FuzzTarget {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }

    /// Runs the target on one input.
    func run(_ data: Data) {
        switch self {
        case .tokenizerJSON: exercise(try? TokenizerJSON.read(data, path: "fuzz.json"))
        case .sentencePieceModel: exercise(try? SentencePieceModelFile.read(data, path: "fuzz.model"))
        case .tiktoken:
            guard let tokens = try? TiktokenFile.tokens(from: data, path: "fuzz.tiktoken"),
                  let model = try? TiktokenFile.model(tokens: tokens) else { return }
            exercise(Tokenizer(frontEnd: TextFrontEnd(normalizer: NormalizerSequence([]), preTokenizer: GPT2Splitter()), model: model))
        case .vocabText: exercise(try? Tokenizer.bert(vocabText: Array(data), path: "fuzz.txt"))
        case .gpt2:
            // encoder.json and vocab.bpe, separated by the first NUL byte.
            let split = data.firstIndex(of: 0) ?? data.endIndex
            exercise(try? Tokenizer.gpt2(encoderJSON: data[..<split], vocabBPE: data[min(split + 1, data.endIndex)...]))
        case .counts:
            let path = FuzzFiles.scratch
            guard (try? data.write(to: URL(fileURLWithPath: path))) != nil else { fatalError("cannot write \(path)") }
            if let (_, counts) = try? CountsFile.read(path) {
                for (word, count) in counts.words { precondition(!word.isEmpty || count >= 0) }
            }
        case .gguf:
            guard let file = try? GGUFFile.read(data, path: "fuzz.gguf") else { return }
            // What reads must write and read back to the same metadata.
            let copy = try? GGUFFile.read(file.serialized())
            precondition(copy == nil || copy!.metadata.count == file.metadata.count, "a read GGUF file did not read back")
            exercise(try? GGUFTokenizer.tokenizer(from: file, path: "fuzz.gguf"))
        case .encodeBPE: encodeAndDecode(data, FuzzFiles.gpt2)
        case .encodeTiktoken: encodeAndDecode(data, FuzzFiles.r50k)
        case .encodeWordPiece: encodeAndDecode(data, FuzzFiles.bert)
        case .encodeUnigram: encodeAndDecode(data, FuzzFiles.unigram)
        case .encodeScoredBPE: encodeAndDecode(data, FuzzFiles.mistral)
        case .encodeHybrid: encodeAndDecode(data, FuzzFiles.hybrid)
        case .encodeWordLevel: encodeAndDecode(data, FuzzFiles.wordLevel)
        }
    }

    /// A loaded tokenizer that passes the loaders' checks (`Tokenizer.validate`, which
    /// `Tokenizer(contentsOf:)` applies to every format) encodes and decodes a fixed text.
    private func exercise(_ tokenizer: Tokenizer?) {
        guard let tokenizer, (try? tokenizer.validate()) != nil else { return }
        // No round-trip check: a loaded file may normalize or add a prefix space (a ByteLevel
        // pre-tokenizer without "add_prefix_space" adds one, as in HuggingFace).
        encodeAndDecode(Data("Hello, wörld! 日本語 1234 \t\n  end".utf8), tokenizer, checksRoundTrip: false)
    }

    /// Encodes arbitrary bytes (invalid UTF-8 replaced), checks every id is in the vocabulary,
    /// decodes them, and for the fixed byte-level tokenizers (no normalizer, no prefix space)
    /// checks the round trip.
    private func encodeAndDecode(_ data: Data, _ tokenizer: Tokenizer, checksRoundTrip: Bool = true) {
        var scratch = EncoderScratch()
        let bytes = Array(data)
        guard let encoding = try? bytes.withUnsafeBufferPointer({ try tokenizer.encode($0, scratch: &scratch) }) else { return }
        let size = tokenizer.vocabularySize
        for id in encoding.ids where Int(id) >= size { fatalError("id \(id) outside the vocabulary of \(size)") }
        for range in encoding.offsets where range.lowerBound < 0 || range.upperBound > bytes.count || range.lowerBound > range.upperBound {
            fatalError("offset \(range) outside the input of \(bytes.count) bytes")
        }
        guard let decoded = try? tokenizer.decodeBytes(encoding.ids) else { fatalError("decoding the tokenizer's own ids failed") }
        if checksRoundTrip, tokenizer.model.isByteLevel, tokenizer.addedTokens.isEmpty, String(validating: bytes, as: UTF8.self) != nil, decoded != bytes {
            fatalError("byte-level round trip changed the text")
        }
    }
}

/// The fixed tokenizers of the encode targets (loaded once) and a scratch path.
enum FuzzFiles {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static func load(_ path: String) -> Tokenizer {
        do { return try Tokenizer(contentsOf: repository.appendingPathComponent(path)) } catch {
            fatalError("cannot load \(path): \(error)")
        }
    }

    static let gpt2 = load("Tests/Fixtures/gpt2")
    static let r50k = load("Tests/Fixtures/tiktoken/r50k_base.tiktoken")
    static let bert = load("Tests/Fixtures/bert/tokenizer.json")
    static let unigram = load("Tests/Fixtures/sentencepiece/botchan_en_unigram_1000.model")
    static let mistral = load("Tests/Fixtures/sentencepiece/mistral-tokenizer.model.v1")
    static let hybrid = trained(.hybrid)
    static let wordLevel = trained(.word)

    /// A small vocabulary trained on the first 3,000 lines of Corpora/en.txt and ja.txt.
    static func trained(_ algorithm: Algorithm) -> Tokenizer {
        do {
            var texts: [String] = []
            for name in ["en", "ja"] {
                let text = try String(contentsOf: repository.appendingPathComponent("Corpora/\(name).txt"), encoding: .utf8)
                texts += text.split(separator: "\n").prefix(3000).map(String.init)
            }
            return try Recipe(algorithm, vocabularySize: 2000).train(texts: texts).tokenizer
        } catch {
            fatalError("cannot train the \(algorithm) tokenizer: \(error)")
        }
    }

    static let scratch = NSTemporaryDirectory() + "vocab-fuzz-\(getpid()).counts"
}
