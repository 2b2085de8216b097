import Foundation
import Testing
@testable import VocabKit

/// Every segmentation of `text` (as characters) into vocabulary pieces, with unknown single
/// characters where no piece covers one: the brute-force oracle of the lattice algorithms.
func allSegmentations(_ characters: [String], model: UnigramModel) -> [(ids: [UInt32], score: Double)] {
    var results: [(ids: [UInt32], score: Double)] = []
    func walk(_ start: Int, _ ids: [UInt32], _ score: Double) {
        if start == characters.count { results.append((ids, score)); return }
        var coversOne = false
        for end in (start + 1)...characters.count {
            let piece = Array(characters[start..<end].joined().utf8)
            if let id = model.trie.value(of: piece) {
                if end == start + 1 { coversOne = true }
                walk(end, ids + [UInt32(id)], score + model.scores[Int(id)])
            }
        }
        if !coversOne { walk(start + 1, ids + [model.unknownId], score + model.unknownScore) }
    }
    walk(0, [], 0)
    return results
}

/// SentencePiece BPE the slow way: scan every adjacent pair, merge the best-scored (leftmost on
/// ties), repeat.
func referenceScoredBPE(_ text: String, model: ScoredBPEModel) -> [UInt32] {
    var symbols = text.unicodeScalars.map { String($0) }
    while true {
        var best: (index: Int, score: Float)?
        for i in 0..<max(0, symbols.count - 1) {
            if let id = Array((symbols[i] + symbols[i + 1]).utf8).withUnsafeBufferPointer({ model.mergeableId(of: $0) }) {
                let score = model.scores[Int(id)]
                if best == nil || score > best!.score { best = (i, score) }
            }
        }
        guard let (index, _) = best else { break }
        symbols[index] += symbols[index + 1]
        symbols.remove(at: index + 1)
    }
    var ids: [UInt32] = []
    for symbol in symbols {
        let id = model.lookup.id(of: Array(symbol.utf8)) ?? model.unknownId
        if id == model.unknownId && ids.last == model.unknownId { continue }
        ids.append(id)
    }
    return ids
}

/// SentencePiece BPE with the closure-ordered `PriorityHeap` (the encoder before the packed
/// agenda keys): the reference for the order of pops, which BPE dropout's draws depend on.
func heapScoredBPE(_ model: ScoredBPEModel, piece: UnsafeBufferPointer<UInt8>, into output: inout [PieceToken],
               dropout: Double, generator: inout SplitMix64) {
    let n = piece.count
    guard n > 0 else { return }
    // Phase 1: symbols as byte ranges with links.
    var starts: [Int32] = [], ends: [Int32] = [], frozen: [Bool] = []
    starts.reserveCapacity(n); ends.reserveCapacity(n); frozen.reserveCapacity(n)
    var i = 0
    while i < n {
        var length = 0
        model.userDefined?.forEachPrefix(of: piece, from: i, to: n) { _, l in length = max(length, l) }
        let isFrozen = length > 0
        if !isFrozen { length = min(n - i, max(1, UTF8Validation.sequenceLength(piece, at: i))) }
        starts.append(Int32(i)); ends.append(Int32(i + length)); frozen.append(isFrozen)
        i += length
    }
    let count = starts.count
    var previous = (0..<count).map { Int32($0) - 1 }
    var next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : -1 }
    var alive = [Bool](repeating: true, count: count)
    // Phase 2: candidate pairs. Key: higher score first, then smaller left index.
    struct Pair { var score: Float; var left: Int32; var right: Int32; var size: Int32 }
    var agenda = PriorityHeap<Pair> { a, b in a.score > b.score || (a.score == b.score && a.left < b.left) }
    var unusedSplits: [[UInt8]: Int] = [:]
    func consider(_ left: Int32, _ right: Int32) {
        guard left >= 0, right >= 0, !frozen[Int(left)], !frozen[Int(right)] else { return }
        let from = Int(starts[Int(left)]), to = Int(ends[Int(right)])
        guard let id = model.mergeableId(of: UnsafeBufferPointer(rebasing: piece[from..<to])) else { return }
        agenda.push(Pair(score: model.scores[Int(id)], left: left, right: right, size: Int32(to - from)))
        if model.kinds[Int(id)] == .unused {
            unusedSplits[Array(piece[from..<to])] = Int(ends[Int(left)]) - from
        }
    }
    for index in 1..<max(1, count) { consider(Int32(index - 1), Int32(index)) }
    // Phase 3: merge.
    while let top = agenda.pop() {
        let left = Int(top.left), right = Int(top.right)
        guard alive[left], alive[right], next[left] == top.right,
              ends[right] - starts[left] == top.size else { continue }
        if dropout > 0 && (dropout >= 1 || Double.random(in: 0..<1, using: &generator) < dropout) { continue }
        ends[left] = ends[right]
        alive[right] = false
        next[left] = next[right]
        if next[right] >= 0 { previous[Int(next[right])] = Int32(left) }
        consider(previous[left], Int32(left))
        consider(Int32(left), next[left])
    }
    // Phase 4: ids.
    var tokens: [PieceToken] = []
    func resegment(_ from: Int, _ to: Int) {
        let bytes = UnsafeBufferPointer(rebasing: piece[from..<to])
        if let id = model.lookup.id(of: bytes) {
            if model.kinds[Int(id)] == .unused, let split = unusedSplits[Array(bytes)] {
                resegment(from, from + split)
                resegment(from + split, to)
                return
            }
            tokens.append(PieceToken(id: id, start: Int32(from), end: Int32(to)))
        } else {
            tokens.append(PieceToken(id: model.unknownId, start: Int32(from), end: Int32(to)))
        }
    }
    var index: Int32 = 0
    while index >= 0 && Int(index) < count {
        resegment(Int(starts[Int(index)]), Int(ends[Int(index)]))
        index = next[Int(index)]
    }
    appendTokensFusingUnknowns(tokens, piece: piece, unknownId: model.unknownId, byteIds: model.byteFallback ? model.byteIds : nil, into: &output)
}

@Suite("Double-array trie, SentencePiece .model files, Unigram and scored BPE")
struct UnigramTests {
    static let unigramFile = TestCorpora.fixture("sentencepiece/botchan_en_unigram_1000.model")
    static let bpeFile = TestCorpora.fixture("sentencepiece/botchan_en_bpe_1000.model")
    static let mistralFile = TestCorpora.fixture("sentencepiece/mistral-tokenizer.model.v1")

    @Test("A trie with no keys matches nothing, and a Unigram model whose only piece is <unk> encodes every character as it")
    func emptyTrie() throws {
        let trie = try DoubleArrayTrie(keys: [], values: [])
        #expect(trie.value(of: Array("a".utf8)) == nil)
        var found = 0
        Array("abc\u{0}".utf8).withUnsafeBufferPointer { bytes in trie.forEachPrefix(of: bytes, from: 0, to: bytes.count) { _, _ in found += 1 } }
        #expect(found == 0)
        for flavor in [UnigramModel.Flavor.sentencePiece, .huggingFace] {
            let model = try UnigramModel(pieces: [Array("<unk>".utf8)], scores: [0], kinds: [.unknown], unknownId: 0, flavor: flavor)
            var output: [PieceToken] = []
            var scratch = EncoderScratch()
            Array("ab日".utf8).withUnsafeBufferPointer { TokenModel.unigram(model).encode(piece: $0, into: &output, scratch: &scratch) }
            #expect(output.allSatisfy { $0.id == 0 } && output.last?.end == 5 && output.first?.start == 0)
        }
    }

