/// The published split patterns of the major byte-level BPE tokenizers.
public enum SplitPattern: String, Sendable, CaseIterable {
    /// GPT-2, r50k_base, p50k_base.
    case gpt2
    /// cl100k_base (GPT-3.5, GPT-4).
    case cl100k
    /// o200k_base (GPT-4o).
    case o200k
    /// Llama 3.
    case llama3

    /// The regular expression as published (tiktoken's form for the OpenAI encodings).
    public var regex: String {
        switch self {
        case .gpt2:
            return #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"#
        case .cl100k:
            return #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#
        case .o200k:
            return [
                #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
                #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
                #"\p{N}{1,3}"#,
                #" ?[^\s\p{L}\p{N}]+[\r\n/]*"#,
                #"\s*[\r\n]+"#,
                #"\s+(?!\S)"#,
                #"\s+"#,
            ].joined(separator: "|")
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The hand-written splitter that produces exactly this pattern's matches.
    public var splitter: any PieceSplitter {
        switch self {
        case .gpt2: return GPT2Splitter()
        case .cl100k: return CL100kSplitter.cl100k
        case .o200k: return O200kSplitter()
        case .llama3: return CL100kSplitter.llama3
        }
    }

    /// The pattern a regex string denotes, when it is one of the published ones (so a
    /// `tokenizer.json` or tiktoken file with a known pattern gets the fast splitter).
    public init?(regex: String) {
        let known: [String: SplitPattern] = [
            SplitPattern.gpt2.regex: .gpt2,
            #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#: .gpt2,
            SplitPattern.cl100k.regex: .cl100k,
            SplitPattern.o200k.regex: .o200k,
            SplitPattern.llama3.regex: .llama3,
        ]
        guard let pattern = known[regex] else { return nil }
        self = pattern
    }
}
