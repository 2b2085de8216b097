import CICU

/// ICU's word segmentation for a locale, usable from many threads at once.
///
/// ICU segments Thai, Lao, Khmer, Burmese, Chinese and Japanese with its dictionaries, and other
/// scripts by the Unicode word boundary rules (UAX #29).
package final class ICUWordBreaker: @unchecked Sendable {
    /// What kind of segment ends at a boundary (ICU's rule status ranges).
    package enum SegmentKind: Sendable {
        case none, number, letter, kana, ideographic

        init(status: Int32) {
            switch status {
            case 100..<200: self = .number
            case 200..<300: self = .letter
            case 300..<400: self = .kana
            case 400..<500: self = .ideographic
            default: self = .none
            }
        }
    }

    package let locale: String
    private let pool: ICUHandlePool

    package init(locale: String = "") throws {
        self.locale = locale
        var message = [CChar](repeating: 0, count: 128)
        guard let handle = vk_word_breaker_create(locale, &message, 128) else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TextError.icuFailure(operation: "word break iterator for locale '\(locale)': \(text)", code: -1)
        }
        pool = ICUHandlePool(prototype: handle, clone: { vk_word_breaker_clone($0) },
                             destroy: { vk_word_breaker_destroy($0) })
    }

    /// The segments of `bytes[range]`, each with its kind.
    package func segments(in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> [(Range<Int>, SegmentKind)] {
        guard !range.isEmpty else { return [] }
        return try pool.withHandle { handle, buffer in
            let status = vk_word_breaks(handle, bytes.baseAddress! + range.lowerBound, Int32(range.count), buffer.handle)
            guard status <= 0 else { throw TextError.icuFailure(operation: "word break", code: status) }
            let ints = buffer.ints
            var result: [(Range<Int>, SegmentKind)] = []
            result.reserveCapacity(ints.count / 2)
            var start = range.lowerBound
            for k in stride(from: 0, to: ints.count, by: 2) {
                let end = range.lowerBound + Int(ints[k])
                result.append((start..<end, SegmentKind(status: ints[k + 1])))
                start = end
            }
            return result
        }
    }
}
