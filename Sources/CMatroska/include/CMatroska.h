#ifndef VIGIL_CMATROSKA_H
#define VIGIL_CMATROSKA_H
// A Matroska writer for MJPEG frames on libmatroska and libebml (the Matroska project's own
// libraries), behind a C interface Swift can call. One SimpleBlock a cluster, every frame a
// keyframe, timestamps in milliseconds, CRC-32 on every cluster, cues and seek head at the end.
//
// The writer is a plug-in, libVigilMatroska.so (Sources/VigilMatroska, the VigilMatroska product),
// that no executable links: this target's loader.c opens it with dlopen on the first
// vigil_mkv_load, so a recorder that writes no movie maps neither libmatroska nor libebml. The
// functions below are the loader's twins, forwarding to the plug-in's functions of the same name.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Why a call failed: the C call (`open`, `write`, `lseek`, `close`) or library step that did,
/// its errno (0 for a failure that is not a system call's), and a message for the latter.
typedef struct vigil_mkv_failure {
    int errnum;
    char call[48];
    char message[208];
} vigil_mkv_failure;

typedef struct vigil_mkv_writer vigil_mkv_writer;

/// The plug-in's file name, looked for in the executable's directory (/proc/self/exe's: .build/debug,
/// .build/release, the test bundle's), then in VIGIL_MKV_LIBRARY_DIRECTORY beside it (../lib/vigil:
/// /usr/lib/vigil for /usr/bin/vigil); the same beside the program as the dynamic linker names it,
/// when that differs (a program started through ld.so, which /proc/self/exe then names).
#define VIGIL_MKV_PLUGIN "libVigilMatroska.so"
#define VIGIL_MKV_LIBRARY_DIRECTORY "../lib/vigil"

/// Loads the plug-in and resolves the four functions below, once per process; later calls return
/// the first result. Returns 0 on success; on failure -1, with the failed step ("dlopen PATH: ..."
/// for every path tried, or "dlsym NAME: ...") in `message` (NUL-terminated, at most `capacity`
/// bytes). Thread-safe. Until it succeeds, the functions below fail (NULL, -1 with `failure`
/// filled, or nothing). Not part of the plug-in.
int vigil_mkv_load(char *message, size_t capacity);

/// Looks for the plug-in where vigil_mkv_load would open it, without opening it (nothing is
/// mapped): 0 if a readable file is there (or it is loaded), else -1 with every path tried and
/// why in `message`. Not part of the plug-in.
int vigil_mkv_find(char *message, size_t capacity);

/// Whether the plug-in is loaded in this process (by vigil_mkv_load). Not part of the plug-in.
int vigil_mkv_is_loaded(void);

/// Creates `path` (which must not exist: O_EXCL), writes the EBML header, the segment's head,
/// its info, the one MJPEG video track of `width` x `height` and the global tags (`count`
/// names and values, UTF-8), and hands them to the kernel. `flush_each_frame` 0 buffers up to
/// 64 KiB in memory instead of writing every frame out as it is appended.
/// Returns NULL on failure (the file removed again if it was created) with `failure` filled.
vigil_mkv_writer *vigil_mkv_create(
    const char *path, uint32_t width, uint32_t height, const char *const *tag_names,
    const char *const *tag_values, size_t count, int flush_each_frame, vigil_mkv_failure *failure);

/// Appends one frame at `time_ms` on the movie's timeline (not before the previous frame's)
/// in a cluster of its own; with flush_each_frame, it reaches the kernel before this returns.
/// Returns 0, or -1 with `failure` filled (the writer must then only be destroyed).
int vigil_mkv_append(
    vigil_mkv_writer *writer, const uint8_t *frame, size_t size, int64_t time_ms, vigil_mkv_failure *failure);

/// Writes the cues and the seek head, fills in the duration (`duration_ms`) and the segment's
/// size, and closes the file (not fsynced). Returns 0, or -1 with `failure` filled.
int vigil_mkv_finish(vigil_mkv_writer *writer, int64_t duration_ms, vigil_mkv_failure *failure);

/// Frees the writer, closing its file if still open (what was written stays: a partial movie).
void vigil_mkv_destroy(vigil_mkv_writer *writer);

#ifdef __cplusplus
}
#endif
#endif
