// The shim on libgpiod's v1 API (1.6): bulk requests, one event descriptor per line, no kernel
// debounce and no choice of event clock (the caller debounces; events are on CLOCK_MONOTONIC).

#include "gpiod_api.h"

#if VIGIL_GPIOD_API == 1

#include <errno.h>
#include <stdlib.h>

struct vigil_gpiod_request {
    struct gpiod_line_bulk lines;
    bool watches_edges;
    size_t count;
    unsigned int offsets[];
};

const char *vigil_gpiod_library_version(void) { return gpiod_version_string(); }

vigil_gpiod_chip *vigil_gpiod_chip_open(const char *path) {
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) vigil_gpiod_fail("gpiod_chip_open");
    return (vigil_gpiod_chip *)chip;
}

void vigil_gpiod_chip_close(vigil_gpiod_chip *chip) { gpiod_chip_close((struct gpiod_chip *)chip); }

int vigil_gpiod_chip_get_info(vigil_gpiod_chip *handle, vigil_gpiod_chip_info *info) {
    struct gpiod_chip *chip = (struct gpiod_chip *)handle;
    vigil_gpiod_copy(info->name, sizeof info->name, gpiod_chip_name(chip));
    vigil_gpiod_copy(info->label, sizeof info->label, gpiod_chip_label(chip));
    info->num_lines = gpiod_chip_num_lines(chip);
    return 0;
}

int vigil_gpiod_chip_get_line_info(vigil_gpiod_chip *chip, unsigned int offset, vigil_gpiod_line_info *info) {
    // gpiod_chip_get_line reads the line's info from the kernel afresh.
    struct gpiod_line *line = gpiod_chip_get_line((struct gpiod_chip *)chip, offset);
    if (!line) return vigil_gpiod_fail("gpiod_chip_get_line");
    vigil_gpiod_copy(info->name, sizeof info->name, gpiod_line_name(line));
    vigil_gpiod_copy(info->consumer, sizeof info->consumer, gpiod_line_consumer(line));
    info->used = gpiod_line_is_used(line);
    info->active_low = gpiod_line_active_state(line) == GPIOD_LINE_ACTIVE_STATE_LOW;
    info->direction = gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT ? VIGIL_GPIOD_OUTPUT : VIGIL_GPIOD_INPUT;
    switch (gpiod_line_bias(line)) {
    case GPIOD_LINE_BIAS_DISABLE: info->bias = VIGIL_GPIOD_BIAS_DISABLED; break;
    case GPIOD_LINE_BIAS_PULL_UP: info->bias = VIGIL_GPIOD_BIAS_PULL_UP; break;
    case GPIOD_LINE_BIAS_PULL_DOWN: info->bias = VIGIL_GPIOD_BIAS_PULL_DOWN; break;
    default: info->bias = VIGIL_GPIOD_BIAS_AS_IS; break;
    }
    info->drive = gpiod_line_is_open_drain(line) ? VIGIL_GPIOD_DRIVE_OPEN_DRAIN
                  : gpiod_line_is_open_source(line) ? VIGIL_GPIOD_DRIVE_OPEN_SOURCE
                                                    : VIGIL_GPIOD_DRIVE_PUSH_PULL;
    info->reports_events = false;
    info->edge_detection = VIGIL_GPIOD_EDGE_NONE;
    info->event_clock = VIGIL_GPIOD_CLOCK_UNREPORTED;
    info->debounce_period_us = 0;
    return 0;
}

/// The request type and flags for `settings`; -1 (EOPNOTSUPP) for what v1 cannot do.
static int request_config(const vigil_gpiod_settings *settings, int *type, int *flags) {
    bool monotonic = settings->event_clock == VIGIL_GPIOD_CLOCK_UNREPORTED
                     || settings->event_clock == VIGIL_GPIOD_CLOCK_MONOTONIC;
    if (settings->debounce_period_us != 0 || !monotonic) {
        errno = EOPNOTSUPP;
        return vigil_gpiod_fail("gpiod_line_request_bulk");
    }
    if (settings->direction == VIGIL_GPIOD_OUTPUT) {
        *type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
    } else {
        switch (settings->edge_detection) {
        case VIGIL_GPIOD_EDGE_NONE: *type = GPIOD_LINE_REQUEST_DIRECTION_INPUT; break;
        case VIGIL_GPIOD_EDGE_RISING: *type = GPIOD_LINE_REQUEST_EVENT_RISING_EDGE; break;
        case VIGIL_GPIOD_EDGE_FALLING: *type = GPIOD_LINE_REQUEST_EVENT_FALLING_EDGE; break;
        case VIGIL_GPIOD_EDGE_BOTH: *type = GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES; break;
        }
    }
    *flags = 0;
    if (settings->active_low) *flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
    switch (settings->drive) {
    case VIGIL_GPIOD_DRIVE_PUSH_PULL: break;
    case VIGIL_GPIOD_DRIVE_OPEN_DRAIN: *flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN; break;
    case VIGIL_GPIOD_DRIVE_OPEN_SOURCE: *flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE; break;
    }
    switch (settings->bias) {
    case VIGIL_GPIOD_BIAS_AS_IS: break;
    case VIGIL_GPIOD_BIAS_DISABLED: *flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; break;
    case VIGIL_GPIOD_BIAS_PULL_UP: *flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; break;
    case VIGIL_GPIOD_BIAS_PULL_DOWN: *flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; break;
    }
    return 0;
}

