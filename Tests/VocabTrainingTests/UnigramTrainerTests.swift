import Dispatch
import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabTraining

/// Word counts of a corpus file through the Unigram trainer's default front end.
func unigramCounts(_ name: String, maxLines: Int? = nil) throws -> WordCounts {
    var options = WordCountingOptions(frontEnd: try TextFrontEnd(normalizer: "nmt-nfkc", preTokenizers: ["metaspace"]))
    options.keepsLineBreaks = false
    options.maxLines = maxLines
    return try WordCounter.count(paths: [corporaDirectory.appendingPathComponent("\(name).txt").path], options: options)
}

/// A random text of 1...maxLength symbols in 1..<k (k in 2...maxAlphabet) ended by the sentinel
/// 0, and its alphabet size k: the suffix-array tests' inputs.
func randomSentinelText(_ random: inout SplitMix64, maxLength: Int, maxAlphabet: Int) -> (text: [Int32], alphabetSize: Int) {
    let n = Int.random(in: 1...maxLength, using: &random)
    let k = Int.random(in: 2...maxAlphabet, using: &random)
    var text = (0..<n).map { _ in Int32.random(in: 1..<Int32(k), using: &random) }
    text.append(0)
    return (text, k)
}

@Suite("Unigram trainer")
struct UnigramTrainerTests {
    @Test("SA-IS equals sorting the suffixes; LCP intervals count substrings as brute force does")
    func suffixArrayMatchesNaive() {
        var random = SplitMix64(seed: 5)
        for _ in 0..<200 {
            let (text, k) = randomSentinelText(&random, maxLength: 60, maxAlphabet: 5)
            let sa = SuffixArray.build(text, alphabetSize: k)
            let naive = text.indices.sorted { text[$0...].lexicographicallyPrecedes(text[$1...]) }.map(Int32.init)
            #expect(sa == naive)
            let plcp = SuffixArray.permutedLCP(text, sa)
            for i in 1..<sa.count {
                let a = text[Int(sa[i - 1])...], b = text[Int(sa[i])...]
                #expect(Int(plcp[Int(sa[i])]) == zip(a, b).prefix { $0 == $1 }.count)
            }
            #expect(plcp[Int(sa[0])] == 0)
            // Each suffix has its own weight; an interval's weight sums those of its occurrences.
            let weights = text.indices.map { _ in Int64.random(in: 0...5, using: &random) }
            SuffixArray.forEachRepeat(sa: sa, plcp: plcp, weight: { weights[$0] }) { position, length, weight in
                let pattern = Array(text[position..<(position + length)])
                let occurrences = (0...(text.count - length)).filter { Array(text[$0..<($0 + length)]) == pattern }
                #expect(occurrences.reduce(Int64(0)) { $0 + weights[$1] } == weight)
            }
        }
    }

