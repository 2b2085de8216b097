/// A byte-string dictionary stored as a double array in the darts-clone unit layout.
///
/// SentencePiece stores its normalization maps in this layout (`precompiled_charsmap`), so the
/// same structure reads those blobs as they are and builds new ones that SentencePiece reads. The
/// Unigram and SentencePiece-BPE encoders use it for piece look-up: one array of 32-bit units,
/// one load and compare per input byte.
///
/// Layout of a unit: bits 0-7 the label of the transition into it, bit 8 "a key ends here",
/// bit 9 "offset is in units of 256", bits 10-31 the offset from this unit to its children's
/// base (children sit at `base ^ label`). The value of a key is a leaf unit at `base ^ 0`, with
/// bit 31 set so that no label matches it.
package struct DoubleArrayTrie: Sendable, Equatable {
    /// The units, as stored in files.
    package let units: [UInt32]

    /// Wraps units read from a file (validated lazily: look-ups never read out of bounds).
    package init(units: [UInt32]) {
        self.units = units.isEmpty ? [0] : units
    }

    @inline(__always) static func offset(_ unit: UInt32) -> Int {
        Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
    }
    @inline(__always) static func label(_ unit: UInt32) -> UInt32 { unit & ((1 << 31) | 0xFF) }
    @inline(__always) static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) static func value(_ unit: UInt32) -> Int32 { Int32(bitPattern: unit & ((1 << 31) - 1)) }

    /// Calls `body(value, length)` for every key that is a prefix of `bytes[start..<end]`,
    /// shortest first.
    /// - Complexity: O(length of the longest matching prefix).
    @inline(__always)
    package func forEachPrefix(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                              _ body: (_ value: Int32, _ length: Int) -> Void) {
        units.withUnsafeBufferPointer { u in
            forEachPrefixLeaf(of: bytes, from: start, to: end) { leaf, length in body(Self.value(u[leaf]), length) }
        }
    }

    /// `forEachPrefix`, giving each key's leaf unit instead of its value (`leafValue(_:)` reads
    /// it).
    /// - Complexity: O(length of the longest matching prefix).
    @inline(__always)
    package func forEachPrefixLeaf(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                                   _ body: (_ leaf: Int, _ length: Int) -> Void) {
        units.withUnsafeBufferPointer { u in
            var node = Self.offset(u[0])
            var i = start
            while i < end {
                // No key holds NUL: stop (no unit can be reached on it either, see phase 4).
                let byte = Int(bytes[i])
                if byte == 0 { return }
                node ^= byte
                guard node < u.count else { return }
                let unit = u[node]
                if Self.label(unit) != UInt32(byte) { return }
                node ^= Self.offset(unit)
                i += 1
                if Self.hasLeaf(unit) {
                    guard node < u.count else { return }
                    body(node, i - start)
                }
            }
        }
    }

    /// The value stored in leaf unit `leaf` (from `forEachPrefixLeaf`).
    @inline(__always)
    package func leafValue(_ leaf: Int) -> Int32 { Self.value(units[leaf]) }

    /// The leaf unit of exactly `key`, or nil.
    /// - Complexity: O(key length).
    package func leaf(of key: [UInt8]) -> Int? {
        var found: Int?
        key.withUnsafeBufferPointer { p in
            forEachPrefixLeaf(of: p, from: 0, to: p.count) { leaf, length in
                if length == p.count { found = leaf }
            }
        }
        return found
    }

    /// The value of exactly `key`, or nil.
    /// - Complexity: O(key length).
    package func value<C: Collection>(of key: C) -> Int32? where C.Element == UInt8 {
        leaf(of: Array(key)).map(leafValue)
    }

    /// Whether some key starts with `byte`.
    package func hasTransition(fromRootOn byte: UInt8) -> Bool {
        guard byte != 0 else { return false }
        let node = Self.offset(units[0]) ^ Int(byte)
        return node < units.count && Self.label(units[node]) == UInt32(byte)
    }

    /// Whether some key starts with all of `bytes`, or is a prefix of them (true for no bytes,
    /// even with no keys).
    /// - Complexity: O(bytes).
    package func hasKey(startingWithOrPrefixOf bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var node = Self.offset(units[0])
        for byte in bytes {
            guard byte != 0 else { return false }
            node ^= Int(byte)
            guard node < units.count, Self.label(units[node]) == UInt32(byte) else { return false }
            if Self.hasLeaf(units[node]) { return true }
            node ^= Self.offset(units[node])
        }
        return true
    }

    /// Whether some key starts with `first` then `second`, or is `first` alone.
    package func hasKey(startingWith first: UInt8, _ second: UInt8) -> Bool {
        withUnsafeBytes(of: (first, second)) { hasKey(startingWithOrPrefixOf: $0.assumingMemoryBound(to: UInt8.self)) }
    }
}