vigil_gpiod_request *vigil_gpiod_request_lines(
    vigil_gpiod_chip *chip, const char *consumer, const unsigned int *offsets, size_t count,
    const vigil_gpiod_settings *settings) {
    int type, flags;
    if (request_config(settings, &type, &flags) < 0) return NULL;
    if (count == 0 || count > GPIOD_LINE_BULK_MAX_LINES) {
        errno = EINVAL;
        vigil_gpiod_fail("gpiod_line_request_bulk");
        return NULL;
    }
    struct vigil_gpiod_request *request = calloc(1, sizeof *request + count * sizeof offsets[0]);
    if (!request) {
        vigil_gpiod_fail("calloc");
        return NULL;
    }
    request->count = count;
    request->watches_edges = settings->direction == VIGIL_GPIOD_INPUT && settings->edge_detection != VIGIL_GPIOD_EDGE_NONE;
    for (size_t index = 0; index < count; index++) request->offsets[index] = offsets[index];
    if (gpiod_chip_get_lines((struct gpiod_chip *)chip, request->offsets, (unsigned int)count, &request->lines) < 0) {
        vigil_gpiod_fail("gpiod_chip_get_lines");
        free(request);
        return NULL;
    }
    int initial[GPIOD_LINE_BULK_MAX_LINES];
    for (size_t index = 0; index < count; index++) initial[index] = settings->output_value ? 1 : 0;
    struct gpiod_line_request_config config = {.consumer = consumer, .request_type = type, .flags = flags};
    if (gpiod_line_request_bulk(&request->lines, &config, initial) < 0) {
        vigil_gpiod_fail("gpiod_line_request_bulk");
        free(request);
        return NULL;
    }
    return request;
}

void vigil_gpiod_request_release(vigil_gpiod_request *request) {
    if (!request) return;
    gpiod_line_release_bulk(&request->lines);
    free(request);
}

int vigil_gpiod_request_get_values(vigil_gpiod_request *request, int *values) {
    if (gpiod_line_get_value_bulk(&request->lines, values) < 0) return vigil_gpiod_fail("gpiod_line_get_value_bulk");
    return 0;
}

int vigil_gpiod_request_set_values(vigil_gpiod_request *request, const int *values) {
    if (gpiod_line_set_value_bulk(&request->lines, values) < 0) return vigil_gpiod_fail("gpiod_line_set_value_bulk");
    return 0;
}

size_t vigil_gpiod_request_event_fd_count(vigil_gpiod_request *request) {
    return request->watches_edges ? request->count : 0;
}

int vigil_gpiod_request_event_fd(vigil_gpiod_request *request, size_t index) {
    if (index >= vigil_gpiod_request_event_fd_count(request)) {
        errno = EINVAL;
        return vigil_gpiod_fail("gpiod_line_event_get_fd");
    }
    int descriptor = gpiod_line_event_get_fd(gpiod_line_bulk_get_line(&request->lines, (unsigned int)index));
    if (descriptor < 0) return vigil_gpiod_fail("gpiod_line_event_get_fd");
    return descriptor;
}

int vigil_gpiod_request_read_events(
    vigil_gpiod_request *request, size_t index, vigil_gpiod_edge_event *events, size_t capacity) {
    int descriptor = vigil_gpiod_request_event_fd(request, index);
    if (descriptor < 0) return -1;
    // The kernel queues at most 16 events per line for the v1 interface.
    struct gpiod_line_event raw[16];
    unsigned int wanted = capacity < 16 ? (unsigned int)capacity : 16;
    int count = gpiod_line_event_read_fd_multiple(descriptor, raw, wanted);
    if (count < 0) return vigil_gpiod_fail("gpiod_line_event_read_fd_multiple");
    for (int event = 0; event < count; event++) {
        events[event] = (vigil_gpiod_edge_event){
            .timestamp_ns = (uint64_t)raw[event].ts.tv_sec * 1000000000u + (uint64_t)raw[event].ts.tv_nsec,
            .offset = request->offsets[index],
            .rising = raw[event].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
            .line_seqno = 0,
        };
    }
    return count;
}

#endif
