import Foundation
import VocabKit
import VocabTraining

/// How a corpus is cut into the units that folds are made of.
public enum CorpusUnit: String, Sendable, Codable, CaseIterable {
    /// Every non-empty line is a unit.
    case line
    /// Blank-line separated blocks are units (their inner line breaks are kept).
    case document
}

/// Corpora cut into units, each unit tagged with its group (language) and cross-validation fold.
///
/// Units are assigned to folds by a seeded permutation within each group, so every fold holds
/// about 1/k of every group, and the same files, unit kind, fold count and seed always give the
/// same folds.
///
/// ```swift
/// let corpus = try SweepCorpus(groups: [("en", ["Corpora/en.txt"])], unit: .line, folds: 5, seed: 42)
/// corpus.units(inFold: 0).count   // about a fifth of the lines
/// ```
public struct SweepCorpus: Sendable {
    /// The groups (languages or corpora) by name, in the order given.
    public let groupNames: [String]
    /// The text of every unit, back to back; `unitRanges[u]` is unit u.
    let text: [UInt8]
    let unitRanges: [Range<Int>]
    /// The group and fold of each unit.
    let unitGroups: [Int32]
    let unitFolds: [Int32]
    public let foldCount: Int
    /// Per unit: Unicode scalars and reference words (ICU word segments with letters, numbers or
    /// ideographs: one language-neutral word count shared by every algorithm).
    let unitCharacters: [Int32]
    let unitWords: [Int32]

    public var unitCount: Int { unitRanges.count }
    public var byteCount: Int { unitRanges.reduce(0) { $0 + $1.count } }

    /// Reads the groups' files and assigns folds.
    ///
    /// 1. Read and validate each file (text, not binary; invalid UTF-8 is replaced later by the
    ///    front end, as in training).
    /// 2. Cut into units; with `maxUnitsPerGroup`, keep a seeded sample of that many per group.
    /// 3. Count characters and reference words per unit.
    /// 4. Shuffle each group's units with the seed; unit i of the shuffle goes to fold i mod k.
    /// - Complexity: O(bytes) plus ICU word segmentation of every unit.
    public init(groups: [(name: String, paths: [String])], unit: CorpusUnit, folds: Int, seed: UInt64,
                maxUnitsPerGroup: Int? = nil, parallel: Bool = false) throws {
        try self.init(groups: groups, unit: unit, folds: folds, seed: seed, maxUnitsPerGroup: maxUnitsPerGroup, parallel: parallel,
                      allowsOneFold: false)
    }

    /// The same; `allowsOneFold` makes a single fold holding everything (for evaluation).
    init(groups: [(name: String, paths: [String])], unit: CorpusUnit, folds: Int, seed: UInt64,
         maxUnitsPerGroup: Int? = nil, parallel: Bool = false, allowsOneFold: Bool) throws {
        guard folds >= 2 || (allowsOneFold && folds == 1) else { throw AnalysisError.invalidOption("cross-validation needs at least 2 folds, not \(folds)") }
        guard !groups.isEmpty else { throw AnalysisError.invalidOption("no corpus given") }
        var text: [UInt8] = []
        var ranges: [Range<Int>] = [], unitGroups: [Int32] = [], unitFolds: [Int32] = []
        var perGroupCounts: [Int] = []
        for (groupIndex, group) in groups.enumerated() {
            // Phases 1-2.
            var groupRanges: [Range<Int>] = []
            for path in group.paths {
                let bytes = try Self.readText(path)
                for range in Self.units(of: bytes, unit: unit) {
                    let start = text.count
                    text.append(contentsOf: bytes[range])
                    groupRanges.append(start..<text.count)
                }
            }
            guard !groupRanges.isEmpty else {
                throw AnalysisError.invalidCorpus("\(group.name) (\(group.paths.joined(separator: ", "))) has no text")
            }
            var order = Array(groupRanges.indices)
            var random = SplitMix64(seed: seed &+ (parallel ? 0 : UInt64(groupIndex)))
            Self.shuffle(&order, &random)
            if let maxUnitsPerGroup, order.count > maxUnitsPerGroup {
                order = Array(order.prefix(maxUnitsPerGroup))
            }
            guard order.count >= folds else {
                throw AnalysisError.invalidCorpus("\(group.name) has \(order.count) \(unit.rawValue)s, fewer than the \(folds) folds")
            }
            // Phase 4: fold = position in the shuffle mod k; units keep their file order.
            var foldOf = [Int32](repeating: -1, count: groupRanges.count)
            for (position, index) in order.enumerated() { foldOf[index] = Int32(position % folds) }
            for (index, range) in groupRanges.enumerated() where foldOf[index] >= 0 {
                ranges.append(range)
                unitGroups.append(Int32(groupIndex))
                unitFolds.append(foldOf[index])
            }
            perGroupCounts.append(order.count)
        }
        if parallel, Set(perGroupCounts).count > 1 {
            throw AnalysisError.invalidCorpus("--parallel needs the same number of \(unit.rawValue)s in every group, not \(perGroupCounts.map(String.init).joined(separator: ", "))")
        }
        // Phase 3.
        let breaker = try ICUWordBreaker(locale: "")
        let chunk = 512
        let perUnit = try text.withUnsafeBufferPointer { text in
            try Parallel.map((ranges.count + chunk - 1) / chunk) { k in
                try ranges[(k * chunk)..<min(ranges.count, (k + 1) * chunk)].map { range in
                    (characters: Int32(scalarCount(text[range])),
                     words: Int32(try breaker.segments(in: text, range).filter { $0.1 != .none }.count))
                }
            }
        }.joined()
        let characters = perUnit.map(\.characters), words = perUnit.map(\.words)
        self.groupNames = groups.map(\.name)
        self.text = text
        self.unitRanges = ranges
        self.unitGroups = unitGroups
        self.unitFolds = unitFolds
        self.foldCount = folds
        self.unitCharacters = characters
        self.unitWords = words
    }

