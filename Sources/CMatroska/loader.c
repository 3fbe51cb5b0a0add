// dladdr and Dl_info.
#define _GNU_SOURCE
#include "CMatroska.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// name, result, parameters: one pointer per plug-in function, filled by load().
#define VIGIL_MKV_FUNCTIONS(X)                                                                                 \
    X(vigil_mkv_create, vigil_mkv_writer *,                                                                    \
        (const char *, uint32_t, uint32_t, const char *const *, const char *const *, size_t, int, vigil_mkv_failure *)) \
    X(vigil_mkv_append, int, (vigil_mkv_writer *, const uint8_t *, size_t, int64_t, vigil_mkv_failure *))    \
    X(vigil_mkv_finish, int, (vigil_mkv_writer *, int64_t, vigil_mkv_failure *))                              \
    X(vigil_mkv_destroy, void, (vigil_mkv_writer *))

#define VIGIL_POINTER(name, result, parameters) static result(*p_##name) parameters;
VIGIL_MKV_FUNCTIONS(VIGIL_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char failure[1024];

/// A stand-in for dlopen that only looks (so that a probe maps nothing): `path` if it is a
/// readable file, else NULL with errno set.
static void *readable(const char *path, int flags) {
    (void)flags;
    return access(path, R_OK) == 0 ? (void *)path : NULL;
}

/// Where open_plugin writes what it tried: `text` of `capacity` bytes, `used` of them written.
typedef struct {
    char *text;
    size_t capacity, used;
} attempts;

static void note_attempt(attempts *tried, const char *format, const char *path, const char *reason) {
    if (tried->used >= tried->capacity) return;
    int written = snprintf(tried->text + tried->used, tried->capacity - tried->used, format, tried->used ? "; " : "", path,
        reason ? reason : "unknown error");
    if (written > 0) tried->used += (size_t)written;
}

/// Opens VIGIL_MKV_PLUGIN with `open` (dlopen, or `readable` to probe) from the folder `program`
/// (a path) is in, else from VIGIL_MKV_LIBRARY_DIRECTORY beside it; notes each failure in `tried`.
static void *open_beside(const char *program, attempts *tried, void *(*open)(const char *, int)) {
    char folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%s", program);
    char *slash = strrchr(folder, '/');
    if (!slash) return NULL;
    *slash = '\0';
    const char *subfolders[] = {"", "/" VIGIL_MKV_LIBRARY_DIRECTORY};
    for (size_t index = 0; index < sizeof subfolders / sizeof *subfolders; index++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s%s/%s", folder, subfolders[index], VIGIL_MKV_PLUGIN);
        void *library = open(path, RTLD_NOW | RTLD_LOCAL);
        if (library) return library;
        if (open == dlopen) note_attempt(tried, "%sdlopen %s: %s", path, dlerror());
        else note_attempt(tried, "%saccess %s: %s", path, strerror(errno));
    }
    return NULL;
}

/// Opens the plug-in with `open` beside the executable (/proc/self/exe), else beside the object
/// this loader is in as the dynamic linker names it (the program, when it was started through
/// ld.so, which /proc/self/exe then names); on failure `tried` holds every path tried and why.
static void *open_plugin(void *(*open)(const char *, int), attempts *tried) {
    tried->used = 0;
    tried->text[0] = '\0';
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length > 0) {
        executable[length] = '\0';
        void *library = open_beside(executable, tried, open);
        if (library) return library;
    } else {
        note_attempt(tried, "%sreadlink %s: %s", "/proc/self/exe", strerror(errno));
    }
    Dl_info self;
    if (dladdr((void *)&vigil_mkv_load, &self) && self.dli_fname && strchr(self.dli_fname, '/')) {
        char resolved[PATH_MAX];
        const char *program = realpath(self.dli_fname, resolved) ? resolved : self.dli_fname;
        if (length <= 0 || strcmp(program, executable) != 0) return open_beside(program, tried, open);
    }
    return NULL;
}

static void load(void) {
    attempts tried = {failure, sizeof failure, 0};
    void *library = open_plugin(dlopen, &tried);
    if (!library) return;
#define VIGIL_RESOLVE(name, result, parameters)                                                 \
    *(void **)(&p_##name) = dlsym(library, #name);                                              \
    if (!p_##name) {                                                                            \
        const char *text = dlerror();                                                           \
        snprintf(failure, sizeof failure, "dlsym %s: %s", #name, text ? text : "not found");   \
        return;                                                                                 \
    }
    VIGIL_MKV_FUNCTIONS(VIGIL_RESOLVE)
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

int vigil_mkv_load(char *message, size_t capacity) {
    pthread_once(&once, load);
    if (vigil_mkv_is_loaded()) return 0;
    if (message && capacity > 0) snprintf(message, capacity, "%s", failure);
    return -1;
}

int vigil_mkv_find(char *message, size_t capacity) {
    if (vigil_mkv_is_loaded()) return 0;
    char text[sizeof failure];
    attempts tried = {text, sizeof text, 0};
    if (open_plugin(readable, &tried)) return 0;
    if (message && capacity > 0) snprintf(message, capacity, "%s", text);
    return -1;
}

int vigil_mkv_is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

static void not_loaded(vigil_mkv_failure *failure_out, const char *call) {
    if (!failure_out) return;
    failure_out->errnum = 0;
    snprintf(failure_out->call, sizeof failure_out->call, "%s", call);
    snprintf(failure_out->message, sizeof failure_out->message, "the Matroska plug-in (%s) is not loaded", VIGIL_MKV_PLUGIN);
}

vigil_mkv_writer *vigil_mkv_create(const char *path, uint32_t width, uint32_t height, const char *const *tag_names,
    const char *const *tag_values, size_t count, int flush_each_frame, vigil_mkv_failure *failure_out) {
    if (!vigil_mkv_is_loaded()) {
        not_loaded(failure_out, "vigil_mkv_create");
        return NULL;
    }
    return p_vigil_mkv_create(path, width, height, tag_names, tag_values, count, flush_each_frame, failure_out);
}

int vigil_mkv_append(
    vigil_mkv_writer *writer, const uint8_t *frame, size_t size, int64_t time_ms, vigil_mkv_failure *failure_out) {
    if (!vigil_mkv_is_loaded()) {
        not_loaded(failure_out, "vigil_mkv_append");
        return -1;
    }
    return p_vigil_mkv_append(writer, frame, size, time_ms, failure_out);
}

int vigil_mkv_finish(vigil_mkv_writer *writer, int64_t duration_ms, vigil_mkv_failure *failure_out) {
    if (!vigil_mkv_is_loaded()) {
        not_loaded(failure_out, "vigil_mkv_finish");
        return -1;
    }
    return p_vigil_mkv_finish(writer, duration_ms, failure_out);
}

void vigil_mkv_destroy(vigil_mkv_writer *writer) {
    if (vigil_mkv_is_loaded()) p_vigil_mkv_destroy(writer);
}
