#if canImport(Glibc)
import Glibc
#endif

/// Reads a file or standard input in blocks of whole lines, with bounded memory.
///
/// Each block ends at a line break (except the last, which ends where the input ends), so lines
/// never straddle blocks. Blocks are about `blockSize` bytes; a single longer line makes a longer
/// block.
package final class LineBlockReader {
    package let path: String
    private let descriptor: Int32
    private let blockSize: Int
    private var carry: [UInt8] = []
    private var finished = false
    /// Bytes read so far.
    package private(set) var bytesRead = 0

    /// Opens `path` ("-" for standard input).
    package init(path: String, blockSize: Int = 1 << 18) throws {
        self.path = path
        self.blockSize = blockSize
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(path, O_RDONLY)
            if descriptor < 0 { throw InputError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                close(descriptor)
                throw InputError.cannotRead(path: path, reason: "it is a directory")
            }
        }
    }

    deinit { if descriptor != STDIN_FILENO { close(descriptor) } }

    /// The next block of whole lines, or nil at the end of input.
    package func nextBlock() throws -> [UInt8]? {
        if finished { return nil }
        var block = carry
        carry = []
        // The last line break seen so far, found in each chunk as it arrives (the carry has none),
        // so a long line costs one pass, not one per chunk.
        var lastBreak: Int?
        var chunk = [UInt8](repeating: 0, count: blockSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, blockSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError.cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 {
                finished = true
                return block.isEmpty ? nil : block
            }
            bytesRead += count
            if let index = chunk[0..<count].lastIndex(of: 0x0A) { lastBreak = block.count + index }
            block.append(contentsOf: chunk[0..<count])
            if block.count >= blockSize, let lastBreak {
                carry = Array(block[(lastBreak + 1)...])
                block.removeSubrange((lastBreak + 1)...)
                return block
            }
        }
    }
}
