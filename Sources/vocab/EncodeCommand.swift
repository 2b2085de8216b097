import ArgumentParser
import Foundation
import VocabKit

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text into token ids: lines, JSON Lines records, documents or whole files.",
        discussion: """
        Input (--input): lines (each line without its "\\n", the default), jsonl (a JSON object per line with the text
        under --text-key, or a bare JSON string; blank lines skipped), documents (texts separated by blank lines, inner
        newlines kept) or whole (each file is one text). A malformed JSON line, a missing key or a value that is not a
        string is an error naming the file and line, unless --skip-bad-lines (skipped lines are counted on stderr).

        Formats: ids (space-separated ids, a line per text), jsonl (a JSON array of ids per text), tokens (the tokens,
        space-separated; byte-level tokens in GPT-2's alphabet), offsets (id:start-end per token, byte offsets into the
        text), encoding (a JSON object per text: ids, type_ids, offsets as [start, end] bytes, special_tokens_mask,
        attention_mask, and the windows truncation cut off under overflowing), and for model training u16, u32 (little-endian ids, no separators), npy (a one-dimensional uint32 NumPy
        array) and megatron (Megatron-LM's indexed dataset: PREFIX.bin with the ids, uint16 below 65,500 ids else int32,
        and PREFIX.idx with a sequence and a document per text; -o PREFIX or PREFIX.bin). Binary formats need --output.

        Examples:
          vocab encode --tokenizer cl100k_base.tiktoken corpus.txt --format u32 -o corpus.u32
          vocab encode -t tokenizer.json --input jsonl --append '<|endoftext|>' data.jsonl --format megatron -o data
        """
    )

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(help: "Output format: ids, jsonl, tokens, offsets, encoding, u16, u32, npy, megatron.")
    var format: EncodeFormat = .ids

    @Option(name: .customLong("input"), help: "What one text is: lines, jsonl, documents, whole.")
    var unit: InputUnit = .lines

    @Option(name: .customLong("text-key"), help: "With --input jsonl: the key of the text in each object.")
    var textKey = "text"

    @Option(name: .customLong("pair-key"), help: "With --input jsonl: encode the text under --text-key with the text under this key as its pair (a question and its context, two sentences), with the pair template's special tokens.")
    var pairKey: String?

    @Flag(name: .customLong("skip-bad-lines"), help: "With --input jsonl: skip malformed lines (counted on stderr) instead of stopping.")
    var skipBadLines = false

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(name: .customLong("no-added-tokens"), help: "Encode special-token text such as <|endoftext|> as ordinary text.")
    var noAddedTokens = false

    @Option(name: .customLong("special-tokens"),
            help: "Special tokens' text in the input (<|endoftext|>, [CLS]): recognize (the token, as HuggingFace), text (ordinary characters, tiktoken's encode_ordinary) or refuse (an error naming the file and line, tiktoken's default).")
    var specialTokenText: SpecialTokenText = .recognize

    @Flag(name: .customLong("no-special-tokens"), help: "Skip the post-processor's special tokens ([CLS], [SEP]), truncation and padding.")
    var noSpecialTokens = false

    @Option(help: "Append this token (its text, e.g. '<|endoftext|>', or a number id) after every line, to separate documents in binary output.")
    var append: String?

    @Flag(help: "Subword regularization: sample a segmentation (Unigram) or drop merges (SentencePiece BPE).")
    var sample = false

    @Option(help: "With --sample: smoothing (Unigram: P(x)^alpha) or the merge-dropout probability (BPE).")
    var alpha = 0.1

    @Option(name: .customLong("nbest"), help: "With --sample: sample among the n best segmentations (-1: all).")
    var nBest = -1

    @Option(help: "With --sample: seed; line n uses seed + n, so output does not depend on threads.")
    var seed: UInt64 = 0

    @OptionGroup var input: InputOptions

    func validate() throws {
        if format.isBinary && output == nil { throw ValidationError("--format \(format.rawValue) writes binary ids: give --output FILE") }
        if skipBadLines && unit != .jsonl { throw ValidationError("--skip-bad-lines applies to --input jsonl") }
        if pairKey != nil && unit != .jsonl { throw ValidationError("--pair-key applies to --input jsonl") }
        if pairKey != nil && (format.isBinary || append != nil) {
            throw ValidationError("--pair-key gives one encoding per pair with its type ids: use --format encoding, ids, jsonl, tokens or offsets, without --append")
        }
        if sample {
            do { try SubwordSampling(alpha: alpha, nBestSize: nBest, seed: seed).validate() } catch let error as ModelError {
                throw ValidationError("--alpha/--nbest: \(error.description)")
            }
        }
    }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        var frontEnd = tokenizer.frontEnd
        frontEnd.invalidUTF8 = input.strictUTF8 ? .strict : .replace
        var configured = tokenizer
        configured.frontEnd = frontEnd
        if format == .u16 && configured.vocabularySize > 65536 {
            throw ValidationError("u16 cannot hold ids of a vocabulary of \(configured.vocabularySize); use u32 or npy")
        }
        let separator = try append.map { token -> UInt32 in
            if let id = UInt32(token), id < configured.vocabularySize { return id }
            if let added = configured.addedTokens.first(where: { $0.content == token }) { return added.id }
            if let id = configured.model.id(of: Array(token.utf8)) { return id }
            throw ValidationError("--append \(token): not a token of this tokenizer")
        }
        let megatronPrefix = format == .megatron ? output.map(MegatronDataset.prefix) : nil
        let sink = try OutputSink(path: megatronPrefix.map { $0 + ".bin" } ?? output)
        let format = self.format, allowsAdded = !noAddedTokens, addsSpecial = !noSpecialTokens, policy = specialTokenText.policy
        let sampling = sample ? SubwordSampling(alpha: alpha, nBestSize: nBest, seed: seed) : nil
        let unit = self.unit, textKey = self.textKey, pairKey = self.pairKey, skipBadLines = self.skipBadLines
        let wide = configured.vocabularySize >= MegatronDataset.uint16Limit
        // Formats of ids alone, with nothing that needs an Encoding (a pair, the post-processor,
        // truncation, padding): `encodeIds`, without offsets and annotations.
        let idsOnly = format.writesOnlyIds && pairKey == nil
            && (!addsSpecial || (configured.postProcessor == nil && configured.truncation == nil && configured.padding == nil))
        var job = ParallelLines<EncodeBlockState>(threads: input.threads, quiet: input.quiet, label: "encode")
        job.split = unit.split
        let total = try job.run(inputs: input.paths, initial: EncodeBlockState(), job: { text, location, out, state in
            var text = text
            var pair: [UInt8]?
            if unit == .jsonl {
                do {
                    guard let values = try JSONLines.texts(of: text, keys: [textKey] + (pairKey.map { [$0] } ?? [])) else { return }
                    text = values[0][...]
                    pair = values.count > 1 ? values[1] : nil
                } catch let error as JSONLines.Failure {
                    guard skipBadLines else { throw CLIError.invalidInput(path: location.path, line: location.line, reason: error.description) }
                    state.skipped += 1
                    if state.firstSkip == nil { state.firstSkip = "\(location.path), line \(location.line): \(error.description)" }
                    return
                }
            }
            let encoding: VocabKit.Encoding
            var second: VocabKit.Encoding?
            if let sampling {
                state.scratch.sampling = sampling
                state.scratch.reseed(sampling.seed &+ UInt64(location.line))
            }
            do {
                if idsOnly {
                    state.ids.removeAll(keepingCapacity: true)
                    _ = try text.withUnsafeBufferPointer {
                        try configured.encodeIds($0, allowsAddedTokens: allowsAdded, specialTokens: policy, into: &state.ids, scratch: &state.scratch)
                    }
                    if let separator { state.ids.append(separator) }
                    try state.write(ids: state.ids, format: format, wide: wide, location: location, to: &out)
                    return
                }
                encoding = try text.withUnsafeBufferPointer {
                    try configured.encode($0, allowsAddedTokens: allowsAdded, specialTokens: policy, scratch: &state.scratch)
                }
                second = try pair?.withUnsafeBufferPointer {
                    try configured.encode($0, allowsAddedTokens: allowsAdded, specialTokens: policy, scratch: &state.scratch)
                }
            } catch let error as TextError {
                throw CLIError.invalidInput(path: location.path, line: location.line, reason: error.description)
            }
            var encoding2 = addsSpecial ? configured.postProcess(encoding, second) : configured.joined(encoding, second)
            if addsSpecial, let padding = configured.padding {
                padding.apply(&encoding2, to: padding.target(longest: encoding2.count))
            }
            if let separator {   // a special token after the text, with every annotation (--format encoding writes them)
                encoding2.append(separator, offset: text.count..<text.count, special: true)
            }
            if format.writesOnlyIds {
                try state.write(ids: encoding2.ids, format: format, wide: wide, location: location, to: &out)
            } else {
                state.tokens += encoding2.ids.count
                format.write(encoding2, tokenizer: configured, to: &out)
            }
        }, merge: { $0.merge($1) }, output: &sink.writer)
        if total.skipped > 0, let first = total.firstSkip {
            FileHandle.standardError.write(Data("skipped \(total.skipped) bad line\(total.skipped == 1 ? "" : "s") (first: \(first))\n".utf8))
        }
        if let megatronPrefix {
            // The data on disk (still under its temporary name), then the index renamed into
            // place, then the data: a failure before the index leaves the old pair untouched;
            // only a failed rename of the data, after the index, would leave a new index beside
            // old data, and that error is reported.
            try sink.sync()
            try MegatronDataset.writeIndex(sizes: total.sizes, wide: wide, to: megatronPrefix + ".idx")
        }
        try sink.finish(tokenCount: total.tokens, format: format)
    }
}

