#ifndef VIGIL_CAVFORMAT_SHIM_H
#define VIGIL_CAVFORMAT_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>

/// AVERROR(e) is a macro Swift cannot import.
static inline int vigil_averror(int errnum) { return AVERROR(errnum); }
/// AVERROR_EOF likewise.
static inline int vigil_averror_eof(void) { return AVERROR_EOF; }
#endif
