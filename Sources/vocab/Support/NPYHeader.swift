/// The header of a NumPy `.npy` file (format 1.0) holding one little-endian vector.
///
/// Layout: the magic "\x93NUMPY", version 1.0, the header's length as a little-endian u16, then a
/// Python dict literal padded with spaces and ended by "\n", so that the data starts at a
/// multiple of 64 bytes.
enum NPYHeader {
    /// The header of a vector of `count` values of type `descr` ("<i4", "<u4"), `size` bytes long
    /// (a multiple of 64, large enough for the dict), or the smallest multiple of 64 with nil.
    /// `vocab encode --format npy` reserves a fixed size before it knows `count`. O(1).
    static func bytes(descr: String, count: Int, size: Int? = nil) -> [UInt8] {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(count),), }"
        let unpadded = magic.count + 2 + dictionary.utf8.count + 1
        let total = size ?? (unpadded + (64 - unpadded % 64) % 64)
        precondition(total >= unpadded && total % 64 == 0, "an .npy header of \(total) bytes cannot hold \(unpadded)")
        let length = total - magic.count - 2
        return magic + [UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
            + [UInt8](repeating: 0x20, count: total - unpadded) + [0x0A]
    }
}
