import Foundation
import Testing
import VocabTestSupport
@testable import VocabKit

/// Every registered normalizer and pre-tokenizer: type → component → name and tokenizer.json →
/// type, with the same behaviour on sample text.
@Suite("Registries of the pipeline stages")
struct RegistryTests {
    /// Text that exercises every stage: accents, CJK, controls, odd spaces, digits, punctuation.
    static let samples = [
        "Hello,  World! It's 2024-06-01; naïve café ﬁne Ｆｕｌｌ",
        "  leading and trailing\t\tspaces \u{00A0}\u{3000}end  ",
        "日本語のテキストと中文文本 ภาษาไทยง่ายนิดเดียว",
        "control\u{0007}chars\u{200B}zero\u{FEFF}width ▁already\nnew line\r\nCRLF",
        "e\u{0301} A\u{030A} x⁹ ½ ﹏ ``quoted'' 12345678 don't",
    ]

    func json(_ value: JSON) throws -> JSONObject {
        try JSONObject(JSONSerialization.jsonObject(with: Data(value.serialized()), options: [.fragmentsAllowed]), path: "test", file: "test")
    }

    func normalized(_ normalizer: any Normalizer) throws -> [String] {
        try Self.samples.map { try normalizer.normalize($0) }
    }

    func pieces(_ preTokenizer: any PreTokenizer) throws -> [[String]] {
        try Self.samples.map { try preTokenizer.preTokenize($0) }
    }

    /// The examples cover every case; each example's type reports it; its name parses back to it.
    func checkRegistry<C: StageComponent>(_ registry: C.Type, names: [String]) throws {
        #expect(Set(C.examples.map(\.kind)) == Set(C.Kind.allCases), "\(C.self): examples of every case")
        #expect(Set(names).count == names.count, "\(C.self): names are unique")
        for component in C.examples {
            #expect(C.component(of: try component.make()) == component, "type → component: \(component)")
            if let name = component.name { #expect(try C.parsing(name) == component, "name → component: \(name)") }
        }
    }

    @Test("both registries: every case has an example, reported by its type, named back")
    func registries() throws {
        try checkRegistry(NormalizerComponent.self, names: NormalizerComponent.names)
        try checkRegistry(PreTokenizerComponent.self, names: PreTokenizerComponent.names)
    }

    @Test("every normalizer keeps its behaviour through tokenizer.json", arguments: NormalizerComponent.examples)
    func normalizerRoundTrip(component: NormalizerComponent) throws {
        let normalizer = try component.make()
        if let name = component.name { #expect(try FrontEndSpecification.normalizer(name).component == .sequence([component])) }
        switch component {
        case .unicodeForm(.nfkcCasefold), .replaceWhitespace(_, true):
            #expect(throws: TextError.self) { try NormalizerJSON.write(normalizer) }
        default:
            let read = try NormalizerJSON.component(json(try NormalizerJSON.write(normalizer)))
            #expect(try normalized(read.make()) == normalized(normalizer), "tokenizer.json round trip of \(component)")
            #expect(read == component || read == .sequence([component]) || component == .sequence(read.flattened),
                    "tokenizer.json → \(read)")
        }
    }

    @Test("presets: bert, bert-cased and nmt-nfkc read back from tokenizer.json as the same components")
    func presets() throws {
        for (name, steps) in NormalizerComponent.presets where !steps.isEmpty {
            let normalizer = try FrontEndSpecification.normalizer(name)
            let read = try NormalizerJSON.component(json(try NormalizerJSON.write(normalizer)))
            #expect(read.flattened == steps, "\(name): \(read)")
        }
    }

    @Test("every pre-tokenizer keeps its behaviour through tokenizer.json", arguments: PreTokenizerComponent.examples)
    func preTokenizerRoundTrip(component: PreTokenizerComponent) throws {
        let preTokenizer = try component.make()
        if let name = component.name { #expect(try FrontEndSpecification.preTokenizer(name).component == component) }
        let read = try PreTokenizerJSON.component(json(try PreTokenizerJSON.write(preTokenizer, byteLevelModel: false)))
        #expect(try pieces(read.make()) == pieces(preTokenizer), "tokenizer.json round trip of \(component)")
        if case .pattern(.gpt2) = component {
            #expect(read == .byteLevel(addsPrefixSpace: false, usesRegex: true), "GPT-2's split is written as ByteLevel")
        } else {
            #expect(read == component, "tokenizer.json → \(read)")
        }
    }

    @Test("unknown names are refused with the list of known ones")
    func unknownNames() {
        #expect(throws: TextError.self) { try FrontEndSpecification.normalizer("nfc,shout") }
        #expect(throws: TextError.self) { try FrontEndSpecification.preTokenizer("sentencepiece") }
        #expect(throws: TextError.self) { try FrontEndSpecification.preTokenizer("regex-sideways:a") }
        let error = #expect(throws: TextError.self) { try FrontEndSpecification.preTokenizer("nope") }
        #expect(error.map { "\($0)".contains("metaspace-whole") } == true, "the message lists every name: \(String(describing: error))")
    }
}
