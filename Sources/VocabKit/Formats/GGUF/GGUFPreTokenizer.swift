/// The split rules a GGUF byte-level BPE vocabulary names in `tokenizer.ggml.pre`.
///
/// GGUF files do not store the split regex; llama.cpp selects it by this name. Each entry here
/// is the model's own pre-tokenizer as its `tokenizer.json` states it: a sequence of regular
/// expressions, each splitting every piece with matches kept as pieces (HuggingFace's `Split`
/// with `Isolated`), then GPT-2's byte mapping. So a GGUF file and the `tokenizer.json` it was
/// converted from give the same pieces. Names llama.cpp defines with rules that are not regular
/// expressions (custom code in llama.cpp) are listed in `unsupportedNames` and refused by name.
struct GGUFPreTokenizer: Sendable {
    /// The names that select this entry; the first is written to files.
    let names: [String]
    /// The split regexes in order; nil means GPT-2's own byte-level split.
    let splits: [String]?
    /// Whether a whole piece found in the vocabulary is one token before any merge
    /// (`ignore_merges`, Llama 3's rule).
    let ignoresMerges: Bool
    /// Whether the model adds its BOS token when the file does not say (`add_bos_token`).
    let addsBOS: Bool

    init(_ names: [String], _ splits: [String]?, ignoresMerges: Bool = false, addsBOS: Bool = false) {
        self.names = names
        self.splits = splits
        self.ignoresMerges = ignoresMerges
        self.addsBOS = addsBOS
    }

    /// The pre-tokenizer component these rules denote (known patterns get their fast splitters).
    var component: PreTokenizerComponent {
        guard let splits else { return .byteLevel(addsPrefixSpace: false, usesRegex: true) }
        let steps: [PreTokenizerComponent] = splits.map { regex in
            if let known = PreTokenizerJSON.knownPattern(regex) { return .pattern(known) }
            return .regex(regex, behavior: .isolated, invert: false)
        }
        return .sequence(steps + [.byteLevel(addsPrefixSpace: false, usesRegex: false)])
    }

    // Regexes shared by several entries.
    private static let gpt2Words = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"#
    private static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    private static let finnish = #" ?[^(\s|.,!?…。，、।۔،)]+"#
    private static let cjk = "[一-龥ࠀ-一가-\u{D7FF}]+"

    /// Every supported name, in llama.cpp's groups. Characters that Unicode normalization would
    /// change (compatibility singletons such as U+1FBE or U+212A) are written as escapes, so
    /// the ranges stay as the models define them whatever an editor does to the source.
    static let all: [GGUFPreTokenizer] = [
        GGUFPreTokenizer(["default"], [#"[\p{P}\$\+<=>\^~\|]+"#, gpt2Words, #"\p{N}+"#, "[0-9][0-9][0-9]"]),
        GGUFPreTokenizer(["llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"],
                         [SplitPattern.llama3.regex], ignoresMerges: true, addsBOS: true),
        GGUFPreTokenizer(["dbrx", "smaug-bpe", "glm4", "chatglm-bpe"], [SplitPattern.llama3.regex]),
        GGUFPreTokenizer(["deepseek-llm"], [
            "[\r\n]",
            "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u{1F7D}ᾀ-ᾴᾶ-ᾼ\u{1FBE}ῂ-ῄῆ-ῌῐ-\u{1FD3}ῖ-\u{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u{2126}ℨ\u{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
            "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
            "\\s+$",
            cjk,
            #"\p{N}+"#,
        ]),
        GGUFPreTokenizer(["deepseek-coder"], ["[\r\n]", #"\s?\p{L}+"#, #"\s?\p{P}+"#, cjk, #"\p{N}"#]),
        GGUFPreTokenizer(["deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4"], [
            #"\p{N}{1,3}"#,
            "[一-龥぀-ゟ゠-ヿ]+",
            ##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##,
        ]),
        GGUFPreTokenizer(["falcon"], [#"[\p{P}\$\+<=>\^~\|`]+"#, gpt2Words, "[0-9][0-9][0-9]"]),
        GGUFPreTokenizer(["starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2"],
                         [#"\p{N}"#, gpt2Words]),
        GGUFPreTokenizer(["gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
                          "modern-bert", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4",
                          "jina-v1-en", "jina-v2-code", "roberta-bpe"], nil),
        GGUFPreTokenizer(["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open", "grok-2"],
                         [qwen2]),
        GGUFPreTokenizer(["qwen35"], [
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        ]),
        GGUFPreTokenizer(["poro-chat", "bloom", "gpt3-finnish"], [finnish]),
        GGUFPreTokenizer(["viking"], [finnish, #"\p{N}"#]),
        GGUFPreTokenizer(["tekken"], [
            #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        ], ignoresMerges: true, addsBOS: true),
        GGUFPreTokenizer(["gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"], [SplitPattern.o200k.regex]),
        GGUFPreTokenizer(["seed-coder"], [
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        ]),
        GGUFPreTokenizer(["bailingmoe", "bailingmoe2", "llada-moe"], [
            #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"#,
        ]),
        GGUFPreTokenizer(["exaone-moe"], [
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?|\s*[\r\n]|\s+(?!\S)|\s+"#,
        ]),
        GGUFPreTokenizer(["ufakzeka"], [#"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#]),
        GGUFPreTokenizer(["jais-2"], [
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s{512}(?!\S)|\s{256}(?!\S)|\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S)|\s{8}(?!\S)|\s{4}(?!\S)|\s{1,2}(?!\S)|\s{1}"#,
        ]),
        GGUFPreTokenizer(["minicpm5"], [
            #"\p{N}{1,3}"#,
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        ], ignoresMerges: true),
    ]

    /// Names llama.cpp defines whose rules are custom code rather than regular expressions
    /// (or not byte-level BPE): refused with a clear error.
    static let unsupportedNames: Set<String> = [
        "chameleon", "superbpe", "kimi-k2", "afmoe", "laguna", "gemma4", "granite-embed-multi-311m", "sarvam-moe",
        "whitespace", "spark2_5", "youtu", "tiny_aya", "cohere2moe", "granite-embed-multi-97m",
    ]

    /// The entry for a name, or nil.
    static func named(_ name: String) -> GGUFPreTokenizer? {
        all.first(where: { $0.names.contains(name) })
    }

    /// The first entry whose rules are `component` with the same merge rule, for writing.
    /// The pre-tokenizer is compared in a canonical form: GPT-2's split is the same whether it
    /// is written as its pattern or as HuggingFace's `ByteLevel` with `use_regex`, and the byte
    /// mapping step (`ByteLevel` without regex) splits nothing.
    static func matching(_ component: PreTokenizerComponent, ignoresMerges: Bool) -> GGUFPreTokenizer? {
        func canonical(_ component: PreTokenizerComponent) -> [PreTokenizerComponent] {
            component.flattened.compactMap { step in
                switch step {
                case .byteLevel(false, false): return nil
                case .byteLevel(false, true): return .pattern(.gpt2)
                default: return step
                }
            }
        }
        let wanted = canonical(component)
        return all.first(where: { canonical($0.component) == wanted && $0.ignoresMerges == ignoresMerges })
    }
}
