import Foundation
import Testing
@testable import VocabKit

/// The `.model` reader that takes pieces straight from the protobuf bytes, against SwiftProtobuf
/// decoding the whole file (`readsPiecesDirectly: false`).
@Suite("SentencePiece .model pieces read from the bytes")
struct SentencePieceRawPiecesTests {
    static let files = ["botchan_en_unigram_1000.model", "botchan_en_bpe_1000.model", "mistral-tokenizer.model.v1"]
        .map { TestCorpora.fixture("sentencepiece/\($0)") }

    /// Both readers' outcome: the tokenizer written back as a `.model` and some encodings, or the
    /// error's text.
    static func outcome(_ data: Data, direct: Bool) -> String {
        do {
            let tokenizer = try SentencePieceModelFile.read(data, path: "t.model", readsPiecesDirectly: direct)
            let written = try SentencePieceModelFile.write(tokenizer)
            let ids = try ["Hello world, ça va? 日本語 zz yy", "  two  spaces\tand tab"].map { try tokenizer.encode($0).ids }
            return "ok \(written.base64EncodedString()) \(ids)"
        } catch {
            return "error \(error)"
        }
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        while value >= 0x80 { out.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
        out.append(UInt8(value))
        return out
    }
    static func field(_ number: UInt64, _ wire: UInt64, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | wire) + (wire == 2 ? varint(UInt64(payload.count)) : []) + payload
    }
    static func float(_ value: Float) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }

    @Test("Real .model files read the same both ways")
    func realFiles() throws {
        for url in Self.files {
            let data = try Data(contentsOf: url)
            #expect(SentencePieceRawPieces.read(data) != nil, "\(url.lastPathComponent) should take the direct path")
            let direct = Self.outcome(data, direct: true)
            #expect(direct.hasPrefix("ok"), "\(url.lastPathComponent): \(direct.prefix(200))")
            #expect(direct == Self.outcome(data, direct: false), "\(url.lastPathComponent)")
        }
    }

    @Test("Unknown fields, repeated fields, out-of-schema types, fields before the pieces: the same tokenizer as SwiftProtobuf's")
    func shapes() throws {
        let base = [UInt8](try Data(contentsOf: Self.files[0]))
        let plain = Self.field(1, 2, Self.field(1, 2, Array("zz".utf8)) + Self.field(2, 5, Self.float(-3.5)))
        let shapes: [(String, [UInt8], Bool)] = [
            ("unknown varint, fixed64, fixed32 and bytes fields in a piece",
             base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8)) + Self.field(9, 0, [0x96, 0x01]) + Self.field(10, 1, [UInt8](repeating: 7, count: 8))
                                + Self.field(2, 5, Self.float(-2)) + Self.field(11, 5, [1, 2, 3, 4]) + Self.field(200, 2, [1, 2, 3])), true),
            ("the last piece string, score and type win",
             base + Self.field(1, 2, Self.field(1, 2, Array("q".utf8)) + Self.field(1, 2, Array("yy".utf8)) + Self.field(2, 5, Self.float(-1))
                                + Self.field(2, 5, Self.float(-9)) + Self.field(3, 0, [4]) + Self.field(3, 0, [1])), true),
            ("a type outside the schema leaves the type unchanged",
             base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8)) + Self.field(3, 0, [4]) + Self.field(3, 0, [9])), true),
            ("a negative type value", base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8)) + Self.field(3, 0, Self.varint(UInt64(bitPattern: -2)))), true),
            ("a piece without a score", base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8))), true),
            ("an unknown top-level field and a second trainer spec first",
             Self.field(300, 0, [5]) + Self.field(2, 2, Self.field(35, 0, [1])) + base + plain, true),
            ("a piece without a string", base + Self.field(1, 2, Self.field(2, 5, Self.float(-1))), true),
            ("a duplicate piece", base + Self.field(1, 2, Self.field(1, 2, Array("the".utf8))), true),
            // Not plain: the direct reader gives up and SwiftProtobuf decides.
            ("invalid UTF-8 in a piece", base + Self.field(1, 2, Self.field(1, 2, [0x61, 0xFF])), false),
            // The pieces' UTF-8 is checked in one pass over all of them: a character split
            // across two pieces is valid only together.
            ("a character split across two pieces",
             base + Self.field(1, 2, Self.field(1, 2, [0x61, 0xE2, 0x96])) + Self.field(1, 2, Self.field(1, 2, [0x81, 0x62])), false),
            ("a piece that is a character's last byte alone",
             base + Self.field(1, 2, Self.field(1, 2, [0xE2, 0x96])) + Self.field(1, 2, Self.field(1, 2, [0x81])), false),
            ("a piece that ends inside a character, then an ASCII piece",
             base + Self.field(1, 2, Self.field(1, 2, [0x61, 0xE2])) + Self.field(1, 2, Self.field(1, 2, [0x62])), false),
            ("a last piece that ends inside a character", base + Self.field(1, 2, Self.field(1, 2, [0x61, 0xE2])), false),
            ("a character split across two pieces with a piece without a string between",
             base + Self.field(1, 2, Self.field(1, 2, [0xE2, 0x96])) + Self.field(1, 2, Self.field(2, 5, Self.float(-1)))
                + Self.field(1, 2, Self.field(1, 2, [0x81])), false),
            ("a score with the wrong wire type", base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8)) + Self.field(2, 0, [1])), false),
            ("a group inside a piece", base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8)) + Self.varint(12 << 3 | 3) + Self.varint(12 << 3 | 4)), false),
            ("a truncated piece", base + Self.field(1, 2, Self.field(1, 2, Array("yy".utf8))).dropLast(), false),
            ("a piece field with a varint", base + Self.field(1, 0, [3]), false),
            ("a truncated file", Array(base.prefix(base.count - 3)), false),
        ]
        for (name, bytes, isPlain) in shapes {
            let data = Data(bytes)
            #expect((SentencePieceRawPieces.read(data) != nil) == isPlain, "\(name)")
            let direct = Self.outcome(data, direct: true), reference = Self.outcome(data, direct: false)
            #expect(direct == reference, "\(name): \(direct.prefix(300)) vs \(reference.prefix(300))")
        }
    }
}
