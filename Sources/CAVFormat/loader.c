#include "CAVFormat.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define VIGIL_STRING(x) #x
#define VIGIL_SONAME(name, major) "lib" name ".so." VIGIL_STRING(major)

// One pointer per function, named after it; filled by load() under pthread_once.
#define VIGIL_AV_FUNCTIONS(X)                                                                          \
    X(avutil, av_strerror, int, (int, char *, size_t))                                                 \
    X(avutil, av_log_set_level, void, (int))                                                           \
    X(avutil, av_dict_get, AVDictionaryEntry *, (const AVDictionary *, const char *, const AVDictionaryEntry *, int)) \
    X(avutil, av_dict_set, int, (AVDictionary **, const char *, const char *, int))                    \
    X(avutil, av_dict_free, void, (AVDictionary **))                                                   \
    X(avutil, av_rescale_q, int64_t, (int64_t, AVRational, AVRational))                                \
    X(avcodec, av_packet_alloc, AVPacket *, (void))                                                    \
    X(avcodec, av_packet_free, void, (AVPacket **))                                                    \
    X(avcodec, av_packet_unref, void, (AVPacket *))                                                    \
    X(avcodec, av_new_packet, int, (AVPacket *, int))                                                  \
    X(avformat, av_find_input_format, const AVInputFormat *, (const char *))                           \
    X(avformat, avformat_open_input, int, (AVFormatContext **, const char *, const AVInputFormat *, AVDictionary **)) \
    X(avformat, avformat_close_input, void, (AVFormatContext **))                                      \
    X(avformat, av_read_frame, int, (AVFormatContext *, AVPacket *))                                   \
    X(avformat, avformat_alloc_output_context2, int, (AVFormatContext **, const AVOutputFormat *, const char *, const char *)) \
    X(avformat, avformat_free_context, void, (AVFormatContext *))                                      \
    X(avformat, avformat_new_stream, AVStream *, (AVFormatContext *, const AVCodec *))                 \
    X(avformat, avio_open, int, (AVIOContext **, const char *, int))                                   \
    X(avformat, avio_closep, int, (AVIOContext **))                                                    \
    X(avformat, avio_flush, void, (AVIOContext *))                                                     \
    X(avformat, avformat_write_header, int, (AVFormatContext *, AVDictionary **))                      \
    X(avformat, av_write_frame, int, (AVFormatContext *, AVPacket *))                                  \
    X(avformat, av_write_trailer, int, (AVFormatContext *))