    @Test("The builder's bit permutation moves bit b to b ^ c, for every c, on random words")
    func xorPermutation() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let bits = random.next()
            for c in 0..<64 {
                var expected: UInt64 = 0
                for b in 0..<64 where bits >> UInt64(b ^ c) & 1 == 1 { expected |= 1 << UInt64(b) }
                #expect(DoubleArrayTrie.xorPermuted(bits, by: c) == expected)
            }
        }
    }

    @Test("The double array finds exactly its keys and their prefixes, like a dictionary")
    func doubleArrayMatchesDictionary() throws {
        var random = SplitMix64(seed: 7)
        let alphabet: [UInt8] = Array("abcdé日".utf8)
        var keys: Set<[UInt8]> = []
        // A third of the keys share a 9-byte start, so the builder's sort (by the first 8 bytes,
        // then whole keys) has many ties to settle, and some keys are others' prefixes.
        let shared = Array("abcdabcda".utf8)
        while keys.count < 3000 {
            let tail = (0..<Int.random(in: 1...9, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            keys.insert(Int.random(in: 0..<3, using: &random) == 0 ? Array((shared + tail).prefix(Int.random(in: 1...18, using: &random))) : tail)
        }
        let sorted = keys.sorted { $0.lexicographicallyPrecedes($1) }
        let trie = try DoubleArrayTrie(keys: sorted, values: sorted.indices.map { Int32($0) })
        for (index, key) in sorted.enumerated() { #expect(trie.value(of: key) == Int32(index)) }
        // The units of the dense placement (bases anywhere in a block when the offset allows;
        // 64,512 units when each base kept its parent's low byte; free units labelled so that no
        // byte leads into them), pinned by an FNV-1a hash so
        // that any change to the builder's output is seen, not only what look-ups reach.
        var unitsHash: UInt64 = 0xcbf2_9ce4_8422_2325
        for unit in trie.units { unitsHash = (unitsHash ^ UInt64(unit)) &* 0x0000_0100_0000_01B3 }
        #expect(trie.units.count == 16_896 && unitsHash == 15_919_568_798_979_855_359, "\(trie.units.count) units, hash \(unitsHash)")
        // Given in any order, the same keys and values make the same units.
        let shuffled = Array(sorted.indices).shuffled(using: &random)
        #expect(try DoubleArrayTrie(keys: shuffled.map { sorted[$0] }, values: shuffled.map { Int32($0) }) == trie)
        for _ in 0..<3000 {
            // Probes may hold NUL, which no key can: it must match nothing.
            var probe = (0..<Int.random(in: 1...12, using: &random)).map { _ in (alphabet + [0]).randomElement(using: &random)! }
            if Int.random(in: 0..<3, using: &random) == 0 { probe = shared + probe }
            var found: [Int] = []
            probe.withUnsafeBufferPointer { p in trie.forEachPrefix(of: p, from: 0, to: p.count) { _, length in found.append(length) } }
            let expected = (1...probe.count).filter { keys.contains(Array(probe[0..<$0])) }
            #expect(found == expected)
            // darts-clone's own walk (sentencepiece's) does not stop at NUL: a NUL must lead
            // nowhere there too, so no free unit may carry the label of a byte that reaches it.
            #expect(dartsCloneCommonPrefixSearch(trie.units, probe) == expected, "\(probe)")
        }
        // The two-byte test the SentencePiece normalizer filters characters with.
        let few: [[UInt8]] = [[0x61], [0x62, 0x63], [0x62, 0x64, 0x65], [0xE6, 0x97, 0xA5], [0xFF, 0x01]]
        let small = try DoubleArrayTrie(keys: few, values: few.indices.map { Int32($0) })
        for first in UInt8.min...UInt8.max {
            for second in UInt8.min...UInt8.max {
                let expected = few.contains { $0[0] == first && ($0.count == 1 || $0[1] == second) }
                if small.hasKey(startingWith: first, second) != expected { Issue.record("hasKey(\(first), \(second)) should be \(expected)") }
            }
        }
        #expect(throws: DoubleArrayTrie.BuildError.self) { try DoubleArrayTrie(keys: [[1], [1]], values: [0, 1]) }
        // With several faults, the first in byte order is reported (as before the one-buffer builder).
        func firstError(_ keys: [[UInt8]]) -> String {
            do { _ = try DoubleArrayTrie(keys: keys, values: keys.indices.map { Int32($0) }); return "none" } catch { return "\(error)" }
        }
        #expect(firstError([[0x61], [0x61], [0x62, 0]]) == "\(DoubleArrayTrie.BuildError.duplicateKey([0x61]))")
        #expect(firstError([[0x62], [0x61, 0], [0x63], [0x63]]) == "\(DoubleArrayTrie.BuildError.keyContainsNUL)")
        #expect(firstError([[0x61], [], [0x61]]) == "\(DoubleArrayTrie.BuildError.emptyKey)")
    }

    @Test("A NUL byte is an unknown character in both flavours, never part of the piece after it")
    func nulIsUnknown() throws {
        for flavor in [UnigramModel.Flavor.huggingFace, .sentencePiece] {
            let model = try UnigramModel(pieces: [Array("<unk>".utf8), Array("a".utf8), Array("b".utf8), Array("ab".utf8)],
                                         scores: [0, -2, -2, -1], kinds: [.unknown, .normal, .normal, .normal], unknownId: 0, flavor: flavor)
            var tokens: [PieceToken] = []
            var scratch = UnigramScratch()
            [UInt8]([0, 0x61, 0x62, 0, 0]).withUnsafeBufferPointer { model.encode(piece: $0, into: &tokens, scratch: &scratch) }
            #expect(tokens == [PieceToken(id: 0, start: 0, end: 1), PieceToken(id: 3, start: 1, end: 3), PieceToken(id: 0, start: 3, end: 5)],
                    "\(flavor)")
        }
    }

    @Test("Lattice nodes are exactly the pieces that start at each character, with their exact lattice scores: both flavours, scores that are and are not 32-bit values, unused and user-defined pieces")
    func latticeNodesAreExact() throws {
        let strings = ["<unk>", "▁", "t", "h", "e", "▁the", "th", "he", "the", "Ω", "ab", "x", "é", "éx", "a", "b", "▁a"]
        let pieces = strings.map { Array($0.utf8) }
        let kinds: [UnigramModel.PieceKind] = strings.map { $0 == "<unk>" ? .unknown : $0 == "ab" ? .unused : $0 == "x" ? .userDefined : .normal }
        var random = SplitMix64(seed: 17)
        let single = pieces.map { _ in Double(Float(-Double(random.next() % 1000) / 97)) }
        for (flavor, scores) in [(UnigramModel.Flavor.sentencePiece, single), (.sentencePiece, single.map { $0 + 1e-9 }),
                                 (.huggingFace, single), (.huggingFace, single.map { $0 + 1e-9 })] {
            let model = try UnigramModel(pieces: pieces, scores: scores, kinds: kinds, unknownId: 0, flavor: flavor)
            for _ in 0..<200 {
                let text = Array((0..<Int.random(in: 1...9, using: &random)).map { _ in strings.dropFirst().randomElement(using: &random)! }.joined().utf8)
                var start = 0
                while start < text.count {
                    var nodes: [(Int, UInt32, Double)] = []
                    let length = text.withUnsafeBufferPointer { model.forEachNode(in: $0, at: start) { nodes.append(($0, $1, $2)) } }
                    // The oracle: every piece that the text continues with at `start`, shortest first.
                    var expected: [(Int, UInt32, Double)] = []
                    for end in (start + 1)...text.count {
                        guard let id = pieces.firstIndex(of: Array(text[start..<end])) else { continue }
                        if flavor == .sentencePiece && kinds[id] == .unused { continue }
                        expected.append((end - start, UInt32(id), model.latticeScore(id, length: end - start)))
                    }
                    let character = String(decoding: text[start...], as: UTF8.self).unicodeScalars.first!.utf8.count
                    if !expected.contains(where: { $0.0 == character }) { expected.append((character, 0, model.unknownScore)) }
                    #expect(length == character)
                    #expect(nodes.map(\.0) == expected.map(\.0) && nodes.map(\.1) == expected.map(\.1) && nodes.map(\.2) == expected.map(\.2),
                            "\(flavor) \(String(decoding: text, as: UTF8.self)) at \(start): \(nodes) against \(expected)")
                    start += length
                }
            }
        }
    }

    @Test("A precompiled map read from a .model rebuilds into a map with the same rules, accepted by VocabKit")
    func charsMapRoundTrip() throws {
        let tokenizer = try Tokenizer(contentsOf: Self.bpeFile)
        let normalizer = try #require(tokenizer.frontEnd.normalizer as? SentencePieceNormalizer)
        let map = try #require(normalizer.charsMap)
        let rules = map.rules
        #expect(rules.count > 1000)
        let rebuilt = try PrecompiledCharsMap(rules: rules)
        let reread = try PrecompiledCharsMap(blob: rebuilt.blob)
        #expect(reread.rules.map { $0.from + [0] + $0.to } == rules.map { $0.from + [0] + $0.to })
        #expect(throws: ModelError.self) { try PrecompiledCharsMap(blob: [1, 2]) }
    }

    @Test("SentencePiece's own models give the library's ids (golden values from sentencepiece 0.2.3)")
    func goldenIds() throws {
        let text = "Hello world, this is   a test. Ｈｅｌｌｏ 123 naïve 日本語 ①"
        let expected: [(URL, [UInt32])] = [
            (Self.bpeFile, [285, 35, 934, 178, 54, 953, 119, 97, 5, 3, 263, 951, 285, 35, 934, 475, 998, 0, 34, 935, 0, 72, 931, 0, 475]),
            (Self.unigramFile, [151, 88, 21, 887, 5, 65, 47, 11, 4, 15, 400, 6, 151, 88, 21, 4, 357, 596, 0, 4, 24, 19, 0, 125, 4, 0, 4, 357]),
            (Self.mistralFile, [22557, 1526, 28725, 456, 349, 259, 264, 1369, 28723, 28705, 242, 191, 171, 242, 192, 136, 242, 192, 143,
                                242, 192, 143, 242, 192, 146, 28705, 28740, 28750, 28770, 1879, 28920, 333, 28705, 29142, 29119, 30321,
                                28705, 229, 148, 163]),
        ]
        for (file, ids) in expected {
            let tokenizer = try Tokenizer(contentsOf: file)
            #expect(try tokenizer.encode(text).ids == ids, "\(file.lastPathComponent)")
        }
        let unigram = try Tokenizer(contentsOf: Self.unigramFile)
        #expect(try unigram.decode(unigram.encode("Hello   world.").ids) == "Hello world.")
        let mistral = try Tokenizer(contentsOf: Self.mistralFile)
        #expect(try mistral.decode(mistral.encode("naïve 日本語 ① x").ids) == "naïve 日本語 ① x")
    }

    @Test("Viterbi equals the best of all segmentations; n-best lists them in order")
    func viterbiAndNBestMatchBruteForce() throws {
        let tokenizer = try Tokenizer(contentsOf: Self.unigramFile)
        guard case .unigram(let model) = tokenizer.model else { Issue.record("not Unigram"); return }
        var random = SplitMix64(seed: 3)
        let pool = ["▁", "t", "h", "e", "a", "n", "d", "s", "▁the", "▁a", "in", "er", "Ω", "x"]
        for _ in 0..<300 {
            let characters = (0..<Int.random(in: 1...7, using: &random)).flatMap { _ in pool.randomElement(using: &random)!.unicodeScalars.map { String($0) } }
            let text = characters.joined()
            let all = allSegmentations(characters, model: model).sorted { $0.score > $1.score }
            var tokens: [PieceToken] = [], scratch = UnigramScratch()
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { model.encode(piece: $0, into: &tokens, scratch: &scratch) }
            let lattice = bytes.withUnsafeBufferPointer { UnigramLattice(model: model, piece: $0) }
            let best = lattice.nBest(5)
            #expect(abs(best[0].score - all[0].score) < 1e-3, "\(text)")
            for (k, entry) in best.enumerated() { #expect(abs(entry.score - all[k].score) < 1e-3, "\(text) #\(k)") }
            // The Viterbi path scores the best (ties may pick another path of equal score).
            let viterbiScore = tokens.reduce(0.0) { $0 + ($1.id == model.unknownId ? model.unknownScore : model.scores[Int($1.id)]) }
            if !tokens.contains(where: { $0.id == model.unknownId }) { #expect(abs(viterbiScore - all[0].score) < 1e-3, "\(text)") }
        }
    }

    @Test("A large SentencePiece-flavour model built on two threads equals the one-thread build; its errors are the same")
    func parallelBuildMatchesSequential() throws {
        // More pieces than the threshold: control, user-defined, unused and byte pieces, a
        // piece across a word start ("x▁y"), and random pieces.
        var random = SplitMix64(seed: 13)
        var seen = Set<[UInt8]>()
        var pieces: [[UInt8]] = ["<unk>", "<s>", "<0x41>", "<tag>", "x▁y"].map { Array($0.utf8) }
        pieces.forEach { seen.insert($0) }
        let alphabet = Array("abcdeé日本▁".unicodeScalars).map(String.init)
        while pieces.count < UnigramModel.parallelBuildThreshold + 500 {
            let piece = Array((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined().utf8)
            if seen.insert(piece).inserted { pieces.append(piece) }
        }
        var kinds = [UnigramModel.PieceKind](repeating: .normal, count: pieces.count)
        kinds[0] = .unknown; kinds[1] = .control; kinds[2] = .byte; kinds[3] = .userDefined; kinds[pieces.count - 1] = .unused
        let scores = pieces.indices.map { -Double($0 % 97) / 7 - 1 }
        func build(_ pieces: [[UInt8]], _ scores: [Double], threads: Int, byteFallback: Bool = false) throws -> UnigramModel {
            try UnigramModel(pieces: pieces, scores: scores, kinds: kinds, unknownId: 0, byteFallback: byteFallback,
                             flavor: .sentencePiece, threads: threads)
        }
        let one = try build(pieces, scores, threads: 1), two = try build(pieces, scores, threads: 2)
        #expect(one.trie == two.trie && one.wordsStayApart == two.wordsStayApart && !two.wordsStayApart)
        #expect(one.unknownScore == two.unknownScore && one.maxScore == two.maxScore && one.byteIds == two.byteIds)
        for piece in pieces.prefix(2000) { #expect(one.id(of: piece) == two.id(of: piece)) }
        // Errors: the table's first (a repeat, an empty piece, a bad score) whatever the threads.
        func message(_ pieces: [[UInt8]], _ scores: [Double], threads: Int, byteFallback: Bool = false) -> String {
            do { _ = try build(pieces, scores, threads: threads, byteFallback: byteFallback); return "no error" } catch { return "\(error)" }
        }
        // Byte fallback without the 256 byte pieces (only <0x41> is there).
        #expect(message(pieces, scores, threads: 1, byteFallback: true).contains("<0x00> is missing"))
        #expect(message(pieces, scores, threads: 2, byteFallback: true) == message(pieces, scores, threads: 1, byteFallback: true))
        var repeated = pieces; repeated[8600] = pieces[20]
        var empty = pieces; empty[8500] = []
        var badScore = scores; badScore[8400] = .nan
        for (bad, badScores, expected) in [(repeated, scores, "defined twice"), (empty, scores, "is empty"), (pieces, badScore, "has score")] {
            let first = message(bad, badScores, threads: 1)
            #expect(first.contains(expected), "\(first)")
            #expect(message(bad, badScores, threads: 2) == first)
        }
    }

    @Test("The E-step's table build gives the plain build's nodes and bit-identical expected counts")
    func latticeTableMatchesPlainBuild() throws {
        // SentencePiece flavour with every kind the lattice scores apart: user-defined pieces
        // (length bonus), an unused piece (skipped), a control piece, and the unknown piece; then
        // the HuggingFace flavour, where all of them keep their own scores.
        let pieces = ["<unk>", "<s>", "▁", "t", "h", "e", "a", "▁the", "th", "he", "<tag>", "the", "ab", "é"].map { Array($0.utf8) }
        var kinds = [UnigramModel.PieceKind](repeating: .normal, count: pieces.count)
        kinds[0] = .unknown; kinds[1] = .control; kinds[10] = .userDefined; kinds[11] = .unused
        let scores = pieces.indices.map { -1.0 - Double($0) * 0.37 }
        for flavor in [UnigramModel.Flavor.sentencePiece, .huggingFace] {
            let model = try UnigramModel(pieces: pieces, scores: scores, kinds: kinds, unknownId: 0, flavor: flavor)
            let table = model.latticeTable()
            #expect(table.entries[10].score.isNaN == (flavor == .sentencePiece) && table.entries[11].score.isNaN == (flavor == .sentencePiece))
            #expect(!table.entries[7].score.isNaN)
            var random = SplitMix64(seed: 8)
            let pool = ["▁", "t", "h", "e", "a", "b", "<tag>", "é", "z", "日"]
            var plain = UnigramLattice(), tabled = UnigramLattice()
            for round in 0..<400 {
                // Long texts push Z below the probability-space range: the log-space path is compared too.
                let length = round % 50 == 0 ? 400 : Int.random(in: 1...12, using: &random)
                let bytes = Array((0..<length).map { _ in pool.randomElement(using: &random)! }.joined().utf8)
                bytes.withUnsafeBufferPointer { plain.build(model, $0); tabled.build(model, $0, table: table) }
                #expect(plain.nodeCount == tabled.nodeCount)
                for k in 0..<min(plain.nodeCount, tabled.nodeCount) { #expect(plain.node(k) == tabled.node(k)) }
                var expectedPlain = [Double](repeating: 0, count: pieces.count), expectedTabled = expectedPlain
                let zPlain = plain.accumulate(into: &expectedPlain, weight: 3), zTabled = tabled.accumulate(into: &expectedTabled, weight: 3)
                #expect(zPlain == zTabled && expectedPlain == expectedTabled, "\(String(decoding: bytes, as: UTF8.self))")
                if flavor == .sentencePiece {
                    #expect(expectedTabled[11] == 0)
                    #expect(expectedTabled[10] > 0 || !bytes.contains(UInt8(ascii: "<")))
                }
            }
        }
    }

    @Test("Sampling draws segmentations with probability proportional to exp(alpha x score)")
    func samplingFollowsTheDistribution() throws {
        let tokenizer = try Tokenizer(contentsOf: Self.unigramFile)
        guard case .unigram(let model) = tokenizer.model else { Issue.record("not Unigram"); return }
        let characters = "▁these".unicodeScalars.map { String($0) }
        let all = allSegmentations(characters, model: model)
        let alpha = 0.5
        let z = all.reduce(0.0) { $0 + exp(alpha * $1.score) }
        var generator = SplitMix64(seed: 11)
        var seen: [[UInt32]: Int] = [:]
        let draws = 20_000
        let bytes = Array(characters.joined().utf8)
        let lattice = bytes.withUnsafeBufferPointer { UnigramLattice(model: model, piece: $0) }
        for _ in 0..<draws { seen[lattice.sample(theta: alpha, using: &generator).map(\.id), default: 0] += 1 }
        for segmentation in all {
            let p = exp(alpha * segmentation.score) / z
            let observed = Double(seen[segmentation.ids] ?? 0) / Double(draws)
            #expect(abs(observed - p) < 4 * (p * (1 - p) / Double(draws)).squareRoot() + 1e-3, "\(segmentation.ids)")
        }
        // Through the tokenizer: seeded, so the same seed gives the same samples.
        var sampled = tokenizer
        sampled.sampling = SubwordSampling(alpha: 0.1, nBestSize: -1, seed: 5)
        let first = try sampled.encodeBatch(Array(repeating: "these thoughts are sampled", count: 20), threads: 2).map(\.ids)
        let second = try sampled.encodeBatch(Array(repeating: "these thoughts are sampled", count: 20), threads: 1).map(\.ids)
        #expect(first == second)
        #expect(Set(first).count > 1)
        for ids in first { #expect(try sampled.decode(ids) == "these thoughts are sampled") }
    }

    @Test("Scored BPE with a heap equals the quadratic reference on corpus lines")
    func scoredBPEMatchesReference() throws {
        let tokenizer = try Tokenizer(contentsOf: Self.bpeFile)
        guard case .scoredBPE(let model) = tokenizer.model else { Issue.record("not scored BPE"); return }
        for name in ["en", "de", "ru"] {
            for line in TestCorpora.lines(name).prefix(300) {
                let normalized = try tokenizer.frontEnd.normalize(line[...]).bytes
                var tokens: [PieceToken] = [], generator = SplitMix64(seed: 0), scratch = ScoredBPEScratch()
                normalized.withUnsafeBufferPointer { model.encode(piece: $0, into: &tokens, generator: &generator, scratch: &scratch) }
                #expect(tokens.map(\.id) == referenceScoredBPE(String(decoding: normalized, as: UTF8.self), model: model), "\(String(decoding: line, as: UTF8.self))")
            }
        }
    }

    @Test("Scored BPE's packed agenda pops as the closure-ordered heap did: same tokens and offsets, with and without dropout, one scratch reused")
    func scoredBPEMatchesHeapEncoder() throws {
        var random = SplitMix64(seed: 23)
        for file in [Self.bpeFile, Self.mistralFile] {
            let tokenizer = try Tokenizer(contentsOf: file)
            guard case .scoredBPE(let model) = tokenizer.model else { Issue.record("not scored BPE"); return }
            var inputs: [[UInt8]] = try ["en", "ru", "zh"].flatMap { name in
                try TestCorpora.lines(name).prefix(100).map { try tokenizer.frontEnd.normalize($0[...]).bytes }
            }
            for _ in 0..<200 {   // random Unicode, including scores' ties and unknown characters
                var scalars = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...40, using: &random) {
                    let value = [UInt32.random(in: 0x20...0x7E, using: &random), UInt32.random(in: 0xA0...0x2FFF, using: &random),
                                 UInt32.random(in: 0x4E00...0x9FFF, using: &random), 0x2581].randomElement(using: &random)!
                    if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
                }
                inputs.append(Array(String(scalars).utf8))
            }
            var scratch = ScoredBPEScratch()
            for dropout in [0.0, 0.3] {
                for input in inputs {
                    var fast: [PieceToken] = [], slow: [PieceToken] = []
                    var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5)
                    input.withUnsafeBufferPointer { p in
                        model.encode(piece: p, into: &fast, dropout: dropout, generator: &g1, scratch: &scratch)
                        heapScoredBPE(model, piece: p, into: &slow, dropout: dropout, generator: &g2)
                    }
                    #expect(fast.map(\.id) == slow.map(\.id) && fast.map(\.start) == slow.map(\.start)
                            && fast.map(\.end) == slow.map(\.end), "\(String(decoding: input, as: UTF8.self).debugDescription), dropout \(dropout)")
                }
            }
        }
    }

    @Test("The junction filter rejects no pair that forms a piece, and characters' ids are the piece table's: random byte vocabularies (pieces that are not UTF-8, start inside a character, or repeat bytes) and texts, against the unfiltered heap encoder")
    func junctionFilterIsExact() throws {
        var random = SeededRandom(seed: 41)
        let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0xE3, 0x81, 0x82, 0x83, 0xE2, 0x96, 0xC3, 0xA9, 0xFF,
                                 0xDF, 0xBF, 0xEE, 0x80, 0xEF, 0xF0, 0x9D, 0x84, 0x9E, 0x00]
        // Whole characters: "é", "あ", "▁", U+07FF, U+E000, U+FFFF, U+1D11E (four bytes), NUL.
        let characters: [[UInt8]] = ["é", "あ", "\u{2581}", "\u{07FF}", "\u{E000}", "\u{FFFF}", "\u{1D11E}", "\0"].map { Array($0.utf8) }
        func bytes(_ count: Int) -> [UInt8] {
            var text: [UInt8] = []
            while text.count < count {
                text += random.next(3) == 0 ? characters[random.next(characters.count)] : [alphabet[random.next(alphabet.count)]]
            }
            return text
        }
        var started = 0
        for round in 0..<150 {
            // Pieces: every byte and the characters above, then concatenations of random text
            // stretches (so merges abound).
            var pieces: [[UInt8]] = [[0x3C, 0x75, 0x6E, 0x6B, 0x3E]] + alphabet.map { [$0] }
            var seen = Set(pieces)
            for character in characters where character.count > 1 && seen.insert(character).inserted { pieces.append(character) }
            let texts = (0..<6).map { _ in bytes(1 + random.next(30)) }
            for _ in 0..<(10 + random.next(60)) {
                let text = texts[random.next(texts.count)]
                let start = random.next(text.count), length = 2 + random.next(5)
                let piece = Array(text[start..<min(text.count, start + length)])
                if piece.count > 1 && seen.insert(piece).inserted { pieces.append(piece) }
            }
            let scores = pieces.indices.map { $0 == 0 ? Float(0) : -Float(random.next(8)) }   // ties on purpose
            let kinds = pieces.indices.map { id -> UnigramModel.PieceKind in   // single characters of every kind
                if id == 0 { return .unknown }
                if pieces[id].count <= 4 && random.next(4) == 0 { return [.userDefined, .control, .byte, .unused][random.next(4)] }
                return random.next(10) == 0 ? .unused : .normal
            }
            let model = try ScoredBPEModel(pieces: pieces, scores: scores, kinds: kinds, unknownId: 0, byteFallback: false)
            let tables = model.tables(), filter = tables.junctions
            // Characters below U+10000 (every one in 3 rounds, else the pieces' and a sample): the
            // piece table's id.
            let codes = round < 3 ? Array(0..<0x10000)
                : Array(stride(from: 0, to: 0x10000, by: 251)) + pieces.compactMap { String(bytes: $0, encoding: .utf8)?.unicodeScalars.first.map { Int($0.value) } }
            do {
                for code in codes where code < 0x10000 {
                    let id = Unicode.Scalar(UInt32(code)).flatMap { model.id(of: Array(String($0).utf8)) }.map { Int32($0) } ?? -1
                    #expect(tables.characterIds[code] == id, "U+\(String(code, radix: 16))")
                }
            }
            for (piece, kind) in zip(pieces, kinds) where piece.count > 1 && ScoredBPEModel.isMergeable(kind) {
                piece.withUnsafeBufferPointer { p in
                    for split in 1..<p.count { #expect(filter.mayJoin(p, from: 0, split: split, to: p.count)) }
                }
            }
            var scratch = ScoredBPEScratch()
            for text in texts + (0..<4).map({ _ in bytes(1 + random.next(80)) }) {
                for dropout in [0, 0.3] {
                    var fast: [PieceToken] = [], slow: [PieceToken] = []
                    var g1 = SplitMix64(seed: 1), g2 = SplitMix64(seed: 1)
                    text.withUnsafeBufferPointer { p in
                        model.encode(piece: p, into: &fast, dropout: dropout, generator: &g1, scratch: &scratch)
                        heapScoredBPE(model, piece: p, into: &slow, dropout: dropout, generator: &g2)
                    }
                    #expect(fast.map(\.id) == slow.map(\.id) && fast.map(\.start) == slow.map(\.start) && fast.map(\.end) == slow.map(\.end),
                            "round \(round), dropout \(dropout): \(text) with \(pieces) kinds \(kinds.map(\.rawValue)) fast \(fast.map { [$0.id, UInt32($0.start), UInt32($0.end)] }) slow \(slow.map { [$0.id, UInt32($0.start), UInt32($0.end)] })")
                    if dropout == 0 { started += fast.filter { $0.end - $0.start > 1 }.count }
                }
            }
        }
        #expect(started > 1000)   // merges did happen
    }

    @Test("Scored BPE encodes word by word only when no piece crosses a word start, and equals the whole-text merge either way")
    func scoredBPEWordByWord() throws {
        for file in [Self.bpeFile, Self.mistralFile] {
            guard case .scoredBPE(let model) = try Tokenizer(contentsOf: file).model else { Issue.record("not scored BPE"); return }
            #expect(model.mergesStayInWords)
        }
        // "a▁" and "b▁▁c" have "▁" after another character: merges may cross word starts.
        let meta = "\u{2581}"
        func build(_ extra: [String]) throws -> ScoredBPEModel {
            let base = ["<unk>", meta, "a", "b", "c", meta + "a", meta + "b", "ab", meta + meta, meta + meta + "c"]
            let pieces = (base + extra).map { Array($0.utf8) }
            let kinds = [UnigramModel.PieceKind.unknown] + Array(repeating: .normal, count: pieces.count - 1)
            return try ScoredBPEModel(pieces: pieces, scores: pieces.indices.map { -Float($0 % 5) }, kinds: kinds, unknownId: 0, byteFallback: false)
        }
        let plain = try build([]), crossing = try build(["a" + meta, "b" + meta + meta + "c", "a" + meta + "b"])
        #expect(plain.mergesStayInWords)
        #expect(!crossing.mergesStayInWords)
        var random = SplitMix64(seed: 31)
        let letters = ["a", "b", "c", meta, "x", "é"]
        for model in [plain, crossing] {
            var scratch = ScoredBPEScratch()
            for _ in 0..<400 {
                let text = (0..<Int.random(in: 0...24, using: &random)).map { _ in letters.randomElement(using: &random)! }.joined()
                var fast: [PieceToken] = [], slow: [PieceToken] = []
                var g1 = SplitMix64(seed: 1), g2 = SplitMix64(seed: 1)
                Array(text.utf8).withUnsafeBufferPointer { p in
                    model.encode(piece: p, into: &fast, generator: &g1, scratch: &scratch)
                    heapScoredBPE(model, piece: p, into: &slow, dropout: 0, generator: &g2)
                }
                #expect(fast.map(\.id) == slow.map(\.id) && fast.map(\.start) == slow.map(\.start)
                        && fast.map(\.end) == slow.map(\.end), "\(text.debugDescription)")
            }
        }
    }

    @Test("Unigram word by word through the cache equals one Viterbi over the whole text: both flavours, ties, near ties, long lines, unknown, unused, user-defined and byte pieces, and models whose pieces cross word starts")
    func unigramWordCacheEqualsWholeText() throws {
        let meta = "\u{2581}"
        var random = SplitMix64(seed: 73)
        let letters = ["a", "b", "c", meta, "é", "日", "z"]   // "z" is in no piece: unknown
        var crossingModels = 0
        for round in 0..<24 {
            // Random pieces over the letters; half the rounds' scores are multiples of 1/4
            // (exact ties), the others differ by tiny amounts (ties only up to rounding).
            var strings = ["<unk>", meta, "a", "b", "c", "é", "日"]
            while strings.count < 40 {
                let piece = (round % 3 == 0 && Int.random(in: 0..<8, using: &random) == 0 ? "a" + meta : "")
                    + (0..<Int.random(in: 1...4, using: &random)).map { _ in letters.dropLast().randomElement(using: &random)! }.joined()
                let clean = piece.hasPrefix(meta) ? meta + piece.dropFirst().replacingOccurrences(of: meta, with: "") : piece.replacingOccurrences(of: meta, with: "")
                let chosen = round % 3 == 0 ? piece : clean
                if !chosen.isEmpty && !strings.contains(chosen) { strings.append(chosen) }
            }
            let byteFallback = round % 4 == 1
            if byteFallback { strings += (0..<256).map { String(format: "<0x%02X>", $0) } }
            let kinds: [UnigramModel.PieceKind] = strings.enumerated().map { k, piece in
                if k == 0 { return .unknown }
                if piece.hasPrefix("<0x") { return .byte }
                if k == 9 { return .unused }
                if k == 10 && round % 2 == 0 { return .userDefined }
                return .normal
            }
            let scores: [Double] = strings.indices.map { _ in
                round % 2 == 0 ? -Double(Int.random(in: 1...40, using: &random)) / 4
                    : Double(Float(-Double(Int.random(in: 1...40, using: &random)) / 4 + Double(Int.random(in: -3...3, using: &random)) * 1e-6))
            }
            for flavor in [UnigramModel.Flavor.sentencePiece, .huggingFace] {
                let model = try UnigramModel(pieces: strings.map { Array($0.utf8) }, scores: scores, kinds: kinds, unknownId: 0,
                                             byteFallback: byteFallback, flavor: flavor)
                let crosses = strings.contains { ScoredBPEModel.wordStart(in: Array($0.utf8), after: 0) != nil }
                #expect(model.wordsStayApart == !crosses)
                if crosses { crossingModels += 1 }
                var cached = UnigramScratch(), whole = UnigramScratch()
                for _ in 0..<60 {
                    // Lines of up to 400 words, so that the best score reaches a few thousand.
                    let words = Int.random(in: 1...400, using: &random)
                    // Mostly short words; some of 17 to 32 bytes (the long table) and longer.
                    let text = (0..<words).map { _ in
                        let length = Int.random(in: 0..<8, using: &random) == 0 ? Int.random(in: 6...22, using: &random) : Int.random(in: 0...5, using: &random)
                        return meta + (0..<length).map { _ in letters.randomElement(using: &random)! }.joined()
                    }.joined()
                    var fast: [PieceToken] = [], slow: [PieceToken] = []
                    Array(text.utf8).withUnsafeBufferPointer {
                        model.encode(piece: $0, into: &fast, scratch: &cached)
                        model.encodeWhole(piece: $0, into: &slow, scratch: &whole)
                    }
                    #expect(fast == slow, "\(flavor) round \(round): \(text.prefix(80).debugDescription)")
                }
            }
        }
        #expect(crossingModels > 0)
    }

    @Test("The word cache's tables start small and double to their bound, keeping every entry")
    func unigramWordCacheGrows() {
        var cache = UnigramWordCache(owner: CacheIdentity())
        #expect(cache.slotCounts == (64, 64))
        // Word i: bytes "w" + i in decimal, padded with "x" to 3...16 (short) or 17...32 (long)
        // bytes, as nodes of up to 3 bytes with id i * 16 + node index.
        func word(_ i: Int, long: Bool) -> [UInt8] {
            let digits = Array("w\(i)".utf8)
            let length = long ? 17 + i % 16 : max(digits.count, 3 + i % 14)
            return digits + Array(repeating: UInt8(ascii: "x"), count: length - digits.count)
        }
        func nodes(_ bytes: [UInt8], _ i: Int) -> (tokens: [PieceToken], ids: [UInt32]) {
            var tokens: [PieceToken] = [], ids: [UInt32] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 3)
                tokens.append(PieceToken(id: 0, start: Int32(start), end: Int32(end)))
                ids.append(UInt32(i * 16 + tokens.count - 1))
                start = end
            }
            return (tokens, ids)
        }
        func insert(_ i: Int, long: Bool, into target: inout UnigramWordCache) {
            let bytes = word(i, long: long)
            let (tokens, ids) = nodes(bytes, i)
            bytes.withUnsafeBufferPointer { target.insert($0, tokens: tokens[...], ids: ids[...], shift: 0, limit: 100) }
        }
        func check(_ i: Int, long: Bool, in other: UnigramWordCache? = nil) -> Bool {
            let bytes = word(i, long: long)
            let (tokens, ids) = nodes(bytes, i)
            let cache = other ?? cache
            return bytes.withUnsafeBufferPointer { buffer in
                let found: UnigramWordCache.Entry? = long ? cache.lookupLong(buffer, base: 10) : cache.lookupShort(buffer, base: 10)
                guard let entry = found, entry.count == tokens.count else { return false }
                return tokens.indices.allSatisfy { entry.id($0) == ids[$0] && entry.end($0) == Int(tokens[$0].end) }
            }
        }
        // A copy that grows leaves the original as it was (the tables are arrays: copied on
        // the first write, each with its own slot count and padding).
        var small = UnigramWordCache(owner: CacheIdentity())
        for i in 0..<40 { insert(i, long: false, into: &small) }
        let heldBefore = (0..<40).filter { check($0, long: false, in: small) }
        var grown = small
        for i in 40..<300 { insert(i, long: false, into: &grown) }
        #expect(small.slotCounts.short == 64 && grown.slotCounts.short == 256)
        #expect((0..<40).filter { check($0, long: false, in: small) } == heldBefore && heldBefore.count > 25)
        #expect((40..<300).filter { check($0, long: false, in: grown) }.count > 130)
        // 34,000 distinct words of each kind: the tables double up to 16,384 and 8,192 slots and
        // stay there (34,000 inserts would double the short table once more, and the long one
        // twice, without their bounds).
        // A table doubles after as many inserts as it has slots; a direct-mapped table then
        // holds about 1 - 1/e = 63% of them (the rest lost to later words in their slot). After
        // each doubling at least 45% of the words inserted since the last must still be found,
        // with their own nodes: an entry moved to a wrong slot would be lost.
        var lastCounts = cache.slotCounts, sinceGrowth: [Int] = [], growths = 0
        for i in 0..<34_000 {
            for long in [false, true] {
                let bytes = word(i, long: long)
                let (tokens, ids) = nodes(bytes, i)
                bytes.withUnsafeBufferPointer { cache.insert($0, tokens: tokens[...], ids: ids[...], shift: 0, limit: 100) }
            }
            sinceGrowth.append(i)
            let counts = cache.slotCounts
            if counts != lastCounts {
                for (long, grew) in [(false, counts.short != lastCounts.short), (true, counts.long != lastCounts.long)] where grew {
                    let found = sinceGrowth.filter { check($0, long: long) }.count
                    #expect(found * 100 >= sinceGrowth.count * 45, "\(long ? "long" : "short") table at \(counts): \(found) of \(sinceGrowth.count)")
                    growths += 1
                }
                lastCounts = counts
                sinceGrowth = []
            }
        }
        #expect(growths == 8 + 7)
        #expect(cache.slotCounts == (16_384, 8_192))
        // The table at its bound holds most of the last 4,000 short words and the last 2,000 long
        // ones, each with its own nodes.
        let shortFound = (30_000..<34_000).filter { check($0, long: false) }.count
        let longFound = (32_000..<34_000).filter { check($0, long: true) }.count
        #expect(shortFound > 3_000 && longFound > 1_500, "found \(shortFound) short, \(longFound) long")
        // The last word is found below its limit, and nothing above it.
        let bytes = word(33_999, long: false)
        #expect(check(33_999, long: false))
        #expect(bytes.withUnsafeBufferPointer { cache.lookupShort($0, base: 200) } == nil)
    }

    @Test("The long-word table pauses on text whose long words rarely repeat, and encoding stays the whole text's Viterbi through and after the pause")
    func unigramWordCachePausesLongTable() throws {
        let meta = "\u{2581}"
        let letters = ["a", "b", "c", "é", "日"]
        let strings = ["<unk>", meta] + letters + letters.map { meta + $0 } + ["ab", "bc", "é日", meta + "ab"]
        let model = try UnigramModel(pieces: strings.map { Array($0.utf8) }, scores: strings.indices.map { -1 - Double(Float(Double($0) * 0.37123)) },
                                     kinds: [.unknown] + Array(repeating: .normal, count: strings.count - 1), unknownId: 0, flavor: .sentencePiece)
        var cached = UnigramScratch(), whole = UnigramScratch()
        var random = SplitMix64(seed: 11)
        func check(_ words: [String]) {
            let text = words.map { meta + $0 }.joined()
            var fast: [PieceToken] = [], slow: [PieceToken] = []
            Array(text.utf8).withUnsafeBufferPointer {
                model.encode(piece: $0, into: &fast, scratch: &cached)
                model.encodeWhole(piece: $0, into: &slow, scratch: &whole)
            }
            #expect(fast == slow)
        }
        // A few long words over and over, some with more than 8 nodes: found in the long table.
        let common = ["ab日日abcé日bcé", "日日日日日日ab", "éééééééé日", "日c日c日c日c日c", "éaéaéaéaéaéa"]
        for _ in 0..<100 { check((0..<20).map { _ in common.randomElement(using: &random)! }) }
        #expect(!cached.cache.isLongTablePaused)
        // 15,000 long words that almost never repeat (5 to 8 random letters of 1 to 3 bytes and
        // "é日é日": 18 to 37 bytes with the "▁", 25 on average), 20 to a line: the long table
        // grows to its 8,192 slots (8,128 inserts), then a window at that size is judged.
        var paused = false
        for _ in 0..<750 {
            check((0..<20).map { _ in
                (0..<Int.random(in: 5...8, using: &random)).map { _ in letters.randomElement(using: &random)! }.joined() + "é日é日"
            })
            paused = paused || cached.cache.isLongTablePaused
        }
        #expect(paused)
        // Then the common words again, through the pause and after it: still exact.
        for _ in 0..<1000 { check((0..<20).map { _ in common.randomElement(using: &random)! }) }
        #expect(!cached.cache.isLongTablePaused)
        // A copy of the warm scratch (its tables are copied, elsewhere, on its first write) and
        // the original, used in turn, stay exact.
        var copy = cached
        for round in 0..<200 {
            let text = (0..<20).map { _ in meta + (Int.random(in: 0..<3, using: &random) == 0 ? "bé日" : common.randomElement(using: &random)!) }.joined()
            var fast: [PieceToken] = [], slow: [PieceToken] = []
            Array(text.utf8).withUnsafeBufferPointer {
                if round % 2 == 0 { model.encode(piece: $0, into: &fast, scratch: &copy) } else { model.encode(piece: $0, into: &fast, scratch: &cached) }
                model.encodeWhole(piece: $0, into: &slow, scratch: &whole)
            }
            #expect(fast == slow)
        }
    }

    @Test("A cached word is not reused where rounding at the text's score would pick another segmentation")
    func unigramWordCacheRefusesNearTies() throws {
        // "▁ab" as one piece scores -3; as "▁a" + "b", -3 + 2^-20. From 0 the split wins; after
        // 300 words of "▁c" (the best score near -990) the sums round to a tie, which keeps
        // "▁ab" (found first). A cache that reused the split would differ. sentencepiece 0.2.3
        // does the same with a .model of these pieces: "▁a b" alone, "▁ab" after 10 to 1,000
        // words of "▁c" (its comparisons are in 32-bit floats).
        let meta = "\u{2581}"
        let strings = ["<unk>", meta + "ab", meta + "a", "b", meta + "c"]
        let scores: [Double] = [0, -3, -1.5, Double(Float(-1.5 + 0x1p-20)), -3.3]
        let model = try UnigramModel(pieces: strings.map { Array($0.utf8) }, scores: scores, kinds: [.unknown, .normal, .normal, .normal, .normal],
                                     unknownId: 0, flavor: .sentencePiece)
        var scratch = UnigramScratch(), reference = UnigramScratch()
        func encode(_ text: String) -> ([UInt32], [UInt32]) {
            var fast: [PieceToken] = [], slow: [PieceToken] = []
            Array(text.utf8).withUnsafeBufferPointer {
                model.encode(piece: $0, into: &fast, scratch: &scratch)
                model.encodeWhole(piece: $0, into: &slow, scratch: &reference)
            }
            return (fast.map(\.id), slow.map(\.id))
        }
        let short = encode(meta + "ab")
        #expect(short.0 == [2, 3] && short.1 == [2, 3])
        let long = encode(String(repeating: meta + "c", count: 300) + meta + "ab")
        #expect(long.1.suffix(1) == [1], "the whole-text Viterbi keeps the piece found first at the rounded tie")
        #expect(long.0 == long.1)
    }

    @Test("The buffer word-start search equals the generic one on random bytes around \"▁\"")
    func wordStartSearch() {
        var random = SplitMix64(seed: 5)
        let alphabet: [UInt8] = [0xE2, 0x96, 0x81, 0x61, 0xE3, 0x80]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...20, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            for start in 0...max(0, bytes.count - 1) {
                let generic = ScoredBPEModel.wordStart(in: bytes, after: start)
                let buffer = bytes.withUnsafeBufferPointer { ScoredBPEModel.wordStart(in: $0, after: start) }
                #expect(generic == buffer, "\(bytes) after \(start)")
            }
        }
    }

    @Test("Scored BPE over one flat piece list: pieces, ids and token strings as given; a repeated, empty or non-finite piece is refused by name")
    func scoredBPEPieceList() throws {
        let strings = ["<unk>", "\u{2581}", "a", "b", "\u{2581}a", "ab", "日本", "\u{2581}日本"]
        let pieces = strings.map { Array($0.utf8) }
        func model(_ pieces: [[UInt8]], scores: [Float]? = nil) throws -> ScoredBPEModel {
            let kinds = [UnigramModel.PieceKind.unknown] + Array(repeating: .normal, count: pieces.count - 1)
            return try ScoredBPEModel(pieces: pieces, scores: scores ?? pieces.indices.map { -Float($0) }, kinds: kinds, unknownId: 0,
                                      byteFallback: false)
        }
        let built = try model(pieces)
        #expect(built.pieces == pieces && built.vocabularySize == pieces.count && built.pieceList.count == pieces.count)
        for (id, string) in strings.enumerated() {
            #expect(built.id(of: Array(string.utf8)) == UInt32(id))
            #expect(built.tokenString(UInt32(id)) == string)
        }
        #expect(built.id(of: Array("ba".utf8)) == nil && built.tokenString(99) == "")
        // Decoding reads the same shared list.
        let tokenizer = try Tokenizer(frontEnd: TextFrontEnd(normalizer: SentencePieceNormalizer(charsMap: nil, name: "identity", addsDummyPrefix: true,
                                                                                           removesExtraWhitespace: false, escapesWhitespace: true,
                                                                                           treatsWhitespaceAsSuffix: false, protectedSymbols: []),
                                                         preTokenizer: PreTokenizerSequence([])),
                                  model: .scoredBPE(built), decoder: .sentencePiece(SentencePieceDecoding(
                                      unknownId: 0, unknownSurface: " \u{2047} ", controlIds: [], stripsLeadingSpace: true, stripsAllLeadingSpaces: false)))
        let ids = try tokenizer.encode("ab a 日本").ids
        #expect(ids == [4, 3, 4, 7])   // "▁a" (-4) merges before "ab" (-5), then "日本", then "▁日本"
        #expect(try tokenizer.decode(ids) == "ab a 日本")
        func message(_ body: () throws -> ScoredBPEModel) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try model(pieces + [Array("ab".utf8)]) }.contains("\"ab\" is defined twice"))
        // Empty pieces and scores are checked for every piece before repeats are looked for.
        #expect(message { try model(pieces + [Array("ab".utf8), []]) }.contains("piece 9 is empty"))
        #expect(message { try model(pieces + [Array("ab".utf8), Array("q".utf8)], scores: pieces.indices.map { -Float($0) } + [0, .nan]) }
                    .contains("piece 9 has score nan"))
    }

    @Test("The agenda key orders scores as Float does, -0 and +0 tied, then the smaller left symbol")
    func scoredBPECandidateKeyOrder() {
        let scores: [Float] = [-.greatestFiniteMagnitude, -1e10, -3.5, -1, -.leastNonzeroMagnitude, -0.0, 0, .leastNonzeroMagnitude, 0.25, 1, 7e20, .greatestFiniteMagnitude]
        for a in scores {
            for b in scores {
                for (l1, l2) in [(Int32(0), Int32(1)), (5, 5), (9, 2)] {
                    let expected = a > b || (a == b && l1 < l2)   // "pops first"
                    #expect((ScoredBPEModel.candidateKey(score: a, left: l1) < ScoredBPEModel.candidateKey(score: b, left: l2)) == expected, "\(a) \(l1) vs \(b) \(l2)")
                }
            }
        }
    }

    @Test("decode(encode(x)) restores SentencePiece-normalized text for random Unicode (byte fallback)")
    func roundTripRandomUnicode() throws {
        let mistral = try Tokenizer(contentsOf: Self.mistralFile)
        var random = SplitMix64(seed: 19)
        for _ in 0..<500 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...30, using: &random) {
                let value = [UInt32.random(in: 0x21...0x7E, using: &random), UInt32.random(in: 0xA0...0x2FFF, using: &random),
                             UInt32.random(in: 0x4E00...0x9FFF, using: &random), UInt32.random(in: 0x1F300...0x1FAFF, using: &random),
                             0x20].randomElement(using: &random)!
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            let normalized = try mistral.frontEnd.normalize(Array(text.utf8)[...]).bytes
            let expected = String(decoding: replacingEscapedSpaces(normalized.dropFirst(3)), as: UTF8.self)
            let decoded = try mistral.decode(mistral.encode(text).ids)
            #expect(decoded == expected, "\(text.debugDescription) \(Array(decoded.unicodeScalars.map(\.value))) \(Array(expected.unicodeScalars.map(\.value)))")
        }
    }

    @Test("A .model written by VocabKit reads back to the same tokenizer; bad files are clear errors")
    func modelFileRoundTrip() throws {
        for file in [Self.unigramFile, Self.bpeFile] {
            let original = try Tokenizer(contentsOf: file)
            let written = try SentencePieceModelFile.write(original)
            let reread = try SentencePieceModelFile.read(written)
            for line in TestCorpora.lines("en").prefix(500).map({ String(decoding: $0, as: UTF8.self) }) {
                #expect(try reread.encode(line).ids == original.encode(line).ids)
            }
        }
        let data = try Data(contentsOf: Self.unigramFile)
        #expect(throws: ModelError.self) { try SentencePieceModelFile.read(data.prefix(1000)) }
        #expect(throws: ModelError.self) { try SentencePieceModelFile.read(Data([0x0A, 0x05, 0x0A, 0x00])) }
    }
}

/// The lengths of `bytes`' prefixes that are keys, walked as darts-clone's `commonPrefixSearch`
/// walks (every byte, NUL included, is a transition).
func dartsCloneCommonPrefixSearch(_ units: [UInt32], _ bytes: [UInt8]) -> [Int] {
    var found: [Int] = []
    var id = DoubleArrayTrie.offset(units[0])
    for (i, byte) in bytes.enumerated() {
        id ^= Int(byte)
        guard id < units.count else { break }
        let unit = units[id]
        if DoubleArrayTrie.label(unit) != UInt32(byte) { break }
        id ^= DoubleArrayTrie.offset(unit)
        if DoubleArrayTrie.hasLeaf(unit) { found.append(i + 1) }
    }
    return found
}

/// "▁" (U+2581) → " ", byte by byte: the plain reference for SentencePiece decoding (a String
/// comparison would miss a "▁" that a combining mark follows).
private func replacingEscapedSpaces(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    var i = bytes.startIndex
    while i < bytes.endIndex {
        if bytes[i...].starts(with: [0xE2, 0x96, 0x81]) {
            out.append(0x20)
            i += 3
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return out
}
