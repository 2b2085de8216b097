#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes files atomically: into a temporary file in the same folder, flushed to disk, then
/// renamed over the destination. An interrupted run leaves the old file (or none), never half of one.
package enum AtomicFile {
    /// Writes `data` to `path` atomically, flushed to disk first.
    package static func write(_ data: Data, to path: String) throws {
        try replace(path) { temporary in
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw InputError.cannotWrite(path: temporary, reason: String(cString: strerror(errno))) }
            var code = data.withUnsafeBytes { writeAll(descriptor, $0) }
            if code == 0 && fsync(descriptor) != 0 { code = errno }
            if close(descriptor) != 0 && code == 0 { code = errno }
            if code != 0 { throw InputError.cannotWrite(path: temporary, reason: String(cString: strerror(code))) }
        }
    }

    /// Runs `body` on a fresh temporary path beside `path`, then renames it over `path`. If
    /// anything throws, the temporary file is removed, and a write error about it is reported
    /// about `path`, the file the user named.
    package static func replace(_ path: String, _ body: (String) throws -> Void) throws {
        let temporary = hiddenSibling(of: path, "\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try body(temporary)
            guard rename(temporary, path) == 0 else { throw InputError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        } catch InputError.cannotWrite(path: temporary, let reason) {
            unlink(temporary)
            throw InputError.cannotWrite(path: path, reason: reason)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// A hidden path (".name") in `path`'s folder, for temporary files and folders that must be
    /// on the same file system as `path` (so a rename is atomic).
    package static func hiddenSibling(of path: String, _ name: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "." : folder) + "/.\(name)"
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
