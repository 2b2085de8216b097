#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// The temporary files and folders a process has open beside its outputs, so that an interrupted
/// run removes them instead of leaving hidden partial files.
///
/// `AtomicFile` and the counting spill remember each path while it exists. The library never
/// touches signal handling (it runs inside other people's processes); a program opts in with
/// `removeOnSignals()`, as the `vocab` command does: SIGINT, SIGTERM and SIGHUP then remove every
/// remembered path and end the process with the signal's usual status.
package enum TemporaryFiles {
    private static let lock = Lock()
    nonisolated(unsafe) private static var paths: Set<String> = []
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    nonisolated(unsafe) private static var terminating = false

    /// Remembers a temporary file or folder until `forget` (once a signal is ending the
    /// process, a path made meanwhile is removed at once instead).
    package static func remember(_ path: String) {
        let late = lock.withLock { () -> Bool in
            if !terminating { paths.insert(path) }
            return terminating
        }
        if late && unlink(path) != 0 { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Forgets a path that was renamed into place or removed.
    package static func forget(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Removes a remembered file or folder (with its contents) and forgets it.
    package static func remove(_ path: String) {
        if unlink(path) != 0 { try? FileManager.default.removeItem(atPath: path) }
        forget(path)
    }

    /// The paths remembered now (for tests).
    package static var remembered: Set<String> { lock.withLock { paths } }

    /// Removes every remembered path (files, and folders with their contents).
    package static func removeAll() {
        let current = lock.withLock { () -> Set<String> in
            defer { paths.removeAll() }
            return paths
        }
        for path in current where unlink(path) != 0 { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every remembered path, then
    /// re-raise the signal with its default action (so the exit status says which signal ended
    /// the process). The handlers run on a Dispatch queue, not in signal context, so removing
    /// files there is safe. Call once, early, from a program's entry point.
    package static func removeOnSignals() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                // A signal ignored when the program started (SIGHUP under nohup) stays ignored.
                let previous = signal(signalNumber, SIG_IGN)
                if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    lock.withLock { terminating = true }
                    removeAll()
                    // The default action, raised in this thread with the signal unblocked
                    // (Dispatch reads signals through a signalfd, with them blocked, and a
                    // process may start with them blocked in every thread).
                    signal(signalNumber, SIG_DFL)
                    var set = sigset_t()
                    sigemptyset(&set)
                    sigaddset(&set, signalNumber)
                    pthread_sigmask(SIG_UNBLOCK, &set, nil)
                    raise(signalNumber)
                    _exit(128 + signalNumber)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