/// What one block of lines carries while it is encoded: the token count, and the encoder's
/// scratch buffers and piece cache, made once per block (a cache per line cost 80x in throughput).
struct EncodeBlockState {
    var tokens = 0
    var scratch = EncoderScratch()
    /// JSON lines skipped with --skip-bad-lines, and the first one's place and reason.
    var skipped = 0
    var firstSkip: String?
    /// Tokens per text, for Megatron's index (4 bytes per text).
    var sizes: [Int32] = []
    /// The current text's ids, on the ids-only path (reused across the block's texts).
    var ids: [UInt32] = []

    /// Counts one text's ids and writes them in `format`, one of ids alone; for Megatron, also
    /// records the text's size, the ids as u16 or u32 (`wide`).
    mutating func write(ids: [UInt32], format: EncodeFormat, wide: Bool, location: ParallelLines<EncodeBlockState>.Location,
                        to out: inout [UInt8]) throws {
        tokens += ids.count
        guard format == .megatron else { return format.write(ids: ids, to: &out) }
        guard ids.count <= Int(Int32.max) else {
            throw CLIError.invalidInput(path: location.path, line: location.line, reason: "a text of more than 2^31 tokens does not fit Megatron's index")
        }
        sizes.append(Int32(ids.count))
        (wide ? EncodeFormat.u32 : .u16).write(ids: ids, to: &out)
    }

