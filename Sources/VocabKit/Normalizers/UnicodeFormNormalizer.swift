import CICU

/// A Unicode normalization form, computed by ICU.
public enum UnicodeForm: String, Sendable, CaseIterable {
    case nfc, nfd, nfkc, nfkd
    /// NFKC followed by full case folding (ICU's `nfkc_cf`, SentencePiece's `nmt_nfkc_cf` base).
    case nfkcCasefold = "nfkc-cf"

    var icuForm: Int32 {
        switch self {
        case .nfc: return Int32(VK_NFC)
        case .nfd: return Int32(VK_NFD)
        case .nfkc: return Int32(VK_NFKC)
        case .nfkd: return Int32(VK_NFKD)
        case .nfkcCasefold: return Int32(VK_NFKC_CF)
        }
    }
}

/// Normalizes to a Unicode form (NFC, NFD, NFKC, NFKD, NFKC_Casefold) with ICU.
///
/// Fast path: ASCII is already normalized in every form (and only A-Z changes under case
/// folding), and an ASCII character never combines with the character before it, so only each
/// run of non-ASCII bytes, with the one ASCII character before it (which a combining mark may
/// compose with), goes to ICU. Text that is all ASCII is never copied. ICU reports each changed
/// normalization segment, which becomes one alignment span.
///
/// - Complexity: O(n).
public struct UnicodeFormNormalizer: Normalizer {
    public let form: UnicodeForm

    public init(_ form: UnicodeForm) { self.form = form }

    public func normalize(_ text: inout NormalizedText) throws {
        let foldsCase = form == .nfkcCasefold
        var builder: NormalizedTextBuilder?
        var buffer: ICUBuffer?
        try text.bytes.withUnsafeBufferPointer { p in
            var scanned = 0  // every byte before this has been handled
            while scanned < p.count {
                // 1. Find the next non-ASCII run; the ASCII character before it goes to ICU with
                //    it, since a combining mark may compose with it.
                let runStart = UTF8Validation.skipASCII(p, from: scanned)
                let chunkStart = runStart < p.count && runStart > scanned ? runStart - 1 : runStart
                if foldsCase { foldASCII(p, scanned..<chunkStart, text: text, builder: &builder) }
                if runStart >= p.count { break }
                var chunkEnd = runStart
                while chunkEnd < p.count && p[chunkEnd] >= 0x80 { chunkEnd += 1 }
                // 2. Normalize the chunk with ICU and apply the segments that changed.
                let output = buffer ?? ICUBuffer()
                buffer = output
                let status = vk_normalize(form.icuForm, p.baseAddress! + chunkStart,
                                          Int32(chunkEnd - chunkStart), output.handle)
                guard status <= 0 else { throw TextError.icuFailure(operation: "normalize", code: status) }
                let edits = output.ints
                if !edits.isEmpty {
                    if builder == nil { builder = NormalizedTextBuilder(source: text) }
                    let normalized = output.bytes
                    for e in stride(from: 0, to: edits.count, by: 4) {
                        let sourceStart = chunkStart + Int(edits[e])
                        builder!.keep(upTo: sourceStart)
                        let destination = Int(edits[e + 2])..<Int(edits[e + 2] + edits[e + 3])
                        builder!.replace(upTo: sourceStart + Int(edits[e + 1]),
                                         with: UnsafeBufferPointer(rebasing: normalized[destination]))
                    }
                }
                scanned = chunkEnd
            }
        }
        if var builder { text = builder.finish() }
    }

    /// Lowercases ASCII A-Z in `range` (case folding only).
    private func foldASCII(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, text: NormalizedText,
                           builder: inout NormalizedTextBuilder?) {
        for j in range where p[j] >= 0x41 && p[j] <= 0x5A {
            if builder == nil { builder = NormalizedTextBuilder(source: text) }
            builder!.keep(upTo: j)
            builder!.replace(upTo: j + 1, with: CollectionOfOne(p[j] + 32))
        }
    }
}

extension UnicodeFormNormalizer {
    /// The plain way: the whole text through ICU's UTF-16 API in one call. The test oracle for
    /// the fast path above.
    public func referenceNormalize(_ bytes: [UInt8]) throws -> [UInt8] {
        let output = ICUBuffer()
        let status = bytes.withUnsafeBufferPointer { p in
            vk_normalize_reference(form.icuForm, p.baseAddress ?? UnsafePointer(bitPattern: 1)!, Int32(p.count), output.handle)
        }
        guard status <= 0 else { throw TextError.icuFailure(operation: "normalize", code: status) }
        return Array(output.bytes)
    }
}

// The registry entries (see NormalizerComponent).
extension UnicodeFormNormalizer { public var component: NormalizerComponent? { .unicodeForm(form) } }
