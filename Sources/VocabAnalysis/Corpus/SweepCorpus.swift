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
    /// Every JSON Lines record's text is a unit (the files are JSON Lines; the text key is given
    /// with the corpus).
    case record
}

/// Corpora cut into units, each unit tagged with its group (language) and cross-validation fold.
///
/// Units are assigned to folds by a seeded permutation within each group, so every fold holds
/// about 1/k of every group's distinct units, and the same files, unit kind, fold count and seed always give the
/// same folds. Units with exactly the same text go to the same fold (a repeated line or
/// boilerplate block held out while its copy is trained on would flatter held-out compression);
/// `duplicateShare(inGroup:)` says how much of each group that concerns.
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
    /// Per group, what was read and what the sample kept.
    public let inputByGroup: [InputShare]
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
    /// 1. Expand folders into their files, in path order; resolve `auto` by counting each group's
    ///    files and documents (up to two streaming passes that keep nothing).
    /// 2. Stream each file into units (`UnitReader`): every file must look like text (invalid
    ///    UTF-8 is replaced later by the front end, as in training). With `sampleBytesPerGroup`,
    ///    a `UnitSampler` keeps a seeded sample of each group's distinct texts that fills that many
    ///    bytes, with all their copies (which share the stored bytes), so memory follows the
    ///    sample, not the input.
    /// 3. Count characters and reference words per unit.
    /// 4. Per group, gather units with identical text into one class; shuffle the classes with the
    ///    seed; class i of the shuffle goes to fold i mod k. With `maxUnitsPerGroup`, classes that
    ///    would pass that many units are skipped. With `parallel`, lines stay aligned across
    ///    groups instead (every unit its own class, the same shuffle for every group).
    /// - Complexity: O(bytes read) plus ICU word segmentation of every kept unit; memory is the
    ///   kept units' bytes (each distinct text once with a sample) plus about 60 bytes per kept
    ///   unit (ranges, fold, group, characters, words, and the class table while folds are dealt).
    ///
    /// With `textKey`, the files are JSON Lines and each record's text (under that key, or a bare
    /// JSON string) is a unit (`.record`); `unit` must then be `.auto` or `.record`.
    public init(groups: [(name: String, paths: [String])], unit: CorpusUnit, folds: Int, seed: UInt64,
                maxUnitsPerGroup: Int? = nil, sampleBytesPerGroup: Int? = nil, parallel: Bool = false, textKey: String? = nil) throws {
        try self.init(groups: groups, unit: unit, folds: folds, seed: seed, maxUnitsPerGroup: maxUnitsPerGroup,
                      sampleBytesPerGroup: sampleBytesPerGroup, parallel: parallel, textKey: textKey, allowsOneFold: false)
    }

    /// The same; `allowsOneFold` makes a single fold holding everything (for evaluation).
    init(groups: [(name: String, paths: [String])], unit: CorpusUnit, folds: Int, seed: UInt64,
         maxUnitsPerGroup: Int? = nil, sampleBytesPerGroup: Int? = nil, parallel: Bool = false, textKey: String? = nil,
         allowsOneFold: Bool) throws {
        guard folds >= 2 || (allowsOneFold && folds == 1) else { throw AnalysisError.invalidOption("cross-validation needs at least 2 folds, not \(folds)") }
        guard !groups.isEmpty else { throw AnalysisError.invalidOption("no corpus given") }
        if textKey != nil && unit != .auto && unit != .record {
            throw AnalysisError.invalidOption("JSON Lines input makes each record a unit; a \(unit.rawValue) unit does not apply to it")
        }
        if let sampleBytesPerGroup {
            guard sampleBytesPerGroup > 0 else { throw AnalysisError.invalidOption("the sample needs a positive number of bytes, not \(sampleBytesPerGroup)") }
            guard !parallel else {
                throw AnalysisError.invalidOption("a byte sample would keep different lines of each translation; with --parallel, use --max-units, which keeps the same lines in every group")
            }
        }
        // Phase 1.
        let files = try groups.map { group in try group.paths.flatMap(Self.expand) }
        let unit = textKey != nil ? .record
            : unit == .auto ? try Self.automaticUnit(files, folds: folds, sampleBytesPerGroup: sampleBytesPerGroup) : unit
        var text: [UInt8] = []
        let fileBytes = files.map { group in group.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) } }
        // A single sampled group's text is its sampler's arena, taken over whole; otherwise the
        // groups' texts are copied into one reservation.
        if sampleBytesPerGroup == nil || groups.count > 1 {
            text.reserveCapacity(fileBytes.reduce(0) { $0 + min($1, sampleBytesPerGroup ?? Int.max) })
        }
        var ranges: [Range<Int>] = [], unitGroups: [Int32] = [], unitFolds: [Int32] = []
        var perGroupCounts: [Int] = [], duplicateShares: [Double] = [], inputs: [InputShare] = []
        for (groupIndex, group) in groups.enumerated() {
            // Phase 2.
            var groupRanges: [Range<Int>] = []
            var input = InputShare(files: files[groupIndex].count)
            func keep(_ bytes: ArraySlice<UInt8>) {
                let start = text.count
                text.append(contentsOf: bytes)
                groupRanges.append(start..<text.count)
            }
            var sampler = sampleBytesPerGroup.map { UnitSampler(budget: $0, seed: seed &+ UInt64(groupIndex), expectedBytes: fileBytes[groupIndex]) }
            for path in files[groupIndex] {
                var reader = UnitReader(path: path, unit: unit, maximumLength: sampleBytesPerGroup ?? Int.max)
                if let textKey { reader.textKey = textKey }
                let totals = try reader.read { bytes in if sampler != nil { sampler!.offer(bytes) } else { keep(bytes) } }
                input.add(totals)
            }
            if sampler != nil {
                // Each kept text is stored once; its copies share its bytes, in input order. The
                // sampler is drained in place, so its arena moves out without a copy.
                let (sampled, units) = sampler!.drain()
                sampler = nil
                if groups.count == 1 {
                    text = sampled
                    groupRanges = units
                } else {
                    let start = text.count
                    text.append(contentsOf: sampled)
                    groupRanges = units.map { (start + $0.lowerBound)..<(start + $0.upperBound) }
                }
            }
            input.sampledUnits = groupRanges.count
            input.sampledBytes = groupRanges.reduce(0) { $0 + $1.count }
            inputs.append(input)
            guard !groupRanges.isEmpty else {
                let why = input.oversizedUnits > 0 ? ": every \(unit.rawValue) is longer than the sample of \(sampleBytesPerGroup!) bytes" : ""
                throw AnalysisError.invalidCorpus("\(group.name) (\(group.paths.joined(separator: ", "))) has no text\(why)")
            }
            // Phase 4: classes of identical units, numbered in order of first occurrence.
            var classOf: [TextKey: Int32] = [:], unitClass: [Int32] = [], classSize: [Int32] = []
            classOf.reserveCapacity(groupRanges.count)
            unitClass.reserveCapacity(groupRanges.count)
            for (index, range) in groupRanges.enumerated() {
                let key = parallel ? TextKey(hash: UInt64(index), length: -1) : TextKey(text[range])
                if let existing = classOf[key] {
                    unitClass.append(existing)
                    classSize[Int(existing)] += 1
                } else {
                    classOf[key] = Int32(classSize.count)
                    unitClass.append(Int32(classSize.count))
                    classSize.append(1)
                }
            }
            classOf = [:]
            if parallel {
                duplicateShares.append(Self.duplicateShare(groupRanges, text: text))
            } else {
                let duplicated = zip(groupRanges, unitClass).reduce(0) { $0 + (classSize[Int($1.1)] > 1 ? $1.0.count : 0) }
                duplicateShares.append(input.sampledBytes == 0 ? 0 : Double(duplicated) / Double(input.sampledBytes))
            }
            var order = Array(classSize.indices)
            var random = SplitMix64(seed: seed &+ (parallel ? 0 : UInt64(groupIndex)))
            Self.shuffle(&order, &random)
            // Kept classes are dealt round robin; with `maxUnitsPerGroup`, a class that would pass the
            // limit is skipped (never split), so at most that many units are kept.
            var classFold = [Int32](repeating: -1, count: classSize.count)
            var kept = 0, keptClasses = 0
            for classIndex in order {
                if let maxUnitsPerGroup, kept + Int(classSize[classIndex]) > maxUnitsPerGroup { continue }
                classFold[classIndex] = Int32(keptClasses % folds)
                kept += Int(classSize[classIndex])
                keptClasses += 1
            }
            guard keptClasses >= folds else {
                let within = [maxUnitsPerGroup == nil ? nil : "--max-units", sampleBytesPerGroup == nil ? nil : "the sample"].compactMap { $0 }
                throw AnalysisError.invalidCorpus("\(group.name) has \(keptClasses) distinct \(unit.rawValue)s\(within.isEmpty ? "" : " within " + within.joined(separator: " and ")), fewer than the \(folds) folds")
            }
            for (range, unitClass) in zip(groupRanges, unitClass) where classFold[Int(unitClass)] >= 0 {
                ranges.append(range)
                unitGroups.append(Int32(groupIndex))
                unitFolds.append(classFold[Int(unitClass)])
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
        self.inputByGroup = inputs
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
        guard path != "-" else { throw AnalysisError.invalidOption("the sweep reads files, not standard input (-): save the text to a file first") }
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
    /// `minimumUnitsPerFold` units per fold; line when none does. With a sample, only units that
    /// fit in it count, and no more than the sample holds at their mean length.
    /// - Complexity: one streaming pass over the files per candidate tried; no text is kept.
    static func automaticUnit(_ files: [[String]], folds: Int, sampleBytesPerGroup: Int? = nil) throws -> CorpusUnit {
        let needed = folds * minimumUnitsPerFold
        for candidate in [CorpusUnit.file, .document] {
            // A group with fewer files than needed cannot have enough file units.
            if candidate == .file, files.contains(where: { $0.count < needed }) { continue }
            let enough = try files.allSatisfy { group in
                var units = 0, bytes = 0
                for path in group {
                    var reader = UnitReader(path: path, unit: candidate, maximumLength: sampleBytesPerGroup ?? Int.max)
                    reader.keepsText = false
                    let totals = try reader.read { _ in }
                    units += totals.units - totals.oversized
                    bytes += totals.unitBytes - totals.oversizedBytes
                }
                if let sampleBytesPerGroup, units > 0 { units = min(units, Int(Double(sampleBytesPerGroup) / (Double(bytes) / Double(units)))) }
                return units >= needed
            }
            if enough { return candidate }
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

/// What a sweep read of one group, and how much of it the byte sample kept.
public struct InputShare: Sendable, Codable, Equatable {
    public var files: Int
    /// Bytes of the files.
    public var bytes = 0
    /// Units in the files, and their bytes (line breaks between units excluded).
    public var units = 0
    public var unitBytes = 0
    /// Units longer than the sample (never kept).
    public var oversizedUnits = 0
    /// Units and bytes the sample kept (all of them without a sample), before `maxUnitsPerGroup`.
    public var sampledUnits = 0
    public var sampledBytes = 0

    public init(files: Int) { self.files = files }

    /// The share of the units' bytes that was kept.
    public var sampledShare: Double { unitBytes == 0 ? 0 : Double(sampledBytes) / Double(unitBytes) }

    mutating func add(_ totals: UnitReader.Totals) {
        bytes += totals.bytes
        units += totals.units
        unitBytes += totals.unitBytes
        oversizedUnits += totals.oversized
    }
}

extension SweepCorpus {
    /// The share of group `g`'s bytes (within the byte sample, before `maxUnitsPerGroup`) in units
    /// whose exact text occurs more than once in it; all copies of one text are in one fold,
    /// except with `parallel`.
    public func duplicateShare(inGroup g: Int) -> Double { duplicateShareByGroup[g] }

    /// Units of group `g` (after sampling).
    public func unitCount(inGroup g: Int) -> Int { unitGroups.reduce(0) { $0 + ($1 == Int32(g) ? 1 : 0) } }

    /// Unicode scalars in the units of group `g`.
    public func characterCount(inGroup g: Int) -> Int {
        zip(unitGroups, unitCharacters).reduce(0) { $0 + ($1.0 == Int32(g) ? Int($1.1) : 0) }
    }

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
