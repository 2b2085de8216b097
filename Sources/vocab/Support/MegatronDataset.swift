import Foundation
import VocabKit

/// Megatron-LM's indexed dataset (`IndexedDataset`, the `.bin` + `.idx` pair `preprocess_data.py`
/// writes), one sequence and one document per encoded text.
///
/// `.bin`: the ids of every sequence, concatenated, little-endian, uint16 when the vocabulary has
/// fewer than 65,500 ids (Megatron's rule) else int32.
/// `.idx`, little-endian: the magic "MMIDIDX\0\0" (9 bytes), the version (u64, 1), the dtype code
/// (u8: 8 uint16, 4 int32), the sequence count S (u64), the document count D = S + 1 (u64), then
/// S sizes (int32, ids per sequence), S pointers (int64, byte offset of each sequence in `.bin`)
/// and D document indices (int64: 0, 1, ..., S; document i is sequences [i, i+1)).
enum MegatronDataset {
    static let uint16Limit = 65_500
    static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]

    /// The prefix of `-o`: "data", "data.bin" or "data.idx" all name the pair data.bin/data.idx.
    static func prefix(_ output: String) -> String {
        for suffix in [".bin", ".idx"] where output.hasSuffix(suffix) { return String(output.dropLast(suffix.count)) }
        return output
    }

    /// The index for sequences of `sizes` ids, written atomically.
    /// - Complexity: O(sequences); memory 20 bytes per sequence while writing.
    static func writeIndex(sizes: [Int32], wide: Bool, to path: String) throws {
        var out = magic
        func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        u64(1)
        out.append(wide ? 4 : 8)
        u64(UInt64(sizes.count))
        u64(UInt64(sizes.count + 1))
        out.reserveCapacity(out.count + sizes.count * 20 + 8)
        for size in sizes { withUnsafeBytes(of: size.littleEndian) { out.append(contentsOf: $0) } }
        var pointer: Int64 = 0
        let width = Int64(wide ? 4 : 2)
        for size in sizes {
            withUnsafeBytes(of: pointer.littleEndian) { out.append(contentsOf: $0) }
            pointer += Int64(size) * width
        }
        for index in 0...sizes.count { withUnsafeBytes(of: Int64(index).littleEndian) { out.append(contentsOf: $0) } }
        do { try AtomicFile.write(Data(out), to: path) } catch {
            throw CLIError.cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The ids of each document of the pair `prefix.bin` / `prefix.idx`, checked: the magic,
    /// version 1, a uint16/int32/int64 dtype, counts that fit the file, sequences laid end to end
    /// from byte 0 (as Megatron writes them) and inside `.bin`, ids that fit 32 bits, document
    /// indices increasing from 0 to the sequence count. Memory: the ids, at most `.bin`'s size.
    static func read(prefix: String) throws -> [[UInt32]] {
        let indexPath = prefix + ".idx", dataPath = prefix + ".bin"
        guard let index = FileManager.default.contents(atPath: indexPath) else {
            throw CLIError.cannotRead(path: indexPath, reason: "no such file or not readable")
        }
        guard let data = FileManager.default.contents(atPath: dataPath) else {
            throw CLIError.cannotRead(path: dataPath, reason: "no such file or not readable")
        }
        func fail(_ reason: String) -> CLIError { .invalidInput(path: indexPath, line: 1, reason: reason) }
        let bytes = Array(index)
        var offset = 0
        func integer(_ width: Int) throws -> UInt64 {
            guard offset + width <= bytes.count else { throw fail("the index is truncated") }
            var value: UInt64 = 0
            for k in 0..<width { value |= UInt64(bytes[offset + k]) << (8 * k) }
            offset += width
            return value
        }
        guard bytes.starts(with: magic) else { throw fail("not a Megatron index (no MMIDIDX magic)") }
        offset = magic.count
        guard try integer(8) == 1 else { throw fail("unknown index version (1 is read)") }
        let widths: [UInt64: Int] = [8: 2, 4: 4, 5: 8]
        let code = try integer(1)
        guard let width = widths[code] else { throw fail("dtype code \(code) is not a token id type (8 uint16, 4 int32, 5 int64)") }
        let sequences = try integer(8), documents = try integer(8)
        guard sequences <= UInt64(bytes.count / 12), documents <= UInt64(bytes.count / 8), documents >= 1 else {
            throw fail("counts (\(sequences) sequences, \(documents) documents) do not fit the index")
        }
        let sizes = try (0..<Int(sequences)).map { _ in Int(Int32(truncatingIfNeeded: try integer(4))) }
        let pointers = try (0..<Int(sequences)).map { _ in Int(Int64(bitPattern: try integer(8))) }
        let starts = try (0..<Int(documents)).map { _ in Int(Int64(bitPattern: try integer(8))) }
        var sequenceIds: [[UInt32]] = []
        var expected = 0
        for (size, pointer) in zip(sizes, pointers) {
            guard size >= 0, pointer == expected, size <= (data.count - pointer) / width else {
                throw fail("a sequence (\(size) ids at byte \(pointer)) does not follow the one before it inside \(dataPath)")
            }
            expected = pointer + size * width
            var ids: [UInt32] = []
            ids.reserveCapacity(size)
            for k in 0..<size {
                var value: UInt64 = 0
                for b in 0..<width { value |= UInt64(data[data.startIndex + pointer + k * width + b]) << (8 * b) }
                guard let id = UInt32(exactly: value) else {
                    throw CLIError.invalidInput(path: dataPath, line: 1, reason: "id \(Int64(bitPattern: value)) at byte \(pointer + k * width) is not a token id")
                }
                ids.append(id)
            }
            sequenceIds.append(ids)
        }
        guard starts.first == 0, starts.last == Int(sequences), zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw fail("document indices must rise from 0 to the sequence count")
        }
        return zip(starts, starts.dropFirst()).map { Array(sequenceIds[$0..<$1].joined()) }
    }
}
