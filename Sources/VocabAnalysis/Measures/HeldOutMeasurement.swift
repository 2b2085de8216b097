import VocabKit

/// How the "all" row weighs the groups of a multi-group corpus.
public enum GroupWeighting: String, Sendable, Codable, CaseIterable {
    /// Every unit of every group summed: groups weigh by their bytes.
    case bytes
    /// Every group counts once: each measure is the mean of the groups' values.
    case equal
}

/// The measuring kernel shared by the sweep and `TokenizerEvaluation`: one model on held-out
/// units of a pre-tokenized corpus.
enum HeldOutMeasurement {
    /// Measures `model` on the `heldOut` units, per group and (with several groups) all together
    /// as "all".
    ///
    /// 1. Encode the distinct pieces of the held-out units and of `trainSample` once.
    /// 2. Sum per unit and group.
    /// 3. The measures; with `trainSample` (a training fold), the compression gap of each group
    ///    against that group's training units, and adaptive-softmax clusters by its token
    ///    frequencies (without one, by the held-out frequencies).
    /// - Complexity: one encoding per distinct piece, plus a pass over the units' pieces.
    static func measure(model: TokenModel, classes: [TokenClass], corpus: SweepCorpus, text: PreTokenizedCorpus,
                        heldOut: [Int], trainSample: [Int], contextLength: Int, rareThreshold: Int,
                        weighting: GroupWeighting = .bytes) -> [(group: String, measures: TokenizationMeasures)] {
        // 1. Encode the distinct pieces of both unit sets once.
        var seen = [Bool](repeating: false, count: text.pieces.count)
        var needed: [Int32] = []
        for u in heldOut + trainSample {
            for p in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] where !seen[Int(p)] {
                seen[Int(p)] = true
                needed.append(p)
            }
        }
        let encodings = PieceEncodings(model: model, classes: classes, pieces: text.pieces, needed: needed)
        // 2. Sum per group.
        let groupCount = corpus.groupNames.count
        var accumulators = [MeasureAccumulator](repeating: MeasureAccumulator(vocabularySize: model.vocabularySize), count: groupCount)
        for u in heldOut { accumulators[Int(corpus.unitGroups[u])].add(unit: u, corpus: corpus, text: text, encodings: encodings) }
        // The training sample, per group: tokens, bytes, and token frequencies (the adaptive
        // softmax's clusters are formed on training text, as a model would form them).
        var trainTokens = [Int](repeating: 0, count: groupCount), trainBytes = [Int](repeating: 0, count: groupCount)
        var trainFrequencies = [Int64](repeating: 0, count: model.vocabularySize)
        for u in trainSample {
            let g = Int(corpus.unitGroups[u])
            for p in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] {
                let count = Int(encodings.tokenCounts[Int(p)]), start = encodings.starts[Int(p)]
                trainTokens[g] += count
                for i in start..<(start + count) { trainFrequencies[Int(encodings.ids[i])] += 1 }
            }
            trainBytes[g] += corpus.unitRanges[u].count
        }
        func bytesPerToken(_ bytes: Int, _ tokens: Int) -> Double { tokens == 0 ? 0 : Double(bytes) / Double(tokens) }
        // 3. Measures.
        let meanCharacters = meanTokenCharacters(model, classes: classes)
        var named: [(name: String, accumulator: MeasureAccumulator, trainBytesPerToken: Double)] =
            corpus.groupNames.indices.map { (corpus.groupNames[$0], accumulators[$0], bytesPerToken(trainBytes[$0], trainTokens[$0])) }
        if groupCount > 1 {
            var all = MeasureAccumulator(vocabularySize: model.vocabularySize)
            for accumulator in accumulators { all.merge(accumulator) }
            named.append(("all", all, bytesPerToken(trainBytes.reduce(0, +), trainTokens.reduce(0, +))))
        }
        var measured = named.map { name, accumulator, trainBytesPerToken -> (group: String, measures: TokenizationMeasures) in
            var m = accumulator.measures(classes: classes, encodings: encodings, meanTokenCharacters: meanCharacters,
                                         contextLength: contextLength, rareThreshold: rareThreshold,
                                         clusterFrequencies: trainSample.isEmpty ? nil : trainFrequencies)
            // The compression gap of each group against the same group's training text.
            if !trainSample.isEmpty {
                m.trainBytesPerToken = trainBytesPerToken
                m.compressionGap = m.bytesPerToken > 0 && trainBytesPerToken > 0 ? (trainBytesPerToken - m.bytesPerToken) / m.bytesPerToken : 0
            }
            return (name, m)
        }
        // "all" with every group counting once instead of by its bytes.
        if weighting == .equal && groupCount > 1 {
            measured[groupCount].measures = TokenizationMeasures.macroAverage(measured.prefix(groupCount).map(\.measures))
        }
        return measured
    }

    /// VOLT's l_v: the mean length in characters of the ordinary tokens (a continuing-subword
    /// prefix does not count).
    static func meanTokenCharacters(_ model: TokenModel, classes: [TokenClass]) -> Double {
        var prefix: [UInt8] = []
        if case .wordPiece(let wordPiece) = model { prefix = wordPiece.continuingSubwordPrefix }
        var total = 0, count = 0
        for (id, token) in model.tokens.enumerated() where classes[id] == .ordinary {
            let body = !prefix.isEmpty && token.starts(with: prefix) && token.count > prefix.count ? token.dropFirst(prefix.count) : token[...]
            total += scalarCount(body)
            count += 1
        }
        return count == 0 ? 0 : Double(total) / Double(count)
    }
}
