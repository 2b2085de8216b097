import Foundation
import Testing
@testable import VocabKit

/// The plain BPE algorithm, as the oracle for the fast paths: repeatedly merge the adjacent pair
/// with the lowest rank, leftmost first.
func referenceBPE(_ ids: [UInt32], _ rank: (UInt32, UInt32) -> (rank: UInt32, result: UInt32)?) -> [UInt32] {
    var parts = ids
    while parts.count > 1 {
        var best: (rank: UInt32, index: Int, result: UInt32)?
        for i in 0..<(parts.count - 1) {
            if let merge = rank(parts[i], parts[i + 1]), best == nil || merge.rank < best!.rank {
                best = (merge.rank, i, merge.result)
            }
        }
        guard let best else { break }
        parts[best.index] = best.result
        parts.remove(at: best.index + 1)
    }
    return parts
}

@Suite("BPE model")
struct BPEModelTests {
    static let cl100k = try! Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"))
    static let r50k = try! Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/r50k_base.tiktoken"))
    static let o200k = try! Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/o200k_base.tiktoken"))
    static let gpt2 = try! Tokenizer(contentsOf: TestCorpora.fixture("gpt2"))

    @Test("ids equal tiktoken's for known texts")
    func knownIds() throws {
        #expect(try Self.cl100k.encode("Hello world").ids == [9906, 1917])
        #expect(try Self.cl100k.encode("The quick brown fox jumps over the lazy dog.").ids == [791, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679, 13])
        #expect(try Self.cl100k.encode("日本語のテキスト").ids == [9080, 22656, 45918, 252, 16144, 57933, 62903, 71634])
        #expect(try Self.cl100k.encode("    def f(x):\n        return x ** 2\n").ids == [262, 711, 282, 2120, 997, 286, 471, 865, 3146, 220, 17, 198])
        #expect(try Self.cl100k.encode(String(repeating: "a", count: 100)).ids == Array(repeating: 70540, count: 12) + [29558])
        #expect(try Self.r50k.encode("👩‍👩‍👧‍👦 emoji").ids == [41840, 102, 447, 235, 41840, 102, 447, 235, 41840, 100, 447, 235, 41840, 99, 44805])
        #expect(try Self.r50k.encode("The quick brown fox jumps over the lazy dog.").ids == [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13])
        #expect(try Self.gpt2.encode("The quick brown fox jumps over the lazy dog.").ids == [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13])
        // o200k (tiktoken 0.14's ids for the same file).
        #expect(try Self.o200k.encode("Hello world").ids == [13225, 2375])
        #expect(try Self.o200k.encode("The quick brown fox jumps over the lazy dog.").ids == [976, 4853, 19705, 68347, 65613, 1072, 290, 29082, 6446, 13])
        #expect(try Self.o200k.encode("日本語のテキスト").ids == [9048, 40909, 3385, 16056, 18368, 38236])
        #expect(try Self.o200k.encode("中文分词和汉字编码测试").ids == [10667, 2957, 31892, 5884, 47799, 8134, 118053, 82843])
        #expect(try Self.o200k.encode("    def f(x):\n        return x ** 2\n").ids == [271, 1056, 285, 4061, 1883, 309, 622, 1215, 6240, 220, 17, 198])
        #expect(try Self.o200k.encode("HELLO there's CamelCase URLs/path\n").ids == [111642, 2699, 15333, 112127, 6187, 67852, 119244, 198])
        #expect(try Self.o200k.encode("a<|endoftext|>b", specialTokens: .recognized).ids == [64, 199999, 65])
    }

    @Test("special tokens' text: refused by default, recognized, admitted by name, or encoded as text")
    func specialTokens() throws {
        #expect(throws: TextError.specialTokenInText(token: "<|endoftext|>", offset: 1)) { try Self.cl100k.encode("a<|endoftext|>b") }
        #expect(throws: TextError.self) { try Self.cl100k.encodeBatch(["fine", "a<|endoftext|>b"]) }
        #expect(try Self.cl100k.encode("a<|endoftext|>b", specialTokens: .recognized).ids == [64, 100257, 65])
        #expect(try Self.cl100k.encode("a<|endoftext|>b", specialTokens: .refused(except: ["<|endoftext|>"])).ids == [64, 100257, 65])
        #expect(throws: TextError.self) { try Self.cl100k.encode("<|fim_prefix|>", specialTokens: .refused(except: ["<|endoftext|>"])) }
        let asText = try Self.cl100k.encode("a<|endoftext|>b", specialTokens: .asText).ids
        let plain = try Self.cl100k.encode("a<|endoftext|>b", allowsAddedTokens: false).ids
        #expect(!asText.contains(100257))
        #expect(asText == plain)
        #expect(try Self.cl100k.encode("a<|endoftext|>b", allowsAddedTokens: false).ids.contains(100257) == false)
        // swift-transformers' names recognize them, as swift-transformers does (chat templates).
        #expect(try Self.cl100k.encode(text: "a<|endoftext|>b") == [64, 100257, 65])
        let encoding = try Self.cl100k.encode("x <|endoftext|>", specialTokens: .recognized)
        #expect(encoding.offsets.last == 2..<15)
    }

    static let llama3 = try! Tokenizer(contentsOf: TestCorpora.fixture("gguf/ggml-vocab-llama-bpe.gguf"))

