import Foundation
import Testing
import VocabTestSupport
import VocabKit
@testable import VocabTraining

/// The flat and compact forms training keeps its words in, against the plain forms they replace.
@Suite struct CompactStorageTests {
    @Test("WordList holds what an array of words holds")
    func wordList() {
        var generator = SystemRandomNumberGenerator()
        var plain: [(word: [UInt8], count: Int64)] = []
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &generator)
            plain.append(((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }, Int64.random(in: 1...1 << 40, using: &generator)))
        }
        var list = WordList(plain)
        list.shrinkToFit()
        // Exactly sized (up to the allocator's rounding), not the appends' doubled buffers.
        #expect(list.bytes.capacity - list.bytes.count < 32 && list.ends.capacity - list.ends.count < 4)
        #expect(list.count == plain.count)
        #expect(list.elementsEqual(plain) { $0.word == $1.word && $0.count == $1.count })
        var index = 0
        list.forEachWord { word, count in
            #expect(Array(word) == plain[index].word && count == plain[index].count)
            #expect(list.withWord(at: index) { Array($0) } == plain[index].word)
            index += 1
        }
        #expect(index == plain.count)
        #expect(WordList().isEmpty)
    }

    @Test("WordIndexList gives back every index, inline and past its first 8 bytes")
    func wordIndexList() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<500 {
            var indices: [Int32] = []
            var next: Int32 = Int32.random(in: 0...3, using: &generator)
            let count = trial < 50 ? trial % 10 : Int.random(in: 0...300, using: &generator)
            for _ in 0..<count {
                indices.append(next)
                // Gaps of every varint length (1 to 5 bytes).
                let bits = Int.random(in: 0...24, using: &generator)
                next += 1 + Int32.random(in: 0...(Int32(1) << bits), using: &generator)
            }
            if trial == 0 { indices = [0, Int32.max - 1] }
            var list = WordIndexList()
            for index in indices { list.append(index) }
            #expect(list.compacted().byteCount == list.byteCount)
            var decoded: [Int32] = []
            list.compacted().forEach { decoded.append(Int32($0)) }
            #expect(decoded == indices)
            #expect(list.last == (indices.last ?? -1))
        }
    }

    @Test("BPE training gives the same merges with 2-byte and 4-byte symbols")
    func symbolWidths() throws {
        let corpus = try corpusSlice("en", lines: 3_000)
        let codes = try corpusSlice("code-python", lines: 2_000)
        let counting = WordCountingOptions(frontEnd: try TextFrontEnd(normalizer: "none", preTokenizers: ["gpt2"]))
        let words = try WordCounter.count(paths: [corpus, codes], options: counting)
        var options = BPETrainerOptions(vocabularySize: 3_000)
        options.specialTokens = ["<|endoftext|>"]
        let trainer = BPETrainer(options: options)
        let narrow = try trainer.train(words, state: TrainingState<UInt16>(options: options), progress: nil)
        let wide = try trainer.train(words, state: TrainingState<UInt32>(options: options), progress: nil)
        let automatic = try trainer.train(words)
        #expect(narrow.model.merges.count > 2_000)
        #expect(narrow.model.merges.elementsEqual(wide.model.merges) { $0 == $1 })
        #expect(automatic.model.merges.elementsEqual(wide.model.merges) { $0 == $1 })
    }
}
