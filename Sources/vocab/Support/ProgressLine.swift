#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A one-line progress report on stderr, redrawn at most ten times a second.
///
/// Silent when stderr is not a terminal (piped, CI) or when the user asked for `--quiet`.
final class ProgressLine {
    private let enabled: Bool
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(STDERR_FILENO) != 0
    }

    /// Redraws the line with the bytes processed so far (rate-limited).
    func update(bytes: Int, detail: String = "") {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let seconds = max(now.timeIntervalSince(start), 1e-9)
        let line = String(format: "\r\u{1B}[K%@: %.1f MB, %.1f MB/s%@", label, Double(bytes) / 1e6,
                          Double(bytes) / 1e6 / seconds, detail.isEmpty ? "" : ", " + detail)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Redraws the line with a status message (rate-limited).
    func status(_ message: String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(message)".utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
