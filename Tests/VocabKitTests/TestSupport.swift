import Foundation
import Testing
import VocabTestSupport
@testable import VocabKit

/// The corpora in `Corpora/`, read once.
enum TestCorpora {
    static let directory = corporaDirectory

    static let names = ["en", "code-python", "de", "ru", "ja", "zh", "ko", "th", "ar", "hi"]

    /// A file in `Tests/Fixtures`.
    static func fixture(_ path: String) -> URL { VocabTestSupport.fixture(path) }

    static func bytes(_ name: String) -> [UInt8] {
        let url = directory.appendingPathComponent("\(name).txt")
        guard let data = try? Data(contentsOf: url) else {
            Issue.record("cannot read \(url.path)")
            return []
        }
        return Array(data)
    }

    /// The file cut into blocks of whole lines of about `size` bytes.
    static func blocks(_ name: String, size: Int = 64 * 1024) -> [[UInt8]] {
        let all = bytes(name)
        var result: [[UInt8]] = []
        var start = 0
        while start < all.count {
            var end = min(all.count, start + size)
            while end < all.count && all[end - 1] != 0x0A { end += 1 }
            result.append(Array(all[start..<end]))
            start = end
        }
        return result
    }

    /// The file's lines (without "\n").
    static func lines(_ name: String) -> [[UInt8]] {
        bytes(name).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    }
}

/// A seeded linear congruential generator: reproducible random test data.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(state >> 33) % bound
    }
}

/// Hard cases for splitters and normalizers: whitespace runs, contractions in every case, digits
/// of many scripts, emoji sequences, combining marks, case changes inside words, escapes.
enum AdversarialText {
    static let strings: [String] = [
        "", " ", "  ", "\n", "\n\n", " \n", "\n ", "   \n\n  \t\t x", "a  \n  b", "a\r\nb", "\r\n\r\n  \t",
        "x\u{85}y", "a\u{2028}b\u{2029}c", "\u{3000}全角\u{3000}", "tab\there", String(repeating: " ", count: 300) + "end",
        String(repeating: "\n", count: 100), "ends with spaces   ", "ends with newline spaces \n  ",
        "don't I'll we've they're she's I'm he'd", "DON'T I'LL WE'VE THEY'RE SHE'S I'M HE'D",
        "Don'T i'Ll We'Ve", "'s 't 're 've 'm 'll 'd", "'S'T'RE'VE'M'LL'D", "'ſ 'ſt 'K 'İ", "''s '''", "' s", "'",
        "1234567 12 1,000,000.50", "١٢٣٤٥ ۱۲۳ १२३४ ௧௨௩ ๑๒๓ ①②③ ⅫⅣ ½¾ 𝟙𝟚", "a1b22c333d4444",
        "👩‍👩‍👧‍👦 👍🏽 🇩🇪 ❤️ a👩‍💻b", "e\u{301}t\u{301}e\u{301} \u{301}a \u{301}\u{302}", "Å Å ﬁ ① Ｈｅｌｌｏ ｶﾀｶﾅ",
        "HELLOworld helloWORLD HelloWorld hELLO ǅungla ᾈᾉ Σίσυφος", "CamelCaseString XMLHttpRequest iPhone",
        "ʰello ʰHello Hʰ ˢs", "中文字符和English混合", "日本語のテキスト、カタカナとひらがな。", "ภาษาไทยง่ายนิดเดียว",
        "한국어 텍스트", "مرحبا بالعالم", "नमस्ते दुनिया", "Ελληνικά", "Привет, мир!",
        "\\ud800 \\udfff \\ud83d\\ude00", "path/to/file.txt //comment /* x */", "<|endoftext|> <s> </s>",
        "a\u{0}b\u{7}c\u{1b}[0m", "zero\u{200b}width\u{200d}join\u{feff}bom", "x\u{fffd}y", "▁already▁meta space",
        "def f(x):\n    return x ** 2\n\n\nclass A:\n\tpass\n", "!!! ??? ... --- === +++ $$$ %%%",
        "( hello ) [ world ] { x }", " !hello !\nworld", "\u{301}Hello \u{301}hello", "x'sy 'sA A's A'S",
        "word/\nnext /\r\n x", "Ⅻth ⅻ 2nd", "\u{1F600}\u{FE0F}", "ß ẞ ǈ ǉ ﬀ",
    ]

    /// Random strings over an alphabet of troublesome characters (seeded, reproducible).
    static func random(count: Int, seed: UInt64) -> [String] {
        let alphabet: [String] = [
            " ", " ", "  ", "\n", "\r", "\t", "\u{a0}", "\u{3000}", "a", "Z", "é", "e\u{301}", "\u{301}", "ß", "İ",
            "'", "'s", "'LL", "'ſ", "1", "٣", "½", "Ⅻ", ".", ",", "!", "/", "-", "_", "中", "あ", "カ", "ー", "한", "ก",
            "่", "م", "न", "्", "Σ", "ǅ", "ʰ", "👩‍💻", "🇩🇪", "\u{200d}", "\u{fe0f}", "ﬁ", "Ｈ", "①", "\u{0}", "\u{7f}",
            "\u{85}", "\u{2028}", "\u{fffd}", "▁", "$", "+", "£",
        ]
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let length = random.next(24)
            return (0..<length).map { _ in alphabet[random.next(alphabet.count)] }.joined()
        }
    }
}
