#ifndef VIGIL_GPIOD_API_H
#define VIGIL_GPIOD_API_H

// Which libgpiod API the gpiod.h found by pkg-config declares. Neither API defines a version
// macro, so tell them apart by what each header defines: v1 (1.x) defines the bulk-request
// limit GPIOD_LINE_BULK_MAX_LINES, which v2 (2.x) dropped with the bulk objects.

#include <gpiod.h>

#include "CGPIOD.h"

#if defined(GPIOD_LINE_BULK_MAX_LINES)
#define VIGIL_GPIOD_API 1
#else
#define VIGIL_GPIOD_API 2
#endif

/// Records `call` as the libgpiod call that failed (errno is left as the call set it);
/// returns -1 for `return failed(...)`.
int vigil_gpiod_fail(const char *call);

/// Copies `text` (NULL for none) into `buffer`, truncating and always terminating it.
void vigil_gpiod_copy(char *buffer, size_t size, const char *text);

#endif
