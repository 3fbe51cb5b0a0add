#ifndef VIGIL_CGPIOD_H
#define VIGIL_CGPIOD_H

// One interface to libgpiod for Vigil's Swift code, whichever of libgpiod's two incompatible
// APIs the build found: the v1 API (libgpiod 1.6, Debian 12, Raspberry Pi OS bookworm) or the
// v2 API (libgpiod 2.x, Debian 13, Raspberry Pi OS trixie). The preprocessor picks the
// implementation from the gpiod.h that pkg-config points at (see gpiod_api.h); this header
// never includes gpiod.h, so Swift sees the same declarations on both.
//
// Every call that can fail returns -1 (or NULL), sets errno and records the name of the
// libgpiod call that failed, which vigil_gpiod_failed_call() returns.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// An open GPIO chip.
typedef struct vigil_gpiod_chip vigil_gpiod_chip;
/// Lines of one chip requested together.
typedef struct vigil_gpiod_request vigil_gpiod_request;

typedef enum {
    VIGIL_GPIOD_INPUT = 0,
    VIGIL_GPIOD_OUTPUT = 1,
} vigil_gpiod_direction;

typedef enum {
    /// Leave the line's bias as it is (in line info: the kernel does not say).
    VIGIL_GPIOD_BIAS_AS_IS = 0,
    VIGIL_GPIOD_BIAS_DISABLED,
    VIGIL_GPIOD_BIAS_PULL_UP,
    VIGIL_GPIOD_BIAS_PULL_DOWN,
} vigil_gpiod_bias;

typedef enum {
    VIGIL_GPIOD_DRIVE_PUSH_PULL = 0,
    VIGIL_GPIOD_DRIVE_OPEN_DRAIN,
    VIGIL_GPIOD_DRIVE_OPEN_SOURCE,
} vigil_gpiod_drive;

typedef enum {
    VIGIL_GPIOD_EDGE_NONE = 0,
    VIGIL_GPIOD_EDGE_RISING,
    VIGIL_GPIOD_EDGE_FALLING,
    VIGIL_GPIOD_EDGE_BOTH,
} vigil_gpiod_edge;

typedef enum {
    /// The v1 API does not report the clock.
    VIGIL_GPIOD_CLOCK_UNREPORTED = 0,
    VIGIL_GPIOD_CLOCK_MONOTONIC,
    VIGIL_GPIOD_CLOCK_REALTIME,
    VIGIL_GPIOD_CLOCK_HTE,
} vigil_gpiod_clock;

/// The libgpiod API this build uses: 1 or 2.
int vigil_gpiod_api(void);

/// The version of the libgpiod loaded at run time, such as "1.6.3" or "2.2.1".
const char *vigil_gpiod_library_version(void);

/// The libgpiod call that failed last on this thread, such as "gpiod_chip_request_lines";
/// "" if none has.
const char *vigil_gpiod_failed_call(void);

/// Opens the chip at `path` (a /dev/gpiochipN device). NULL and errno on failure.
vigil_gpiod_chip *vigil_gpiod_chip_open(const char *path);
void vigil_gpiod_chip_close(vigil_gpiod_chip *chip);

typedef struct {
    char name[64];
    char label[64];
    uint32_t num_lines;
} vigil_gpiod_chip_info;

int vigil_gpiod_chip_get_info(vigil_gpiod_chip *chip, vigil_gpiod_chip_info *info);

typedef struct {
    /// "" if the line has no name.
    char name[64];
    /// "" if the line is not in use.
    char consumer[64];
    bool used;
    bool active_low;
    vigil_gpiod_direction direction;
    vigil_gpiod_bias bias;
    vigil_gpiod_drive drive;
    /// Whether the three fields below come from the kernel (v2 API); false on v1.
    bool reports_events;
    vigil_gpiod_edge edge_detection;
    vigil_gpiod_clock event_clock;
    /// 0 if the kernel does not debounce the line.
    uint64_t debounce_period_us;
} vigil_gpiod_line_info;

int vigil_gpiod_chip_get_line_info(vigil_gpiod_chip *chip, unsigned int offset, vigil_gpiod_line_info *info);

typedef struct {
    vigil_gpiod_direction direction;
    bool active_low;
    vigil_gpiod_bias bias;
    vigil_gpiod_drive drive;
    vigil_gpiod_edge edge_detection;
    /// Kernel debounce; v2 only (the v1 request fails with EOPNOTSUPP if it is not 0).
    uint64_t debounce_period_us;
    /// The clock edge events are stamped with; v2 only (v1 always stamps on CLOCK_MONOTONIC
    /// and fails with EOPNOTSUPP for another).
    vigil_gpiod_clock event_clock;
    /// The logical value outputs take when requested.
    bool output_value;
    /// How many edge events the kernel queues for the whole request; v2 only (0: the kernel's
    /// default, 16 per line; v1 queues 16 per line, always).
    uint32_t event_buffer_size;
} vigil_gpiod_settings;

/// Requests `count` lines of `chip` (distinct offsets the chip has) with one set of settings.
/// Values and event descriptors follow the order of `offsets`. NULL and errno on failure.
vigil_gpiod_request *vigil_gpiod_request_lines(
    vigil_gpiod_chip *chip, const char *consumer, const unsigned int *offsets, size_t count,
    const vigil_gpiod_settings *settings);

/// Hands the lines back and frees the request.
void vigil_gpiod_request_release(vigil_gpiod_request *request);

/// Reads the logical value (0 or 1) of every line, in request order.
int vigil_gpiod_request_get_values(vigil_gpiod_request *request, int *values);

/// Drives every line to the logical value (0 or 1) given for it, in request order.
int vigil_gpiod_request_set_values(vigil_gpiod_request *request, const int *values);

/// How many descriptors deliver the request's edge events: 0 without edge detection, one per
/// line on v1, one for the whole request on v2.
size_t vigil_gpiod_request_event_fd_count(vigil_gpiod_request *request);

/// The `index`th event descriptor, to poll for POLLIN.
int vigil_gpiod_request_event_fd(vigil_gpiod_request *request, size_t index);

typedef struct {
    /// On the request's event clock.
    uint64_t timestamp_ns;
    unsigned int offset;
    bool rising;
    /// The event's number among its line's events, from 1 (v2); 0 on v1, which does not count.
    uint64_t line_seqno;
} vigil_gpiod_edge_event;

/// Reads up to `capacity` queued events from the `index`th event descriptor, which must be
/// readable (it blocks otherwise). Returns how many it read, or -1.
int vigil_gpiod_request_read_events(
    vigil_gpiod_request *request, size_t index, vigil_gpiod_edge_event *events, size_t capacity);

#endif
