/// The fourth stage of the pipeline: special tokens around the sequences (HuggingFace's
/// `TemplateProcessing`), e.g. BERT's `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`.
public struct TemplatePostProcessor: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        /// A special token with its id and type id.
        case special(String, id: UInt32, typeId: UInt32)
        /// The first (A) or second (B) sequence, with the type id its tokens get.
        case sequence(second: Bool, typeId: UInt32)
    }

    public var single: [Piece]
    public var pair: [Piece]
    /// The type id of the second text's tokens when a pair is encoded without special tokens:
    /// 1, except for RoBERTa's post-processor, which gives every token type id 0.
    public var plainSecondTypeId: UInt32 = 1

    public init(single: [Piece], pair: [Piece], plainSecondTypeId: UInt32 = 1) {
        self.single = single
        self.pair = pair
        self.plainSecondTypeId = plainSecondTypeId
    }

    /// RoBERTa's template: `<s> $A </s>` and `<s> $A </s> </s> $B </s>`, every type id 0, with
    /// or without special tokens (HuggingFace's `RobertaProcessing`).
    public static func roberta(cls: (token: String, id: UInt32), sep: (token: String, id: UInt32)) -> TemplatePostProcessor {
        let first: [Piece] = [.special(cls.token, id: cls.id, typeId: 0), .sequence(second: false, typeId: 0), .special(sep.token, id: sep.id, typeId: 0)]
        let second: [Piece] = [.special(sep.token, id: sep.id, typeId: 0), .sequence(second: true, typeId: 0), .special(sep.token, id: sep.id, typeId: 0)]
        return TemplatePostProcessor(single: first, pair: first + second, plainSecondTypeId: 0)
    }

    /// The classifier and separator tokens when this is exactly RoBERTa's template.
    var robertaTokens: (cls: (token: String, id: UInt32), sep: (token: String, id: UInt32))? {
        guard plainSecondTypeId == 0, single.count == 3 else { return nil }
        guard case .special(let clsToken, let clsId, _) = single[0] else { return nil }
        guard case .special(let sepToken, let sepId, _) = single[2] else { return nil }
        let cls = (token: clsToken, id: clsId), sep = (token: sepToken, id: sepId)
        return TemplatePostProcessor.roberta(cls: cls, sep: sep) == self ? (cls, sep) : nil
    }

    /// BERT's template: `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`.
    public static func bert(cls: UInt32, sep: UInt32, clsToken: String = "[CLS]", sepToken: String = "[SEP]") -> TemplatePostProcessor {
        TemplatePostProcessor(
            single: [.special(clsToken, id: cls, typeId: 0), .sequence(second: false, typeId: 0), .special(sepToken, id: sep, typeId: 0)],
            pair: [.special(clsToken, id: cls, typeId: 0), .sequence(second: false, typeId: 0), .special(sepToken, id: sep, typeId: 0),
                   .sequence(second: true, typeId: 1), .special(sepToken, id: sep, typeId: 1)])
    }

    /// A special token before and after each text, either optional: `begin A end` and, for pairs,
    /// `begin A end begin B end` (Llama: `<s> $A </s> <s> $B:1 </s>:1`) or, without
    /// `beginsSecond`, `begin A end B end` (BERT: `[CLS] $A [SEP] $B:1 [SEP]:1`); the second
    /// text's tokens have type id 1.
    public static func surrounding(begin: (token: String, id: UInt32)?, end: (token: String, id: UInt32)?,
                                   beginsSecond: Bool = true) -> TemplatePostProcessor {
        func pieces(_ special: (token: String, id: UInt32)?, typeId: UInt32) -> [Piece] {
            special.map { [.special($0.token, id: $0.id, typeId: typeId)] } ?? []
        }
        let first = pieces(begin, typeId: 0) + [.sequence(second: false, typeId: 0)] + pieces(end, typeId: 0)
        let second = (beginsSecond ? pieces(begin, typeId: 1) : []) + [.sequence(second: true, typeId: 1)] + pieces(end, typeId: 1)
        return TemplatePostProcessor(single: first, pair: first + second)
    }

    /// The ids of the special tokens the single-text template puts before and after the text;
    /// nil when it has no text.
    public var specialIdsAroundText: (before: [UInt32], after: [UInt32])? {
        guard let text = single.firstIndex(where: { if case .sequence = $0 { return true } else { return false } }) else { return nil }
        func ids(_ pieces: ArraySlice<Piece>) -> [UInt32] {
            pieces.compactMap { if case .special(_, let id, _) = $0 { return id } else { return nil } }
        }
        return (ids(single[..<text]), ids(single[(text + 1)...]))
    }

    /// How many tokens the template adds.
    public func addedCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).filter { if case .special = $0 { return true } else { return false } }.count
    }

    /// The template applied to one or two encodings: the pieces in order, joined with
    /// `Encoding.merged(with:)`, so truncated windows get the template too (and, for a pair,
    /// combine as in `tokenizers`). A sequence piece sets the type id of its tokens (not of its
    /// windows, as in `tokenizers`: those keep the type id of their text, 0 or 1).
    func apply(_ first: Encoding, _ second: Encoding?) -> Encoding {
        var parts: [Encoding] = []
        for piece in second == nil ? single : pair {
            switch piece {
            case .special(_, let id, let typeId):
                var special = Encoding()
                special.append(id, offset: 0..<0, typeId: typeId, special: true)
                parts.append(special)
            case .sequence(let isSecond, let typeId):
                guard var source = isSecond ? second : first else { continue }
                source.typeIds = Array(repeating: typeId, count: source.count)
                parts.append(source)
            }
        }
        guard var result = parts.first else { return Encoding() }
        for part in parts.dropFirst() { result = result.merged(with: part) }
        return result
    }
}

