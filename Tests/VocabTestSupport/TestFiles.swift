import Foundation

/// The repository's `Corpora/` folder (the tests read only files inside the repository).
public let corporaDirectory: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Corpora")
}()

/// The repository's root folder.
public var repositoryDirectory: URL { corporaDirectory.deletingLastPathComponent() }

/// A file in `Tests/Fixtures` (real pretrained tokenizer files, with their licences).
public func fixture(_ path: String) -> URL {
    repositoryDirectory.appendingPathComponent("Tests/Fixtures").appendingPathComponent(path)
}

/// Writes `text` to a temporary file and returns its path. The file is written atomically, so
/// tests running in parallel that ask for the same name never read a half-written file.
public func temporaryFile(_ text: String, name: String = UUID().uuidString) throws -> String {
    let path = testScratchFolder + "vocabkit-\(name).txt"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    return path
}

/// A fresh temporary path ending in `name` (nothing is created).
public func temporaryPath(_ name: String) -> String {
    testScratchFolder + "vocabkit-\(UUID().uuidString)-\(name)"
}

/// This test process's own folder in the temporary directory (with a trailing "/"), removed with
/// everything in it when the process exits, so test runs leave nothing behind.
/// Folders of test processes that died without running their exit handler are removed first.
private let testScratchFolder: String = {
    let temporary = NSTemporaryDirectory()
    for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("vocabkit-tests-") {
        if let pid = Int32(name.dropFirst("vocabkit-tests-".count).prefix(while: \.isNumber)), kill(pid, 0) != 0 && errno == ESRCH {
            try? FileManager.default.removeItem(atPath: temporary + name)
        }
    }
    let folder = temporary + "vocabkit-tests-\(getpid())-\(UUID().uuidString)/"
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        fatalError("cannot create the tests' temporary folder \(folder): \(error)")
    }
    scratchFolderToRemove = strdup(folder)
    atexit {
        guard let folder = scratchFolderToRemove else { return }
        try? FileManager.default.removeItem(atPath: String(cString: folder))
    }
    return folder
}()

nonisolated(unsafe) private var scratchFolderToRemove: UnsafeMutablePointer<CChar>?

/// The first `lines` lines of a corpus in `Corpora/`, as a temporary file.
public func corpusSlice(_ name: String, lines: Int) throws -> String {
    let text = try String(contentsOf: corporaDirectory.appendingPathComponent("\(name).txt"), encoding: .utf8)
    return try temporaryFile(text.split(separator: "\n").prefix(lines).joined(separator: "\n") + "\n", name: "\(name)-\(lines)")
}
