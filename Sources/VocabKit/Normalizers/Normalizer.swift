/// The first stage of the pipeline: rewrites text before it is split, keeping offsets.
///
/// A normalizer takes valid UTF-8 and leaves valid UTF-8, recording every change through
/// `NormalizedTextBuilder` so offsets into the original input survive.
public protocol Normalizer: Sendable {
    /// Normalizes `text` in place.
    func normalize(_ text: inout NormalizedText) throws
}

extension Normalizer {
    /// Normalizes a string and returns the normalized string (convenience for the edges).
    public func normalize(_ string: String) throws -> String {
        var text = NormalizedText(string)
        try normalize(&text)
        return text.string
    }
}

/// Normalizers applied one after another.
public struct NormalizerSequence: Normalizer {
    public var steps: [any Normalizer]

    public init(_ steps: [any Normalizer]) { self.steps = steps }

    public func normalize(_ text: inout NormalizedText) throws {
        for step in steps { try step.normalize(&text) }
    }
}

/// Rewrites text scalar by scalar: `transform` returns nil to keep a scalar, or its replacement
/// bytes (empty to delete it). ASCII bytes that `keepsASCII` accepts skip the call.
///
/// - Complexity: O(n); no allocation when nothing changes.
func rewriteScalars(_ text: inout NormalizedText, keepsASCII: (UInt8) -> Bool,
                    _ transform: (UInt32) -> [UInt8]?) {
    var builder: NormalizedTextBuilder?
    text.bytes.withUnsafeBufferPointer { p in
        var i = 0
        while i < p.count {
            if p[i] < 0x80 && keepsASCII(p[i]) { i += 1; continue }
            let (scalar, length) = decodeScalar(p, i)
            if let replacement = transform(scalar) {
                if builder == nil { builder = NormalizedTextBuilder(source: text) }
                builder!.keep(upTo: i)
                builder!.replace(upTo: i + length, with: replacement)
            }
            i += length
        }
    }
    if var builder { text = builder.finish() }
}
