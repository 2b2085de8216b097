import ArgumentParser
import Foundation
import VocabKit

/// An old-id → new-id map as model code slices embedding rows with it: a JSON array, or a
/// NumPy `.npy` int32 vector (`-1`: the token was dropped). Written atomically.
enum IdMapFile {
    /// Writes `map` by the extension of `path` (.json or .npy).
    /// - Complexity: O(ids).
    static func write(_ map: [Int32], to path: String) throws {
        var bytes: [UInt8]
        if path.hasSuffix(".npy") {
            // Format 1.0: magic, version, little-endian u16 header length, a dict literal padded
            // with spaces to a multiple of 64 bytes and ended by "\n", then the data.
            var dictionary = "{'descr': '<i4', 'fortran_order': False, 'shape': (\(map.count),), }"
            let unpadded = 10 + dictionary.utf8.count + 1
            dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
            let length = dictionary.utf8.count
            bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
            bytes.reserveCapacity(bytes.count + 4 * map.count)
            for value in map { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        } else if path.hasSuffix(".json") {
            bytes = Array(("[" + map.map(String.init).joined(separator: ",") + "]\n").utf8)
        } else {
            throw ValidationError("--id-map must end in .json or .npy, not \(path)")
        }
        try AtomicFile.write(Data(bytes), to: path)
    }
}
