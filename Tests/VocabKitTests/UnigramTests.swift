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
            if let id = model.mergeable.id(of: Array((symbols[i] + symbols[i + 1]).utf8)) {
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

@Suite("Double-array trie, SentencePiece .model files, Unigram and scored BPE")
struct UnigramTests {
    static let unigramFile = TestCorpora.fixture("sentencepiece/botchan_en_unigram_1000.model")
    static let bpeFile = TestCorpora.fixture("sentencepiece/botchan_en_bpe_1000.model")
    static let mistralFile = TestCorpora.fixture("sentencepiece/mistral-tokenizer.model.v1")

    @Test("The double array finds exactly its keys and their prefixes, like a dictionary")
    func doubleArrayMatchesDictionary() throws {
        var random = SplitMix64(seed: 7)
        let alphabet: [UInt8] = Array("abcdé日".utf8)
        var keys: Set<[UInt8]> = []
        while keys.count < 3000 {
            keys.insert((0..<Int.random(in: 1...9, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        let sorted = keys.sorted { $0.lexicographicallyPrecedes($1) }
        let trie = try DoubleArrayTrie(keys: sorted, values: sorted.indices.map { Int32($0) })
        for (index, key) in sorted.enumerated() { #expect(trie.value(of: key) == Int32(index)) }
        for _ in 0..<3000 {
            let probe = (0..<Int.random(in: 1...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            var found: [Int] = []
            probe.withUnsafeBufferPointer { p in trie.forEachPrefix(of: p, from: 0, to: p.count) { _, length in found.append(length) } }
            let expected = (1...probe.count).filter { keys.contains(Array(probe[0..<$0])) }
            #expect(found == expected)
        }
        #expect(throws: DoubleArrayTrie.BuildError.self) { try DoubleArrayTrie(keys: [[1], [1]], values: [0, 1]) }
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
                var tokens: [PieceToken] = [], generator = SplitMix64(seed: 0)
                normalized.withUnsafeBufferPointer { model.encode(piece: $0, into: &tokens, generator: &generator) }
                #expect(tokens.map(\.id) == referenceScoredBPE(String(decoding: normalized, as: UTF8.self), model: model), "\(String(decoding: line, as: UTF8.self))")
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