extension DoubleArrayTrie {
    /// Builds a double array holding `keys` with their `values`.
    ///
    /// 1. Sort the keys and build the trie level by level (children of each node in label order,
    ///    label 0 standing for "a key ends here").
    /// 2. Place each node's children at a base, in the first of the last two 256-unit blocks,
    ///    where all of their slots are free and no other node's base is; an offset from the
    ///    parent of 2^21 or more must keep the parent's low 8 bits (it is stored in units of 256).
    /// 3. Write labels, offsets, leaf flags and leaf values.
    /// 4. Label the free units so that no byte leads into one.
    /// - Complexity: O(total key bytes x blocks scanned); blocks fill front to back.
    package init(keys: [[UInt8]], values: [Int32]) throws {
        precondition(keys.count == values.count)
        units = try Self.build(FlatByteStrings(keys), values: values)
    }

    /// The units of `init(keys:values:)`, the keys read through pointers
    /// into one buffer: sorting and walking the arrays themselves retained and released a key per
    /// comparison and per read, and with the generic comparison were half of building a
    /// 16,000-piece model.
    private static func build(_ keys: FlatByteStrings, values: [Int32]) throws -> [UInt32] {
        try keys.withView { try build($0, values: values) }
    }

    /// `bits` with bit `b` moved to `b ^ c` (c < 64): bit `b` of the result is bit `b ^ c` of
    /// `bits`. One swap of neighbouring bit groups per set bit of `c`. O(1).
    @inline(__always)
    static func xorPermuted(_ bits: UInt64, by c: Int) -> UInt64 {
        var x = bits
        if c & 1 != 0 { x = (x & 0x5555_5555_5555_5555) << 1 | (x >> 1) & 0x5555_5555_5555_5555 }
        if c & 2 != 0 { x = (x & 0x3333_3333_3333_3333) << 2 | (x >> 2) & 0x3333_3333_3333_3333 }
        if c & 4 != 0 { x = (x & 0x0F0F_0F0F_0F0F_0F0F) << 4 | (x >> 4) & 0x0F0F_0F0F_0F0F_0F0F }
        if c & 8 != 0 { x = (x & 0x00FF_00FF_00FF_00FF) << 8 | (x >> 8) & 0x00FF_00FF_00FF_00FF }
        if c & 16 != 0 { x = (x & 0x0000_FFFF_0000_FFFF) << 16 | (x >> 16) & 0x0000_FFFF_0000_FFFF }
        if c & 32 != 0 { x = x << 32 | x >> 32 }
        return x
    }

