/// A list of byte strings stored end to end in one buffer, indexed by position.
///
/// A vocabulary kept as `[[UInt8]]` costs an allocation, a retain and a release per token each
/// time it is built, walked and freed: about a third of loading a 32,000-piece `.model`. This
/// list is two arrays whatever its length, and is shared (copy on write) by the model, its
/// lookup table's keys (`ByteStringTable.indexing(_:)`) and the decoder's table
/// (`TokenBytesTable`).
///
/// Memory: the strings' bytes plus 8 bytes per string.
package struct FlatByteStrings: Sendable, Equatable {
    /// Every string's bytes, in order.
    package private(set) var bytes: [UInt8] = []
    /// `ends[i]`: where string i ends in `bytes`; it starts where string i - 1 ends.
    package private(set) var ends: [Int] = []

    package init() {}

    /// The list of `strings`. O(total bytes).
    package init(_ strings: [[UInt8]]) {
        ends.reserveCapacity(strings.count)
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.count })
        for string in strings {
            bytes += string
            ends.append(bytes.count)
        }
    }

    /// Room for `count` strings of `byteCount` bytes in all.
    package mutating func reserveCapacity(strings count: Int, bytes byteCount: Int) {
        ends.reserveCapacity(count)
        bytes.reserveCapacity(byteCount)
    }

    /// Gives back reserved room: both arrays copied at their size. O(total bytes).
    package mutating func shrinkToFit() {
        bytes = bytes.withUnsafeBufferPointer { Array($0) }
        ends = ends.withUnsafeBufferPointer { Array($0) }
    }

    /// Appends a string. O(its length), amortized.
    package mutating func append(_ string: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: string)
        ends.append(bytes.count)
    }

    /// Appends the string that `write` appends to the buffer (it must only append). O(its length),
    /// amortized.
    package mutating func appending(_ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = bytes.count
        try write(&bytes)
        precondition(bytes.count >= start, "appending may only append")
        ends.append(bytes.count)
    }

    /// The number of strings.
    package var count: Int { ends.count }

    /// The first `count` strings (all of them when there are fewer). O(their bytes).
    package func prefix(_ count: Int) -> FlatByteStrings {
        var list = FlatByteStrings()
        let n = max(0, min(count, self.count))
        list.ends = Array(ends[..<n])
        list.bytes = Array(bytes[..<(n == 0 ? 0 : ends[n - 1])])
        return list
    }

    /// Where string `index` lies in `bytes`. O(1).
    @inline(__always)
    package func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// String `index` as a new array. O(its length).
    package subscript(index: Int) -> [UInt8] { Array(bytes[range(index)]) }

    /// The strings read in place through pointers (no retain, no copy), valid only inside
    /// `withView`: what hot loops over the list use.
    package struct View {
        /// Every string's bytes, in order.
        package let bytes: UnsafeBufferPointer<UInt8>
        /// `ends[i]`: where string i ends in `bytes`.
        package let ends: UnsafeBufferPointer<Int>

        /// The number of strings.
        package var count: Int { ends.count }

        /// Where string `index` lies in `bytes`. O(1).
        @inline(__always)
        package func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

        /// String `index`. O(1).
        @inline(__always)
        package subscript(index: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range(index)]) }
    }

    /// Calls `body` with the strings in place. O(1) besides `body`.
    package func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { bytes in
            try ends.withUnsafeBufferPointer { ends in try body(View(bytes: bytes, ends: ends)) }
        }
    }

    /// String `index` decoded as UTF-8 (invalid bytes replaced), or "" past the end: a model's
    /// display string for a token id (`TokenVocabulary.tokenString`). O(its length).
    package func text(_ index: Int) -> String {
        index >= 0 && index < count ? withView { String(decoding: $0[index], as: UTF8.self) } : ""
    }

    /// Every string as its own array. O(total bytes), one allocation per string.
    package var arrays: [[UInt8]] { (0..<count).map { self[$0] } }
}
