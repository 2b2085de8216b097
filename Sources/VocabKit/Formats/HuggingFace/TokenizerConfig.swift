import Foundation

/// HuggingFace's `tokenizer_config.json`: the settings `transformers` keeps beside a tokenizer
/// (special tokens by role, whether BOS/EOS are added, the model's maximum length, casing).
///
/// Applied to a loaded tokenizer (`Tokenizer(contentsOf:)` on a model folder):
/// - `bos_token`, `eos_token`, `unk_token`, `pad_token`, `sep_token`, `cls_token`, `mask_token`
///   (a string or `{"content": ...}`) set `specialTokenIds` when the vocabulary has the token;
/// - `add_bos_token` / `add_eos_token` set the post-processor to BOS + text + EOS as
///   `transformers`' Llama-style tokenizers (`tokenizer_class` Llama, CodeLlama, Gemma) do, and
///   for any tokenizer without a post-processor of its own (a bare `.model`); a key that is
///   absent keeps what the template already does;
/// - `model_max_length` sets `modelMaxLength` (values of 10^18 and more mean "none":
///   `transformers` writes about 10^30 for "no limit");
/// - `do_lower_case` picks BERT's casing for a `vocab.txt`.
/// Chat templates are out of scope. Unknown keys are ignored; a known key of the wrong type is an
/// error naming it.
public struct TokenizerConfig: Sendable, Equatable {
    public var specialTokens: [String: String] = [:]
    public var addsBOS: Bool?
    public var addsEOS: Bool?
    public var modelMaxLength: Int?
    public var lowercase: Bool?
    /// `tokenizer_class` ("LlamaTokenizer", "GPT2Tokenizer", ...).
    public var tokenizerClass: String?

    static let roles = ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"]

    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.invalidFile(path: url.path, reason: "cannot read the file")
        }
        try self.init(data: data, path: url.path)
    }

    public init(data: Data, path: String = "tokenizer_config.json") throws {
        func fail(_ reason: String) -> ModelError { .invalidFile(path: path, reason: reason) }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw fail("not valid JSON (\(error.localizedDescription))")
        }
        guard let object = parsed as? [String: Any] else { throw fail("the top level is not an object") }
        for role in Self.roles {
            switch object[role] {
            case nil, is NSNull: continue
            case let text as String: specialTokens[role] = text
            case let token as [String: Any]:
                guard let content = token["content"] as? String else { throw fail("\(role) has no \"content\" string") }
                specialTokens[role] = content
            default: throw fail("\(role) must be a string or an object with \"content\"")
            }
        }
        func bool(_ key: String) throws -> Bool? {
            guard let value = object[key], !JSONObject.isNull(value) else { return nil }
            guard let flag = value as? Bool else { throw fail("\(key) must be true or false") }
            return flag
        }
        if let value = object["tokenizer_class"], !JSONObject.isNull(value) {
            guard let name = value as? String else { throw fail("tokenizer_class must be a string") }
            tokenizerClass = name
        }
        addsBOS = try bool("add_bos_token")
        addsEOS = try bool("add_eos_token")
        lowercase = try bool("do_lower_case")
        if let value = object["model_max_length"], !JSONObject.isNull(value) {
            guard let number = value as? NSNumber else {
                throw fail("model_max_length must be a number")
            }
            let length = number.doubleValue
            guard length >= 1 else { throw fail("model_max_length is \(number), not a positive length") }
            modelMaxLength = length < 1e18 ? Int(length) : nil
        }
    }

    /// Sets the special-token ids, the BOS/EOS template and the maximum length on `tokenizer`.
    public func apply(to tokenizer: inout Tokenizer) throws {
        func id(_ role: String) -> UInt32? { specialTokens[role].flatMap { tokenizer.tokenId(for: $0) } }
        var ids = tokenizer.specialTokenIds
        ids.beginOfSequence = id("bos_token") ?? ids.beginOfSequence
        ids.endOfSequence = id("eos_token") ?? ids.endOfSequence
        ids.unknown = id("unk_token") ?? ids.unknown
        ids.padding = id("pad_token") ?? ids.padding
        ids.separator = id("sep_token") ?? ids.separator
        ids.classifier = id("cls_token") ?? ids.classifier
        ids.mask = id("mask_token") ?? ids.mask
        tokenizer.specialTokenIds = ids
        let llamaStyle = ["Llama", "CodeLlama", "Gemma"].contains { tokenizerClass?.hasPrefix($0) == true }
        if (addsBOS != nil || addsEOS != nil) && (llamaStyle || tokenizer.postProcessor == nil) {
            // A key that is absent keeps what the template does now.
            let around = tokenizer.postProcessor?.specialIdsAroundText
            let addsBOS = self.addsBOS ?? !(around?.before.isEmpty ?? true), addsEOS = self.addsEOS ?? !(around?.after.isEmpty ?? true)
            func special(_ wanted: Bool, _ id: UInt32?, _ role: String) throws -> (token: String, id: UInt32)? {
                guard wanted else { return nil }
                guard let id else {
                    throw ModelError.invalidModel("tokenizer_config.json sets add_\(role)_token but names no \(role)_token in the vocabulary")
                }
                return (tokenizer.token(for: id) ?? "", id)
            }
            tokenizer.postProcessor = .surrounding(begin: try special(addsBOS, ids.beginOfSequence, "bos"),
                                                   end: try special(addsEOS, ids.endOfSequence, "eos"))
        }
        if let modelMaxLength { tokenizer.modelMaxLength = modelMaxLength }
    }
}