    private static func build(_ keys: FlatByteStrings.View, values: [Int32]) throws -> [UInt32] {
        @inline(__always) func key(_ index: Int) -> UnsafeBufferPointer<UInt8> { keys[index] }
        /// Byte order, a prefix first (`lexicographicallyPrecedes`).
        @inline(__always) func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            let common = min(a.count, b.count)
            if common > 0 {
                let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                if order != 0 { return order < 0 }
            }
            return a.count < b.count
        }
        // Phase 1: sorted keys; each node is a range of keys sharing a prefix of `depth` bytes.
        // Sorted by their first 8 bytes as one big-endian number (zero-padded), the rest
        // compared only on a tie: that is byte order (a padded key ties with any key it is a
        // prefix of, and the tie is settled by the whole keys), at an integer compare for most
        // pairs instead of a `memcmp` call.
        var sortable: [(prefix: UInt64, index: Int)] = []
        sortable.reserveCapacity(keys.count)
        for index in 0..<keys.count {
            let current = key(index)
            var prefix: UInt64 = 0
            for k in 0..<min(8, current.count) { prefix |= UInt64(current[k]) << (56 - 8 * k) }
            sortable.append((prefix, index))
        }
        sortable.sort { $0.prefix != $1.prefix ? $0.prefix < $1.prefix : precedes(key($0.index), key($1.index)) }
        let order = sortable.map(\.index)
        sortable = []
        for (position, index) in order.enumerated() {
            let current = key(index)
            if current.isEmpty { throw BuildError.emptyKey }
            if current.contains(0) { throw BuildError.keyContainsNUL }
            if values[index] < 0 { throw BuildError.valueOutOfRange(Int(values[index])) }
            if position > 0 && !precedes(key(order[position - 1]), current) { throw BuildError.duplicateKey(Array(current)) }
        }
        // Room for a unit per key byte and per key (at most the nodes and leaves) and an eighth
        // more for the gaps placement leaves, so the arrays rarely grow and copy while blocks
        // are added.
        let expectedUnits = ((keys.bytes.count + keys.count) * 9 / 8 + 511) & ~255
        var units = [UInt32](repeating: 0, count: 256)
        units.reserveCapacity(expectedUnits)
        // Which units are used, and which are some node's base: a bit per unit, four words per
        // block, so that a block's free units whose base is none yet are found a word at a
        // time. Base 0 would make the root its own leaf slot; darts-clone never uses it.
        var usedBits = [UInt64](repeating: 0, count: 4)
        usedBits.reserveCapacity(expectedUnits / 64)
        usedBits[0] = 1
        var baseBits = usedBits
        // Used units per block, so the first block with a free unit is found without scanning
        // a full block's 256 flags after every node.
        var blockFill = [Int](repeating: 0, count: 1)
        blockFill[0] = 1
        var firstOpenBlock = 0