/// Truncation of encodings to a maximum length (HuggingFace's `truncation`).
public struct Truncation: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        /// Remove tokens from the longer sequence, one at a time (HuggingFace's default).
        case longestFirst = "LongestFirst"
        case onlyFirst = "OnlyFirst"
        case onlySecond = "OnlySecond"
    }

    /// The maximum length, special tokens included.
    public var maxLength: Int
    public var strategy: Strategy = .longestFirst
    /// Remove tokens from the left instead of the right.
    public var fromLeft = false
    /// How many tokens each overflowing window repeats from the one before (HuggingFace's
    /// `stride`; question answering over long contexts uses it). The tokens cut off are kept as
    /// `Encoding.overflowing` windows whatever the stride.
    public var stride = 0

    public init(maxLength: Int, strategy: Strategy = .longestFirst, fromLeft: Bool = false, stride: Int = 0) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.fromLeft = fromLeft
        self.stride = stride
    }

    /// Truncates the sequences so that, with `added` special tokens, they fit `maxLength`.
    func apply(_ first: inout Encoding, _ second: inout Encoding?, added: Int) {
        let budget = max(0, maxLength - added)
        guard first.count + (second?.count ?? 0) > budget else { return }
        guard var pair = second else {
            first.truncate(to: budget, stride: stride, fromLeft: fromLeft)
            return
        }
        switch strategy {
        case .onlyFirst: first.truncate(to: max(0, budget - pair.count), stride: stride, fromLeft: fromLeft)
        case .onlySecond: pair.truncate(to: max(0, budget - first.count), stride: stride, fromLeft: fromLeft)
        case .longestFirst:
            // HuggingFace's rule: with n1 the shorter and n2 the longer, n2 keeps max(n1, budget - n1);
            // if that still does not fit, each gets half and the longer the odd token.
            var n1 = first.count, n2 = pair.count
            let swapped = n1 > n2
            if swapped { swap(&n1, &n2) }
            n2 = n1 > budget ? n1 : max(n1, budget - n1)
            if n1 + n2 > budget {
                n1 = budget / 2
                n2 = n1 + budget % 2
            }
            if swapped { swap(&n1, &n2) }
            first.truncate(to: n1, stride: stride, fromLeft: fromLeft)
            pair.truncate(to: n2, stride: stride, fromLeft: fromLeft)
        }
        second = pair
    }
}

/// Padding of encodings (HuggingFace's `padding`).
public struct Padding: Sendable, Equatable {
    public enum Length: Sendable, Equatable {
        /// Pad each batch to its longest encoding.
        case longest
        /// Pad every encoding to this length.
        case fixed(Int)
    }

    public var length: Length = .longest
    /// Pad on the left instead of the right.
    public var onLeft = false
    public var padId: UInt32 = 0
    public var padTypeId: UInt32 = 0
    public var padToken = "[PAD]"
    /// Round the padded length up to a multiple of this.
    public var multipleOf: Int?

    /// The longest fixed length and the largest multiple a file or an option may set: 2^20
    /// tokens, far above any model's context, so that a hostile `{"Fixed": 3e8}` is refused
    /// instead of allocating gigabytes for every text.
    public static let maximumLength = 1 << 20

    /// Padding with `padId`, which has no default: padding with an id the model was not trained
    /// to ignore (0 is "!" in cl100k) changes what it sees. `Tokenizer.paddingId` is the id the
    /// file names, when it names one.
    public init(length: Length = .longest, onLeft: Bool = false, padId: UInt32, padTypeId: UInt32 = 0,
                padToken: String = "[PAD]", multipleOf: Int? = nil) {
        self.length = length
        self.onLeft = onLeft
        self.padId = padId
        self.padTypeId = padTypeId
        self.padToken = padToken
        self.multipleOf = multipleOf
    }

    /// The length to pad to, given the longest encoding of the batch.
    public func target(longest: Int) -> Int {
        var target: Int
        switch length {
        case .longest: target = longest
        case .fixed(let fixed): target = fixed
        }
        if let multipleOf, multipleOf > 0, target % multipleOf != 0 {
            target = target.addingReportingOverflow(multipleOf - target % multipleOf).overflow ? target : target + multipleOf - target % multipleOf
        }
        return target
    }

    /// Pads `encoding` to `length` tokens (longer encodings are left as they are).
    public func apply(_ encoding: inout Encoding, to length: Int) {
        for index in encoding.overflowing.indices { apply(&encoding.overflowing[index], to: length) }
        let missing = length - encoding.count
        guard missing > 0 else { return }
        var pad = Encoding()
        for _ in 0..<missing { pad.append(padId, offset: 0..<0, typeId: padTypeId, special: true, attended: false) }
        if onLeft {
            pad.ids += encoding.ids; pad.offsets += encoding.offsets; pad.typeIds += encoding.typeIds
            pad.specialTokensMask += encoding.specialTokensMask; pad.attentionMask += encoding.attentionMask
            pad.replacedInvalidSequences = encoding.replacedInvalidSequences
            encoding = pad
        } else {
            encoding.ids += pad.ids; encoding.offsets += pad.offsets; encoding.typeIds += pad.typeIds
            encoding.specialTokensMask += pad.specialTokensMask; encoding.attentionMask += pad.attentionMask
        }
    }
}
