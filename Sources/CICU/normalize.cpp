// Unicode normalization of UTF-8 with fine-grained edit records.
//
// Compose forms (NFC, NFKC, NFKC_Casefold) use Normalizer2::normalizeUTF8, which works on UTF-8
// directly and reports edits. ICU implements the decompose forms (NFD, NFKD) for UTF-8 through
// UTF-16 without edits, so for those this file normalizes one normalization segment (a starter
// and the code points up to the next boundary) at a time and records a change only for segments
// that differ.
#include "cicu.h"
#include "buffer.hpp"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace {

const icu::Normalizer2 *instanceFor(int32_t form, UErrorCode &status) {
    switch (form) {
    case VK_NFC: return icu::Normalizer2::getNFCInstance(status);
    case VK_NFD: return icu::Normalizer2::getNFDInstance(status);
    case VK_NFKC: return icu::Normalizer2::getNFKCInstance(status);
    case VK_NFKD: return icu::Normalizer2::getNFKDInstance(status);
    case VK_NFKC_CF: return icu::Normalizer2::getNFKCCasefoldInstance(status);
    default: status = U_ILLEGAL_ARGUMENT_ERROR; return nullptr;
    }
}

void pushEdit(vk_buffer *out, int32_t srcStart, int32_t srcLength, int32_t dstStart, int32_t dstLength) {
    out->ints.push_back(srcStart);
    out->ints.push_back(srcLength);
    out->ints.push_back(dstStart);
    out->ints.push_back(dstLength);
}

int32_t composeWithEdits(const icu::Normalizer2 *normalizer, const uint8_t *src, int32_t length,
                         vk_buffer *out) {
    UErrorCode status = U_ZERO_ERROR;
    icu::Edits edits;
    icu::StringByteSink<std::string> sink(&out->bytes, length);
    normalizer->normalizeUTF8(0, icu::StringPiece(reinterpret_cast<const char *>(src), length), sink,
                              &edits, status);
    if (U_FAILURE(status)) return status;
    icu::Edits::Iterator it = edits.getFineChangesIterator();
    while (it.next(status)) {
        if (it.hasChange()) pushEdit(out, it.sourceIndex(), it.oldLength(), it.destinationIndex(), it.newLength());
    }
    return U_FAILURE(status) ? status : 0;
}

int32_t decomposeBySegment(const icu::Normalizer2 *normalizer, const uint8_t *src, int32_t length,
                           vk_buffer *out) {
    UErrorCode status = U_ZERO_ERROR;
    out->bytes.reserve(length + length / 4);
    int32_t i = 0;
    icu::UnicodeString segment, normalized;
    std::string utf8;
    while (i < length) {
        // 1. Find the segment [start, i): one code point, then every code point without a boundary before it.
        int32_t start = i;
        UChar32 c;
        U8_NEXT(src, i, length, c);
        bool inert = normalizer->isInert(c);
        while (i < length) {
            int32_t next = i;
            UChar32 d;
            U8_NEXT(src, next, length, d);
            if (normalizer->hasBoundaryBefore(d)) break;
            inert = false;
            i = next;
        }
        // 2. Copy an inert segment as it is; normalize any other and record it if it changed.
        const char *bytes = reinterpret_cast<const char *>(src + start);
        if (inert) {
            out->bytes.append(bytes, i - start);
            continue;
        }
        segment = icu::UnicodeString::fromUTF8(icu::StringPiece(bytes, i - start));
        normalizer->normalize(segment, normalized, status);
        if (U_FAILURE(status)) return status;
        utf8.clear();
        normalized.toUTF8String(utf8);
        int32_t dstStart = static_cast<int32_t>(out->bytes.size());
        if (utf8.size() != static_cast<size_t>(i - start) || utf8.compare(0, utf8.size(), bytes, i - start) != 0) {
            pushEdit(out, start, i - start, dstStart, static_cast<int32_t>(utf8.size()));
        }
        out->bytes.append(utf8);
    }
    return 0;
}

}  // namespace

extern "C" {

int32_t vk_normalize(int32_t form, const uint8_t *src, int32_t length, vk_buffer *out) {
    out->clear();
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2 *normalizer = instanceFor(form, status);
    if (U_FAILURE(status)) return status;
    if (form == VK_NFD || form == VK_NFKD) return decomposeBySegment(normalizer, src, length, out);
    return composeWithEdits(normalizer, src, length, out);
}

int32_t vk_normalize_reference(int32_t form, const uint8_t *src, int32_t length, vk_buffer *out) {
    out->clear();
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2 *normalizer = instanceFor(form, status);
    if (U_FAILURE(status)) return status;
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(reinterpret_cast<const char *>(src), length));
    icu::UnicodeString result = normalizer->normalize(text, status);
    if (U_FAILURE(status)) return status;
    result.toUTF8String(out->bytes);
    return 0;
}

}  // extern "C"
