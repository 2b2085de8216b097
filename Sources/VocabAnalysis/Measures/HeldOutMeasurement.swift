import VocabKit

/// The measuring kernel shared by the sweep and `TokenizerEvaluation`: one model on held-out
/// units of a pre-tokenized corpus.
enum HeldOutMeasurement {
    /// Measures `model` on the `heldOut` units, per group and (with several groups) all together
    /// as "all".
    ///
    /// 1. Encode the distinct pieces of the held-out units and of `trainSample` once.
    /// 2. Sum per unit and group.
    /// 3. The measures; the training-fold bytes per token and the compression gap only when
    ///    `trainSample` is given.
    /// - Complexity: one encoding per distinct piece, plus a pass over the units' pieces.
    static func measure(model: TokenModel, classes: [TokenClass], corpus: SweepCorpus, text: PreTokenizedCorpus,
                        heldOut: [Int], trainSample: [Int], contextLength: Int,
                        rareThreshold: Int) -> [(group: String, measures: TokenizationMeasures)] {
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
        var trainTokens = 0, trainBytes = 0
        for u in trainSample {
            for p in text.unitPieces[text.unitStarts[u]..<text.unitStarts[u + 1]] { trainTokens += Int(encodings.tokenCounts[Int(p)]) }
            trainBytes += corpus.unitRanges[u].count
        }
        let trainBytesPerToken = trainTokens == 0 ? 0 : Double(trainBytes) / Double(trainTokens)
        // 3. Measures.
        let meanCharacters = meanTokenCharacters(model, classes: classes)
        var named: [(String, MeasureAccumulator)] = zip(corpus.groupNames, accumulators).map { ($0, $1) }
        if groupCount > 1 {
            var all = MeasureAccumulator(vocabularySize: model.vocabularySize)
            for accumulator in accumulators { all.merge(accumulator) }
            named.append(("all", all))
        }
        return named.map { name, accumulator in
            var m = accumulator.measures(classes: classes, encodings: encodings, meanTokenCharacters: meanCharacters,
                                         contextLength: contextLength, rareThreshold: rareThreshold)
            if !trainSample.isEmpty {
                m.trainBytesPerToken = trainBytesPerToken
                m.compressionGap = m.bytesPerToken > 0 ? (trainBytesPerToken - m.bytesPerToken) / m.bytesPerToken : 0
            }
            return (name, m)
        }
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
