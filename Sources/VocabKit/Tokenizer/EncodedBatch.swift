/// A batch as model code feeds it to a model: row-major `Int32` matrices of one shape.
///
/// `inputIds[r * columns + c]` is the id at row r, column c; `attentionMask` is 1 on tokens and
/// 0 on padding; `tokenTypeIds` the segment of each token (0 for single texts).
public struct EncodedBatch: Sendable, Equatable {
    public var inputIds: [Int32]
    public var attentionMask: [Int32]
    public var tokenTypeIds: [Int32]
    public var rows: Int
    public var columns: Int

    /// [rows, columns], as tensor libraries take shapes.
    public var shape: [Int] { [rows, columns] }

    /// Row `r` of the ids.
    public func ids(row: Int) -> ArraySlice<Int32> { inputIds[(row * columns)..<((row + 1) * columns)] }
}

extension Tokenizer {
    /// Encodes `texts` into one padded matrix, on `threads` threads (0: all cores).
    ///
    /// 1. `encodeBatch` with special tokens, truncation and the tokenizer's padding if set; with
    ///    `maxLength`, truncation to it (the text is cut, the special tokens kept, as
    ///    HuggingFace's `max_length` does) and any fixed padding length capped at it.
    /// 2. The width is the longest row; shorter rows are padded with the padding id
    ///    (`paddingId`), on the left when the tokenizer's padding says so. A batch that needs
    ///    padding while the tokenizer names no padding token is an error: padding with an
    ///    invented 0 would feed the model a real token.
    /// - Complexity: the encoding, plus O(rows × columns).
    /// Special tokens' text in `texts` is refused unless `specialTokens` says otherwise.
    public func encodeBatchMatrix(_ texts: [String], maxLength: Int? = nil, specialTokens: SpecialTokenPolicy = .refused(except: []),
                                  threads: Int = 0, samplingSeed: UInt64? = nil) throws -> EncodedBatch {
        var configured = self
        if let maxLength {
            guard maxLength >= 1 else { throw ModelError.invalidModel("maxLength is \(maxLength); it must be at least 1") }
            var limit = truncation ?? Truncation(maxLength: maxLength)
            limit.maxLength = min(limit.maxLength, maxLength)
            configured.truncation = limit
            if var padding = configured.padding, case .fixed(let length) = padding.length, length > maxLength {
                padding.length = .fixed(maxLength)
                configured.padding = padding
            }
        }
        let encodings = try configured.encodeBatch(texts, specialTokens: specialTokens, threads: threads, samplingSeed: samplingSeed)
        let columns = encodings.map(\.count).max() ?? 0
        let padId = padding?.padId ?? paddingId
        if padId == nil, encodings.contains(where: { $0.count != columns }) {
            throw ModelError.noPaddingToken
        }
        let onLeft = padding?.onLeft ?? false
        var batch = EncodedBatch(inputIds: [], attentionMask: [], tokenTypeIds: [], rows: encodings.count, columns: columns)
        batch.inputIds.reserveCapacity(encodings.count * columns)
        batch.attentionMask.reserveCapacity(encodings.count * columns)
        batch.tokenTypeIds.reserveCapacity(encodings.count * columns)
        for encoding in encodings {
            let fill = columns - encoding.count
            func pad() {
                batch.inputIds += repeatElement(Int32(bitPattern: padId ?? 0), count: fill)
                batch.attentionMask += repeatElement(0, count: fill)
                batch.tokenTypeIds += repeatElement(0, count: fill)
            }
            if onLeft { pad() }
            batch.inputIds += encoding.ids.map { Int32(bitPattern: $0) }
            batch.attentionMask += encoding.attentionMask.map { Int32($0) }
            batch.tokenTypeIds += encoding.typeIds.map { Int32(bitPattern: $0) }
            if !onLeft { pad() }
        }
        return batch
    }
}
