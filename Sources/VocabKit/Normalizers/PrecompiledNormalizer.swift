/// HuggingFace's `Precompiled` normalizer: a SentencePiece normalization map applied the way
/// `tokenizers` applies it, which differs from SentencePiece's own longest-match rewriting.
///
/// 1. The text is cut into extended grapheme clusters.
/// 2. A cluster shorter than 6 bytes that starts with a rule's source is replaced, whole, by the
///    output of the *shortest* such rule.
/// 3. Otherwise each character of the cluster is replaced by the output of the shortest rule its
///    bytes start with, or kept.
/// T5, ALBERT, XLNet, mT5 and most Unigram models converted from SentencePiece carry one.
/// - Complexity: O(n · the longest rule).
public struct PrecompiledNormalizer: Normalizer {
    public let charsMap: PrecompiledCharsMap

    public init(_ charsMap: PrecompiledCharsMap) {
        self.charsMap = charsMap
    }

    public func normalize(_ text: inout NormalizedText) throws {
        let source = text
        var builder = NormalizedTextBuilder(source: source, extraCapacity: 16)
        var changed = false
        source.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for cluster in String(decoding: bytes, as: UTF8.self) {
                let end = start + cluster.utf8.count
                defer { start = end }
                if end - start < 6, let output = charsMap.shortestMatch(bytes, from: start, to: end) {
                    builder.keep(upTo: start)
                    replaceCluster(start..<end, with: charsMap.outputs[output], in: bytes, builder: &builder)
                    changed = true
                    continue
                }
                var character = start
                while character < end {
                    let next = min(end, character + utf8SequenceLength(leading: bytes[character]))
                    if let output = charsMap.shortestMatch(bytes, from: character, to: next) {
                        builder.keep(upTo: character)
                        builder.replace(upTo: next, with: charsMap.outputs[output])
                        changed = true
                    }
                    character = next
                }
            }
        }
        if changed { text = builder.finish() }
    }
}

extension PrecompiledNormalizer {
    /// Replaces a cluster of n characters by m characters aligned as `tokenizers` aligns them:
    /// output character i stands for input character i; with more output characters, the extra
    /// ones stand for the last input character; with fewer, the input characters past the last
    /// output character are deleted.
    private func replaceCluster(_ cluster: Range<Int>, with output: ArraySlice<UInt8>, in bytes: UnsafeBufferPointer<UInt8>,
                                builder: inout NormalizedTextBuilder) {
        /// The byte ranges of the characters of valid UTF-8 `text`, shifted by `base`.
        func characters(_ text: [UInt8], base: Int) -> [Range<Int>] {
            var result: [Range<Int>] = [], i = 0
            while i < text.count {
                let next = min(text.count, i + utf8SequenceLength(leading: text[i]))
                result.append((base + i)..<(base + next))
                i = next
            }
            return result
        }
        let old = characters(Array(bytes[cluster]), base: cluster.lowerBound)
        let new = characters(Array(output), base: output.startIndex)
        guard !new.isEmpty, old.count > 1 else {
            builder.replace(upTo: cluster.upperBound, with: output)
            return
        }
        for index in 0..<min(old.count, new.count) {
            let last = index == min(old.count, new.count) - 1
            // The last pair carries the extra output characters (m > n).
            let piece = last ? output[new[index].lowerBound...] : output[new[index]]
            builder.replace(upTo: old[index].upperBound, with: piece)
        }
        if new.count < old.count { builder.replace(upTo: cluster.upperBound, with: EmptyCollection()) }
    }
}

// The registry entries (see NormalizerComponent).
extension PrecompiledNormalizer { public var component: NormalizerComponent? { .precompiled(charsMap) } }

extension PrecompiledCharsMap {
    /// The output of the shortest rule whose source starts `bytes[start..<end]`, as a range of
    /// `outputs`. O(length of the longest matching rule).
    func shortestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Range<Int>? {
        var first: Int32?
        trie.forEachPrefix(of: bytes, from: start, to: end) { value, _ in
            if first == nil { first = value }
        }
        guard let value = first, value >= 0, Int(value) <= outputs.count else { return nil }
        var stop = Int(value)
        while stop < outputs.count && outputs[stop] != 0 { stop += 1 }
        return Int(value)..<stop
    }
}
