#include <errno.h>
#include <string.h>

#include "gpiod_api.h"

static _Thread_local const char *failed_call = "";

int vigil_gpiod_api(void) { return VIGIL_GPIOD_API; }

const char *vigil_gpiod_failed_call(void) { return failed_call; }

int vigil_gpiod_fail(const char *call) {
    failed_call = call;
    return -1;
}

void vigil_gpiod_copy(char *buffer, size_t size, const char *text) {
    if (size == 0) return;
    if (!text) text = "";
    size_t length = strnlen(text, size - 1);
    memcpy(buffer, text, length);
    buffer[length] = '\0';
}
