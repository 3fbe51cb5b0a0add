// The movie writer proper, built as the plug-in libVigilMatroska.so (the VigilMatroska product),
// which CMatroska's loader opens with dlopen when the first movie is written: no executable links
// it, so libmatroska and libebml are mapped only into a process that writes a movie.
#include "../CMatroska/include/CMatroska.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <ebml/EbmlHead.h>
#include <ebml/EbmlSubHead.h>
#include <ebml/EbmlVoid.h>
#include <ebml/IOCallback.h>
#include <matroska/KaxBlock.h>
#include <matroska/KaxCluster.h>
#include <matroska/KaxCues.h>
#include <matroska/KaxCuesData.h>
#include <matroska/KaxInfo.h>
#include <matroska/KaxInfoData.h>
#include <matroska/KaxSeekHead.h>
#include <matroska/KaxSegment.h>
#include <matroska/KaxTag.h>
#include <matroska/KaxTags.h>
#include <matroska/KaxTrackEntryData.h>
#include <matroska/KaxTrackVideo.h>
#include <matroska/KaxTracks.h>

using namespace libebml;
using namespace libmatroska;

namespace {

/// A failed system call, thrown through libebml's rendering and caught at the C boundary.
struct SystemFailure {
    int errnum;
    const char *call;
};

constexpr uint64_t millisecond = 1000000;  // TimestampScale: timestamps count milliseconds
constexpr size_t bufferLimit = 64 * 1024;

/// libebml's output: a file descriptor behind a buffer, written with write(2) (retrying on
/// EINTR and short writes); a failure throws SystemFailure with errno.
class FileOutput final : public IOCallback {
public:
    explicit FileOutput(int descriptor) : descriptor(descriptor) {}

    uint32 read(void *, size_t) override { throw SystemFailure{EBADF, "read"}; }

    void setFilePointer(int64 offset, seek_mode mode = seek_beginning) override {
        flush();
        int whence = mode == seek_current ? SEEK_CUR : mode == seek_end ? SEEK_END : SEEK_SET;
        off_t result = lseek(descriptor, offset, whence);
        if (result < 0) throw SystemFailure{errno, "lseek"};
        position = static_cast<uint64_t>(result);
    }

    size_t write(const void *data, size_t size) override {
        auto bytes = static_cast<const uint8_t *>(data);
        buffer.insert(buffer.end(), bytes, bytes + size);
        if (buffer.size() >= bufferLimit) flush();
        return size;
    }

    uint64 getFilePointer() override { return position + buffer.size(); }

    void close() override {}

    /// Hands the buffered bytes to the kernel.
    void flush() {
        size_t done = 0;
        while (done < buffer.size()) {
            ssize_t written = ::write(descriptor, buffer.data() + done, buffer.size() - done);
            if (written < 0) {
                if (errno == EINTR) continue;
                int number = errno;
                buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(done));
                position += done;
                throw SystemFailure{number, "write"};
            }
            done += static_cast<size_t>(written);
        }
        position += done;
        buffer.clear();
    }

private:
    int descriptor;
    uint64_t position = 0;
    std::vector<uint8_t> buffer;
};

UTFstring utf(const char *text) {
    UTFstring result;
    result.SetUTF8(std::string(text));
    return result;
}

void fill(vigil_mkv_failure *failure, int errnum, const char *call, const char *message) {
    if (!failure) return;
    failure->errnum = errnum;
    snprintf(failure->call, sizeof failure->call, "%s", call);
    snprintf(failure->message, sizeof failure->message, "%s", message ? message : "");
}

/// Runs `body`, turning whatever it throws into `failure`; returns whether it succeeded.
template <typename Body> bool guarded(vigil_mkv_failure *failure, const char *step, Body &&body) {
    try {
        body();
        return true;
    } catch (const SystemFailure &error) {
        fill(failure, error.errnum, error.call, strerror(error.errnum));
    } catch (const std::bad_alloc &) {
        fill(failure, ENOMEM, step, strerror(ENOMEM));
    } catch (const std::exception &error) {
        fill(failure, 0, step, error.what());
    } catch (...) {
        fill(failure, 0, step, "libmatroska failed");
    }
    return false;
}

}  // namespace

