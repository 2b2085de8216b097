#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VocabKit

/// Standard output, or a file written atomically: into a temporary file beside it, renamed over
/// the destination only when everything was written, so an interrupted run leaves no half file.
final class OutputSink {
    var writer: OutputWriter
    private let path: String?
    private let temporaryPath: String?
    private let descriptor: Int32

    /// Room left at the start of a `.npy` file for its header (written at the end, when the
    /// element count is known).
    static let npyHeaderSize = 128

    init(path: String?) throws {
        self.path = path
        guard let path else {
            writer = OutputWriter(descriptor: STDOUT_FILENO)
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        try AtomicFile.checkWritable(path)
        let (temporary, fd) = try AtomicFile.createTemporary(beside: path)
        temporaryPath = temporary
        descriptor = fd
        writer = OutputWriter(descriptor: fd, name: path)
        if path.hasSuffix(".npy") { try writer.write([UInt8](repeating: 0x20, count: Self.npyHeaderSize)) }
    }

    private var finished = false

    deinit {
        if let temporaryPath, !finished {
            close(descriptor)
            unlink(temporaryPath)
            TemporaryFiles.forget(temporaryPath)
        }
    }

    /// Writes everything buffered and forces it to disk, before `finish` renames it into place
    /// (so a companion file can be written in between, with only the rename left to fail).
    func sync() throws {
        try writer.flush()
        guard let path, temporaryPath != nil else { return }
        guard fsync(descriptor) == 0 else { throw CLIError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Flushes, fills in a `.npy` header, and renames the temporary file into place.
    func finish(tokenCount: Int, format: EncodeFormat) throws {
        try writer.flush()
        guard let path, let temporaryPath else { return }
        if format == .npy {
            guard path.hasSuffix(".npy") else { throw CLIError.cannotWrite(path: path, reason: "--format npy needs a file name ending in .npy") }
            let header = NPYHeader.bytes(descr: "<u4", count: tokenCount, size: Self.npyHeaderSize)
            _ = header.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, header.count, 0) }
        }
        guard fsync(descriptor) == 0 else { throw CLIError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        finished = true
        close(descriptor)
        defer { TemporaryFiles.forget(temporaryPath) }
        AtomicFile.keepMode(of: path, on: temporaryPath)
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw CLIError.cannotWrite(path: path, reason: reason)
        }
    }
}
