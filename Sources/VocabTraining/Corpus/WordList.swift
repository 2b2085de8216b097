/// A copy of `array` in a buffer of its size (`Array(array[...])` would share the original,
/// spare capacity and all).
func exactCopy<Element>(_ array: [Element]) -> [Element] {
    var copy: [Element] = []
    copy.reserveCapacity(array.count)
    copy.append(contentsOf: array)
    return copy
}

/// Distinct words with their counts, stored flat: every word's bytes in one buffer.
///
/// An array of `(word: [UInt8], count: Int64)` costs about 64 bytes per word beyond its bytes
/// (a tuple, an array header, a heap block); this costs 16 (an end offset and a count), which is
/// what lets tens of millions of distinct pieces train in a few GB. Reading an element copies its
/// word into a new array; loops that touch every word use `forEachWord` or `withWord(at:)`, which
/// copy nothing.
public struct WordList: RandomAccessCollection, Sendable {
    /// Every word's bytes, one after another.
    public private(set) var bytes: [UInt8] = []
    /// Where each word ends in `bytes` (word i is `bytes[ends[i - 1]..<ends[i]]`).
    public private(set) var ends: [Int] = []
    /// Each word's count.
    public private(set) var counts: [Int64] = []

    public init() {}

    /// The words of `pairs`, in their order.
    public init<S: Sequence>(_ pairs: S) where S.Element == (word: [UInt8], count: Int64) {
        for (word, count) in pairs { append(word, count: count) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { counts.count }

    /// Word `index` (a copy of its bytes) with its count.
    /// - Complexity: O(length of the word).
    public subscript(index: Int) -> (word: [UInt8], count: Int64) {
        (Array(bytes[start(index)..<ends[index]]), counts[index])
    }

    @inline(__always)
    private func start(_ index: Int) -> Int { index == 0 ? 0 : ends[index - 1] }

    /// Calls `body` with the bytes of word `index`, without copying them.
    @inline(__always)
    public func withWord<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start(index)..<ends[index]])) }
    }

    /// Calls `body` with every word's bytes and count, in order, without copying the words.
    /// - Complexity: O(total bytes).
    public func forEachWord(_ body: (UnsafeBufferPointer<UInt8>, Int64) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            var from = 0
            for index in 0..<counts.count {
                let to = ends[index]
                try body(UnsafeBufferPointer(rebasing: all[from..<to]), counts[index])
                from = to
            }
        }
    }

    /// Adds a word at the end.
    public mutating func append(_ word: UnsafeBufferPointer<UInt8>, count: Int64) {
        bytes.append(contentsOf: word)
        ends.append(bytes.count)
        counts.append(count)
    }

    /// Adds a word at the end.
    public mutating func append(_ word: [UInt8], count: Int64) {
        word.withUnsafeBufferPointer { append($0, count: count) }
    }

    /// Reserves room for `words` more words of `bytes` more bytes.
    public mutating func reserveCapacity(words: Int, bytes byteCount: Int) {
        bytes.reserveCapacity(bytes.count + byteCount)
        ends.reserveCapacity(ends.count + words)
        counts.reserveCapacity(counts.count + words)
    }

    /// Frees the room appending left unused (up to half of each buffer), for a list that is
    /// complete. Briefly holds both copies of one buffer at a time.
    public mutating func shrinkToFit() {
        bytes = exactCopy(bytes)
        ends = exactCopy(ends)
        counts = exactCopy(counts)
    }
}
