// The shim on libgpiod's v2 API (2.x): line settings with kernel debounce, bias, drive and the
// event clock; one event descriptor per request, with a kernel event queue of the size asked
// for, read through an edge event buffer. Uses only what libgpiod 2.0 already had.

#include "gpiod_api.h"

#if VIGIL_GPIOD_API == 2

#include <errno.h>
#include <stdlib.h>

struct vigil_gpiod_request {
    struct gpiod_line_request *request;
    /// NULL without edge detection.
    struct gpiod_edge_event_buffer *events;
    size_t count;
    unsigned int offsets[];
};

const char *vigil_gpiod_library_version(void) { return gpiod_api_version(); }

vigil_gpiod_chip *vigil_gpiod_chip_open(const char *path) {
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (!chip) vigil_gpiod_fail("gpiod_chip_open");
    return (vigil_gpiod_chip *)chip;
}

void vigil_gpiod_chip_close(vigil_gpiod_chip *chip) { gpiod_chip_close((struct gpiod_chip *)chip); }

int vigil_gpiod_chip_get_info(vigil_gpiod_chip *chip, vigil_gpiod_chip_info *info) {
    struct gpiod_chip_info *chip_info = gpiod_chip_get_info((struct gpiod_chip *)chip);
    if (!chip_info) return vigil_gpiod_fail("gpiod_chip_get_info");
    vigil_gpiod_copy(info->name, sizeof info->name, gpiod_chip_info_get_name(chip_info));
    vigil_gpiod_copy(info->label, sizeof info->label, gpiod_chip_info_get_label(chip_info));
    info->num_lines = (uint32_t)gpiod_chip_info_get_num_lines(chip_info);
    gpiod_chip_info_free(chip_info);
    return 0;
}

static vigil_gpiod_edge edge_from(enum gpiod_line_edge edge) {
    switch (edge) {
    case GPIOD_LINE_EDGE_RISING: return VIGIL_GPIOD_EDGE_RISING;
    case GPIOD_LINE_EDGE_FALLING: return VIGIL_GPIOD_EDGE_FALLING;
    case GPIOD_LINE_EDGE_BOTH: return VIGIL_GPIOD_EDGE_BOTH;
    default: return VIGIL_GPIOD_EDGE_NONE;
    }
}

static vigil_gpiod_clock clock_from(enum gpiod_line_clock clock) {
    switch (clock) {
    case GPIOD_LINE_CLOCK_MONOTONIC: return VIGIL_GPIOD_CLOCK_MONOTONIC;
    case GPIOD_LINE_CLOCK_REALTIME: return VIGIL_GPIOD_CLOCK_REALTIME;
    case GPIOD_LINE_CLOCK_HTE: return VIGIL_GPIOD_CLOCK_HTE;
    default: return VIGIL_GPIOD_CLOCK_UNREPORTED;
    }
}

int vigil_gpiod_chip_get_line_info(vigil_gpiod_chip *chip, unsigned int offset, vigil_gpiod_line_info *info) {
    struct gpiod_line_info *line = gpiod_chip_get_line_info((struct gpiod_chip *)chip, offset);
    if (!line) return vigil_gpiod_fail("gpiod_chip_get_line_info");
    vigil_gpiod_copy(info->name, sizeof info->name, gpiod_line_info_get_name(line));
    vigil_gpiod_copy(info->consumer, sizeof info->consumer, gpiod_line_info_get_consumer(line));
    info->used = gpiod_line_info_is_used(line);
    info->active_low = gpiod_line_info_is_active_low(line);
    info->direction = gpiod_line_info_get_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT ? VIGIL_GPIOD_OUTPUT
                                                                                        : VIGIL_GPIOD_INPUT;
    switch (gpiod_line_info_get_bias(line)) {
    case GPIOD_LINE_BIAS_DISABLED: info->bias = VIGIL_GPIOD_BIAS_DISABLED; break;
    case GPIOD_LINE_BIAS_PULL_UP: info->bias = VIGIL_GPIOD_BIAS_PULL_UP; break;
    case GPIOD_LINE_BIAS_PULL_DOWN: info->bias = VIGIL_GPIOD_BIAS_PULL_DOWN; break;
    default: info->bias = VIGIL_GPIOD_BIAS_AS_IS; break;
    }
    switch (gpiod_line_info_get_drive(line)) {
    case GPIOD_LINE_DRIVE_OPEN_DRAIN: info->drive = VIGIL_GPIOD_DRIVE_OPEN_DRAIN; break;
    case GPIOD_LINE_DRIVE_OPEN_SOURCE: info->drive = VIGIL_GPIOD_DRIVE_OPEN_SOURCE; break;
    default: info->drive = VIGIL_GPIOD_DRIVE_PUSH_PULL; break;
    }
    info->reports_events = true;
    info->edge_detection = edge_from(gpiod_line_info_get_edge_detection(line));
    info->event_clock = clock_from(gpiod_line_info_get_event_clock(line));
    info->debounce_period_us = gpiod_line_info_is_debounced(line) ? gpiod_line_info_get_debounce_period_us(line) : 0;
    gpiod_line_info_free(line);
    return 0;
}