        struct Pending { var position: Int; var lower: Int; var upper: Int; var depth: Int }
        // Breadth first; the processed front of the queue is dropped as it grows, so the queue
        // holds about one level of nodes, not all of them (32 bytes each).
        var queue = [Pending(position: 0, lower: 0, upper: order.count, depth: 0)]
        var head = 0
        // Children: (label, key range); label 0 = a key ends at this depth (sorted first).
        var children: [(label: Int, lower: Int, upper: Int)] = []
        while head < queue.count {
            if head >= 4096 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            let node = queue[head]
            head += 1
            children.removeAll(keepingCapacity: true)
            @inline(__always) func labelAt(_ position: Int) -> Int {
                let current = key(order[position])
                return current.count == node.depth ? 0 : Int(current[node.depth])
            }
            var i = node.lower
            while i < node.upper {
                let label = labelAt(i)
                var j = i + 1
                while j < node.upper && labelAt(j) == label { j += 1 }
                children.append((label, i, j))
                i = j
            }
            // Phase 2: find a base for the children, in the first of the last two blocks with a
            // free unit for the first child where the others fit too. A base's children share
            // its block (labels change only the low 8 bits). An offset from the parent of 2^21
            // or more is stored in units of 256, so such a base must keep the parent's low 8
            // bits; nearer bases may sit anywhere. Measured on Vocabs/unigram-multi-16k: each
            // base keeping its parent's low byte (as before) made 347,392 units, two thirds
            // empty; bases anywhere make 104,192 with two blocks searched (loading the .model:
            // 10.8 ms, was 12) and 82,944 with five (13.3 ms; 16, as darts-clone keeps open,
            // 17 ms); the encoder was as fast with two as with five.
            let low = node.position & 0xFF
            // No keys: the root keeps no children and the trie matches nothing.
            guard let firstLabel = children.first?.label else { continue }
            var block = max(firstOpenBlock, units.count / 256 - 1)
            var base = 0
            search: while true {
                if block << 8 >= (1 << 29) { throw BuildError.tooLarge }
                if block << 8 >= units.count {
                    blockFill.append(0)
                    units.append(contentsOf: repeatElement(0, count: 256))
                    usedBits.append(contentsOf: repeatElement(0, count: 4))
                    baseBits.append(contentsOf: repeatElement(0, count: 4))
                }
                if blockFill[block] + children.count <= 256 {
                    for word in 0..<4 {
                        // Free units whose base (unit ^ firstLabel) is no base yet.
                        let bases = Self.xorPermuted(baseBits[block * 4 + (word ^ (firstLabel >> 6))], by: firstLabel & 63)
                        var free = ~usedBits[block * 4 + word] & ~bases
                        while free != 0 {
                            let slot = block << 8 | word << 6 | free.trailingZeroBitCount
                            free &= free - 1
                            let candidate = slot ^ firstLabel
                            if node.position ^ candidate >= (1 << 21) && candidate & 0xFF != low { continue }
                            var fits = true
                            for child in children.dropFirst() {
                                let unit = candidate ^ child.label
                                if usedBits[unit >> 6] >> UInt64(unit & 63) & 1 != 0 { fits = false; break }
                            }
                            if fits { base = candidate; break search }
                        }
                    }
                }
                block += 1
            }
            baseBits[base >> 6] |= 1 << UInt64(base & 63)
            // Phase 3: write the parent's offset and the children.
            let offset = UInt32(node.position ^ base)
            var parent = units[node.position] & ((1 << 31) | (1 << 8) | 0xFF)
            parent |= offset < (1 << 21) ? offset << 10 : (offset << 2) | (1 << 9)
            units[node.position] = parent
            for child in children {
                let position = base ^ child.label
                usedBits[position >> 6] |= 1 << UInt64(position & 63)
                blockFill[position >> 8] += 1
                if child.label == 0 {
                    units[position] = UInt32(bitPattern: values[order[child.lower]]) | (1 << 31)
                    units[node.position] |= 1 << 8
                } else {
                    units[position] = UInt32(child.label)
                    queue.append(Pending(position: position, lower: child.lower, upper: child.upper, depth: node.depth + 1))
                }
            }
            while firstOpenBlock < blockFill.count && blockFill[firstOpenBlock] == 256 {
                firstOpenBlock += 1
            }
        }
        // Trim trailing unused blocks.
        var count = units.count
        while count > 256 && blockFill[count / 256 - 1] == 0 { count -= 256 }
        // Phase 4: label each free unit so that no transition can land on it (darts-clone's
        // `fix_block`): a node with base b reaches unit u on byte (b ^ u) & 0xFF, so a free unit
        // labelled (u ^ f) & 0xFF, f being a unit of the block that is no node's base, is reached
        // only from base f, which does not exist. Left at 0, a free unit matched a NUL byte in
        // readers that walk NULs (sentencepiece normalizing text that holds one).
        for block in 0..<(count / 256) where blockFill[block] < 256 {
            var notBase = block << 8
            while baseBits[notBase >> 6] >> UInt64(notBase & 63) & 1 != 0 { notBase += 1 }
            for unit in (block << 8)..<((block + 1) << 8) where usedBits[unit >> 6] >> UInt64(unit & 63) & 1 == 0 {
                units[unit] = UInt32((unit ^ notBase) & 0xFF)
            }
        }
        return Array(units[0..<count])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