    mutating func merge(_ other: EncodeBlockState) {
        tokens += other.tokens
        skipped += other.skipped
        if firstSkip == nil { firstSkip = other.firstSkip }
        sizes += other.sizes
    }
}

/// `--special-tokens`: what special tokens' text in the input becomes.
enum SpecialTokenText: String, ExpressibleByArgument, CaseIterable {
    case recognize, text, refuse

    var policy: SpecialTokenPolicy {
        switch self {
        case .recognize: return .recognized
        case .text: return .asText
        case .refuse: return .refused(except: [])
        }
    }
}

enum EncodeFormat: String, ExpressibleByArgument, CaseIterable {
    case ids, jsonl, tokens, offsets, encoding, u16, u32, npy, megatron

    var isBinary: Bool { self == .u16 || self == .u32 || self == .npy || self == .megatron }

    /// An encoding as one JSON object, its truncated windows nested under "overflowing".
    static func json(_ encoding: Encoding) -> String {
        func list<T>(_ values: [T], _ item: (T) -> String) -> String { "[" + values.map(item).joined(separator: ",") + "]" }
        var line = "{\"ids\":" + list(encoding.ids) { String($0) }
        line += ",\"type_ids\":" + list(encoding.typeIds) { String($0) }
        line += ",\"offsets\":" + list(encoding.offsets) { "[\($0.lowerBound),\($0.upperBound)]" }
        line += ",\"special_tokens_mask\":" + list(encoding.specialTokensMask) { String($0) }
        line += ",\"attention_mask\":" + list(encoding.attentionMask) { String($0) }
        line += ",\"overflowing\":" + list(encoding.overflowing) { json($0) }
        return line + "}"
    }

