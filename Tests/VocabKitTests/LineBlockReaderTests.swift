import Foundation
import Testing
@testable import VocabKit

/// `LineBlockReader`: blocks of whole lines that, concatenated, give back the file byte for byte.
@Suite("LineBlockReader reads files in blocks of whole lines")
struct LineBlockReaderTests {
    static let newline: UInt8 = 0x0A

    /// Writes `bytes` to a fresh file under `NSTemporaryDirectory()`, runs `body` with its path,
    /// and removes the file.
    private static func withTemporaryFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let path = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("LineBlockReaderTests-\(UUID().uuidString).txt")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// Every block of `path`, read with `blockSize` (the reader's default when nil). Also checks
    /// that the reader stays at the end and that `bytesRead` never runs ahead of the file.
    private static func readAll(_ path: String, blockSize: Int? = nil, fileSize: Int) throws -> [[UInt8]] {
        let reader: LineBlockReader
        if let blockSize {
            reader = try LineBlockReader(path: path, blockSize: blockSize)
        } else {
            reader = try LineBlockReader(path: path)
        }
        var blocks: [[UInt8]] = []
        var returned = 0
        while let block = try reader.nextBlock() {
            blocks.append(block)
            returned += block.count
            #expect(reader.bytesRead >= returned && reader.bytesRead <= fileSize,
                    "bytesRead is \(reader.bytesRead) after returning \(returned) bytes of a \(fileSize)-byte file")
            if blocks.count > fileSize + 1 {
                Issue.record("the reader returned more blocks (\(blocks.count)) than the file has bytes (\(fileSize))")
                break
            }
        }
        #expect(try reader.nextBlock() == nil, "nextBlock() returned a block again after the end of input")
        #expect(reader.bytesRead == fileSize, "bytesRead is \(reader.bytesRead) at the end, the file has \(fileSize) bytes")
        return blocks
    }

    /// The invariants of any reading: the blocks concatenate to the file, none is empty, and every
    /// block but the last ends with "\n".
    private static func checkBlocks(_ blocks: [[UInt8]], of file: [UInt8], _ label: String) {
        #expect(Array(blocks.joined()) == file,
                "\(label): the \(blocks.count) blocks concatenate to \(blocks.joined().count) bytes that differ from the \(file.count)-byte file")
        for (index, block) in blocks.enumerated() {
            #expect(!block.isEmpty, "\(label): block \(index) is empty")
            if index < blocks.count - 1 {
                #expect(block.last == newline,
                        "\(label): block \(index) of \(blocks.count) does not end at a line break (ends with \(block.suffix(4)))")
            }
        }
    }

    /// Deterministic text: `lines` lines of 0...`maxLength`+3 bytes (ASCII, "é", "€", "😀", so
    /// block edges fall inside multi-byte characters), each ending in "\n"; empty lines included.
    static func sampleText(lines: Int, maxLength: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        let alphabet = ["a", "b", "z", " ", "\t", "é", "€", "😀"].map { Array($0.utf8) }
        var out: [UInt8] = []
        for _ in 0..<lines {
            let target = next() % (maxLength + 1)
            var line: [UInt8] = []
            while line.count < target { line += alphabet[next() % alphabet.count] }
            out += line
            out.append(newline)
        }
        return out
    }

    private static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    // MARK: - Block edges

    @Test("Blocks rebuild a many-line file exactly and end at line breaks, for many block sizes",
          arguments: [2, 3, 5, 8, 13, 64, 100, 1 << 16])
    func blockEdges(blockSize: Int) throws {
        let file = Self.sampleText(lines: 200, maxLength: 40, seed: 42)
        let longestLine = file.split(separator: Self.newline, omittingEmptySubsequences: false).map(\.count).max() ?? 0
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: blockSize, fileSize: file.count)
            Self.checkBlocks(blocks, of: file, "block size \(blockSize)")
            if blockSize * 2 < file.count {
                #expect(blocks.count >= 2, "a \(file.count)-byte file came back in \(blocks.count) block(s) of size \(blockSize)")
            }
            if blockSize >= file.count {
                #expect(blocks.count == 1, "a file smaller than the block size came back in \(blocks.count) blocks")
            }
            // With every line shorter than a block, a block is at most one partial line plus one read.
            if blockSize > longestLine {
                for (index, block) in blocks.enumerated() {
                    #expect(block.count < 2 * blockSize,
                            "block \(index) has \(block.count) bytes, more than twice the block size \(blockSize)")
                }
            }
        }
    }

    @Test("With a block size of 1 every block is exactly one line")
    func blockSizeOne() throws {
        let file = Self.sampleText(lines: 60, maxLength: 12, seed: 7)
        let lines = file.split(separator: Self.newline, omittingEmptySubsequences: false).dropLast().map { Array($0) + [Self.newline] }
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: 1, fileSize: file.count)
            #expect(blocks == lines, "expected the file's \(lines.count) lines as blocks, got \(blocks.count) blocks")
        }
    }

    @Test("A line break exactly at each block edge gives one line per block")
    func breakAtBlockEdge() throws {
        let lines = ["abcdefg\n", "hijklmn\n", "€uvwx\n", "\n\n\n\n\n\n\n\n", "1234567\n"].map(Self.text)
        #expect(lines.allSatisfy { $0.count == 8 }, "test data: every line group should be 8 bytes")
        let file = Array(lines.joined())
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: 8, fileSize: file.count)
            #expect(blocks == lines, "expected five 8-byte blocks, got sizes \(blocks.map(\.count))")
        }
    }

    @Test("A line longer than the block size stays whole, in one longer block")
    func longLine() throws {
        let long = [UInt8](repeating: 0x78, count: 100)  // "x" × 100
        let file = Self.text("short\nlines\n") + long + [Self.newline] + Self.text("end\nof file\n")
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: 8, fileSize: file.count)
            Self.checkBlocks(blocks, of: file, "long line")
            let holding = blocks.filter { $0.contains(0x78) }
            #expect(holding.count == 1, "the 100-byte line is spread over \(holding.count) blocks")
            #expect(holding.first.map { $0.count >= 101 } == true,
                    "the block holding the long line has \(holding.first?.count ?? 0) bytes, fewer than the line")
        }
    }

    @Test("Blocks rebuild a file bigger than the default block size (256 KiB)")
    func defaultBlockSize() throws {
        let file = Self.sampleText(lines: 40_000, maxLength: 40, seed: 2024)
        #expect(file.count > 2 * (1 << 18), "test data: want more than two default blocks, have \(file.count) bytes")
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, fileSize: file.count)
            Self.checkBlocks(blocks, of: file, "default block size")
            #expect(blocks.count >= 2, "a \(file.count)-byte file came back in \(blocks.count) block(s)")
            #expect(blocks.allSatisfy { $0.count < 2 * (1 << 18) }, "a block is more than twice the default size: \(blocks.map(\.count))")
        }
    }

    // MARK: - Line endings

    @Test("CR LF line endings: blocks end with \\r\\n, never between \\r and \\n", arguments: [1, 2, 3, 4, 7])
    func crlf(blockSize: Int) throws {
        let file = Array(repeating: Self.text("one\r\ntwo\r\n\r\nthree four\r\n"), count: 10).flatMap { $0 }
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: blockSize, fileSize: file.count)
            Self.checkBlocks(blocks, of: file, "CR LF, block size \(blockSize)")
            for (index, block) in blocks.enumerated() {
                #expect(block.suffix(2).elementsEqual([0x0D, 0x0A]),
                        "block \(index) ends with \(block.suffix(2)), not with CR LF")
                #expect(block.first != Self.newline, "block \(index) starts with the LF of the previous block's CR")
            }
        }
    }

    @Test("A lone CR is not a line break: a CR-only file comes back as one block")
    func crOnly() throws {
        let file = Self.text("a\rbb\rccc\rdddd\r")
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: 2, fileSize: file.count)
            #expect(blocks == [file], "CR-only file split into \(blocks.count) blocks: \(blocks)")
        }
    }

    @Test("A file without a final newline: the last block is the unterminated last line", arguments: [1, 2, 4, 6, 100])
    func noFinalNewline(blockSize: Int) throws {
        let file = Self.text("alpha\nbeta\n\ngamma")
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: blockSize, fileSize: file.count)
            Self.checkBlocks(blocks, of: file, "no final newline, block size \(blockSize)")
            let last = blocks.last ?? []
            #expect(last.suffix(5).elementsEqual(Self.text("gamma")), "the last block ends with \(last.suffix(5)), not \"gamma\"")
            if blockSize == 1 {
                #expect(blocks == ["alpha\n", "beta\n", "\n", "gamma"].map(Self.text), "block size 1 should give the lines, got \(blocks)")
            }
        }
    }

    @Test("A file of only line breaks gives one block per line with a block size of 1")
    func onlyNewlines() throws {
        let file: [UInt8] = [0x0A, 0x0A, 0x0A]
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: 1, fileSize: file.count)
            #expect(blocks == [[0x0A], [0x0A], [0x0A]], "expected three \"\\n\" blocks, got \(blocks)")
        }
    }

    // MARK: - Empty files and raw bytes

    @Test("An empty file has no blocks", arguments: [nil, 1, 16] as [Int?])
    func emptyFile(blockSize: Int?) throws {
        try Self.withTemporaryFile([]) { path in
            let blocks = try Self.readAll(path, blockSize: blockSize, fileSize: 0)
            #expect(blocks.isEmpty, "an empty file gave \(blocks.count) block(s): \(blocks)")
        }
    }

    @Test("Invalid UTF-8 and NUL bytes pass through unchanged", arguments: [1, 2, 3, 64])
    func invalidUTF8(blockSize: Int) throws {
        // 0xFF 0xFE, an invalid 2-byte sequence, NUL, a truncated "€", lone continuation bytes,
        // an encoded surrogate, a CR, and an unterminated 0xF8 at the end.
        let file: [UInt8] = [0xFF, 0xFE, 0x0A, 0xC3, 0x28, 0x0A, 0x00, 0xE2, 0x82, 0x0A, 0x80, 0x80, 0x0A,
                             0xED, 0xA0, 0x80, 0x0D, 0x0A, 0x00, 0x00, 0x0A, 0xF8]
        try Self.withTemporaryFile(file) { path in
            let blocks = try Self.readAll(path, blockSize: blockSize, fileSize: file.count)
            Self.checkBlocks(blocks, of: file, "invalid UTF-8, block size \(blockSize)")
            #expect(blocks.last?.last == 0xF8, "the last block should end with the unterminated 0xF8, got \(String(describing: blocks.last))")
        }
    }

    // MARK: - Errors

    @Test("Opening a missing file throws cannotRead naming the path")
    func missingFile() {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("LineBlockReaderTests-missing-\(UUID().uuidString).txt")
        let error = #expect(throws: InputError.self, "opening a missing file did not throw InputError") {
            _ = try LineBlockReader(path: path)
        }
        if case .cannotRead(let reported, let reason)? = error {
            #expect(reported == path, "the error names \(reported), not the missing file \(path)")
            #expect(!reason.isEmpty, "the error gives no reason")
        } else if let error {
            Issue.record("expected cannotRead, got \(error)")
        }
    }

    @Test("Opening a directory throws cannotRead: it is a directory")
    func directory() throws {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("LineBlockReaderTests-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: InputError.self, "opening a directory did not throw InputError") {
            _ = try LineBlockReader(path: path)
        }
        #expect(error == .cannotRead(path: path, reason: "it is a directory"), "got \(String(describing: error))")
    }
}
