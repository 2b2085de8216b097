// CICU: a narrow C interface over the system ICU for VocabKit.
//
// Only plain C types cross this boundary (opaque handles, int32_t, uint8_t buffers), so no ICU
// header is visible to Swift. Foundation on Linux bundles its own ICU (`_FoundationICU`); exposing
// ICU's headers to a module that also sees Foundation fails with "different definitions in
// different modules", which this shim avoids. All text is UTF-8; all offsets are byte offsets.
#ifndef VOCABKIT_CICU_H
#define VOCABKIT_CICU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A growable output buffer owned by C++: bytes plus a list of int32 records.
/// Reuse one per thread; every call that fills it clears it first.
typedef struct vk_buffer vk_buffer;
vk_buffer *vk_buffer_create(void);
void vk_buffer_destroy(vk_buffer *buffer);
const uint8_t *vk_buffer_bytes(const vk_buffer *buffer, int32_t *count);
const int32_t *vk_buffer_ints(const vk_buffer *buffer, int32_t *count);

/// The Unicode version of the linked ICU data, e.g. "15.0".
void vk_unicode_version(char *out, int32_t capacity);
/// The ICU version, e.g. "72.1".
void vk_icu_version(char *out, int32_t capacity);

/// Fills `table[cp]` for every code point 0..0x10FFFF (0x110000 entries) with the ICU general
/// category (UCharCategory, 0..29) in the low 5 bits, bit 5 set when the code point has the
/// Unicode White_Space property, bit 6 when it has the Alphabetic property. Range by range
/// (ICU's enumerations of categories and property sets): under a millisecond.
void vk_fill_category_table(uint8_t *table);
/// Fills `table[cp]` with the ICU script code (UScriptCode) of every code point.
void vk_fill_script_table(uint16_t *table);
/// The two tables above, filled one code point at a time (ICU's per-character calls; about
/// 13 ms for the category table): the reference the range-by-range fills are tested against.
void vk_fill_category_table_reference(uint8_t *table);
void vk_fill_script_table_reference(uint16_t *table);
/// Writes the full (context-free) lowercase mapping of `cp` as UTF-8 into `out`, returns its
/// length (0 if `cp` lowercases to itself). `capacity` should be at least 16.
int32_t vk_full_lowercase(uint32_t cp, uint8_t *out, int32_t capacity);

/// Normalization forms (values of `form`).
enum { VK_NFC = 0, VK_NFD = 1, VK_NFKC = 2, VK_NFKD = 3, VK_NFKC_CF = 4 };

/// Normalizes UTF-8 `src` (which must be valid UTF-8) into `out`: the bytes are the normalized
/// text, the ints are records of 4 (srcStart, srcLength, dstStart, dstLength) for each changed
/// region, fine-grained (one per normalization segment that changed). Returns 0 on success or an
/// ICU error code.
int32_t vk_normalize(int32_t form, const uint8_t *src, int32_t length, vk_buffer *out);
/// Normalizes `src` the plain way (whole string through UTF-16), as a test oracle.
int32_t vk_normalize_reference(int32_t form, const uint8_t *src, int32_t length, vk_buffer *out);

/// A compiled ICU regular expression. Not thread-safe: clone it per thread.
typedef struct vk_regex vk_regex;
/// Compiles `pattern` (UTF-8). On failure returns NULL and writes a message to `error`.
vk_regex *vk_regex_create(const uint8_t *pattern, int32_t length, int32_t caseInsensitive,
                          char *error, int32_t errorCapacity);
vk_regex *vk_regex_clone(const vk_regex *regex);
void vk_regex_destroy(vk_regex *regex);
/// Finds every non-overlapping match in `text`; writes (start, end) byte pairs to `out`'s ints.
/// Returns 0, -2 when the match time or backtracking limit tripped, or an ICU error code.
int32_t vk_regex_find_all(vk_regex *regex, const uint8_t *text, int32_t length, vk_buffer *out);

/// An ICU word break iterator for a locale ("" for root). Not thread-safe: clone it per thread.
typedef struct vk_word_breaker vk_word_breaker;
vk_word_breaker *vk_word_breaker_create(const char *locale, char *error, int32_t errorCapacity);
vk_word_breaker *vk_word_breaker_clone(const vk_word_breaker *breaker);
void vk_word_breaker_destroy(vk_word_breaker *breaker);
/// Writes (boundary, ruleStatus) pairs to `out`'s ints for every boundary after 0, in order.
/// Rule status is ICU's UWordBreak tag: 0-99 none (spaces, punctuation), 100-199 number,
/// 200-299 letter, 300-399 kana, 400-499 ideographic. Returns 0 or an ICU error code.
int32_t vk_word_breaks(vk_word_breaker *breaker, const uint8_t *text, int32_t length,
                       vk_buffer *out);

#ifdef __cplusplus
}
#endif
#endif
