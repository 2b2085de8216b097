#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes files atomically: into a temporary file in the same folder, flushed to disk, then
/// renamed over the destination. An interrupted run leaves the old file (or none), never half of one.
package enum AtomicFile {
    package static func write(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw InputError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        let code = data.withUnsafeBytes { writeAll(descriptor, $0) }
        var failure = code == 0 ? nil : String(cString: strerror(code))
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw InputError.cannotWrite(path: path, reason: failure)
        }
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes and EINTR; returns 0 or the
    /// errno of the write that failed (ENOSPC on a full disk). O(bytes).
    package static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}
