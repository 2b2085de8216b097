// Character properties, versions and the vk_buffer accessors.
#include "cicu.h"
#include "buffer.hpp"

#include <cstring>
#include <unicode/uchar.h>
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

void vk_fill_category_table(uint8_t *table) {
    for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
        uint8_t value = static_cast<uint8_t>(u_charType(c)) & 0x1F;
        if (u_hasBinaryProperty(c, UCHAR_WHITE_SPACE)) value |= 0x20;
        if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) value |= 0x40;
        table[c] = value;
    }
}

void vk_fill_script_table(uint16_t *table) {
    for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
        UErrorCode status = U_ZERO_ERROR;
        UScriptCode script = uscript_getScript(c, &status);
        table[c] = U_SUCCESS(status) ? static_cast<uint16_t>(script) : 0;
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
