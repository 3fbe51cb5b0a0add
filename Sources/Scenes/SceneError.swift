import JPEG

/// Why a scene could not be made or could not render a frame.
public enum SceneError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A frame size outside `1...SyntheticScene.maximumDimension` in either dimension.
    case invalidFrameSize(width: Int, height: Int)
    /// Encoding or decoding failed (an invalid quality, a corrupt file, ...).
    case codec(JPEGError)
    /// ``DirectoryScene``: nothing exists at the path.
    case directoryNotFound(path: String)
    /// ``DirectoryScene``: the path exists but is not a directory.
    case notADirectory(path: String)
    /// ``DirectoryScene``: the directory holds no `.jpg` or `.jpeg` file.
    case noJPEGFiles(path: String)
    /// ``DirectoryScene``: a file could not be read.
    case unreadableFile(path: String)
    /// ``DirectoryScene``: a file is not a JPEG libturbojpeg can decode.
    case undecodableFile(path: String, JPEGError)
    /// ``SceneCatalog``: the name is neither a catalog scene nor a directory.
    case unknownScene(name: String, available: [String])

    public var description: String {
        switch self {
        case .invalidFrameSize(let width, let height):
            "invalid frame size \(width)x\(height): each dimension must be in 1...\(SyntheticScene.maximumDimension)"
        case .codec(let error): "JPEG codec: \(error)"
        case .directoryNotFound(let path): "scene directory \(path) does not exist"
        case .notADirectory(let path): "\(path) is not a directory"
        case .noJPEGFiles(let path): "scene directory \(path) holds no .jpg or .jpeg files"
        case .unreadableFile(let path): "cannot read \(path)"
        case .undecodableFile(let path, let error): "\(path) is not a usable JPEG: \(error)"
        case .unknownScene(let name, let available):
            "unknown scene \"\(name)\": not a directory, and not one of \(available.joined(separator: ", "))"
        }
    }
}
