#ifndef VIGIL_CAVFORMAT_H
#define VIGIL_CAVFORMAT_H
// libavformat, loaded with dlopen on first use rather than linked: Debian's FFmpeg libraries and
// the shared objects they pull in hold some 24 MB resident, which a recorder that writes no
// movie, or only writes them, should not pay. The headers give the types; every function is
// called through a vigil_-prefixed twin that forwards to the symbol dlsym found.
#include <stddef.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>

/// Loads libavformat, libavcodec and libavutil (the sonames of the headers compiled against)
/// and resolves every function below, once per process; later calls return the first result.
/// Returns 0 on success; on failure -1, with dlerror's text in `message` (NUL-terminated,
/// at most `capacity` bytes). Thread-safe. Until it succeeds, the functions below fail
/// (negative AVERROR(ENOSYS), NULL, or nothing).
int vigil_av_load(char *message, size_t capacity);

/// Whether libavformat is loaded in this process (by vigil_av_load).
int vigil_av_is_loaded(void);

/// AVERROR(e) is a macro Swift cannot import.
static inline int vigil_averror(int errnum) { return AVERROR(errnum); }
/// AVERROR_EOF likewise.
static inline int vigil_averror_eof(void) { return AVERROR_EOF; }

int vigil_av_strerror(int errnum, char *errbuf, size_t errbuf_size);
void vigil_av_log_set_level(int level);
AVDictionaryEntry *vigil_av_dict_get(const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags);
int vigil_av_dict_set(AVDictionary **pm, const char *key, const char *value, int flags);
void vigil_av_dict_free(AVDictionary **m);
int64_t vigil_av_rescale_q(int64_t a, AVRational bq, AVRational cq);
AVPacket *vigil_av_packet_alloc(void);
void vigil_av_packet_free(AVPacket **pkt);
void vigil_av_packet_unref(AVPacket *pkt);
int vigil_av_new_packet(AVPacket *pkt, int size);
const AVInputFormat *vigil_av_find_input_format(const char *short_name);
int vigil_avformat_open_input(AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options);
void vigil_avformat_close_input(AVFormatContext **s);
int vigil_av_read_frame(AVFormatContext *s, AVPacket *pkt);
int vigil_avformat_alloc_output_context2(AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename);
void vigil_avformat_free_context(AVFormatContext *s);
AVStream *vigil_avformat_new_stream(AVFormatContext *s, const AVCodec *c);
int vigil_avio_open(AVIOContext **s, const char *url, int flags);
int vigil_avio_closep(AVIOContext **s);
void vigil_avio_flush(AVIOContext *s);
int vigil_avformat_write_header(AVFormatContext *s, AVDictionary **options);
int vigil_av_write_frame(AVFormatContext *s, AVPacket *pkt);
int vigil_av_write_trailer(AVFormatContext *s);
#endif
