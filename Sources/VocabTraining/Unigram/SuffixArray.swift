/// Suffix arrays by induced sorting (SA-IS, Nong, Zhang and Chan 2009), permuted LCP arrays
/// (Kärkkäinen, Manzini and Puglisi 2009) and the enumeration of repeated substrings they allow:
/// the seed step of Unigram training.
enum SuffixArray {
    /// The suffix array of `text`, whose symbols are in 0..<alphabetSize. The last symbol must be
    /// 0 and occur nowhere else (the sentinel).
    /// - Complexity: O(n + alphabetSize) time; extra space at most 9n bytes at the top level
    ///   (types, names and the LMS positions, then the reduced string and its suffix array), plus
    ///   the recursion on at most n/2 symbols.
    static func build(_ text: [Int32], alphabetSize: Int) -> [Int32] {
        var sa = [Int32](repeating: -1, count: text.count)
        text.withUnsafeBufferPointer { t in
            sa.withUnsafeMutableBufferPointer { s in sais(t, s, alphabetSize) }
        }
        return sa
    }

    /// 1. Classify suffixes as S or L; find the leftmost-S (LMS) positions.
    /// 2. Induce-sort the LMS substrings from their bucket ends.
    /// 3. Name LMS substrings; if names repeat, recurse on the reduced string.
    /// 4. Induce the full order from the sorted LMS suffixes.
    private static func sais(_ t: UnsafeBufferPointer<Int32>, _ sa: UnsafeMutableBufferPointer<Int32>, _ k: Int) {
        let n = t.count
        if n == 1 { sa[0] = 0; return }
        // Phase 1: types (true = S).
        var isS = [Bool](repeating: false, count: n)
        isS[n - 1] = true
        for i in stride(from: n - 2, through: 0, by: -1) {
            isS[i] = t[i] < t[i + 1] || (t[i] == t[i + 1] && isS[i + 1])
        }
        func isLMS(_ i: Int) -> Bool { i > 0 && isS[i] && !isS[i - 1] }
        var bucketSizes = [Int](repeating: 0, count: k)
        for symbol in t { bucketSizes[Int(symbol)] += 1 }
        func bucketEnds() -> [Int] {
            var ends = [Int](repeating: 0, count: k), sum = 0
            for c in 0..<k { sum += bucketSizes[c]; ends[c] = sum }
            return ends
        }
        func bucketStarts() -> [Int] {
            var starts = [Int](repeating: 0, count: k), sum = 0
            for c in 0..<k { starts[c] = sum; sum += bucketSizes[c] }
            return starts
        }
        func induce() {
            var starts = bucketStarts()
            for i in 0..<n {
                let j = Int(sa[i]) - 1
                if sa[i] > 0 && !isS[j] {
                    sa[starts[Int(t[j])]] = Int32(j)
                    starts[Int(t[j])] += 1
                }
            }
            var ends = bucketEnds()
            for i in stride(from: n - 1, through: 0, by: -1) {
                let j = Int(sa[i]) - 1
                if sa[i] > 0 && isS[j] {
                    ends[Int(t[j])] -= 1
                    sa[ends[Int(t[j])]] = Int32(j)
                }
            }
        }
        // Phase 2: place LMS positions at bucket ends, induce.
        for i in 0..<n { sa[i] = -1 }
        var ends = bucketEnds()
        for i in stride(from: n - 1, through: 1, by: -1) where isLMS(i) {
            ends[Int(t[i])] -= 1
            sa[ends[Int(t[i])]] = Int32(i)
        }
        induce()
        // Phase 3: name the sorted LMS substrings.
        var lmsCount = 0
        for i in 1..<n where isLMS(i) { lmsCount += 1 }
        var sortedLMS: [Int32] = []
        sortedLMS.reserveCapacity(lmsCount)
        for i in 0..<n where isLMS(Int(sa[i])) { sortedLMS.append(sa[i]) }
        var names = [Int32](repeating: -1, count: n)
        var name: Int32 = 0
        var previous = -1
        for lms in sortedLMS {
            let position = Int(lms)
            var differs = previous < 0
            if !differs {
                var d = 0
                while true {
                    let a = position + d, b = previous + d
                    if a >= n || b >= n || t[a] != t[b] || isS[a] != isS[b] { differs = true; break }
                    if d > 0 && (isLMS(a) || isLMS(b)) { differs = !(isLMS(a) && isLMS(b)); break }
                    d += 1
                }
            }
            if differs { name += 1 }
            names[position] = name - 1
            previous = position
        }
        sortedLMS = []
        var lmsPositions: [Int32] = []
        var reduced: [Int32] = []
        lmsPositions.reserveCapacity(lmsCount)
        reduced.reserveCapacity(lmsCount)
        for i in 0..<n where names[i] >= 0 {
            lmsPositions.append(Int32(i))
            reduced.append(names[i])
        }
        names = []  // 4n bytes, freed before the recursion
        // Phase 3b: order of the LMS suffixes, recursively if names are not unique.
        var reducedSA = [Int32](repeating: -1, count: reduced.count)
        if Int(name) < reduced.count {
            reduced.withUnsafeBufferPointer { r in
                reducedSA.withUnsafeMutableBufferPointer { s in sais(r, s, Int(name)) }
            }
        } else {
            for (index, value) in reduced.enumerated() { reducedSA[Int(value)] = Int32(index) }
        }
        reduced = []
        // Phase 4: place LMS suffixes in sorted order at bucket ends, induce.
        for i in 0..<n { sa[i] = -1 }
        ends = bucketEnds()
        for index in stride(from: reducedSA.count - 1, through: 0, by: -1) {
            let position = Int(lmsPositions[Int(reducedSA[index])])
            ends[Int(t[position])] -= 1
            sa[ends[Int(t[position])]] = Int32(position)
        }
        induce()
    }

