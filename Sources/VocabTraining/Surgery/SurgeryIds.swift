import VocabKit

/// Renumbering after vocabulary surgery: what names ids besides the model follows it.
enum SurgeryIds {
    /// `tokenizer` with `model` in place of its model, whose ids moved as `modelMap` says (old
    /// model id → new id, -1: removed). Added tokens are all kept: an added token whose id
    /// survives keeps its new id; the others (past the model, or removed from it) take the ids
    /// after the new model in their order. The post-processor's special tokens, padding and the
    /// special-token ids are renumbered; one that names a removed id is an error.
    /// Returns the tokenizer (validated) and the map of every old id (model and added).
    /// - Complexity: O(vocabulary + added tokens).
    static func assemble(_ tokenizer: Tokenizer, model: TokenModel, modelMap: [Int32]) throws -> (Tokenizer, [Int32]) {
        // 1. Added tokens.
        var idMap = modelMap
        let totalIds = max(modelMap.count, (tokenizer.addedTokens.map { Int($0.id) + 1 }.max() ?? 0))
        idMap += [Int32](repeating: -1, count: totalIds - modelMap.count)
        var next = Int32(model.vocabularySize)
        var added = tokenizer.addedTokens
        for index in added.indices.sorted(by: { added[$0].id < added[$1].id }) {
            let old = Int(added[index].id)
            if idMap[old] < 0 {
                idMap[old] = next
                next += 1
            }
            added[index].id = UInt32(idMap[old])
        }
        var result = tokenizer
        result.model = model
        result.addedTokens = added
        // 2. Everything else that names ids.
        func mapped(_ id: UInt32, _ role: String) throws -> UInt32 {
            guard Int(id) < idMap.count, idMap[Int(id)] >= 0 else {
                throw TrainingError.invalidOption("the \(role) (id \(id)) would be removed; keep it (a larger size) or make it an added token")
            }
            return UInt32(idMap[Int(id)])
        }
        if var processor = result.postProcessor {
            func remap(_ pieces: [TemplatePostProcessor.Piece]) throws -> [TemplatePostProcessor.Piece] {
                try pieces.map { piece in
                    guard case .special(let content, let id, let typeId) = piece else { return piece }
                    return .special(content, id: try mapped(id, "post-processor's \(content)"), typeId: typeId)
                }
            }
            (processor.single, processor.pair) = (try remap(processor.single), try remap(processor.pair))
            result.postProcessor = processor
        }
        if var padding = result.padding {
            padding.padId = try mapped(padding.padId, "padding token")
            result.padding = padding
        }
        var ids = result.specialTokenIds
        for (path, role) in [(\SpecialTokenIds.beginOfSequence, "BOS token"), (\.endOfSequence, "EOS token"), (\.unknown, "unknown token"),
                             (\.padding, "padding token"), (\.separator, "separator token"), (\.classifier, "classifier token"), (\.mask, "mask token")] {
            if let id = ids[keyPath: path] { ids[keyPath: path] = try mapped(id, role) }
        }
        result.specialTokenIds = ids
        try result.validate()
        return (result, idMap)
    }
}
