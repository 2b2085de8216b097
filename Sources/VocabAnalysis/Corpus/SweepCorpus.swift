import Foundation
import VocabKit
import VocabTraining

/// How a corpus is cut into the units that folds are made of.
public enum CorpusUnit: String, Sendable, Codable, CaseIterable {
    /// The largest unit that still gives every group at least `SweepCorpus.minimumUnitsPerFold`
    /// units per fold: file, then document, then line.
    case auto
    /// Every file is a unit (a group given as a folder holds its files).
    case file
    /// Blank-line separated blocks are units (their inner line breaks are kept).
    case document
    /// Every non-empty line is a unit.
    case line
}

/// Corpora cut into units, each unit tagged with its group (language) and cross-validation fold.
///
/// Units are assigned to folds by a seeded permutation within each group, so every fold holds
/// about 1/k of every group's distinct units, and the same files, unit kind, fold count and seed always give the
/// same folds. Units with exactly the same text go to the same fold (a repeated line or
/// boilerplate block held out while its copy is trained on would flatter held-out compression);
/// `duplicateBytes(inGroup:)` says how much of each group that concerns.
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
    /// The unit the corpus was cut into (`auto` resolved).
    public let unit: CorpusUnit
    /// Per group, the share of its bytes in units whose exact text occurs more than once in it.
    let duplicateShareByGroup: [Double]
    /// `auto` picks the largest unit giving every group at least this many units per fold.
    public static let minimumUnitsPerFold = 10
    /// Per unit: Unicode scalars and reference words (ICU word segments with letters, numbers or
    /// ideographs: one language-neutral word count shared by every algorithm).
    let unitCharacters: [Int32]
    let unitWords: [Int32]

    public var unitCount: Int { unitRanges.count }
    public var byteCount: Int { unitRanges.reduce(0) { $0 + $1.count } }

    /// Reads the groups' files and assigns folds.
    ///
    /// 1. Read and validate each file (text, not binary; invalid UTF-8 is replaced later by the
    ///    front end, as in training); a folder stands for its files, in path order.
    /// 2. Cut into units (`auto`: the largest unit with enough per fold); with
    ///    `maxUnitsPerGroup`, keep a seeded sample of that many per group.
    /// 3. Count characters and reference words per unit.
    /// 4. Per group, gather units with identical text into one class; shuffle the classes with the
    ///    seed; class i of the shuffle goes to fold i mod k. With `parallel`, lines stay aligned
    ///    across groups instead (every unit its own class, the same shuffle for every group).
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
        // Phase 1: every group's files.
        let files = try groups.map { group in try group.paths.flatMap(Self.expand).map { ($0, try Self.readText($0)) } }
        let unit = unit == .auto ? Self.automaticUnit(files, folds: folds) : unit
        var text: [UInt8] = []
        var ranges: [Range<Int>] = [], unitGroups: [Int32] = [], unitFolds: [Int32] = []
        var perGroupCounts: [Int] = [], duplicateShares: [Double] = []
        for (groupIndex, group) in groups.enumerated() {
            // Phase 2.
            var groupRanges: [Range<Int>] = []
            for (_, bytes) in files[groupIndex] {
                for range in Self.units(of: bytes, unit: unit) {
                    let start = text.count
                    text.append(contentsOf: bytes[range])
                    groupRanges.append(start..<text.count)
                }
            }
            guard !groupRanges.isEmpty else {
                throw AnalysisError.invalidCorpus("\(group.name) (\(group.paths.joined(separator: ", "))) has no text")
            }
            // Phase 4: classes of identical units, in order of first occurrence.
            var classOf: [TextKey: Int] = [:], members: [[Int]] = []
            for (index, range) in groupRanges.enumerated() {
                let key = parallel ? TextKey(hash: UInt64(index), length: -1) : TextKey(text[range])
                if let existing = classOf[key] { members[existing].append(index) } else { classOf[key] = members.count; members.append([index]) }
            }
            duplicateShares.append(Self.duplicateShare(groupRanges, text: text))
            var order = Array(members.indices)
            var random = SplitMix64(seed: seed &+ (parallel ? 0 : UInt64(groupIndex)))
            Self.shuffle(&order, &random)
            // Kept classes are dealt round robin; with `maxUnitsPerGroup`, a class that would pass the
            // limit is skipped (never split), so at most that many units are kept.
            var foldOf = [Int32](repeating: -1, count: groupRanges.count)
            var kept = 0, keptClasses = 0
            for classIndex in order {
                if let maxUnitsPerGroup, kept + members[classIndex].count > maxUnitsPerGroup { continue }
                for index in members[classIndex] { foldOf[index] = Int32(keptClasses % folds) }
                kept += members[classIndex].count
                keptClasses += 1
            }
            guard keptClasses >= folds else {
                throw AnalysisError.invalidCorpus("\(group.name) has \(keptClasses) distinct \(unit.rawValue)s\(maxUnitsPerGroup == nil ? "" : " within --max-units"), fewer than the \(folds) folds")
            }
            for (index, range) in groupRanges.enumerated() where foldOf[index] >= 0 {
                ranges.append(range)
                unitGroups.append(Int32(groupIndex))
                unitFolds.append(foldOf[index])
            }
            perGroupCounts.append(kept)
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
        self.unit = unit
        self.duplicateShareByGroup = duplicateShares
        self.unitCharacters = characters
        self.unitWords = words
    }

    /// The indices of the units in `fold`.
    public func units(inFold fold: Int) -> [Int] {
        unitFolds.indices.filter { unitFolds[$0] == fold }
    }

    /// The bytes of unit `u`.
    public func unitText(_ u: Int) -> ArraySlice<UInt8> { text[unitRanges[u]] }

    /// A file's path, or a folder's regular files (not hidden), recursively, in path order.
    static func expand(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw InputError.cannotRead(path: path, reason: "cannot list the folder")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") { if enumerator.fileAttributes?[.type] as? FileAttributeType == .typeDirectory { enumerator.skipDescendants() }; continue }
            if enumerator.fileAttributes?[.type] as? FileAttributeType == .typeRegular { files.append(path + "/" + relative) }
        }
        guard !files.isEmpty else { throw AnalysisError.invalidCorpus("the folder \(path) has no files") }
        return files.sorted()
    }

    /// The largest unit (file, document, line) that gives every group at least
    /// `minimumUnitsPerFold` units per fold; line when none does.
    static func automaticUnit(_ files: [[(String, [UInt8])]], folds: Int) -> CorpusUnit {
        let needed = folds * minimumUnitsPerFold
        for candidate in [CorpusUnit.file, .document] {
            if files.allSatisfy({ group in group.reduce(0) { $0 + units(of: $1.1, unit: candidate).count } >= needed }) { return candidate }
        }
        return .line
    }

    /// The share of the bytes of `ranges` in units whose exact text occurs more than once.
    static func duplicateShare(_ ranges: [Range<Int>], text: [UInt8]) -> Double {
        var counts: [TextKey: Int] = [:]
        for range in ranges { counts[TextKey(text[range]), default: 0] += 1 }
        let total = ranges.reduce(0) { $0 + $1.count }
        let duplicated = ranges.reduce(0) { $0 + (counts[TextKey(text[$1])]! > 1 ? $1.count : 0) }
        return total == 0 ? 0 : Double(duplicated) / Double(total)
    }

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

    /// The unit ranges of `bytes`: non-blank lines, blocks between blank lines, or the whole file
    /// (all without their final line break; "\r\n" counts as a line break).
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
        if unit == .line || unit == .auto { return lines.filter { !isBlank($0) } }
        if unit == .file {
            let content = lines.filter { !isBlank($0) }
            return content.isEmpty ? [] : [content.first!.lowerBound..<content.last!.upperBound]
        }
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


/// A unit's text as a dictionary key: FNV-1a 64 of its bytes and its length (no copy kept).
struct TextKey: Hashable {
    let hash: UInt64
    let length: Int

    init(hash: UInt64, length: Int) { (self.hash, self.length) = (hash, length) }

    init(_ bytes: ArraySlice<UInt8>) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        (hash, length) = (h, bytes.count)
    }
}

extension SweepCorpus {
    /// The share of group `g`'s bytes (before any sampling) in units whose exact text occurs
    /// more than once in it; all copies of one text are in one fold, except with `parallel`.
    public func duplicateShare(inGroup g: Int) -> Double { duplicateShareByGroup[g] }

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
