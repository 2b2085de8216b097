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
            bytes = NPYHeader.bytes(descr: "<i4", count: map.count)
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