    /// The permuted LCP array: `plcp[p]` is the length of the longest common prefix of the
    /// suffix at p and the suffix just before it in `sa` (0 for the first), so the LCP of the
    /// suffixes at sa[i-1] and sa[i] is plcp[sa[i]].
    /// - Complexity: O(n) time, one n-entry array (Kasai's rank-then-LCP holds two).
    static func permutedLCP(_ text: [Int32], _ sa: [Int32]) -> [Int32] {
        guard !text.isEmpty else { return [] }
        var plcp = [Int32](repeating: -1, count: text.count)
        plcp.withUnsafeMutableBufferPointer { permutedLCP(text, sa, into: $0.baseAddress!, stride: 1) }
        return plcp
    }

    /// Writes the permuted LCP array into the `lcp` field of each record (`records[p].lcp`),
    /// leaving the keys as they are.
    /// - Complexity: O(n) time; no memory beyond the records.
    static func permutedLCP(_ text: [Int32], _ sa: [Int32], into records: UnsafeMutableBufferPointer<LCPAndKey>) {
        precondition(records.count == text.count)
        guard let base = records.baseAddress else { return }
        // Two Int32 fields: a homogeneous aggregate that may be bound to Int32 (SE-0333); the
        // field's offset and the record's stride come from the layout, not from the declaration.
        let stride = MemoryLayout<LCPAndKey>.stride / MemoryLayout<Int32>.stride
        let offset = MemoryLayout<LCPAndKey>.offset(of: \LCPAndKey.lcp)! / MemoryLayout<Int32>.stride
        UnsafeMutableRawPointer(base).withMemoryRebound(to: Int32.self, capacity: records.count * stride) {
            permutedLCP(text, sa, into: $0 + offset, stride: stride)
        }
    }

    /// Writes the permuted LCP array to `lcp[p * stride]` for each position p (a field of an
    /// array of records: `forEachRepeat(sa:in:lcpAndKey:weight:_:)`'s). `lcp` must have room for
    /// (n - 1) x stride + 1 values; those slots also hold Φ while it runs, and the ones between
    /// them are not touched.
    ///
    /// 1. Φ: each suffix's predecessor in suffix-array order, written at its position.
    /// 2. In text order, each predecessor is replaced by the LCP with it; from position p to p + 1
    ///    that LCP drops by at most 1, so the comparisons total O(n) (Kärkkäinen, Manzini and
    ///    Puglisi 2009).
    ///
    /// - Complexity: O(n) time; no memory beyond `lcp`.
    static func permutedLCP(_ text: [Int32], _ sa: [Int32], into lcp: UnsafeMutablePointer<Int32>, stride: Int) {
        let n = text.count
        guard n > 1 else {
            if n == 1 { lcp[0] = 0 }
            return
        }
        text.withUnsafeBufferPointer { t in
            sa.withUnsafeBufferPointer { sa in
                // 1. Φ (-1 for the first suffix).
                lcp[Int(sa[0]) * stride] = -1
                for i in 1..<n { lcp[Int(sa[i]) * stride] = sa[i - 1] }
                // 2. LCP with the predecessor, over Φ.
                var h = 0
                for p in 0..<n {
                    let q = Int(lcp[p * stride])
                    if q < 0 { lcp[p * stride] = 0; h = 0; continue }
                    while p + h < n && q + h < n && t[p + h] == t[q + h] { h += 1 }
                    lcp[p * stride] = Int32(h)
                    if h > 0 { h -= 1 }
                }
            }
        }
    }

