import Foundation
import VocabKit

/// Sums of one group of held-out units under one model, turned into `TokenizationMeasures`.
struct MeasureAccumulator {
    var tokens = 0, unknown = 0, fallback = 0, uncovered = 0
    var wordOccurrences = 0, splitOccurrences = 0, unknownWordOccurrences = 0
    var words = 0, characters = 0, bytes = 0
    var lengths: [Int32] = []
    var histogram: [Int64]
    var wordTypes = Set<Int32>()

    init(vocabularySize: Int) { histogram = [Int64](repeating: 0, count: vocabularySize) }

    /// Adds unit `u` of `corpus` (pre-tokenized as `text`).
    mutating func add(unit u: Int, corpus: SweepCorpus, text: PreTokenizedCorpus, encodings: PieceEncodings) {
        var length: Int32 = 0
        for p32 in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] {
            let p = Int(p32)
            let count = Int(encodings.tokenCounts[p])
            length += Int32(count)
            unknown += Int(encodings.unknownTokens[p])
            fallback += Int(encodings.fallbackTokens[p])
            uncovered += Int(encodings.uncoveredCharacters[p])
            let words = Int(encodings.wordCounts[p])
            if words > 0 {
                wordOccurrences += words
                splitOccurrences += Int(encodings.splitWords[p])
                unknownWordOccurrences += Int(encodings.unknownWords[p])
                let first = encodings.groupStarts[p]
                for g in first..<(first + words) { wordTypes.insert(encodings.groupIds[g]) }
            }
            let start = encodings.starts[p]
            for i in start..<(start + count) { histogram[Int(encodings.ids[i])] += 1 }
        }
        tokens += Int(length)
        lengths.append(length)
        words += Int(corpus.unitWords[u])
        characters += Int(corpus.unitCharacters[u])
        bytes += corpus.unitRanges[u].count
    }

    /// Adds every unit of `other` (for the all-groups total).
    mutating func merge(_ other: MeasureAccumulator) {
        tokens += other.tokens; unknown += other.unknown; fallback += other.fallback; uncovered += other.uncovered
        wordOccurrences += other.wordOccurrences; splitOccurrences += other.splitOccurrences
        unknownWordOccurrences += other.unknownWordOccurrences
        words += other.words; characters += other.characters; bytes += other.bytes
        lengths += other.lengths
        for i in histogram.indices { histogram[i] += other.histogram[i] }
        wordTypes.formUnion(other.wordTypes)
    }

    /// The measures; `meanTokenCharacters` is the mean length of the vocabulary's ordinary
    /// tokens in characters (VOLT's l_v); `clusterFrequencies` are the token counts the
    /// adaptive-softmax clusters are formed by (a training fold's; nil: these held-out counts).
    func measures(classes: [TokenClass], encodings: PieceEncodings, meanTokenCharacters: Double,
                  contextLength: Int, rareThreshold: Int, clusterFrequencies: [Int64]? = nil) -> TokenizationMeasures {
        var m = TokenizationMeasures()
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        m.tokens = tokens; m.words = words; m.characters = characters; m.bytes = bytes; m.units = lengths.count
        m.tokensPerWord = ratio(tokens, words)
        m.splitWordShare = ratio(splitOccurrences, wordOccurrences)
        m.oovTypeRate = ratio(wordTypes.filter { encodings.groupIsOOV[Int($0)] }.count, wordTypes.count)
        m.unknownWordShare = ratio(unknownWordOccurrences, wordOccurrences)
        m.unknownRate = ratio(unknown, tokens)
        m.byteFallbackRate = ratio(fallback, tokens)
        m.characterCoverage = characters == 0 ? 0 : 1 - ratio(uncovered, characters)
        m.tokensPerThousandCharacters = 1000 * ratio(tokens, characters)
        m.bytesPerToken = ratio(bytes, tokens)
        m.tokensPerByte = ratio(tokens, bytes)
        let sorted = lengths.sorted()
        func percentile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
            return Double(sorted[min(sorted.count, rank) - 1])
        }
        m.lengthP50 = percentile(0.5); m.lengthP95 = percentile(0.95); m.lengthP99 = percentile(0.99)
        m.overContextShare = ratio(lengths.filter { Int($0) > contextLength }.count, lengths.count)
        let size = histogram.count
        let shannon = InformationMeasures.shannonEntropy(histogram)
        m.shannonEfficiency = InformationMeasures.efficiency(entropy: shannon, vocabularySize: size)
        m.renyiEfficiency = InformationMeasures.efficiency(entropy: InformationMeasures.renyiEntropy(histogram, alpha: 2.5), vocabularySize: size)
        m.entropyPerCharacter = meanTokenCharacters > 0 ? shannon / meanTokenCharacters : 0
        var regular = 0, unused = 0, rare = 0
        for id in 0..<size where classes[id] != .special {
            regular += 1
            if histogram[id] == 0 { unused += 1 }
            if histogram[id] < Int64(rareThreshold) { rare += 1 }
        }
        m.unusedTokenShare = ratio(unused, regular)
        m.rareTokenShare = ratio(rare, regular)
        // Adaptive-softmax clusters by frequency on training text (ties by id, for determinism);
        // each tail's mass is its share of the held-out tokens.
        let frequency = clusterFrequencies ?? histogram
        let ranked = histogram.indices.sorted { frequency[$0] != frequency[$1] ? frequency[$0] > frequency[$1] : $0 < $1 }
        let head = AdaptiveSoftmax.clusterSizes(vocabularySize: size)
        let total = Double(max(1, tokens))
        var tail1 = 0.0, tail2 = 0.0
        for (rank, id) in ranked.enumerated() {
            if rank >= head.head + head.tail1 { tail2 += Double(histogram[id]) }
            else if rank >= head.head { tail1 += Double(histogram[id]) }
        }
        m.adaptiveTailMass = [tail1 / total, tail2 / total]
        return m
    }
}
