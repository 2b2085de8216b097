import VocabKit
import VocabTraining

/// Cuts a file into sweep units (non-blank lines, blank-line separated documents, the whole
/// file, or JSON Lines records' texts; `auto` reads as lines) while reading it in blocks, so a file is never held whole unless
/// it is the unit.
///
/// Units exclude their final line break ("\r\n" counts as one); a document keeps its inner line
/// breaks; a file unit runs from its first to its last non-blank line.
/// - Complexity: O(bytes); memory is one block plus the unit being built (a document or file),
///   and a unit longer than `maximumLength` is dropped as it grows (its bytes still counted).
struct UnitReader {
    let path: String
    let unit: CorpusUnit
    /// Units longer than this are not kept (they could never be sampled).
    var maximumLength = Int.max
    /// Whether units are passed on at all (false: only counted, nothing is stored).
    var keepsText = true
    /// Bytes read at a time (small in tests, to cross block boundaries).
    var blockSize = 1 << 18
    /// With `.record`: the key of each JSON object's text (a bare JSON string is a text too).
    var textKey = "text"

    /// What reading one file gave: every unit's length is counted, kept units are passed on.
    struct Totals {
        var bytes = 0
        var units = 0
        /// Bytes of all units (line breaks between units excluded).
        var unitBytes = 0
        /// Units longer than `maximumLength` (counted, not passed on), and their bytes.
        var oversized = 0
        var oversizedBytes = 0
    }

    /// Reads the file and calls `body` with each unit's bytes, in order.
    ///
    /// 1. Read a block of whole lines; the first is checked to look like text.
    /// 2. Split it into lines; a line unit is passed on at once, a document or file unit grows
    ///    line by line (with the line breaks between its lines) and is passed on at a blank line
    ///    (document) or the end of the file.
    func read(_ body: (ArraySlice<UInt8>) throws -> Void) throws -> Totals {
        let reader = try LineBlockReader(path: path, blockSize: blockSize)
        var totals = Totals()
        var pending: [UInt8] = []
        var pendingContentEnd = 0, pendingLength = 0
        func emit(_ bytes: @autoclosure () -> ArraySlice<UInt8>, length: Int) throws {
            totals.units += 1
            totals.unitBytes += length
            if length > maximumLength {
                totals.oversized += 1
                totals.oversizedBytes += length
            } else if keepsText {
                try body(bytes())
            }
        }
        func flushPending() throws {
            guard pendingLength > 0 else { return }
            try emit(pending[0..<pendingContentEnd], length: pendingContentEnd)
            pending.removeAll(keepingCapacity: pending.count < 1 << 20)
            (pendingContentEnd, pendingLength) = (0, 0)
        }
        var first = true
        var lineNumber = 0
        // Phase 1.
        while let block = try reader.nextBlock() {
            if first {
                do { try WordCounter.checkLooksLikeText(block, path: path) } catch InputError.invalidCorpus(let reason) {
                    throw AnalysisError.invalidCorpus(reason)
                }
                first = false
            }
            totals.bytes += block.count
            // Phase 2.
            var start = 0
            while start < block.count {
                var end = start
                while end < block.count && block[end] != 0x0A { end += 1 }
                var contentEnd = end
                if contentEnd > start && block[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                let lineEnd = min(end + 1, block.count)
                let blank = block[start..<contentEnd].allSatisfy { $0 == 0x20 || $0 == 0x09 }
                lineNumber += 1
                switch unit {
                case .record:
                    // A blank line holds no record; a malformed one stops with its place.
                    guard !blank else { break }
                    do {
                        // An empty or blank text is no unit, as a blank line is none.
                        if let text = try JSONLines.text(of: block[start..<contentEnd], key: textKey),
                           !text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                            try emit(text[...], length: text.count)
                        }
                    } catch let failure as JSONLines.Failure {
                        throw AnalysisError.invalidCorpus("\(path), line \(lineNumber): \(failure.description)")
                    }
                case .line, .auto:
                    if !blank { try emit(block[start..<contentEnd], length: contentEnd - start) }
                case .document, .file:
                    if blank && unit == .document {
                        try flushPending()
                    } else if !blank || pendingLength > 0 {
                        // A unit starts at its first non-blank line; blank lines inside a file are
                        // kept. Once it is longer than `maximumLength` its bytes are no longer
                        // stored: a later non-blank line makes it oversized, so it is never read.
                        let contentLength = pendingLength + (contentEnd - start)
                        if keepsText && pendingLength + (lineEnd - start) - 2 <= maximumLength {
                            pending.append(contentsOf: block[start..<lineEnd])
                        }
                        if !blank { pendingContentEnd = contentLength }
                        pendingLength += lineEnd - start
                    }
                }
                start = end + 1
            }
        }
        try flushPending()
        return totals
    }
}