    /// Calls `body(position, length, weight)` once for each branching repeated substring: every
    /// internal node of the suffix tree (an LCP interval, the LCPs read from `permutedLCP`), with
    /// `weight` the sum of `weight(position)` over the suffixes that start with it.
    /// - Complexity: O(n); memory the stack of open intervals (at most the largest LCP + 1).
    static func forEachRepeat(sa: [Int32], plcp: [Int32], weight: (Int) -> Int64,
                              _ body: (_ position: Int, _ length: Int, _ weight: Int64) -> Void) {
        forEachRepeat(sa: sa, in: sa.indices, at: { (plcp[$0], weight($0)) }, body)
    }

    /// A position's permuted LCP and the key of its weight, side by side (two Int32 fields:
    /// `permutedLCP(_:_:into:)` writes `lcp` through an Int32 view of the records).
    struct LCPAndKey {
        var lcp: Int32
        var key: Int32
    }

    /// `forEachRepeat(sa:plcp:weight:_:)` over the suffixes `sa[range]`, with each position's LCP
    /// and weight key in one record (`lcpAndKey[p]`, the LCPs written by
    /// `permutedLCP(_:_:into:stride:)`), and its weight `weight(key)`: the scan takes one random
    /// access per suffix instead of two. A range from `independentParts` holds every repeat
    /// whose suffixes it holds, so its parts may be scanned on their own.
    /// - Complexity: O(range.count); memory the stack of open intervals.
    static func forEachRepeat(sa: [Int32], in range: Range<Int>, lcpAndKey: UnsafeBufferPointer<LCPAndKey>, weight: (Int32) -> Int64,
                              _ body: (_ position: Int, _ length: Int, _ weight: Int64) -> Void) {
        forEachRepeat(sa: sa, in: range, at: { let record = lcpAndKey[$0]; return (record.lcp, weight(record.key)) }, body)
    }

    /// About `count` contiguous ranges of `sa`'s indices that no repeat crosses: each starts at
    /// a suffix that shares nothing with the one before it (LCP 0, a change of first symbol), the
    /// first such at or after an even share of the suffixes. Fewer when the text has fewer such
    /// cuts.
    /// - Complexity: O(n) in the worst case (each suffix is looked at by one search at most).
    static func independentParts(sa: [Int32], lcpAndKey: UnsafeBufferPointer<LCPAndKey>, count: Int) -> [Range<Int>] {
        let n = sa.count
        guard count > 1 else { return n > 0 ? [0..<n] : [] }
        var cuts = [0]
        for k in 1..<count {
            var i = max(cuts[cuts.count - 1] + 1, k * n / count)
            while i < n && lcpAndKey[Int(sa[i])].lcp != 0 { i += 1 }
            if i == n { break }  // no cut after this target: none after the later ones either
            cuts.append(i)
        }
        cuts.append(n)
        return (0..<(cuts.count - 1)).compactMap { cuts[$0] < cuts[$0 + 1] ? cuts[$0]..<cuts[$0 + 1] : nil }
    }

    /// The scan: `at(p)` gives the permuted LCP of position p and p's weight.
    ///
    /// The weights are summed in suffix-array order as the scan goes; each open interval keeps
    /// the sum before its left bound, so no prefix-sum array is needed. The record of sa[i] read
    /// for its LCP gives the weight added at the next step.
    @inline(__always)
    private static func forEachRepeat(sa: [Int32], in range: Range<Int>, at: (Int) -> (lcp: Int32, weight: Int64),
                                      _ body: (_ position: Int, _ length: Int, _ weight: Int64) -> Void) {
        guard !range.isEmpty else { return }
        let n = range.upperBound
        // Stack of (lcp value, left bound, weight of the suffixes before the left bound).
        var stack: [(height: Int32, left: Int, before: Int64)] = [(0, range.lowerBound, 0)]
        var total: Int64 = 0
        var pendingWeight = at(Int(sa[range.lowerBound])).weight  // the weight of sa[i - 1]
        for i in (range.lowerBound + 1)...n {
            let before = total               // the weight of sa[lower..<i-1]
            total += pendingWeight           // the weight of sa[lower..<i]
            var height: Int32 = 0
            if i < n { (height, pendingWeight) = at(Int(sa[i])) }
            var left = i - 1, leftBefore = before
            while let top = stack.last, top.height > height {
                stack.removeLast()
                (left, leftBefore) = (top.left, top.before)
                // Interval [left, i-1] with common prefix length top.height.
                body(Int(sa[left]), Int(top.height), total - leftBefore)
            }
            if stack.last!.height < height { stack.append((height, left, leftBefore)) }
        }
    }
}
