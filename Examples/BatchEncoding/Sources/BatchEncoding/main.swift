// Encodes a batch for a model as model code does: load a tokenizer (a file, or a folder with
// tokenizer.json and tokenizer_config.json), encode texts into one padded Int32 matrix with an
// attention mask, and check the round trip. Run from the repository:
//
//     swift run --package-path Examples/BatchEncoding BatchEncoding [TOKENIZER]
//
// Without an argument it uses BERT (MiniLM) from Tests/Fixtures/bert, whose tokenizer.json pads
// every text to 128 tokens; any tokenizer file or model folder works.
import Foundation
import VocabKit

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../..").standardized
let path = CommandLine.arguments.dropFirst().first ?? repository.appendingPathComponent("Tests/Fixtures/bert").path

do {
    let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: path))
    let texts = ["Hello world!", "Tokenizers turn text into ids.", "短い"]

    // One call: a rows × columns matrix of ids, its attention mask and token types.
    let batch = try tokenizer.encodeBatchMatrix(texts, maxLength: 16)
    print("shape \(batch.shape), padding id \(tokenizer.padTokenId.map(String.init) ?? "none")")
    for row in 0..<batch.rows {
        let mask = batch.attentionMask[(row * batch.columns)..<((row + 1) * batch.columns)]
        print("  \(Array(batch.ids(row: row)))  mask \(Array(mask))")
    }

    // swift-transformers' names, so code written against its Tokenizer protocol reads the same.
    let ids = try tokenizer.encode(text: texts[0])
    let text = try tokenizer.decode(tokens: ids, skipSpecialTokens: true)
    print("encode(text:) \(ids.prefix(8))... (\(ids.count) ids) → decode(tokens:) \(text.debugDescription)")
    print("bos \(tokenizer.bosToken ?? "none") eos \(tokenizer.eosToken ?? "none") unk \(tokenizer.unknownToken ?? "none")")

    // Checks, so that CI fails if the API drifts: rows padded to one width, masks that count
    // the tokens, and the text back from its ids.
    guard batch.inputIds.count == batch.rows * batch.columns, batch.rows == texts.count,
          (0..<batch.rows).allSatisfy({ row in batch.attentionMask[(row * batch.columns)..<((row + 1) * batch.columns)].reduce(0, +) > 0 }),
          text.lowercased().contains("hello") else {
        FileHandle.standardError.write(Data("the batch or the round trip is wrong\n".utf8))
        exit(1)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