    @Test("Scanning the suffix array in independent parts finds the whole scan's repeats with the same weights")
    func repeatsByParts() {
        var random = SplitMix64(seed: 17)
        for _ in 0..<150 {
            let (text, k) = randomSentinelText(&random, maxLength: 80, maxAlphabet: 6)
            let sa = SuffixArray.build(text, alphabetSize: k)
            let plcp = SuffixArray.permutedLCP(text, sa)
            let weights = text.indices.map { _ in Int64.random(in: 0...5, using: &random) }
            var whole: [String: Int64] = [:]
            SuffixArray.forEachRepeat(sa: sa, plcp: plcp, weight: { weights[$0] }) { position, length, weight in
                whole["\(text[position..<(position + length)])"] = weight
            }
            // Records as the trainer lays them out: the LCP written in place, the key a position.
            var records = [SuffixArray.LCPAndKey](repeating: SuffixArray.LCPAndKey(lcp: 7, key: 0), count: text.count)
            for p in records.indices { records[p].key = Int32(p) }
            records.withUnsafeMutableBufferPointer { SuffixArray.permutedLCP(text, sa, into: $0) }
            #expect(records.map(\.lcp) == plcp && records.map(\.key) == records.indices.map(Int32.init))
            for count in [1, 2, 3, 5] {
                var byParts: [String: Int64] = [:]
                records.withUnsafeBufferPointer { records in
                    let parts = SuffixArray.independentParts(sa: sa, lcpAndKey: records, count: count)
                    #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == sa.count)
                    #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                    #expect(parts.count <= count)
                    // Every cut is at a suffix sharing nothing with the one before it, and there is
                    // a cut whenever such a suffix lies past the first even share.
                    for part in parts.dropFirst() { #expect(records[Int(sa[part.lowerBound])].lcp == 0) }
                    if count > 1 && ((sa.count / count)..<sa.count).contains(where: { $0 > 0 && records[Int(sa[$0])].lcp == 0 }) {
                        #expect(parts.count > 1)
                    }
                    for part in parts {
                        SuffixArray.forEachRepeat(sa: sa, in: part, lcpAndKey: records, weight: { weights[Int($0)] }) { position, length, weight in
                            let key = "\(text[position..<(position + length)])"
                            #expect(byParts[key] == nil, "\(key) found in two parts")
                            byParts[key] = weight
                        }
                    }
                }
                #expect(byParts == whole, "\(count) parts")
            }
        }
    }

    @Test("Seed pieces do not depend on the thread count (the scan's parts)")
    func seedsAtAnyThreadCount() throws {
        let counts = try unigramCounts("ja", maxLines: 1500)
        let words = counts.words.filter { !$0.word.isEmpty }
        var seeds: [[([UInt8], Double)]] = []
        for threads in [1, 2, 3, 7] {
            var options = UnigramTrainerOptions(vocabularySize: 1000)
            options.seedPieceCount = 400
            options.threads = threads
            let trainer = UnigramTrainer(options: options)
            let required = try characterAlphabet(counts, limit: nil, coverage: options.characterCoverage)
            let found = trainer.seedPieces(words, required: required, cutBackAt: 450)
            seeds.append(found.map { ($0.piece, $0.score) })
            #expect(found.count > required.count + 300)
        }
        for other in seeds.dropFirst() {
            #expect(other.map(\.0) == seeds[0].map(\.0) && other.map(\.1) == seeds[0].map(\.1))
        }
    }

    @Test("A group of equal-scored seed candidates across parts is taken whole at any thread count")
    func seedTiesAcrossParts() throws {
        // Eight words "▁xyxy" (x from a-h, y from i-p, each once): the only repeats of two or
        // more characters are the eight "xy", each twice per word, all scored 3 x 2 x 2. They
        // start with different letters, so they fall in different parts; the seed count ends
        // inside the group, so it is taken whole and ordered by bytes.
        let firsts = Array("abcdefgh").map(String.init), seconds = Array("nkpimjol").map(String.init)
        let words: [(word: [UInt8], count: Int64)] = zip(firsts, seconds).map { (Array(("▁" + $0 + $1 + $0 + $1).utf8), 3) }
        let required = (firsts + seconds + ["▁"]).sorted { $0.unicodeScalars.first!.value < $1.unicodeScalars.first!.value }.map { Array($0.utf8) }
        for threads in [1, 3, 5] {
            for cutBackAt in [Int.max, 4] {
                var options = UnigramTrainerOptions(vocabularySize: 1000)
                options.seedPieceCount = 5
                options.threads = threads
                let seeds = UnigramTrainer(options: options).seedPieces(words, required: required, cutBackAt: cutBackAt).map(\.piece)
                #expect(Array(seeds.dropFirst(required.count)) == ["an", "bk", "cp", "di", "em"].map { Array($0.utf8) },
                        "\(threads) threads, cut back at \(cutBackAt)")
            }
        }
    }

    @Test("Cutting the seed candidates back as they come keeps exactly the seeds of keeping them all")
    func seedCandidatesCutBack() throws {
        let counts = try unigramCounts("en", maxLines: 1500)
        let words = counts.words.filter { !$0.word.isEmpty }
        for seedCount in [1, 7, 300] {
            var options = UnigramTrainerOptions(vocabularySize: 1000)
            options.seedPieceCount = seedCount
            let trainer = UnigramTrainer(options: options)
            let required = try characterAlphabet(counts, limit: nil, coverage: options.characterCoverage)
            let all = trainer.seedPieces(words, required: required, cutBackAt: Int.max)
            let cut = trainer.seedPieces(words, required: required, cutBackAt: seedCount + 3)
            #expect(all.map(\.piece) == cut.map(\.piece) && all.map(\.score) == cut.map(\.score), "\(seedCount) seeds")
            #expect(all.count > required.count)
        }
    }

    @Test("Chunk sums are added in chunk order, even when the first chunk finishes last")
    func chunkSumsInOrder() {
        var options = UnigramTrainerOptions(vocabularySize: 10)
        options.threads = 2
        let trainer = UnigramTrainer(options: options)
        // Chunk 0 waits (up to 5 s, in case the chunks run on one thread) for chunk 15. The
        // values make the order visible: in chunk order 1e17 absorbs each 1 (its spacing is 16)
        // and the sum is 0; with chunks 1-15 first it would be 16.
        let lastDone = DispatchSemaphore(value: 0)
        let (sums, other, total) = trainer.chunkSums(16, width: 2) { range in
            let c = range.lowerBound
            if c == 0 { _ = lastDone.wait(timeout: .now() + 5) }
            if c == 15 { lastDone.signal() }
            let value = c == 0 ? 1e17 : c == 15 ? -1e17 : 1.0
            return ([value, Double(c)], value, Int64(c))
        }
        #expect(sums == [0, 120])
        #expect(other == 0)
        #expect(total == 120)
    }

    @Test("digamma matches known values")
    func digammaValues() {
        #expect(abs(digamma(1) + 0.5772156649015329) < 1e-10)
        #expect(abs(digamma(0.5) + 1.9635100260214235) < 1e-10)
        #expect(abs(digamma(10) - 2.251752589066721) < 1e-10)
    }

