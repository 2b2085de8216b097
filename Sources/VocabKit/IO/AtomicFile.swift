#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes files atomically: into a temporary file in the same folder, flushed to disk, then
/// renamed over the destination. An interrupted run leaves the old file (or none), never half of one.
///
/// Temporary files are safe against a planted file or symlink: each has an unpredictable name
/// (128 random bits) and is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so creation fails
/// rather than follow or reuse anything already there. The destination keeps its permission
/// bits when it is replaced, read-only ones included. Every temporary path is registered in `TemporaryFiles` until it is
/// renamed or removed, so that a program that calls `TemporaryFiles.removeOnSignals()` removes
/// them on SIGINT, SIGTERM and SIGHUP.
package enum AtomicFile {
    /// Writes `data` to `path` atomically, flushed to disk first.
    package static func write(_ data: Data, to path: String) throws {
        try replace(path) { temporary in
            let descriptor = open(temporary, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw InputError.cannotWrite(path: temporary, reason: String(cString: strerror(errno))) }
            var code = data.withUnsafeBytes { writeAll(descriptor, $0) }
            if code == 0 && fsync(descriptor) != 0 { code = errno }
            if close(descriptor) != 0 && code == 0 { code = errno }
            if code != 0 { throw InputError.cannotWrite(path: temporary, reason: String(cString: strerror(code))) }
        }
    }

    /// Creates a fresh temporary file beside `path` (see the type's documentation) and
    /// registers it for removal on signals. Returns its path and an open write descriptor; the
    /// caller writes it, calls `keepMode(of:on:)`, renames or removes it, then calls
    /// `TemporaryFiles.forget`.
    package static func createTemporary(beside path: String) throws -> (path: String, descriptor: Int32) {
        for _ in 0..<4 {
            let temporary = hiddenSibling(of: path, "\((path as NSString).lastPathComponent).\(randomName()).tmp")
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if descriptor < 0 {
                if errno == EEXIST { continue }   // 2^-128 odds, or a planted file: pick another name
                throw InputError.cannotWrite(path: path, reason: "cannot create a temporary file beside it (\(String(cString: strerror(errno))))")
            }
            TemporaryFiles.remember(temporary)
            return (temporary, descriptor)
        }
        throw InputError.cannotWrite(path: path, reason: "cannot create a temporary file beside it: every name tried exists")
    }

    /// Gives the finished `temporary` the permission bits of the file it replaces, if `path`
    /// exists (after writing, so that a read-only destination can still be replaced, as a rename
    /// needs only the folder to be writable; setuid and setgid bits are not copied).
    package static func keepMode(of path: String, on temporary: String) {
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG { _ = chmod(temporary, status.st_mode & 0o777) }
    }

    /// Runs `body` on a fresh temporary path beside `path` (created empty, see
    /// `createTemporary`), then renames it over `path`. If anything throws, the temporary file
    /// is removed, and a write error about it is reported about `path`, the file the user named.
    package static func replace(_ path: String, _ body: (String) throws -> Void) throws {
        let (temporary, descriptor) = try createTemporary(beside: path)
        close(descriptor)
        defer { TemporaryFiles.forget(temporary) }
        do {
            try body(temporary)
            keepMode(of: path, on: temporary)
            guard rename(temporary, path) == 0 else { throw InputError.cannotWrite(path: path, reason: "cannot rename the finished file into place (\(String(cString: strerror(errno))))") }
        } catch InputError.cannotWrite(path: temporary, let reason) {
            unlink(temporary)
            throw InputError.cannotWrite(path: path, reason: reason)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Runs `body` with a fresh hidden folder beside `path` (named `prefix` and a random part,
    /// remembered in `TemporaryFiles`), removed with its contents afterwards, on error too.
    package static func withTemporaryFolder<R>(beside path: String, _ prefix: String, _ body: (String) throws -> R) throws -> R {
        let folder = hiddenSibling(of: path, "\(prefix)-\(randomName())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        TemporaryFiles.remember(folder)
        defer { TemporaryFiles.remove(folder) }
        return try body(folder)
    }

    /// A hidden path (".name") in `path`'s folder, for temporary files and folders that must be
    /// on the same file system as `path` (so a rename is atomic).
    package static func hiddenSibling(of path: String, _ name: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "." : folder) + "/.\(name)"
    }

    /// 32 hex digits from the system's random source.
    package static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16) + String(generator.next() as UInt64, radix: 16)
    }

    /// Throws a clear error, before any long work, when `path` cannot be written: its folder is
    /// missing, not a folder or not writable, or `path` is a folder. O(1) system calls.
    package static func checkWritable(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw InputError.cannotWrite(path: path, reason: "its folder \(directory) does not exist (\(String(cString: strerror(errno))))")
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw InputError.cannotWrite(path: path, reason: "\(directory) is not a folder") }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw InputError.cannotWrite(path: path, reason: "its folder \(directory) is not writable (\(String(cString: strerror(errno))))")
        }
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw InputError.cannotWrite(path: path, reason: "it is a folder; name a file")
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