    /// The indices of the units in `fold`.
    public func units(inFold fold: Int) -> [Int] {
        unitFolds.indices.filter { unitFolds[$0] == fold }
    }

    /// The bytes of unit `u`.
    public func unitText(_ u: Int) -> ArraySlice<UInt8> { text[unitRanges[u]] }

    private static func readText(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError.cannotRead(path: path, reason: "no such file or not readable")
        }
        let bytes = [UInt8](data)
        do { try WordCounter.checkLooksLikeText(bytes, path: path) } catch InputError.invalidCorpus(let reason) {
            throw AnalysisError.invalidCorpus(reason)
        }
        return bytes
    }

    /// The unit ranges of `bytes`: non-blank lines, or blocks between blank lines (both without
    /// their final line break; "\r\n" counts as a line break).
    static func units(of bytes: [UInt8], unit: CorpusUnit) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var contentEnd = end
            if contentEnd > start && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            lines.append(start..<contentEnd)
            start = end + 1
        }
        func isBlank(_ r: Range<Int>) -> Bool { bytes[r].allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        if unit == .line { return lines.filter { !isBlank($0) } }
        var documents: [Range<Int>] = []
        var current: Range<Int>?
        for line in lines {
            if isBlank(line) {
                if let c = current { documents.append(c); current = nil }
            } else {
                current = current.map { $0.lowerBound..<line.upperBound } ?? line
            }
        }
        if let c = current { documents.append(c) }
        return documents
    }

    /// Fisher-Yates with SplitMix64 (deterministic across platforms).
    static func shuffle(_ values: inout [Int], _ random: inout SplitMix64) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            values.swapAt(i, j)
        }
    }
}


extension SweepCorpus {
    /// Units of group `g` (after sampling).
    public func unitCount(inGroup g: Int) -> Int { unitGroups.reduce(0) { $0 + ($1 == Int32(g) ? 1 : 0) } }

    /// Bytes of the units of group `g`.
    public func byteCount(inGroup g: Int) -> Int {
        zip(unitGroups, unitRanges).reduce(0) { $0 + ($1.0 == Int32(g) ? $1.1.count : 0) }
    }
}

extension SweepCorpus {
    /// Writes each fold's training and held-out text as `fold-K/train.txt` and
    /// `fold-K/heldout.txt` (one unit per line; documents separated by a blank line), so that
    /// other tools can be trained and measured on exactly the same folds.
    public func exportFolds(to directory: String) throws {
        let base = URL(fileURLWithPath: directory)
        for fold in 0..<foldCount {
            let folder = base.appendingPathComponent("fold-\(fold)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var train: [UInt8] = [], heldOut: [UInt8] = []
            for u in 0..<unitCount {
                let separator: [UInt8] = unitText(u).contains(0x0A) ? [0x0A, 0x0A] : [0x0A]
                if Int(unitFolds[u]) == fold { heldOut += unitText(u) + separator } else { train += unitText(u) + separator }
            }
            try AtomicFile.write(Data(train), to: folder.appendingPathComponent("train.txt").path)
            try AtomicFile.write(Data(heldOut), to: folder.appendingPathComponent("heldout.txt").path)
        }
    }
}
