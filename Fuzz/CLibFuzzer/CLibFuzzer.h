#ifndef VIGIL_CLIBFUZZER_H
#define VIGIL_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (LLVM 12 and later): parses libFuzzer's flags from argv and calls
/// `callback` with each input. The toolchain links it with `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