    @Test("Training is deterministic whatever the thread count; rounds nest; sizes are exact")
    func deterministicAndNested() throws {
        let words = try unigramCounts("en", maxLines: 4000)
        var options = UnigramTrainerOptions(vocabularySize: 2000)
        options.threads = 1
        let one = try UnigramTrainer(options: options).train(words)
        options.threads = 2
        let two = try UnigramTrainer(options: options).train(words)
        #expect(one.model.pieces == two.model.pieces)
        #expect(one.model.scores == two.model.scores)
        // 3 threads do not divide the 16 chunks: results arrive out of order more often.
        options.threads = 3
        let three = try UnigramTrainer(options: options).train(words)
        #expect(one.model.pieces == three.model.pieces && one.model.scores == three.model.scores)
        #expect(one.rounds.map(\.objective) == three.rounds.map(\.objective))
        #expect(one.model.vocabularySize == 2000)
        #expect(one.rounds.count >= 2)
        for (larger, smaller) in zip(one.rounds, one.rounds.dropFirst()) {
            #expect(Set(smaller.pieces).isSubset(of: Set(larger.pieces)))
            #expect(smaller.pieces.count < larger.pieces.count)
        }
        let small = try one.model(size: 1000)
        #expect(small.vocabularySize == 1000)
        #expect(Array(small.pieces.prefix(3)) == [Array("<unk>".utf8), Array("<s>".utf8), Array("</s>".utf8)])
        // Scores descend after the special pieces.
        #expect(zip(one.model.scores.dropFirst(3), one.model.scores.dropFirst(4)).allSatisfy { $0 >= $1 })
    }

    @Test("Pieces follow SentencePiece's rules: ▁ only first, one script, no digits with letters")
    func pieceRules() throws {
        let trainer = UnigramTrainer(options: UnigramTrainerOptions(vocabularySize: 100))
        func valid(_ s: String) -> Bool { trainer.isValidPiece(s.unicodeScalars.map(\.value)) }
        #expect(valid("▁the"))
        #expect(!valid("th▁e"))
        #expect(!valid("a1"))
        #expect(valid("12"))
        #expect(!valid("ab."))
        #expect(valid("ひらカタ漢"))
        #expect(!valid("漢a"))
        #expect(valid("é"))
    }

    @Test("The piece rules read from per-character properties equal the rules read from scalars, under every option")
    func pieceRulesMatchReference() {
        // The rules as first written, scalar by scalar: the reference.
        func reference(_ scalars: [UInt32], _ options: UnigramTrainerOptions) -> Bool {
            guard !scalars.isEmpty, scalars.count <= options.maxPieceLength else { return false }
            let allSpaces = scalars.allSatisfy { $0 == 0x2581 }
            var previous: Int32 = -1
            for (position, scalar) in scalars.enumerated() {
                if scalar == 0x20 || scalar == 0 { return false }
                if scalar == 0x2581 {
                    if allSpaces && scalars.count == 1 { continue }
                    if options.splitByWhitespace ? position > 0 : (position > 0 && position == scalars.count - 1) { return false }
                    continue
                }
                var script = Int32(UnicodeTables.script(scalar))
                if script == 20 || script == 22 || scalar == 0x30FC { script = 17 } else if script == 1 { script = previous }
                let isDigit = UnicodeTables.category(scalar) == .decimalNumber
                if !options.splitByNumber && isDigit { script = -1 }
                if options.splitDigits && isDigit && scalars.count > 1 { return false }
                if options.splitByUnicodeScript && script != -1 && previous != -1 && previous != script { return false }
                previous = script
            }
            return true
        }
        // Latin, digits (ASCII and Devanagari), the meta space, a space, NUL, Han, kana, "ー",
        // combining marks (inherited), Cyrillic, punctuation.
        let pool: [UInt32] = [0x61, 0x7A, 0x31, 0x39, 0x967, 0x2581, 0x20, 0, 0x6F22, 0x3072, 0x30AB, 0x30FC, 0x301, 0x3099, 0x416, 0x2E, 0x2C]
        var random = SplitMix64(seed: 21)
        for flags in 0..<16 {
            var options = UnigramTrainerOptions(vocabularySize: 100)
            options.splitByWhitespace = flags & 1 != 0
            options.splitByNumber = flags & 2 != 0
            options.splitDigits = flags & 4 != 0
            options.splitByUnicodeScript = flags & 8 != 0
            options.maxPieceLength = 6
            let trainer = UnigramTrainer(options: options)
            var valid = 0
            for _ in 0..<3000 {
                let scalars = (0..<Int.random(in: 0...7, using: &random)).map { _ in pool.randomElement(using: &random)! }
                let expected = reference(scalars, options)
                #expect(trainer.isValidPiece(scalars) == expected, "\(scalars) \(flags)")
                if expected { valid += 1 }
            }
            #expect(valid > 100, "flags \(flags): only \(valid) valid pieces drawn")
        }
    }

    @Test("Bad input: a vocabulary below the alphabet, no words")
    func badInput() throws {
        let words = try unigramCounts("zh", maxLines: 2000)
        #expect(throws: TrainingError.self) { try UnigramTrainer(options: UnigramTrainerOptions(vocabularySize: 50)).train(words) }
        #expect(throws: TrainingError.self) { try UnigramTrainer(options: UnigramTrainerOptions(vocabularySize: 500)).train(counts([])) }
    }
}