/// New line settings for `settings`; NULL (errno set, call recorded) on failure.
static struct gpiod_line_settings *line_settings(const vigil_gpiod_settings *settings) {
    struct gpiod_line_settings *line = gpiod_line_settings_new();
    if (!line) {
        vigil_gpiod_fail("gpiod_line_settings_new");
        return NULL;
    }
    static const enum gpiod_line_bias biases[] = {
        [VIGIL_GPIOD_BIAS_AS_IS] = GPIOD_LINE_BIAS_AS_IS,
        [VIGIL_GPIOD_BIAS_DISABLED] = GPIOD_LINE_BIAS_DISABLED,
        [VIGIL_GPIOD_BIAS_PULL_UP] = GPIOD_LINE_BIAS_PULL_UP,
        [VIGIL_GPIOD_BIAS_PULL_DOWN] = GPIOD_LINE_BIAS_PULL_DOWN,
    };
    static const enum gpiod_line_drive drives[] = {
        [VIGIL_GPIOD_DRIVE_PUSH_PULL] = GPIOD_LINE_DRIVE_PUSH_PULL,
        [VIGIL_GPIOD_DRIVE_OPEN_DRAIN] = GPIOD_LINE_DRIVE_OPEN_DRAIN,
        [VIGIL_GPIOD_DRIVE_OPEN_SOURCE] = GPIOD_LINE_DRIVE_OPEN_SOURCE,
    };
    static const enum gpiod_line_edge edges[] = {
        [VIGIL_GPIOD_EDGE_NONE] = GPIOD_LINE_EDGE_NONE,
        [VIGIL_GPIOD_EDGE_RISING] = GPIOD_LINE_EDGE_RISING,
        [VIGIL_GPIOD_EDGE_FALLING] = GPIOD_LINE_EDGE_FALLING,
        [VIGIL_GPIOD_EDGE_BOTH] = GPIOD_LINE_EDGE_BOTH,
    };
    static const enum gpiod_line_clock clocks[] = {
        [VIGIL_GPIOD_CLOCK_UNREPORTED] = GPIOD_LINE_CLOCK_MONOTONIC,
        [VIGIL_GPIOD_CLOCK_MONOTONIC] = GPIOD_LINE_CLOCK_MONOTONIC,
        [VIGIL_GPIOD_CLOCK_REALTIME] = GPIOD_LINE_CLOCK_REALTIME,
        [VIGIL_GPIOD_CLOCK_HTE] = GPIOD_LINE_CLOCK_HTE,
    };
    const char *call = NULL;
    bool output = settings->direction == VIGIL_GPIOD_OUTPUT;
    if (gpiod_line_settings_set_direction(line, output ? GPIOD_LINE_DIRECTION_OUTPUT : GPIOD_LINE_DIRECTION_INPUT) < 0)
        call = "gpiod_line_settings_set_direction";
    else if (gpiod_line_settings_set_bias(line, biases[settings->bias]) < 0)
        call = "gpiod_line_settings_set_bias";
    else if (output && gpiod_line_settings_set_drive(line, drives[settings->drive]) < 0)
        call = "gpiod_line_settings_set_drive";
    else if (!output && gpiod_line_settings_set_edge_detection(line, edges[settings->edge_detection]) < 0)
        call = "gpiod_line_settings_set_edge_detection";
    else if (gpiod_line_settings_set_event_clock(line, clocks[settings->event_clock]) < 0)
        call = "gpiod_line_settings_set_event_clock";
    else if (output && gpiod_line_settings_set_output_value(
                           line, settings->output_value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0)
        call = "gpiod_line_settings_set_output_value";
    if (call) {
        int code = errno;
        gpiod_line_settings_free(line);
        errno = code;
        vigil_gpiod_fail(call);
        return NULL;
    }
    gpiod_line_settings_set_active_low(line, settings->active_low);
    gpiod_line_settings_set_debounce_period_us(line, (unsigned long)settings->debounce_period_us);
    return line;
}

vigil_gpiod_request *vigil_gpiod_request_lines(
    vigil_gpiod_chip *chip, const char *consumer, const unsigned int *offsets, size_t count,
    const vigil_gpiod_settings *settings) {
    if (count == 0) {
        errno = EINVAL;
        vigil_gpiod_fail("gpiod_chip_request_lines");
        return NULL;
    }
    struct vigil_gpiod_request *request = calloc(1, sizeof *request + count * sizeof offsets[0]);
    if (!request) {
        vigil_gpiod_fail("calloc");
        return NULL;
    }
    request->count = count;
    for (size_t index = 0; index < count; index++) request->offsets[index] = offsets[index];

    struct gpiod_line_settings *line = line_settings(settings);
    struct gpiod_line_config *lines = line ? gpiod_line_config_new() : NULL;
    struct gpiod_request_config *config = lines ? gpiod_request_config_new() : NULL;
    const char *call = NULL;
    if (!line)
        call = vigil_gpiod_failed_call();
    else if (!lines)
        call = "gpiod_line_config_new";
    else if (!config)
        call = "gpiod_request_config_new";
    else if (gpiod_line_config_add_line_settings(lines, offsets, count, line) < 0)
        call = "gpiod_line_config_add_line_settings";
    else {
        gpiod_request_config_set_consumer(config, consumer);
        gpiod_request_config_set_event_buffer_size(config, settings->event_buffer_size);
        request->request = gpiod_chip_request_lines((struct gpiod_chip *)chip, config, lines);
        if (!request->request) call = "gpiod_chip_request_lines";
    }
    bool watches_edges = settings->direction == VIGIL_GPIOD_INPUT && settings->edge_detection != VIGIL_GPIOD_EDGE_NONE;
    if (!call && watches_edges) {
        // As large as the kernel's queue, so that one read empties it.
        size_t queued = settings->event_buffer_size ? settings->event_buffer_size : 16 * count;
        request->events = gpiod_edge_event_buffer_new(queued);
        if (!request->events) call = "gpiod_edge_event_buffer_new";
    }
    int code = errno;
    gpiod_request_config_free(config);
    gpiod_line_config_free(lines);
    gpiod_line_settings_free(line);
    if (call) {
        if (request->request) gpiod_line_request_release(request->request);
        free(request);
        errno = code;
        vigil_gpiod_fail(call);
        return NULL;
    }
    return request;
}

void vigil_gpiod_request_release(vigil_gpiod_request *request) {
    if (!request) return;
    gpiod_edge_event_buffer_free(request->events);
    gpiod_line_request_release(request->request);
    free(request);
}

int vigil_gpiod_request_get_values(vigil_gpiod_request *request, int *values) {
    enum gpiod_line_value read[request->count];
    if (gpiod_line_request_get_values_subset(request->request, request->count, request->offsets, read) < 0)
        return vigil_gpiod_fail("gpiod_line_request_get_values_subset");
    for (size_t index = 0; index < request->count; index++) values[index] = read[index] == GPIOD_LINE_VALUE_ACTIVE;
    return 0;
}

int vigil_gpiod_request_set_values(vigil_gpiod_request *request, const int *values) {
    enum gpiod_line_value written[request->count];
    for (size_t index = 0; index < request->count; index++)
        written[index] = values[index] ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
    if (gpiod_line_request_set_values_subset(request->request, request->count, request->offsets, written) < 0)
        return vigil_gpiod_fail("gpiod_line_request_set_values_subset");
    return 0;
}

size_t vigil_gpiod_request_event_fd_count(vigil_gpiod_request *request) { return request->events ? 1 : 0; }

int vigil_gpiod_request_event_fd(vigil_gpiod_request *request, size_t index) {
    if (index >= vigil_gpiod_request_event_fd_count(request)) {
        errno = EINVAL;
        return vigil_gpiod_fail("gpiod_line_request_get_fd");
    }
    int descriptor = gpiod_line_request_get_fd(request->request);
    if (descriptor < 0) return vigil_gpiod_fail("gpiod_line_request_get_fd");
    return descriptor;
}

int vigil_gpiod_request_read_events(
    vigil_gpiod_request *request, size_t index, vigil_gpiod_edge_event *events, size_t capacity) {
    if (index >= vigil_gpiod_request_event_fd_count(request)) {
        errno = EINVAL;
        return vigil_gpiod_fail("gpiod_line_request_read_edge_events");
    }
    size_t room = gpiod_edge_event_buffer_get_capacity(request->events);
    int count = gpiod_line_request_read_edge_events(request->request, request->events, capacity < room ? capacity : room);
    if (count < 0) return vigil_gpiod_fail("gpiod_line_request_read_edge_events");
    for (int number = 0; number < count; number++) {
        struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(request->events, (unsigned long)number);
        events[number] = (vigil_gpiod_edge_event){
            .timestamp_ns = gpiod_edge_event_get_timestamp_ns(event),
            .offset = gpiod_edge_event_get_line_offset(event),
            .rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE,
            .line_seqno = gpiod_edge_event_get_line_seqno(event),
        };
    }
    return count;
}

#endif
