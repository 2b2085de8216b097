/// SentencePiece's normalization map: rewrite rules from UTF-8 strings to UTF-8 strings, applied
/// by longest prefix (the `precompiled_charsmap` of a `.model` file).
///
/// Blob layout: a 4-byte little-endian trie size in bytes, the double array (see
/// `DoubleArrayTrie`), then the outputs, each NUL-terminated; a key's value is the offset of
/// its output.
public struct PrecompiledCharsMap: Sendable, Equatable {
    package let trie: DoubleArrayTrie
    /// NUL-terminated outputs.
    public let outputs: [UInt8]

    /// Reads a blob from a `.model` file or a HuggingFace `Precompiled` normalizer.
    public init(blob: [UInt8]) throws {
        guard blob.count > 4 else { throw ModelError.invalidModel("precompiled_charsmap is shorter than its header") }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize % 4 == 0, trieSize > 0, 4 + trieSize <= blob.count else {
            throw ModelError.invalidModel("precompiled_charsmap: trie size \(trieSize) does not fit the \(blob.count)-byte blob")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for index in units.indices {
            let b = 4 + index * 4
            units[index] = UInt32(blob[b]) | UInt32(blob[b + 1]) << 8 | UInt32(blob[b + 2]) << 16 | UInt32(blob[b + 3]) << 24
        }
        self.trie = DoubleArrayTrie(units: units)
        self.outputs = Array(blob[(4 + trieSize)...])
    }

    /// Builds a map from rules (source string → replacement, which may be empty).
    /// - Complexity: O(total bytes x blocks scanned) (see `DoubleArrayTrie.init(keys:values:)`).
    public init(rules: [(from: [UInt8], to: [UInt8])]) throws {
        var offsets: [[UInt8]: Int32] = [:]
        var outputs: [UInt8] = []
        for target in Set(rules.map(\.to)).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            offsets[target] = Int32(outputs.count)
            outputs.append(contentsOf: target)
            outputs.append(0)
        }
        self.trie = try DoubleArrayTrie(keys: rules.map(\.from), values: rules.map { offsets[$0.to]! })
        self.outputs = outputs
    }

    /// The blob as stored in files.
    public var blob: [UInt8] {
        var blob: [UInt8] = []
        blob.reserveCapacity(4 + trie.units.count * 4 + outputs.count)
        let size = UInt32(trie.units.count * 4)
        for shift in stride(from: 0, to: 32, by: 8) { blob.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        for unit in trie.units {
            for shift in stride(from: 0, to: 32, by: 8) { blob.append(UInt8(truncatingIfNeeded: unit >> UInt32(shift))) }
        }
        blob.append(contentsOf: outputs)
        return blob
    }

    /// The longest rule matching at `start`: how many bytes it consumes and where its output is.
    /// - Complexity: O(length of the longest rule).
    @inline(__always)
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (length: Int, output: Range<Int>)? {
        var best: (Int, Int32)?
        trie.forEachPrefix(of: bytes, from: start, to: bytes.count) { value, length in
            if best == nil || length > best!.0 { best = (length, value) }
        }
        guard let (length, value) = best, value >= 0, Int(value) <= outputs.count else { return nil }
        var end = Int(value)
        while end < outputs.count && outputs[end] != 0 { end += 1 }
        return (length, Int(value)..<end)
    }

    /// The rules as (source, replacement) pairs, recovered by walking the trie.
    /// - Complexity: O(units x 256).
    public var rules: [(from: [UInt8], to: [UInt8])] {
        var result: [(from: [UInt8], to: [UInt8])] = []
        let units = trie.units
        func walk(_ node: Int, _ prefix: [UInt8]) {
            let base = node ^ DoubleArrayTrie.offset(units[node])
            if DoubleArrayTrie.hasLeaf(units[node]), base < units.count {
                let start = Int(DoubleArrayTrie.value(units[base]))
                var end = start
                while end < outputs.count && outputs[end] != 0 { end += 1 }
                if start <= outputs.count { result.append((prefix, Array(outputs[start..<end]))) }
            }
            for label in 1...255 {
                let child = base ^ label
                if child < units.count, DoubleArrayTrie.label(units[child]) == UInt32(label) {
                    walk(child, prefix + [UInt8(label)])
                }
            }
        }
        walk(0, [])
        return result
    }
}
