// ICU regular expressions over UTF-8 text (UText), reporting byte offsets.
#include "cicu.h"
#include "buffer.hpp"

#include <cstring>
#include <unicode/uregex.h>
#include <unicode/utext.h>

struct vk_regex {
    URegularExpression *regex;
};

// Each find may take at most this many steps of ICU's match engine (a step is about 10,000
// backtracking operations, milliseconds): about 10^8 operations, far more than a linear pattern
// needs on the largest text one call takes, so only catastrophic backtracking such as
// "(a+)+$" trips it, with U_REGEX_TIME_OUT instead of running for hours.
static const int32_t kMatchTimeLimit = 10000;

extern "C" {

vk_regex *vk_regex_create(const uint8_t *pattern, int32_t length, int32_t caseInsensitive,
                          char *error, int32_t errorCapacity) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse;
    UText *text = utext_openUTF8(nullptr, reinterpret_cast<const char *>(pattern), length, &status);
    URegularExpression *regex =
        uregex_openUText(text, caseInsensitive ? UREGEX_CASE_INSENSITIVE : 0, &parse, &status);
    utext_close(text);
    if (U_FAILURE(status)) {
        if (error && errorCapacity > 0) {
            snprintf(error, errorCapacity, "%s at line %d, offset %d", u_errorName(status), parse.line,
                     parse.offset);
        }
        if (regex) uregex_close(regex);
        return nullptr;
    }
    uregex_setTimeLimit(regex, kMatchTimeLimit, &status);
    return new vk_regex{regex};
}

vk_regex *vk_regex_clone(const vk_regex *regex) {
    UErrorCode status = U_ZERO_ERROR;
    URegularExpression *copy = uregex_clone(regex->regex, &status);
    if (U_FAILURE(status)) return nullptr;
    uregex_setTimeLimit(copy, kMatchTimeLimit, &status);
    return new vk_regex{copy};
}

void vk_regex_destroy(vk_regex *regex) {
    if (!regex) return;
    uregex_close(regex->regex);
    delete regex;
}

int32_t vk_regex_find_all(vk_regex *regex, const uint8_t *text, int32_t length, vk_buffer *out) {
    out->clear();
    UErrorCode status = U_ZERO_ERROR;
    UText *utext = utext_openUTF8(nullptr, reinterpret_cast<const char *>(text), length, &status);
    uregex_setUText(regex->regex, utext, &status);
    while (U_SUCCESS(status) && uregex_findNext(regex->regex, &status)) {
        int64_t start = uregex_start64(regex->regex, 0, &status);
        int64_t end = uregex_end64(regex->regex, 0, &status);
        out->ints.push_back(static_cast<int32_t>(start));
        out->ints.push_back(static_cast<int32_t>(end));
    }
    // Detach the text before closing it so the regex holds no dangling pointer.
    UErrorCode reset = U_ZERO_ERROR;
    uregex_setText(regex->regex, u"", 0, &reset);
    utext_close(utext);
    if (status == U_REGEX_TIME_OUT || status == U_REGEX_STACK_OVERFLOW) return -2;
    return U_FAILURE(status) ? status : 0;
}

}  // extern "C"