struct vigil_mkv_writer {
    int descriptor = -1;
    bool flushEachFrame = true;
    std::unique_ptr<FileOutput> output;
    KaxSegment segment;
    uint64_t segmentDataStart = 0;
    EbmlVoid seekHeadSpace;
    KaxInfo *info = nullptr;
    KaxTracks *tracks = nullptr;
    KaxTrackEntry *track = nullptr;
    std::unique_ptr<KaxTags> tags;
    /// Each cluster's time and position relative to the segment's data, for the cues.
    std::vector<std::pair<uint64_t, uint64_t>> clusters;

    ~vigil_mkv_writer() {
        if (descriptor >= 0) ::close(descriptor);
    }

    void writeHeader(uint32_t width, uint32_t height, const char *const *names, const char *const *values, size_t count) {
        EbmlHead head;
        GetChild<EDocType>(head).SetValue("matroska");
        GetChild<EDocTypeVersion>(head).SetValue(4);
        GetChild<EDocTypeReadVersion>(head).SetValue(2);
        head.Render(*output, true);

        segment.SetSizeInfinite(true);
        segment.WriteHead(*output, 5, false);
        segmentDataStart = output->getFilePointer();

        // Room for the seek head, written by finish().
        seekHeadSpace.SetSize(160);
        seekHeadSpace.Render(*output, false);

        info = &GetChild<KaxInfo>(segment);
        GetChild<KaxTimecodeScale>(*info).SetValue(millisecond);
        auto &duration = GetChild<KaxDuration>(*info);
        duration.SetPrecision(EbmlFloat::FLOAT_64);
        duration.SetValue(0.0);
        GetChild<KaxMuxingApp>(*info).SetValue(utf("libebml + libmatroska"));
        GetChild<KaxWritingApp>(*info).SetValue(utf("vigil"));
        info->Render(*output, true);

        tracks = &GetChild<KaxTracks>(segment);
        track = &GetChild<KaxTrackEntry>(*tracks);
        track->SetGlobalTimecodeScale(millisecond);
        GetChild<KaxTrackNumber>(*track).SetValue(1);
        std::random_device random;
        uint64_t uid = (static_cast<uint64_t>(random()) << 32 | random()) & 0x7FFFFFFFFFFFFFFFULL;
        GetChild<KaxTrackUID>(*track).SetValue(uid ? uid : 1);
        GetChild<KaxTrackType>(*track).SetValue(track_video);
        GetChild<KaxCodecID>(*track).SetValue("V_MJPEG");
        GetChild<KaxTrackFlagLacing>(*track).SetValue(0);
        // Frames come at irregular times; a nominal 10 ms (100 fps) default duration keeps a
        // player's frame-rate guess finer than any real interval (as libavformat's muxer did).
        GetChild<KaxTrackDefaultDuration>(*track).SetValue(10 * millisecond);
        auto &video = GetChild<KaxTrackVideo>(*track);
        GetChild<KaxVideoPixelWidth>(video).SetValue(width);
        GetChild<KaxVideoPixelHeight>(video).SetValue(height);
        track->EnableLacing(false);
        tracks->Render(*output, false);

        if (count > 0) {
            tags = std::make_unique<KaxTags>();
            auto &tag = GetChild<KaxTag>(*tags);
            GetChild<KaxTagTargets>(tag);
            for (size_t index = 0; index < count; index++) {
                auto &simple = AddNewChild<KaxTagSimple>(tag);
                GetChild<KaxTagName>(simple).SetValue(utf(names[index]));
                GetChild<KaxTagString>(simple).SetValue(utf(values[index]));
            }
            tags->Render(*output, false);
        }
        output->flush();
    }

    void append(const uint8_t *frame, size_t size, uint64_t time) {
        KaxCluster cluster;
        cluster.SetParent(segment);
        cluster.InitTimecode(time, millisecond);
        cluster.EnableChecksum();
        GetChild<KaxClusterTimecode>(cluster);
        auto &block = AddNewChild<KaxSimpleBlock>(cluster);
        block.SetParent(cluster);
        block.SetKeyframe(true);
        // The block refers to the caller's bytes (no copy) and frees only the DataBuffer.
        auto data = new DataBuffer(const_cast<binary *>(frame), static_cast<uint32>(size));
        block.AddFrame(*track, time * millisecond, *data, LACING_NONE);
        KaxCues unused;
        uint64_t position = output->getFilePointer();
        cluster.Render(*output, unused, false);
        clusters.emplace_back(time, position - segmentDataStart);
        if (flushEachFrame) output->flush();
    }

