#if canImport(Glibc)
import Glibc
#endif
import VocabKit

/// Buffered writes of bytes to standard output or a file.
struct OutputWriter {
    private var buffer: [UInt8] = []
    private let descriptor: Int32
    /// What errors name: "standard output", or the file the user gave.
    private let name: String

    init(descriptor: Int32 = STDOUT_FILENO, name: String = "standard output") {
        self.descriptor = descriptor
        self.name = name
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    mutating func write(_ string: String) throws { try write(Array(string.utf8)) }

    mutating func flush() throws {
        let descriptor = descriptor
        let failure = buffer.withUnsafeBytes { AtomicFile.writeAll(descriptor, $0) }
        if failure != 0 { throw CLIError.cannotWrite(path: name, reason: String(cString: strerror(failure))) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Appends `string` as a JSON string literal (quoted, escaped) to `out`.
func appendJSONString<C: Collection>(_ utf8: C, to out: inout [UInt8]) where C.Element == UInt8 {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    out.append(0x22)
    for byte in utf8 {
        switch byte {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
        case 0x0D: out.append(contentsOf: [0x5C, 0x72])
        case 0x09: out.append(contentsOf: [0x5C, 0x74])
        case 0..<0x20, 0x7F:
            out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: out.append(byte)
        }
    }
    out.append(0x22)
}
