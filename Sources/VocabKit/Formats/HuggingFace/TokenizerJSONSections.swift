import Foundation

/// The large sections of a `tokenizer.json` (`model.vocab`, `model.merges`) read straight from
/// its bytes, and the document without them for `JSONSerialization`.
///
/// `JSONSerialization` builds a boxed object per vocabulary entry and per merge, then bridges
/// them on every cast: for a 30k-token BERT file that was most of the load time. Here the two
/// sections are read by `RawJSONScanner` into bytes and integers, and replaced in the document
/// by `{}` and `[]`, so the parser sees a few hundred bytes of configuration.
///
/// The fast path is taken only when it cannot change what a file means: the document is UTF-8,
/// the model is BPE, WordPiece or WordLevel, and every entry has the plain shape (a whole-number
/// id; a merge as a pair of strings or a "left right" string). Otherwise a section is left in
/// the document and the general path reads it, with its checks and error messages.
/// - Complexity: O(document bytes).
struct TokenizerJSONSections {
    /// `model.vocab` as (token bytes, id) pairs in file order, when read here.
    private(set) var vocab: RawJSONScanner.IntegerPairs?
    /// `model.merges` in file order, when read here.
    private(set) var merges: MergeList?
    /// The document for `JSONSerialization`: the bytes given, without the sections read here.
    private(set) var skeleton: Data

    /// No section read here: the whole document for `JSONSerialization`.
    init(unread data: Data) { skeleton = data }

    init(_ bytes: [UInt8], data: Data) {
        skeleton = data
        // 1. Only a UTF-8 document whose model type is known to keep these sections plain.
        guard bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset($0) }) == nil,
              let found = try? RawJSONScanner.valueRanges(in: bytes, object: ["model"], keys: ["type", "vocab", "merges"], readingPairsOf: "vocab"),
              case let ranges = found.ranges, let typeRange = ranges["type"], let typeBytes = try? RawJSONScanner.string(in: bytes, range: typeRange)
        else { return }
        let type = String(decoding: typeBytes, as: UTF8.self)
        guard ["BPE", "WordPiece", "WordLevel"].contains(type) else { return }
        // 2. Each section that reads cleanly is taken out.
        var elided: [(range: Range<Int>, replacement: [UInt8])] = []
        // The vocabulary was read in the same pass when it is an object of whole numbers.
        if let range = ranges["vocab"], let pairs = found.pairs {
            vocab = pairs
            elided.append((range, Array("{}".utf8)))
        }
        if type == "BPE", let range = ranges["merges"], let pairs = try? RawJSONScanner.mergePairs(in: bytes, range: range) {
            merges = pairs
            elided.append((range, Array("[]".utf8)))
        }
        guard !elided.isEmpty else { return }
        // 3. The skeleton: the bytes around the sections, in order.
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - elided.reduce(0) { $0 + $1.range.count } + 4)
        var position = 0
        for section in elided.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            out += bytes[position..<section.range.lowerBound]
            out += section.replacement
            position = section.range.upperBound
        }
        out += bytes[position...]
        skeleton = Data(out)
    }
}

/// BPE merges as read from a file: each merge's left and right token bytes back to back in one
/// buffer, so a 100k-merge file costs two arrays rather than 200k, and the joined token of a
/// merge is the slice from its left's start to its right's end.
struct MergeList {
    /// Every merge's left bytes then right bytes.
    private(set) var bytes: [UInt8] = []
    /// Each merge's start, the start of its right token, and its end, in `bytes`.
    private(set) var bounds: [(start: Int, split: Int, end: Int)] = []

    var count: Int { bounds.count }

    /// Adds a merge of two tokens given as bytes.
    mutating func append<L: Collection, R: Collection>(left: L, right: R) where L.Element == UInt8, R.Element == UInt8 {
        let start = bytes.count
        bytes += left
        let split = bytes.count
        bytes += right
        bounds.append((start, split, bytes.count))
    }
}