#define VIGIL_POINTER(library, name, result, parameters) static result(*p_##name) parameters;
VIGIL_AV_FUNCTIONS(VIGIL_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char failure[512];

static void load(void) {
    // avformat needs avcodec needs avutil: opening avformat maps all three; each handle is
    // opened on its own so that dlsym looks in the library that defines the symbol.
    void *avutil = dlopen(VIGIL_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
    void *avcodec = avutil ? dlopen(VIGIL_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL) : NULL;
    void *avformat = avcodec ? dlopen(VIGIL_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!avformat) {
        const char *text = dlerror();
        snprintf(failure, sizeof failure, "dlopen: %s", text ? text : "unknown error");
        return;
    }
#define VIGIL_RESOLVE(library, name, result, parameters)                                        \
    *(void **)(&p_##name) = dlsym(library, #name);                                              \
    if (!p_##name) {                                                                            \
        const char *text = dlerror();                                                           \
        snprintf(failure, sizeof failure, "dlsym %s: %s", #name, text ? text : "not found");   \
        return;                                                                                 \
    }
    VIGIL_AV_FUNCTIONS(VIGIL_RESOLVE)
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

int vigil_av_load(char *message, size_t capacity) {
    pthread_once(&once, load);
    if (vigil_av_is_loaded()) return 0;
    if (message && capacity > 0) snprintf(message, capacity, "%s", failure);
    return -1;
}

int vigil_av_is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

#define VIGIL_UNLOADED_INT AVERROR(ENOSYS)

int vigil_av_strerror(int errnum, char *errbuf, size_t errbuf_size) {
    return p_av_strerror ? p_av_strerror(errnum, errbuf, errbuf_size) : -1;
}
void vigil_av_log_set_level(int level) { if (p_av_log_set_level) p_av_log_set_level(level); }
AVDictionaryEntry *vigil_av_dict_get(const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags) {
    return p_av_dict_get ? p_av_dict_get(m, key, prev, flags) : NULL;
}
int vigil_av_dict_set(AVDictionary **pm, const char *key, const char *value, int flags) {
    return p_av_dict_set ? p_av_dict_set(pm, key, value, flags) : VIGIL_UNLOADED_INT;
}
void vigil_av_dict_free(AVDictionary **m) { if (p_av_dict_free) p_av_dict_free(m); }
int64_t vigil_av_rescale_q(int64_t a, AVRational bq, AVRational cq) {
    return p_av_rescale_q ? p_av_rescale_q(a, bq, cq) : 0;
}
AVPacket *vigil_av_packet_alloc(void) { return p_av_packet_alloc ? p_av_packet_alloc() : NULL; }
void vigil_av_packet_free(AVPacket **pkt) { if (p_av_packet_free) p_av_packet_free(pkt); }
void vigil_av_packet_unref(AVPacket *pkt) { if (p_av_packet_unref) p_av_packet_unref(pkt); }
int vigil_av_new_packet(AVPacket *pkt, int size) {
    return p_av_new_packet ? p_av_new_packet(pkt, size) : VIGIL_UNLOADED_INT;
}
const AVInputFormat *vigil_av_find_input_format(const char *short_name) {
    return p_av_find_input_format ? p_av_find_input_format(short_name) : NULL;
}
int vigil_avformat_open_input(AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options) {
    return p_avformat_open_input ? p_avformat_open_input(ps, url, fmt, options) : VIGIL_UNLOADED_INT;
}
void vigil_avformat_close_input(AVFormatContext **s) { if (p_avformat_close_input) p_avformat_close_input(s); }
int vigil_av_read_frame(AVFormatContext *s, AVPacket *pkt) {
    return p_av_read_frame ? p_av_read_frame(s, pkt) : VIGIL_UNLOADED_INT;
}
int vigil_avformat_alloc_output_context2(AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename) {
    return p_avformat_alloc_output_context2 ? p_avformat_alloc_output_context2(ctx, oformat, format_name, filename) : VIGIL_UNLOADED_INT;
}
void vigil_avformat_free_context(AVFormatContext *s) { if (p_avformat_free_context) p_avformat_free_context(s); }
AVStream *vigil_avformat_new_stream(AVFormatContext *s, const AVCodec *c) {
    return p_avformat_new_stream ? p_avformat_new_stream(s, c) : NULL;
}
int vigil_avio_open(AVIOContext **s, const char *url, int flags) {
    return p_avio_open ? p_avio_open(s, url, flags) : VIGIL_UNLOADED_INT;
}
int vigil_avio_closep(AVIOContext **s) { return p_avio_closep ? p_avio_closep(s) : VIGIL_UNLOADED_INT; }
void vigil_avio_flush(AVIOContext *s) { if (p_avio_flush) p_avio_flush(s); }
int vigil_avformat_write_header(AVFormatContext *s, AVDictionary **options) {
    return p_avformat_write_header ? p_avformat_write_header(s, options) : VIGIL_UNLOADED_INT;
}
int vigil_av_write_frame(AVFormatContext *s, AVPacket *pkt) {
    return p_av_write_frame ? p_av_write_frame(s, pkt) : VIGIL_UNLOADED_INT;
}
int vigil_av_write_trailer(AVFormatContext *s) { return p_av_write_trailer ? p_av_write_trailer(s) : VIGIL_UNLOADED_INT; }
