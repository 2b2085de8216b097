// Character properties, versions and the vk_buffer accessors.
#include "cicu.h"
#include "buffer.hpp"

#include <cstring>
#include <unicode/uchar.h>
#include <unicode/ucpmap.h>
#include <unicode/uset.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>
#include <unicode/uversion.h>
#include <unicode/locid.h>

extern "C" {

vk_buffer *vk_buffer_create(void) { return new vk_buffer(); }
void vk_buffer_destroy(vk_buffer *buffer) { delete buffer; }

const uint8_t *vk_buffer_bytes(const vk_buffer *buffer, int32_t *count) {
    *count = static_cast<int32_t>(buffer->bytes.size());
    return reinterpret_cast<const uint8_t *>(buffer->bytes.data());
}

const int32_t *vk_buffer_ints(const vk_buffer *buffer, int32_t *count) {
    *count = static_cast<int32_t>(buffer->ints.size());
    return buffer->ints.data();
}

void vk_unicode_version(char *out, int32_t capacity) {
    UVersionInfo info;
    u_getUnicodeVersion(info);
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(info, text);
    std::strncpy(out, text, capacity);
    if (capacity > 0) out[capacity - 1] = 0;
}

void vk_icu_version(char *out, int32_t capacity) {
    UVersionInfo info;
    u_getVersion(info);
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(info, text);
    std::strncpy(out, text, capacity);
    if (capacity > 0) out[capacity - 1] = 0;
}

void vk_fill_category_table_reference(uint8_t *table) {
    for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
        uint8_t value = static_cast<uint8_t>(u_charType(c)) & 0x1F;
        if (u_hasBinaryProperty(c, UCHAR_WHITE_SPACE)) value |= 0x20;
        if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) value |= 0x40;
        table[c] = value;
    }
}

void vk_fill_script_table_reference(uint16_t *table) {
    for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
        UErrorCode status = U_ZERO_ERROR;
        UScriptCode script = uscript_getScript(c, &status);
        table[c] = U_SUCCESS(status) ? static_cast<uint16_t>(script) : 0;
    }
}

}  // extern "C"

namespace {

// Writes one range of code points that share a general category.
UBool U_CALLCONV fillCategoryRange(const void *context, UChar32 start, UChar32 limit, UCharCategory type) {
    uint8_t *table = static_cast<uint8_t *>(const_cast<void *>(context));
    std::memset(table + start, static_cast<uint8_t>(type) & 0x1F, static_cast<size_t>(limit - start));
    return true;
}

// Sets `bit` for every code point of a binary property's set, range by range; false when ICU
// cannot give the set or one of its ranges.
bool orPropertyRanges(uint8_t *table, UProperty property, uint8_t bit) {
    UErrorCode status = U_ZERO_ERROR;
    const USet *set = u_getBinaryPropertySet(property, &status);
    if (U_FAILURE(status) || set == nullptr) return false;
    // The set's first uset_getRangeCount items are its ranges (end inclusive).
    int32_t count = uset_getRangeCount(set);
    for (int32_t i = 0; i < count; ++i) {
        UChar32 start = 0, end = -1;
        UErrorCode itemStatus = U_ZERO_ERROR;
        if (uset_getItem(set, i, &start, &end, nullptr, 0, &itemStatus) != 0 || U_FAILURE(itemStatus)) return false;
        for (UChar32 c = start; c <= end && c <= 0x10FFFF; ++c) table[c] |= bit;
    }
    return true;
}

}  // namespace

extern "C" {

void vk_fill_category_table(uint8_t *table) {
    u_enumCharTypes(fillCategoryRange, table);
    if (!orPropertyRanges(table, UCHAR_WHITE_SPACE, 0x20) || !orPropertyRanges(table, UCHAR_ALPHABETIC, 0x40)) {
        vk_fill_category_table_reference(table);
    }
}

void vk_fill_script_table(uint16_t *table) {
    UErrorCode status = U_ZERO_ERROR;
    const UCPMap *map = u_getIntPropertyMap(UCHAR_SCRIPT, &status);
    if (U_FAILURE(status) || map == nullptr) {
        vk_fill_script_table_reference(table);
        return;
    }
    UChar32 start = 0;
    while (start <= 0x10FFFF) {
        uint32_t value = 0;
        UChar32 end = ucpmap_getRange(map, start, UCPMAP_RANGE_NORMAL, 0, nullptr, nullptr, &value);
        if (end < start) {  // not expected: ICU's map covers every code point
            vk_fill_script_table_reference(table);
            return;
        }
        for (UChar32 c = start; c <= end; ++c) table[c] = static_cast<uint16_t>(value);
        start = end + 1;
    }
}

int32_t vk_full_lowercase(uint32_t cp, uint8_t *out, int32_t capacity) {
    icu::UnicodeString one(static_cast<UChar32>(cp));
    icu::UnicodeString lower(one);
    lower.toLower(icu::Locale::getRoot());
    if (lower == one) return 0;
    std::string utf8;
    lower.toUTF8String(utf8);
    if (static_cast<int32_t>(utf8.size()) > capacity) return 0;
    std::memcpy(out, utf8.data(), utf8.size());
    return static_cast<int32_t>(utf8.size());
}

}  // extern "C"
