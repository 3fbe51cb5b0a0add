#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HAL
import JPEG

/// A scene that replays a directory of JPEG files, for example frames recorded from a real
/// camera.
///
/// The files whose names end in `.jpg` or `.jpeg` (any case) are shown in name order, one a
/// frame at `frameRate`, starting over after the last. Every file is read and checked when the
/// scene is made, and kept in memory: this is meant for clips of up to a few thousand frames.
///
/// A frame of the file's own size is the file's bytes, unchanged (whatever `quality` asks);
/// any other size is decoded, box-scaled and re-encoded at `quality`. ``objects(at:)`` reports
/// the movement between a file and the one before it (the last, for the first file): the
/// files are compared at 1/8 scale, and if more than ``motionArea`` of the pixels changed by
/// more than ``motionLevel`` grey levels, one object of kind `motion` covers them all. A file
/// is dark when its mean brightness is below ``darkLevel``.
public struct DirectoryScene: Scene {
    /// A pixel "changed" when its grey level (0...255, at 1/8 scale) moved by more than this.
    public static let motionLevel = 24
    /// The fraction of pixels that must change for motion to be reported.
    public static let motionArea = 0.004
    /// Files with a mean grey level below this (0...255) are dark.
    public static let darkLevel = 70.0

    /// One file, read and analysed.
    private struct Clip: Sendable {
        var bytes: [UInt8]
        var info: JPEGInfo
        var brightness: Double
        var motion: SceneObject?
    }

    /// The path the scene was made from.
    public var name: String
    public var frameRate: Double
    /// The file names replayed, in order.
    public let fileNames: [String]
    private let clips: [Clip]
    private let codec: JPEGCodec

    /// Reads every JPEG file in the directory at `path`. Throws if the directory is missing or
    /// holds no JPEG file, or if a file cannot be read or decoded.
    public init(path: String, frameRate: Double = 5, codec: JPEGCodec = JPEGCodec()) throws(SceneError) {
        let files = FileManager.default
        guard let attributes = try? files.attributesOfItem(atPath: path) else {
            throw files.fileExists(atPath: path) ? .unreadableFile(path: path) : .directoryNotFound(path: path)
        }
        guard attributes[.type] as? FileAttributeType == .typeDirectory else { throw .notADirectory(path: path) }
        guard let entries = try? files.contentsOfDirectory(atPath: path) else { throw .unreadableFile(path: path) }
        let names = entries.filter { name in
            let lower = name.lowercased()
            return lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")
        }.sorted()
        guard !names.isEmpty else { throw .noJPEGFiles(path: path) }

        var clips: [Clip] = []
        var thumbnails: [Image] = []
        for name in names {
            let filePath = path.hasSuffix("/") ? path + name : path + "/" + name
            guard let data = files.contents(atPath: filePath) else { throw .unreadableFile(path: filePath) }
            let bytes = [UInt8](data)
            do {
                let thumbnail = try codec.decode(bytes, format: .gray, scale: .eighth)
                clips.append(Clip(bytes: bytes, info: try codec.info(bytes), brightness: Self.mean(thumbnail), motion: nil))
                thumbnails.append(thumbnail)
            } catch {
                throw .undecodableFile(path: filePath, error)
            }
        }
        if clips.count > 1 {
            for index in clips.indices {
                let previous = thumbnails[(index + clips.count - 1) % clips.count]
                clips[index].motion = Self.motion(from: previous, to: thumbnails[index], id: index)
            }
        }
        self.name = path
        self.frameRate = frameRate
        self.fileNames = names
        self.clips = clips
        self.codec = codec
    }

    public func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws(SceneError) -> SceneFrame {
        let index = frameIndex(at: time)
        let clip = clips[index % clips.count]
        let start = frameStart(index)
        if clip.info.width == width && clip.info.height == height {
            return SceneFrame(index: index, time: start, jpeg: clip.bytes)
        }
        let limit = 1...SyntheticScene.maximumDimension
        guard limit.contains(width), limit.contains(height) else {
            throw .invalidFrameSize(width: width, height: height)
        }
        // Let the decoder do as much of the shrinking as it can, then box-scale the rest.
        let scale = ScalingFactor.supported.last { factor in
            factor.numerator <= factor.denominator && factor.scaled(clip.info.width) >= width
                && factor.scaled(clip.info.height) >= height
        } ?? .one
        do {
            let image = try codec.decode(clip.bytes, format: .rgb, scale: scale).resized(width: width, height: height)
            let subsampling = clip.info.subsampling == .gray ? Subsampling.gray : .s422
            return SceneFrame(index: index, time: start, jpeg: try codec.encode(image, quality: quality, subsampling: subsampling))
        } catch {
            throw .codec(error)
        }
    }

    /// The movement between the file shown at `time` and the one before it, if any.
    public func objects(at time: MonotonicInstant) -> [SceneObject] {
        clips[frameIndex(at: time) % clips.count].motion.map { [$0] } ?? []
    }

    public func isDark(at time: MonotonicInstant) -> Bool {
        clips[frameIndex(at: time) % clips.count].brightness < Self.darkLevel
    }

    private static func mean(_ image: Image) -> Double {
        Double(image.pixels.reduce(0) { $0 + Int($1) }) / Double(image.pixels.count)
    }

    /// The box around the pixels that changed from `previous` to `current`, if enough did.
    private static func motion(from previous: Image, to current: Image, id: Int) -> SceneObject? {
        guard let before = try? previous.resized(width: current.width, height: current.height) else { return nil }
        let width = current.width
        var changed = 0
        var (left, top, right, bottom) = (width, current.height, -1, -1)
        for index in current.pixels.indices where abs(Int(current.pixels[index]) - Int(before.pixels[index])) > motionLevel {
            let (y, x) = index.quotientAndRemainder(dividingBy: width)
            changed += 1
            left = min(left, x)
            right = max(right, x)
            top = min(top, y)
            bottom = max(bottom, y)
        }
        guard changed > 0, Double(changed) >= motionArea * Double(current.pixels.count) else { return nil }
        let w = Double(width)
        let h = Double(current.height)
        return SceneObject(
            id: id, kind: "motion", x: Double(left) / w, y: Double(top) / h,
            width: Double(right - left + 1) / w, height: Double(bottom - top + 1) / h)
    }
}