    /// Encodes each piece with `model` and checks the tokens against plain BPE from the bytes,
    /// and every cut of the encoder (`JoinFilter`) against plain BPE's token boundaries; returns
    /// how many characters started from their token (`CharacterStarts`), how many from the
    /// token of two of their bytes, how many cuts fell between two such characters and how
    /// many between one and a byte.
    @discardableResult
    static func expectReference(_ model: BPEModel, _ pieces: [[UInt8]], _ label: String)
        -> (starts: Int, partial: Int, cuts: Int, byteCuts: Int) {
        let rank: (UInt32, UInt32) -> (rank: UInt32, result: UInt32)? = { a, b in
            model.mergeTable.merge(a, b).map { ($0.rank, $0.result) }
        }
        var plain = model
        plain.ignoresMerges = false
        var scratch = BPEScratch()
        var characterStarts = 0, partial = 0, cuts = 0, byteCuts = 0
        for piece in pieces {
            var output: [PieceToken] = []
            let expected = referenceBPE(piece.map { model.byteIds[Int($0)] }, rank)
            var boundaries = Set<Int32>(), offset: Int32 = 0
            for id in expected { offset += Int32(model.tokens[Int(id)].count); boundaries.insert(offset) }
            piece.withUnsafeBufferPointer { bytes in
                plain.encode(piece: bytes, into: &output, scratch: &scratch)
                // The encoder's own cuts: each at a boundary of plain BPE's tokens, and as many as
                // the count below finds.
                var symbols = BPEScratch()
                let encoderCuts = model.initialSymbols(bytes, into: &symbols).cuts
                for k in 0..<encoderCuts {
                    let at = symbols.symbols[Int(symbols.cuts[k])].start
                    #expect(boundaries.contains(at), "\(label): a cut at byte \(at) inside a token of \(piece.prefix(16))")
                }
                let cutsBefore = cuts + byteCuts
                defer { #expect(encoderCuts == cuts + byteCuts - cutsBefore, "\(label): cuts") }
                var i = 0, previous = -1
                while !model.characterStarts.isEmpty && i < bytes.count {
                    let starts = model.characterStarts
                    if let start = starts.begin(in: bytes, at: i), start.parts != .whole {
                        partial += 1
                        if previous >= 0 && !starts.mayJoin(previous, thenByte: bytes[i]) { byteCuts += 1 }
                        previous = -1
                        i += start.length
                    } else if let (_, length, code) = starts.start(in: bytes, at: i) {
                        characterStarts += 1
                        if previous >= 0 {
                            if !starts.mayJoin(previous, code) { cuts += 1 }
                        } else if i > 0 && !starts.mayJoin(byte: bytes[i - 1], then: code) {
                            byteCuts += 1
                        }
                        previous = code
                        i += length
                    } else {
                        if previous >= 0 && !starts.mayJoin(previous, thenByte: bytes[i]) { byteCuts += 1 }
                        previous = -1
                        i += 1
                    }
                }
            }
            #expect(output.map(\.id) == expected, "\(label): piece \(String(decoding: piece, as: UTF8.self).prefix(40).debugDescription) \(piece.prefix(12))")
            // Offsets tile the piece.
            #expect(output.first?.start == 0 && output.last.map { Int($0.end) } == piece.count)
            #expect(zip(output, output.dropFirst()).allSatisfy { $0.end == $1.start })
        }
        return (characterStarts, partial, cuts, byteCuts)
    }

    /// How the character at `i` of `piece` starts with `model` (nil: from its bytes).
    static func parts(_ model: BPEModel, _ piece: [UInt8], at i: Int) -> CharacterStarts.Start.Parts? {
        piece.withUnsafeBufferPointer { model.characterStarts.begin(in: $0, at: i)?.parts }
    }

    @Test("cuts fall beside a character started whole exactly where no token joins it to its neighbour")
    func cutsBesideWholeCharacters() throws {
        let bytes = (0..<256).map { [UInt8($0)] }
        let han: [UInt8] = [0xE4, 0xB8, 0xAD]  // 中
        func cuts(_ model: BPEModel, _ piece: [UInt8]) -> [Int32] {
            var scratch = BPEScratch()
            let count = piece.withUnsafeBufferPointer { model.initialSymbols($0, into: &scratch).cuts }
            return Array(scratch.cuts[..<count])
        }
        // 256 E4B8, 257 中: "a中b" is [a, 中, b], cut before and after 中.
        let alone = try BPEModel(tokens: bytes + [[0xE4, 0xB8], han], merges: [(0xE4, 0xB8, 256), (256, 0xAD, 257)], isByteLevel: true)
        #expect(cuts(alone, [0x61] + han + [0x62]) == [1, 2])
        #expect(cuts(alone, han + han) == [1])
        // With x中 and 中x (ranks above 中's own), "x中x" is not cut.
        let joined = try BPEModel(tokens: bytes + [[0xE4, 0xB8], han, han + [0x78], [0x78] + han],
                                  merges: [(0xE4, 0xB8, 256), (256, 0xAD, 257), (257, 0x78, 258), (0x78, 257, 259)], isByteLevel: true)
        #expect(cuts(joined, [0x78] + han + [0x78]) == [])
        #expect(cuts(joined, [0x79] + han + [0x78]) == [1])
        // A token of three bytes holds a byte and a character: " é" joins the space to é.
        let spaced = try BPEModel(tokens: bytes + [[0xC3, 0xA9], [0x20, 0xC3, 0xA9]], merges: [(0xC3, 0xA9, 256), (0x20, 256, 257)], isByteLevel: true)
        #expect(cuts(spaced, [0x20, 0xC3, 0xA9]) == [] && cuts(spaced, [0x21, 0xC3, 0xA9]) == [1])
        // Beside a character started in two parts. "b中中" with 256 B8AD (rank 0), 257 aE4 (1),
        // 258 中 (2), 259 中中 (3): the first 中 starts as [E4, B8AD] (aE4 refuses a whole start
        // after any byte, 'b' included), the second whole after AD; from bytes [b, 中中], so no cut
        // between AD and the second 中. Without 中中 the cut falls there (symbol 3).
        let lastTwoTokens = bytes + [[0xB8, 0xAD], [0x61, 0xE4], han]
        let lastTwoMerges: [(UInt32, UInt32, UInt32)] = [(0xB8, 0xAD, 256), (0x61, 0xE4, 257), (0xE4, 256, 258)]
        let twice = try BPEModel(tokens: lastTwoTokens + [han + han], merges: lastTwoMerges + [(258, 258, 259)], isByteLevel: true)
        let once = try BPEModel(tokens: lastTwoTokens, merges: lastTwoMerges, isByteLevel: true)
        let bHanHan = [0x62] + han + han
        #expect(Self.parts(twice, bHanHan, at: 1) == .lastTwo && Self.parts(twice, bHanHan, at: 4) == .whole)
        #expect(cuts(twice, bHanHan) == [] && cuts(once, bHanHan) == [3])
        // A whole character followed by one in two parts whose first part joins it. "文中" with
        // 256 E4B8 (0), 258 E696 (1), 259 文 (2), 260 文E4B8 (3), 257 中 (4): 中's first part
        // meets 文 before 中 completes, so 中 starts as [E4B8, AD]; from bytes [文E4B8, AD], so no
        // cut after 文. Without 文E4B8, 中 starts whole and the cut falls there (symbol 1).
        let wen: [UInt8] = [0xE6, 0x96, 0x87]  // 文
        func firstTwo(joining: Bool) throws -> BPEModel {
            try BPEModel(tokens: bytes + [[0xE4, 0xB8], han, [0xE6, 0x96], wen] + (joining ? [wen + [0xE4, 0xB8]] : []),
                         merges: [(0xE4, 0xB8, 256), (0xE6, 0x96, 258), (258, 0x87, 259)] + (joining ? [(259, 256, 260)] : []) + [(256, 0xAD, 257)],
                         isByteLevel: true)
        }
        let joinsFirst = try firstTwo(joining: true), apart = try firstTwo(joining: false)
        #expect(Self.parts(joinsFirst, wen + han, at: 0) == .whole && Self.parts(joinsFirst, wen + han, at: 3) == .firstTwo)
        #expect(Self.parts(apart, wen + han, at: 3) == .whole)
        #expect(cuts(joinsFirst, wen + han) == [] && cuts(apart, wen + han) == [1])
        for (name, model) in [("alone", alone), ("joined", joined), ("spaced", spaced), ("twice", twice), ("once", once),
                              ("joins first", joinsFirst), ("apart", apart)] {
            let counts = Self.expectReference(model, [[0x61] + han + [0x62], han + han, [0x78] + han + [0x78], [0x79] + han + [0x78],
                                                      [0x20, 0xC3, 0xA9], [0x21, 0xC3, 0xA9], [0x20, 0xC3, 0xA9, 0x20, 0xC3, 0xA9],
                                                      bHanHan, wen + han, wen + han + han], name)
            #expect(counts.cuts + counts.byteCuts > 0, "\(name)")
        }
    }

    @Test("both merge paths and character starts equal the reference BPE on every corpus piece, CJK mixes and long pieces")
    func fastPathsMatchReference() throws {
        // Random pieces of CJK characters, with the bytes around them that change which
        // characters may start from their token: spaces, ASCII, Latin-1, stray lead and
        // continuation bytes, cut characters.
        var random = SeededRandom(seed: 17)
        func next(_ bound: Int) -> Int { random.next(bound) }
        let characters = Array("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴具母装示复标照团约星拉斗精阿苦急讲ぁあいうえおかがきくけこさしすせそただちっつてとなにのはひふへほまみむめもゃやゅゆょよらりるれろわをんァアィイゥウェエォオカガキクケコサシスセソタダチッツテトナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロワヲンー、。「」『』・！？（）：，한국어텍스트")
        var mixes: [[UInt8]] = []
        for _ in 0..<3_000 {
            var piece: [UInt8] = []
            for _ in 0..<(1 + next(40)) {
                switch next(12) {
                case 0: piece.append(0x20)
                case 1: piece.append(UInt8(0x61 + next(26)))
                case 2: piece += Array("é£ß".utf8)[next(5)...].prefix(2)
                case 3: piece.append([0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xE3, 0x80, 0xA5, 0xBF][next(10)])
                case 4: let c = Array(String(characters[next(characters.count)]).utf8); piece += c.prefix(1 + next(c.count))
                default: piece += Array(String(characters[next(characters.count)]).utf8)
                }
            }
            mixes.append(piece)
        }
        let long = [Array(String(repeating: "ab", count: 300).utf8), Array(String(repeating: "日本", count: 200).utf8),
                    Array(String(repeating: " ", count: 500).utf8), Array((0..<1000).map { UInt8(0x61 + $0 % 7) }),
                    Array(String(repeating: "中文字符和English混合", count: 20).utf8),
                    // Runs longer than the scan's limit after and before a cut.
                    Array(("的了" + String(repeating: "ab", count: 60)).utf8), Array((String(repeating: "ab", count: 60) + "的了").utf8),
                    Array(("的了" + String(repeating: "xyz", count: 40) + "的了" + String(repeating: "q", count: 90) + "的了").utf8)]
        for (label, tokenizer) in [("cl100k", Self.cl100k), ("r50k", Self.r50k), ("llama3", Self.llama3), ("o200k", Self.o200k)] {
            guard case .bpe(let model) = tokenizer.model else { Issue.record("\(label) is not BPE"); continue }
            var pieces: [[UInt8]] = []
            for name in TestCorpora.names {
                let text = try tokenizer.frontEnd.process(Array(TestCorpora.bytes(name).prefix(60_000)))
                pieces += text.pieces.map { Array(text.text.bytes[$0]) }
            }
            let fromCorpora = Self.expectReference(model, pieces + long, label)
            let fromMixes = Self.expectReference(model, mixes, label)
            // Not vacuous: characters did start from their token, in the corpora and the mixes,
            // and pieces were cut between them.
            #expect(fromCorpora.starts > 10_000 && fromMixes.starts > 2_000, "\(label): \(fromCorpora), \(fromMixes) character starts")
            #expect(fromCorpora.cuts > 5_000 && fromMixes.cuts > 500, "\(label): \(fromCorpora), \(fromMixes) cuts")
            #expect(fromCorpora.byteCuts > 5_000 && fromMixes.byteCuts > 500, "\(label): \(fromCorpora), \(fromMixes) byte cuts")
            #expect(fromCorpora.partial > 1_000 && fromMixes.partial > 500, "\(label): \(fromCorpora), \(fromMixes) partial starts")
        }
    }

    @Test("the piece cache skips only pieces of 10 bytes or more ending in U+3000-U+9FFF, and pieces over 64 bytes")
    func cachePolicy() {
        func cached(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { PieceCache.isWorthCaching($0) } }
        // Chinese and Japanese clauses rarely repeat; shorter CJK pieces and other scripts' words do.
        #expect(!cached("中华人民共和国") && !cached("ありがとう") && !cached("abc、日本"))
        #expect(cached("中国") && cached("日本語") && cached(" hello") && cached("международный"))
        #expect(cached("한국어텍스트입니다") && cached("日本語abc") && cached("日本語😀") && cached("مرحبا بالعالم"))
        #expect(!cached(String(repeating: "a", count: 65)) && cached(String(repeating: "a", count: 64)))
    }

    @Test("a character starts from its token only where no merge across its edges can interleave")
    func characterStartConditions() throws {
        let bytes = (0..<256).map { [UInt8($0)] }
        let han: [UInt8] = [0xE4, 0xB8, 0xAD]  // 中
        func model(_ extra: [[UInt8]], _ merges: [(UInt32, UInt32, UInt32)]) throws -> BPEModel {
            try BPEModel(tokens: bytes + extra, merges: merges, isByteLevel: true)
        }
        func start(_ model: BPEModel, _ piece: [UInt8], at i: Int) -> UInt32? {
            piece.withUnsafeBufferPointer { model.characterStarts.start(in: $0, at: i)?.id }
        }
        // Condition 3: the finished token merges with an ASCII neighbour (rank 3) below the
        // character's last own merge (rank 5): "中xy" is [中, xy] from bytes, [中x, y] from 中.
        // 256 E4B8, 257 B8AD, 258 中, 259 中x, 260 xy.
        let late = try model([[0xE4, 0xB8], [0xB8, 0xAD], han, han + [0x78], [0x78, 0x79]],
                             [(0xE4, 0xB8, 256), (0xB8, 0xAD, 257), (0xE4, 257, 258), (258, 0x78, 259), (0x78, 0x79, 260), (256, 0xAD, 258)])
        #expect(start(late, han + [0x78, 0x79], at: 0) == nil)
        #expect(start(late, han, at: 0) == 258)
        #expect(start(late, han + [0xC3, 0xA9], at: 0) == 258)  // a non-ASCII neighbour has no such merge
        // Condition 2: the incomplete character's left edge E4 merges with an ASCII neighbour
        // (rank 1) below its pending merge (rank 2): "a中" is [aE4, B8AD] from bytes, [a, 中] from 中.
        // 256 B8AD, 257 aE4, 258 中.
        let early = try model([[0xB8, 0xAD], [0x61, 0xE4], han], [(0xB8, 0xAD, 256), (0x61, 0xE4, 257), (0xE4, 256, 258)])
        #expect(start(early, [0x61] + han, at: 1) == nil)
        #expect(start(early, han, at: 0) == 258)
        #expect(start(early, [0xC3, 0xA9] + han, at: 2) == 258)
        // A merge whose result is not its sides' bytes breaks reading neighbours from the text:
        // no table (here "a" + A9 makes "az", which ends in ASCII where the text has a
        // continuation byte, and then merges with E4).
        let odd = try model([[0xE4, 0xB8], han, [0x61, 0x7A], [0x71, 0x71]], [(0x61, 0xA9, 258), (258, 0xE4, 259), (0xE4, 0xB8, 256), (256, 0xAD, 257)])
        #expect(odd.characterStarts.isEmpty)
        // Starting from two parts (the first merge's token and the last byte) needs the same of
        // the parts: no merge of theirs with a neighbour at or below the first merge's rank, and
        // no merge of the two below it. Hand-written ranks break both.
        // "ba中": 256 E4B8, 257 aE4B8 (rank 0, below E4B8's own 2), 258 ba, 259 中. From bytes
        // [ba, 中]; from [E4B8, AD], [b, aE4B8, AD].
        let usedEarly = try model([[0xE4, 0xB8], [0x61, 0xE4, 0xB8], [0x62, 0x61], han],
                                  [(0x61, 256, 257), (0x62, 0x61, 258), (0xE4, 0xB8, 256), (256, 0xAD, 259)])
        #expect(Self.parts(usedEarly, [0x62, 0x61] + han, at: 2) == nil)
        #expect(Self.parts(usedEarly, [0xC3, 0xA9] + han, at: 2) == .whole)  // no such merge with a non-ASCII neighbour
        // "中xy": 256 E4B8, 259 中 from E4B8 AD at rank 0, below E4B8's own 3; 中x at rank 1.
        // From bytes [中, xy]; from [E4B8, AD], [中x, y].
        let finishedEarly = try model([[0xE4, 0xB8], [0x78, 0x79], [0xE4, 0xB8, 0xAD, 0x78], han],
                                      [(256, 0xAD, 259), (259, 0x78, 258), (0x78, 0x79, 257), (0xE4, 0xB8, 256)])
        #expect(Self.parts(finishedEarly, han + [0x78, 0x79], at: 0) == nil)
        // "a中" in `early`: B8 AD merge first (rank 0), and neither part meets 'a' at or below it.
        #expect(Self.parts(early, [0x61] + han, at: 1) == .lastTwo)
        // The first merge's own condition holds for two parts as for the whole: "a中" with aE4 at
        // rank 0, below E4 B8's 1, is [aE4, B8, AD] from bytes, [a, 中] from E4B8 and AD.
        let edgeFirst = try model([[0x61, 0xE4], [0xE4, 0xB8], han], [(0x61, 0xE4, 256), (0xE4, 0xB8, 257), (257, 0xAD, 258)])
        #expect(Self.parts(edgeFirst, [0x61] + han, at: 1) == nil)
        #expect(Self.parts(edgeFirst, [0xC3, 0xA9] + han, at: 2) == .whole)
        // UTF-8's byte classes: AD 82 (rank 0) can follow 中 only where the text has a stray
        // continuation byte, and E4 E4 (rank 1) only after a stray lead byte; a lead byte after
        // 中 or a continuation byte before it is UTF-8's own and meets neither.
        let classes = try model([[0xE4, 0xB8], han, [0xAD, 0x82], [0xE4, 0xE4]],
                                [(0xAD, 0x82, 258), (0xE4, 0xE4, 259), (0xE4, 0xB8, 256), (256, 0xAD, 257)])
        #expect(Self.parts(classes, han + [0x82], at: 0) == nil)
        #expect(Self.parts(classes, [0xE4] + han, at: 1) == nil)
        #expect(Self.parts(classes, han + han, at: 0) == .whole && Self.parts(classes, han + han, at: 3) == .whole)
        #expect(Self.parts(classes, [0xC3, 0xA9] + han + [0xC3, 0xA9], at: 2) == .whole)
        // A merge whose result is not its sides' bytes: 中 + 文 makes é. Both characters start
        // whole and no token holds 中文, but cutting there would lose that merge: no cuts.
        let wen: [UInt8] = [0xE6, 0x96, 0x87]  // 文
        let renamed = try model([[0xE4, 0xB8], han, [0xE6, 0x96], wen, [0xC3, 0xA9]],
                                [(0xE4, 0xB8, 256), (256, 0xAD, 257), (0xE6, 0x96, 258), (258, 0x87, 259), (257, 259, 260)])
        #expect(Self.parts(renamed, han + wen, at: 0) == .whole && Self.parts(renamed, han + wen, at: 3) == .whole)
        #expect(renamed.characterStarts.mayJoin(0x4E2D, 0x6587))
        for (name, vocabulary) in [("late", late), ("early", early), ("odd", odd), ("used early", usedEarly), ("finished early", finishedEarly),
                                   ("edge first", edgeFirst), ("classes", classes), ("renamed", renamed)] {
            Self.expectReference(vocabulary, [han + [0x78, 0x79], [0x61] + han, [0x61, 0xE9] + han, [0x61, 0xA9] + han, han + han,
                                              [0xC3, 0xA9] + han + [0x78], [0x62, 0x61] + han, [0x62, 0x61] + han + [0x78, 0x79],
                                              han + [0x82], [0xE4] + han, han + [0xAD, 0x82], han + wen, wen + han + wen, [0xC3, 0xA9] + han + han], name)
        }
        // Character codes: two- and three-byte forms only, continuation bytes checked, overlong
        // forms refused (E0 9F BF would otherwise read as U+07FF, another token's code).
        func code(_ piece: [UInt8], at i: Int = 0) -> Int? { piece.withUnsafeBufferPointer { CharacterStarts.code($0, at: i)?.code } }
        #expect(code([0xC2, 0x80]) == 0x80 && code([0xDF, 0xBF]) == 0x7FF && code([0xE0, 0xA0, 0x80]) == 0x800 && code(han) == 0x4E2D)
        #expect(code([0xED, 0xA0, 0x80]) == 0xD800)  // surrogate bytes: one code, no other form reaches it
        for invalid: [UInt8] in [[0xE0, 0x9F, 0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE4, 0xB8], [0xE4], [0xB8, 0xAD], [0xE4, 0x41, 0x42],
                                 [0xE4, 0xB8, 0x41], [0xF0, 0x9F, 0x98, 0x80], [0x41]] {
            #expect(code(invalid) == nil, "\(invalid)")
        }
        #expect(code([0x41, 0xE4, 0xB8], at: 1) == nil)  // cut at the piece's end
    }

    @Test("character starts equal the reference BPE for random vocabularies built to merge across characters")
    func characterStartsOnAdversarialVocabularies() throws {
        // Small alphabets of multi-byte characters that share bytes, merges grown from random
        // adjacent pairs of random texts (as training would, but without its order), so merges
        // across character edges, with and against the characters' own, abound. Both rank rules:
        // by list position, and tiktoken's (rank = result id: different pairs tie).
        var random = SeededRandom(seed: 99)
        func next(_ bound: Int) -> Int { random.next(bound) }
        let units: [[UInt8]] = ["日", "本", "é", "ü", "—", "“", "中", "あ"].map { Array($0.utf8) } + [[0x20], [0x61], [0xE6], [0x97], [0xA5]]
        var started = 0, partial = 0, cut = 0, byteCut = 0, vocabularies = 0
        for round in 0..<200 {
            let ranksByResult = round % 2 == 1
            let texts: [[UInt8]] = (0..<12).map { _ in (0..<(2 + next(10))).flatMap { _ in units[next(units.count)] } }
            var tokens = (0..<256).map { [UInt8($0)] }
            var ids = [[UInt8]: UInt32](uniqueKeysWithValues: tokens.enumerated().map { ($1, UInt32($0)) })
            var merges: [(UInt32, UInt32, UInt32)] = []
            var pairs = Set<UInt64>()
            for _ in 0..<(10 + next(60)) {
                let model = try BPEModel(tokens: tokens, merges: merges, isByteLevel: true, ranksByResult: ranksByResult)
                let parts = referenceBPE(texts[next(texts.count)].map { UInt32($0) }) { a, b in
                    model.mergeTable.merge(a, b).map { ($0.rank, $0.result) }
                }
                guard parts.count > 1 else { continue }
                let at = next(parts.count - 1)
                let (a, b) = (parts[at], parts[at + 1])
                guard pairs.insert(UInt64(a) << 32 | UInt64(b)).inserted else { continue }
                let bytes = tokens[Int(a)] + tokens[Int(b)]
                let result: UInt32
                if let id = ids[bytes] { result = id } else { result = UInt32(tokens.count); tokens.append(bytes); ids[bytes] = result }
                // tiktoken's rule needs a result made no earlier than its parts.
                if ranksByResult && (result < a || result < b) { continue }
                merges.append((a, b, result))
            }
            let model = try BPEModel(tokens: tokens, merges: merges, isByteLevel: true, ranksByResult: ranksByResult)
            let pieces = texts + (0..<40).map { _ in (0..<(1 + next(14))).flatMap { _ in units[next(units.count)] } }
            let count = Self.expectReference(model, pieces, "round \(round)")
            started += count.starts
            cut += count.cuts
            byteCut += count.byteCuts
            partial += count.partial
            if count.starts > 0 { vocabularies += 1 }
        }
        #expect(started > 500 && vocabularies > 40, "\(started) character starts in \(vocabularies) vocabularies")
        #expect(cut > 100 && byteCut > 100 && partial > 100, "\(cut) cuts, \(byteCut) byte cuts, \(partial) partial starts")
    }

    @Test("decode(encode(x)) == x on random Unicode and invalid input is reported")
    func roundTrip() throws {
        for string in AdversarialText.strings + AdversarialText.random(count: 500, seed: 5) {
            for tokenizer in [Self.cl100k, Self.r50k] {
                let ids = try tokenizer.encode(string, allowsAddedTokens: false).ids
                #expect(try tokenizer.decode(ids) == string)
            }
        }
        // A cut inside a character decodes to bytes that are not UTF-8; decode() replaces them.
        let ids = try Self.cl100k.encode("👩").ids
        #expect(ids.count > 1)
        let bytes = try Self.cl100k.decodeBytes([ids[0]])
        #expect(String(validating: bytes, as: UTF8.self) == nil)
        #expect(try Self.cl100k.decode([ids[0]]).contains("\u{FFFD}"))
        #expect(throws: ModelError.self) { try Self.cl100k.decode([999_999]) }
    }

    @Test("a very long piece without spaces takes the heap path and round-trips")
    func longPiece() throws {
        var random = SystemRandomNumberGenerator()
        let letters = Array("etaoinshrdlucmfwypvbgkjqxz")
        let text = String((0..<300_000).map { _ in letters[Int(random.next() % 26)] })
        let encoding = try Self.cl100k.encode(text)
        #expect(encoding.ids.count > 30_000)
        #expect(try Self.cl100k.decode(encoding.ids) == text)
        let regexTokenizer = try Tokenizer(contentsOf: TestCorpora.fixture("tiktoken/cl100k_base.tiktoken"), pattern: SplitPattern.cl100k.regex)
        #expect(try regexTokenizer.encode("Hello world's end").ids == (try Self.cl100k.encode("Hello world's end").ids))
    }

    @Test("offsets point into the original text")
    func offsets() throws {
        let text = "Hello wörld"
        let encoding = try Self.cl100k.encode(text)
        let bytes = Array(text.utf8)
        #expect(encoding.offsets.map { String(decoding: bytes[$0], as: UTF8.self) }.joined() == text)
    }

    @Test("malformed files give errors naming the problem")
    func malformed() throws {
        #expect(throws: ModelError.self) { try TiktokenFile.tokens(from: Data("aGVsbG8= 0\nnot base64!\n".utf8)) }
        #expect(throws: ModelError.self) { try TiktokenFile.tokens(from: Data("YQ== 0\nYg== 2\n".utf8)) }  // rank 1 missing
        #expect(throws: ModelError.self) { try TiktokenFile.tokens(from: Data()) }
        #expect(throws: ModelError.self) { try GPT2Files.model(encoderJSON: Data("[1,2]".utf8), vocabBPE: Data()) }
        #expect(throws: ModelError.self) {
            try GPT2Files.model(encoderJSON: Data(#"{"a": 0, "b": 1}"#.utf8), vocabBPE: Data("#version: 0.2\na b\n".utf8))
        }
        // GPT-2's files read from their bytes: a repeated token, trailing text, a negative id,
        // a character outside the byte-level alphabet and bytes that are not UTF-8 are refused by
        // name; CRLF merges read as LF ones.
        func gpt2Error(_ encoder: String, _ merges: String = "#version: 0.2\na b\n") -> String {
            do { _ = try GPT2Files.model(encoderJSON: Data(encoder.utf8), vocabBPE: Data(merges.utf8)); return "no error" } catch {
                return "\(error)"
            }
        }
        #expect(gpt2Error(#"{"a": 0, "b": 1, "ab": 2, "a": 3}"#).contains("appears twice"))
        #expect(gpt2Error(#"{"a": 0, "b": 1, "ab": 2} x"#).contains("not a JSON object"))
        #expect(gpt2Error(#"{"a": 0, "b": -1, "ab": 2}"#).contains("has id -1"))
        #expect(gpt2Error(#"{"a": 0, "b": 1, "a\u0301": 2}"#).contains("outside the byte-level alphabet"))
        #expect(throws: ModelError.self) { try GPT2Files.model(encoderJSON: Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x30, 0x7D]), vocabBPE: Data()) }
        let lf = try GPT2Files.model(encoderJSON: Data(#"{"a": 0, "b": 1, "ab": 2, "c": 3, "abc": 4}"#.utf8), vocabBPE: Data("#version: 0.2\na b\nab c\n".utf8))
        let crlf = try GPT2Files.model(encoderJSON: Data(#"{"a": 0, "b": 1, "ab": 2, "c": 3, "abc": 4}"#.utf8), vocabBPE: Data("#version: 0.2\r\na b\r\nab c\r\n".utf8))
        // Keys written with \u escapes (as OpenAI's encoder.json writes "Ġ"), after a byte order mark.
        let escaped = try GPT2Files.model(encoderJSON: Data([0xEF, 0xBB, 0xBF] + Array(#"{"\u0120": 0, "a": 1, "\u0120a": 2}"#.utf8)),
                                          vocabBPE: Data("#version: 0.2\n\u{120} a\n".utf8))
        #expect(escaped.tokens == [[0x20], [0x61], [0x20, 0x61]] && escaped.merges.count == 1)
        #expect(lf.merges.count == 2 && lf.merges.map { [$0.0, $0.1, $0.2] } == crlf.merges.map { [$0.0, $0.1, $0.2] } && lf.tokens == crlf.tokens)
        // encoder.json named alone: with vocab.bpe beside it, GPT-2; without, an error that says so.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gpt2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = folder.appendingPathComponent("encoder.json")
        // Every byte's token ("model" among them, as in GPT-2's own file), then "ab".
        var entries = (0..<256).map { byte in (ByteLevelAlphabet.encode([UInt8(byte)]), byte) }
        entries += [("ab", 256), ("model", 257)]
        let json = try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: entries))
        try json.write(to: encoder)
        do { _ = try Tokenizer(contentsOf: encoder); Issue.record("loaded without vocab.bpe") } catch {
            #expect("\(error)".contains("GPT-2's encoder.json"), "\(error)")
        }
        try Data("#version: 0.2\na b\n".utf8).write(to: folder.appendingPathComponent("vocab.bpe"))
        #expect(try Tokenizer(contentsOf: encoder).encode("ab", addsSpecialTokens: false).ids == [256])
        // A tokenizer.json that is called encoder.json still reads as a tokenizer.json.
        try Data(contentsOf: TestCorpora.fixture("bert/tokenizer.json")).write(to: encoder)
        #expect(try Tokenizer(contentsOf: encoder).vocabularySize == Tokenizer(contentsOf: TestCorpora.fixture("bert/tokenizer.json")).vocabularySize)
        // A file cut in the middle of a line (after the token, before its rank).
        let file = try Data(contentsOf: TestCorpora.fixture("tiktoken/r50k_base.tiktoken"))
        let cut = file.prefix(1000).lastIndex(of: 0x20)!
        #expect(throws: ModelError.self) { try TiktokenFile.tokens(from: file.prefix(cut + 1)) }
        // Duplicate, huge and negative ranks; a rank past the lines; bad padding.
        for text in ["YQ== 0\nYg== 0\n", "YQ== 0\nYg== 99999999999999999999\n", "YQ== -1\n", "YQ== 5\n", "YQ= 0\n", "Y=Q= 0\n", "YQ== 0 1\n"] {
            #expect(throws: ModelError.self, "\(text.debugDescription)") { try TiktokenFile.tokens(from: Data(text.utf8)) }
        }
        // Whitespace as tiktoken's `line.split()` takes it: CRLF, runs of spaces, tabs, blank
        // lines; and a "+" before the rank, as Python's int() takes it.
        #expect(try TiktokenFile.tokens(from: Data("YQ==  0\r\n\tYg== +1 \r\n\n \r\nYw==\t2".utf8)) == [[0x61], [0x62], [0x63]])
    }

    @Test("the rank-file reader decodes base64 as Foundation does, in any rank order")
    func base64() throws {
        // Every token of both shipped files.
        for name in ["tiktoken/r50k_base.tiktoken", "tiktoken/cl100k_base.tiktoken"] {
            let file = try Data(contentsOf: TestCorpora.fixture(name))
            let tokens = try TiktokenFile.tokens(from: file)
            var expected: [[UInt8]] = []
            for line in file.split(separator: 0x0A) {
                expected.append(Array(Data(base64Encoded: Data(line.split(separator: 0x20)[0]))!))
            }
            #expect(tokens == expected, "\(name)")
        }
        // Random tokens of every length mod 3, written in a shuffled order.
        var generator = SystemRandomNumberGenerator()
        var tokens: [[UInt8]] = []
        for i in 0..<300 {
            var token: [UInt8] = (0..<(i % 40)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            token += [UInt8(i % 256), UInt8(i / 256)]
            tokens.append(token)
        }
        let lines = tokens.enumerated().map { "\(Data($0.element).base64EncodedString()) \($0.offset)" }.shuffled(using: &generator)
        #expect(try TiktokenFile.tokens(from: Data((lines.joined(separator: "\n") + "\n").utf8)) == tokens)
        // Malformed base64 is refused, where Foundation or Python's b64decode (tiktoken's) take
        // some of it leniently: unpadded, data after the padding, characters outside the alphabet.
        let decode = { (text: String) in Array(text.utf8).withUnsafeBufferPointer { TiktokenFile.base64Decode($0) } }
        for text in ["YQ", "YQ=", "Y===", "=YQ=", "YQ==YQ==", "Y Q==", "YQ\u{0}=", "YQ===", ""] {
            #expect(decode(text) == nil, "\(text.debugDescription)")
        }
        for text in ["YWJj", "YWI=", "YQ==", "/+8A"] { #expect(decode(text) == Array(Data(base64Encoded: Data(text.utf8))!)) }
    }
}

@Suite("Shipped vocabularies")
struct ShippedVocabularyTests {
    @Test("Vocabs/bpe-en-code-32k loads, has 32,000 tokens and round-trips every corpus")
    func bpeEnCode32k() throws {
        let url = TestCorpora.directory.deletingLastPathComponent().appendingPathComponent("Vocabs/bpe-en-code-32k/tokenizer.json")
        let tokenizer = try Tokenizer(contentsOf: url)
        #expect(tokenizer.vocabularySize == 32000)
        for name in TestCorpora.names {
            let text = String(decoding: TestCorpora.bytes(name).prefix(20_000), as: UTF8.self)
            #expect(try tokenizer.decode(tokenizer.encode(text).ids) == text, "\(name)")
        }
    }
}

@Suite("Shipped WordPiece vocabulary")
struct ShippedWordPieceTests {
    @Test("Vocabs/wordpiece-en-30k loads as BERT-style WordPiece with 30,000 tokens")
    func wordPieceEn30k() throws {
        let url = TestCorpora.directory.deletingLastPathComponent().appendingPathComponent("Vocabs/wordpiece-en-30k/tokenizer.json")
        let tokenizer = try Tokenizer(contentsOf: url)
        #expect(tokenizer.vocabularySize == 30000)
        let encoding = try tokenizer.encode("Hello, World! The tokenizer works.")
        #expect(encoding.ids.first == 2 && encoding.ids.last == 3)   // [CLS] ... [SEP]
        #expect(try tokenizer.decode(encoding.ids, skipsSpecialTokens: true) == "hello, world! the tokenizer works.")
    }
}

@Suite("Shipped Unigram vocabulary")
struct ShippedUnigramTests {
    @Test("Vocabs/unigram-multi-16k: the .model and tokenizer.json agree on every corpus and decode to the normalized text")
    func unigramMulti16k() throws {
        let folder = TestCorpora.directory.deletingLastPathComponent().appendingPathComponent("Vocabs/unigram-multi-16k")
        let model = try Tokenizer(contentsOf: folder.appendingPathComponent("tokenizer.model"))
        let json = try Tokenizer(contentsOf: folder.appendingPathComponent("tokenizer.json"))
        #expect(model.vocabularySize == 16000 && json.vocabularySize == 16000)
        for name in TestCorpora.names {
            for line in TestCorpora.lines(name).prefix(200).map({ String(decoding: $0, as: UTF8.self) }) {
                let ids = try model.encode(line).ids
                // NFKC's composition and reordering of combining marks is the one place a
                // per-character map differs.
                if line.unicodeScalars.contains(where: { $0.properties.generalCategory == .nonspacingMark }) { continue }
                #expect(try json.encode(line).ids == ids, "\(name): \(line)")
                // Characters outside the coverage are <unk> (id 0), which decodes to " ⁇ ".
                if ids.contains(0) { continue }
                let normalized = try json.frontEnd.normalizer.normalize(line)
                #expect(try model.decode(ids) == normalized, "\(name): \(line)")
            }
        }
    }
}

@Suite("Shipped hybrid vocabulary")
struct ShippedHybridTests {
    @Test("Vocabs/hybrid-en-32k loads, has 32,000 tokens and round-trips every corpus to its normalized text")
    func hybridEn32k() throws {
        let url = TestCorpora.directory.deletingLastPathComponent().appendingPathComponent("Vocabs/hybrid-en-32k/tokenizer.json")
        let tokenizer = try Tokenizer(contentsOf: url)
        #expect(tokenizer.vocabularySize == 32000)
        for name in TestCorpora.names {
            for line in TestCorpora.lines(name).prefix(100).map({ String(decoding: $0, as: UTF8.self) }) {
                let normalized = try tokenizer.frontEnd.normalizer.normalize(line)
                #expect(try tokenizer.decode(tokenizer.encode(line).ids) == normalized, "\(name): \(line)")
            }
        }
        #expect(try tokenizer.encode("the").ids.count == 1)
    }
}