    void finish(int64_t durationMilliseconds) {
        KaxSeekHead seekHead;
        seekHead.IndexThis(*info, segment);
        seekHead.IndexThis(*tracks, segment);
        if (tags) seekHead.IndexThis(*tags, segment);

        KaxCues cues;
        cues.SetGlobalTimecodeScale(millisecond);
        for (const auto &[time, position] : clusters) {
            auto &point = AddNewChild<KaxCuePoint>(cues);
            GetChild<KaxCueTime>(point).SetValue(time);
            auto &positions = GetChild<KaxCueTrackPositions>(point);
            GetChild<KaxCueTrack>(positions).SetValue(1);
            GetChild<KaxCueClusterPosition>(positions).SetValue(position);
        }
        cues.Render(*output, false);
        seekHead.IndexThis(cues, segment);
        uint64_t end = output->getFilePointer();

        seekHeadSpace.ReplaceWith(seekHead, *output, true, false);

        auto &duration = GetChild<KaxDuration>(*info);
        duration.SetValue(static_cast<double>(durationMilliseconds));
        output->setFilePointer(static_cast<int64>(info->GetElementPosition()));
        info->Render(*output, true);

        segment.ForceSize(end - segmentDataStart);
        segment.OverwriteHead(*output);
        output->setFilePointer(static_cast<int64>(end));
        output->flush();
        int descriptor = this->descriptor;
        this->descriptor = -1;
        if (::close(descriptor) != 0 && errno != EINTR) throw SystemFailure{errno, "close"};
    }
};

extern "C" vigil_mkv_writer *vigil_mkv_create(
    const char *path, uint32_t width, uint32_t height, const char *const *tag_names,
    const char *const *tag_values, size_t count, int flush_each_frame, vigil_mkv_failure *failure) {
    std::unique_ptr<vigil_mkv_writer> writer;
    if (!guarded(failure, "vigil_mkv_create", [&] { writer = std::make_unique<vigil_mkv_writer>(); })) return nullptr;
    int descriptor;
    do {
        descriptor = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    } while (descriptor < 0 && errno == EINTR);
    if (descriptor < 0) {
        fill(failure, errno, "open", strerror(errno));
        return nullptr;
    }
    writer->descriptor = descriptor;
    writer->flushEachFrame = flush_each_frame != 0;
    bool written = guarded(failure, "vigil_mkv_create", [&] {
        writer->output = std::make_unique<FileOutput>(descriptor);
        writer->writeHeader(width, height, tag_names, tag_values, count);
    });
    if (!written) {
        writer.reset();
        ::unlink(path);
        return nullptr;
    }
    return writer.release();
}

extern "C" int vigil_mkv_append(
    vigil_mkv_writer *writer, const uint8_t *frame, size_t size, int64_t time_ms, vigil_mkv_failure *failure) {
    if (!writer || writer->descriptor < 0 || time_ms < 0 || size > UINT32_MAX) {
        fill(failure, EINVAL, "vigil_mkv_append", "the writer is closed or the frame is out of range");
        return -1;
    }
    return guarded(failure, "vigil_mkv_append", [&] { writer->append(frame, size, static_cast<uint64_t>(time_ms)); }) ? 0 : -1;
}

extern "C" int vigil_mkv_finish(vigil_mkv_writer *writer, int64_t duration_ms, vigil_mkv_failure *failure) {
    if (!writer || writer->descriptor < 0) {
        fill(failure, EINVAL, "vigil_mkv_finish", "the writer is closed");
        return -1;
    }
    return guarded(failure, "vigil_mkv_finish", [&] { writer->finish(duration_ms); }) ? 0 : -1;
}

extern "C" void vigil_mkv_destroy(vigil_mkv_writer *writer) { delete writer; }
