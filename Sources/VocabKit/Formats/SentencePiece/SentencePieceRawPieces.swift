import Foundation

/// A `.model` file's pieces read straight from the protobuf bytes, and the rest of the file (its
/// other top-level fields) for SwiftProtobuf to decode.
///
/// SwiftProtobuf builds a message, a `String` and an extension set per piece, about a third of
/// loading a 32,000-piece model. This reader walks the wire format once and keeps each piece as
/// bytes. It reads what the schema says (`piece` = 1 string, `score` = 2 float, `type` = 3 enum,
/// the last occurrence winning; an enum value outside the schema leaves the type unchanged, as
/// proto2 does), skips unknown fields and extensions, and gives up (nil) on anything else:
/// groups, a known field with another wire type, invalid UTF-8, truncation. The caller then
/// decodes the whole file with SwiftProtobuf, which reports the problem.
/// - Complexity: O(file size); the pieces in one buffer (`FlatByteStrings`), not an array each.
struct SentencePieceRawPieces {
    var pieces = FlatByteStrings()
    var scores: [Float] = []
    /// The schema's type values (1 normal … 6 byte).
    var types: [Int] = []
    /// The file without its `pieces` fields.
    var rest = Data()

    /// A protobuf wire-format cursor over a byte range (also `looksLikeModel`'s walk).
    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position: Int
        let end: Int

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while position < end && shift < 64 {
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        /// Skips a field's value of `wireType`; false on groups, unknown wire types or truncation.
        mutating func skip(wireType: UInt64) -> Bool {
            switch wireType {
            case 0: return varint() != nil
            case 1: guard end - position >= 8 else { return false }; position += 8; return true
            case 2:
                guard let length = varint(), length <= UInt64(end - position) else { return false }
                position += Int(length)
                return true
            case 5: guard end - position >= 4 else { return false }; position += 4; return true
            default: return false
            }
        }
    }

    /// Reads `data`'s pieces and the rest of the file, or nil if the file is not plain (see the
    /// type's comment).
    ///
    /// 1. Walk the top-level fields; copy every field but `pieces` (1) into `rest`.
    /// 2. For each piece, walk its fields: the string, the score, the type.
    /// 3. Check the UTF-8 of all the pieces at once.
    static func read(_ data: Data) -> SentencePieceRawPieces? {
        data.withUnsafeBytes { raw -> SentencePieceRawPieces? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var result = SentencePieceRawPieces()
            var top = Cursor(bytes: bytes, position: 0, end: bytes.count)
            var restRanges: [Range<Int>] = []
            // Room for the pieces' bytes (fewer than the file's) and for as many pieces as the file
            // holds if each has a string (two tags and two lengths: 4 bytes at least; an empty
            // piece, refused later, may take only 2 and grow the array). Trimmed in phase 3.
            result.pieces.reserveCapacity(strings: bytes.count / 4, bytes: bytes.count)
            // Phase 1: top-level fields.
            while top.position < top.end {
                let fieldStart = top.position
                guard let tag = top.varint(), tag >> 3 != 0 else { return nil }
                if tag >> 3 == 1 {
                    guard tag & 7 == 2, let length = top.varint(), length <= UInt64(top.end - top.position) else { return nil }
                    let end = top.position + Int(length)
                    guard result.readPiece(Cursor(bytes: bytes, position: top.position, end: end)) else { return nil }
                    top.position = end
                } else {
                    guard top.skip(wireType: tag & 7) else { return nil }
                    if let last = restRanges.last, last.upperBound == fieldStart {
                        restRanges[restRanges.count - 1] = last.lowerBound..<top.position
                    } else {
                        restRanges.append(fieldStart..<top.position)
                    }
                }
            }
            for range in restRanges { result.rest.append(UnsafeBufferPointer(rebasing: bytes[range])) }
            // Phase 3: the pieces' UTF-8, in one pass. Each piece starts with a character's
            // first byte, so in valid UTF-8 every piece boundary is a character boundary and each
            // piece is valid by itself.
            let valid = result.pieces.bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) == nil }
            guard valid else { return nil }
            // The model keeps this buffer: not the file-sized room reserved in phase 1.
            result.pieces.shrinkToFit()
            return result
        }
    }

    /// Phase 2: one `SentencePiece` message; false if it is not plain.
    private mutating func readPiece(_ message: Cursor) -> Bool {
        var cursor = message
        var piece: Range<Int>?, score: Float = 0, type = 1
        while cursor.position < cursor.end {
            guard let tag = cursor.varint(), tag >> 3 != 0 else { return false }
            switch (tag >> 3, tag & 7) {
            case (1, 2):
                guard let length = cursor.varint(), length <= UInt64(cursor.end - cursor.position) else { return false }
                piece = cursor.position..<(cursor.position + Int(length))
                cursor.position += Int(length)
            case (2, 5):
                guard cursor.end - cursor.position >= 4 else { return false }
                score = Float(bitPattern: UnsafeRawPointer(cursor.bytes.baseAddress! + cursor.position).loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
                cursor.position += 4
            case (3, 0):
                guard let value = cursor.varint() else { return false }
                let number = Int(Int32(truncatingIfNeeded: value))
                if (1...6).contains(number) { type = number }
            case (1, _), (2, _), (3, _):
                return false
            default:
                guard cursor.skip(wireType: tag & 7) else { return false }
            }
        }
        let text = piece.map { UnsafeBufferPointer(rebasing: cursor.bytes[$0]) } ?? UnsafeBufferPointer(start: nil, count: 0)
        // UTF-8 is checked once over all pieces (phase 3); a piece that starts with a
        // continuation byte is not valid alone even when the whole is.
        if let first = text.first, first & 0xC0 == 0x80 { return false }
        pieces.append(text)
        scores.append(score)
        types.append(type)
        return true
    }
}
