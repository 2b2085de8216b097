// ICU word segmentation (dictionary-based for Thai, Lao, Khmer, Burmese, Chinese and Japanese).
#include "cicu.h"
#include "buffer.hpp"

#include <cstdio>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

struct vk_word_breaker {
    UBreakIterator *iterator;
};

extern "C" {

vk_word_breaker *vk_word_breaker_create(const char *locale, char *error, int32_t errorCapacity) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *iterator = ubrk_open(UBRK_WORD, locale, nullptr, 0, &status);
    if (U_FAILURE(status)) {
        if (error && errorCapacity > 0) snprintf(error, errorCapacity, "%s", u_errorName(status));
        return nullptr;
    }
    return new vk_word_breaker{iterator};
}

vk_word_breaker *vk_word_breaker_clone(const vk_word_breaker *breaker) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *copy = ubrk_clone(breaker->iterator, &status);
    if (U_FAILURE(status)) return nullptr;
    return new vk_word_breaker{copy};
}

void vk_word_breaker_destroy(vk_word_breaker *breaker) {
    if (!breaker) return;
    ubrk_close(breaker->iterator);
    delete breaker;
}

int32_t vk_word_breaks(vk_word_breaker *breaker, const uint8_t *text, int32_t length, vk_buffer *out) {
    out->clear();
    UErrorCode status = U_ZERO_ERROR;
    UText *utext = utext_openUTF8(nullptr, reinterpret_cast<const char *>(text), length, &status);
    ubrk_setUText(breaker->iterator, utext, &status);
    if (U_FAILURE(status)) {
        utext_close(utext);
        return status;
    }
    ubrk_first(breaker->iterator);
    for (int32_t b = ubrk_next(breaker->iterator); b != UBRK_DONE; b = ubrk_next(breaker->iterator)) {
        out->ints.push_back(b);
        out->ints.push_back(ubrk_getRuleStatus(breaker->iterator));
    }
    UErrorCode reset = U_ZERO_ERROR;
    ubrk_setText(breaker->iterator, u"", 0, &reset);
    utext_close(utext);
    return 0;
}

}  // extern "C"
