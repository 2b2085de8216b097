import Dispatch

/// A complete tokenizer: added tokens, the text front end, a model, and a decoder.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: url)      // tokenizer.json, .tiktoken, GPT-2 folder
/// let encoding = try tokenizer.encode("Hello world")
/// encoding.ids                                         // [9906, 1917] with cl100k_base
/// try tokenizer.decode(encoding.ids)                   // "Hello world"
/// ```
///
/// Encoding a text: 1. added tokens are found in the raw input (unless disabled); 2. each stretch
/// between them goes through the front end (validation, normalization, pre-tokenization);
/// 3. the model encodes every piece; 4. token offsets map back to the original bytes.
public struct Tokenizer: Sendable {
    public var frontEnd: TextFrontEnd
    public var model: BPEModel
    public var addedTokens: [AddedToken] {
        didSet { matcher = AddedTokenMatcher(addedTokens) }
    }
    public var decoder: TokenDecoder
    private var matcher: AddedTokenMatcher

    public init(frontEnd: TextFrontEnd, model: BPEModel, addedTokens: [AddedToken] = [], decoder: TokenDecoder = .concatenate) {
        self.frontEnd = frontEnd
        self.model = model
        self.addedTokens = addedTokens
        self.decoder = decoder
        self.matcher = AddedTokenMatcher(addedTokens)
    }

    /// The number of ids the tokenizer can produce (model tokens and added tokens).
    public var vocabularySize: Int {
        max(model.vocabularySize, (addedTokens.map { Int($0.id) }.max() ?? -1) + 1)
    }

    /// Encodes UTF-8 bytes. With `allowsAddedTokens: false`, added-token text is encoded as
    /// ordinary text (tiktoken's `encode_ordinary`).
    public func encode(_ bytes: UnsafeBufferPointer<UInt8>, allowsAddedTokens: Bool = true,
                       scratch: inout BPEScratch) throws -> Encoding {
        var encoding = Encoding()
        encoding.ids.reserveCapacity(bytes.count / 3 + 1)
        encoding.offsets.reserveCapacity(bytes.count / 3 + 1)
        var pieceTokens: [PieceToken] = []
        var position = 0
        if allowsAddedTokens && !matcher.isEmpty {
            for stretch in matcher.matches(in: bytes) {
                if stretch.range.lowerBound > position {
                    try encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[position..<stretch.range.lowerBound]), offset: position,
                                       into: &encoding, pieceTokens: &pieceTokens, scratch: &scratch)
                }
                encoding.ids.append(stretch.id)
                encoding.offsets.append(stretch.range)
                position = stretch.range.upperBound
            }
        }
        if bytes.count > position {
            try encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[position...]), offset: position,
                               into: &encoding, pieceTokens: &pieceTokens, scratch: &scratch)
        }
        return encoding
    }

    private func encodeOrdinary(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int, into encoding: inout Encoding,
                                pieceTokens: inout [PieceToken], scratch: inout BPEScratch) throws {
        let text = try frontEnd.process(bytes)
        encoding.replacedInvalidSequences += text.text.replacedInvalidSequences
        // Unchanged text (no normalizer, valid UTF-8) maps offsets one to one: skip the look-ups.
        let identity = text.text.changedRegionCount == 0
        text.text.bytes.withUnsafeBufferPointer { normalized in
            for piece in text.pieces {
                pieceTokens.removeAll(keepingCapacity: true)
                model.encode(piece: UnsafeBufferPointer(rebasing: normalized[piece]), into: &pieceTokens, scratch: &scratch)
                for token in pieceTokens {
                    let start = piece.lowerBound + Int(token.start), end = piece.lowerBound + Int(token.end)
                    let range = identity ? start..<end : text.text.originalRange(of: start..<end)
                    encoding.ids.append(token.id)
                    encoding.offsets.append((range.lowerBound + offset)..<(range.upperBound + offset))
                }
            }
        }
    }

    /// Encodes a string.
    public func encode(_ text: String, allowsAddedTokens: Bool = true) throws -> Encoding {
        var scratch = BPEScratch()
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { try encode($0, allowsAddedTokens: allowsAddedTokens, scratch: &scratch) }
    }

    /// Encodes many texts on `threads` threads; the result is in input order.
    public func encodeBatch(_ texts: [String], allowsAddedTokens: Bool = true, threads: Int = 0) throws -> [Encoding] {
        let workers = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        var results = [Encoding](repeating: Encoding(), count: texts.count)
        var failure: Error?
        let lock = Lock()
        let chunk = max(1, (texts.count + workers * 4 - 1) / (workers * 4))
        let chunks = (texts.count + chunk - 1) / chunk
        results.withUnsafeMutableBufferPointer { slots in
            let output = slots
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var scratch = BPEScratch()
                for index in (c * chunk)..<min(texts.count, (c + 1) * chunk) {
                    do {
                        let bytes = Array(texts[index].utf8)
                        output[index] = try bytes.withUnsafeBufferPointer { try encode($0, allowsAddedTokens: allowsAddedTokens, scratch: &scratch) }
                    } catch {
                        lock.withLock { if failure == nil { failure = error } }
                    }
                }
            }
        }
        if let failure { throw failure }
        return results
    }

    /// The bytes that `ids` decode to (may be invalid UTF-8 when a sequence is cut mid-character).
    /// Throws for an id outside the vocabulary.
    public func decodeBytes(_ ids: [UInt32], skipsSpecialTokens: Bool = false) throws -> [UInt8] {
        var added: [UInt32: AddedToken] = [:]
        for token in addedTokens { added[token.id] = token }
        var pieces: [[UInt8]] = []
        pieces.reserveCapacity(ids.count)
        for id in ids {
            if let token = added[id] {
                if !(skipsSpecialTokens && token.isSpecial) { pieces.append(Array(token.content.utf8)) }
            } else if Int(id) < model.tokens.count {
                pieces.append(model.tokens[Int(id)])
            } else {
                throw ModelError.invalidModel("id \(id) is outside the vocabulary of \(vocabularySize)")
            }
        }
        return decoder.join(pieces)
    }

    /// Decodes ids to text. Invalid UTF-8 in the decoded bytes becomes U+FFFD; use `decodeBytes`
    /// to see the bytes themselves.
    public func decode(_ ids: [UInt32], skipsSpecialTokens: Bool = false) throws -> String {
        String(decoding: try decodeBytes(ids, skipsSpecialTokens: skipsSpecialTokens), as: UTF8.self)
    }
}

import Foundation