    /// Whether the format writes the ids alone (`write(ids:to:)`).
    var writesOnlyIds: Bool {
        switch self {
        case .ids, .jsonl, .u16, .u32, .npy, .megatron: return true
        case .tokens, .offsets, .encoding: return false
        }
    }

    /// Writes the ids of one text in a format that `writesOnlyIds`.
    func write(ids: [UInt32], to out: inout [UInt8]) {
        switch self {
        case .ids:
            Self.appendDecimals(ids, separator: 0x20, to: &out)
            out.append(0x0A)
        case .jsonl:
            out.append(0x5B)
            Self.appendDecimals(ids, separator: 0x2C, to: &out)
            out.append(contentsOf: [0x5D, 0x0A])
        case .u16:
            for id in ids { out.append(UInt8(id & 0xFF)); out.append(UInt8(id >> 8 & 0xFF)) }
        case .u32, .npy, .megatron:   // megatron: EncodeCommand picks u16 or u32 by vocabulary size
            for id in ids {
                out.append(UInt8(id & 0xFF)); out.append(UInt8(id >> 8 & 0xFF))
                out.append(UInt8(id >> 16 & 0xFF)); out.append(UInt8(id >> 24))
            }
        case .tokens, .offsets, .encoding:
            preconditionFailure("\(self) writes more than ids")
        }
    }

    /// Appends `ids` in decimal with `separator` between them, digit by digit (a `String` per id
    /// and a join took 40% of `vocab encode --format ids`). O(digits).
    static func appendDecimals(_ ids: [UInt32], separator: UInt8, to out: inout [UInt8]) {
        for (index, id) in ids.enumerated() {
            if index > 0 { out.append(separator) }
            // Room for the digits, then filled from the last.
            var digits = 1, rest = id / 10
            while rest > 0 { digits += 1; rest /= 10 }
            out.append(contentsOf: repeatElement(0x30, count: digits))
            var value = id, position = out.count
            repeat {
                position -= 1
                out[position] = 0x30 + UInt8(value % 10)
                value /= 10
            } while value > 0
        }
    }

    func write(_ encoding: Encoding, tokenizer: Tokenizer, to out: inout [UInt8]) {
        switch self {
        case .ids, .jsonl, .u16, .u32, .npy, .megatron:
            write(ids: encoding.ids, to: &out)
        case .tokens:
            out.append(contentsOf: Array(encoding.ids.map { tokenizer.model.tokenString($0) }.joined(separator: " ").utf8))
            out.append(0x0A)
        case .offsets:
            let fields = zip(encoding.ids, encoding.offsets).map { "\($0):\($1.lowerBound)-\($1.upperBound)" }
            out.append(contentsOf: Array(fields.joined(separator: " ").utf8))
            out.append(0x0A)
        case .encoding:
            out.append(contentsOf: Array(Self.json(encoding).utf8))
            out.append(0x0A)
        }
    }
}

