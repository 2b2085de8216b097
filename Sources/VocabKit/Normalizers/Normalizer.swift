/// The first stage of the pipeline: rewrites text before it is split, keeping offsets.
///
/// A normalizer takes valid UTF-8 and leaves valid UTF-8, recording every change through
/// `NormalizedTextBuilder` so offsets into the original input survive.
public protocol Normalizer: Sendable {
    /// Normalizes `text` in place.
    func normalize(_ text: inout NormalizedText) throws
    /// This normalizer in the stage's registry (its name and `tokenizer.json` form). Every
    /// built-in type reports its own (the registry test checks each); a custom one defaults to
    /// nil, so it works everywhere but cannot be saved to a file.
    var component: NormalizerComponent? { get }
}

extension Normalizer {
    public var component: NormalizerComponent? { nil }
}

extension Normalizer {
    /// Normalizes a string, keeping the alignment to it.
    public func normalizing(_ string: String) throws -> NormalizedText {
        var text = NormalizedText(string)
        try normalize(&text)
        return text
    }

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

    /// The sequence of its steps' components (nil when a step has none).
    public var component: NormalizerComponent? {
        let components = steps.compactMap(\.component)
        return components.count == steps.count ? .sequence(components) : nil
    }
}

/// Rewrites text scalar by scalar: `transform` returns nil to keep a scalar, or its replacement
/// bytes (empty to delete it). ASCII bytes that `keepsASCII` accepts skip the call; with
/// `ignoresASCII`, all ASCII is skipped eight bytes at a time.
///
/// Inlined so that each normalizer's closures compile into its own loop (measured: 3x faster
/// on English than calling them indirectly per byte).
/// - Complexity: O(n); no allocation when nothing changes.
@inline(__always)
func rewriteScalars(_ text: inout NormalizedText, ignoresASCII: Bool = false, keepsASCII: (UInt8) -> Bool,
                    _ transform: (UInt32) -> [UInt8]?) {
    var builder: NormalizedTextBuilder?
    text.bytes.withUnsafeBufferPointer { p in
        var i = 0
        while i < p.count {
            if p[i] < 0x80 {
                if ignoresASCII { i = UTF8Validation.skipASCII(p, from: i); continue }
                if keepsASCII(p[i]) { i += 1; continue }
            }
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

/// Replaces ASCII bytes one for one, in place: the alignment does not change, since no byte moves.
@inline(__always)
func mapASCIIInPlace(_ text: inout NormalizedText, _ map: (UInt8) -> UInt8) {
    text.bytes.withUnsafeMutableBufferPointer { p in
        for i in p.indices where p[i] < 0x80 { p[i] = map(p[i]) }
    }
}
