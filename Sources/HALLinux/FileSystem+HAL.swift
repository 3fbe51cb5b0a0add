import Files
import HAL

extension HALError {
    /// A file-system failure as the HAL reports it: the same call, path and errno.
    init(_ error: FileError) {
        self = .system(error.errno, operation: error.call, target: error.path)
    }
}

extension FileSystem {
    /// The names in `directory`, sorted; nil if there is no such folder.
    static func entries(of directory: String) throws(HALError) -> [String]? {
        do {
            return try contents(of: directory)
        } catch where error.kind == .notFound {
            return nil
        } catch {
            throw HALError(error)
        }
    }
}
