/// What a JPEG stream's header says about the image, read without decoding it.
public struct JPEGInfo: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var subsampling: Subsampling

    public init(width: Int, height: Int, subsampling: Subsampling) {
        self.width = width
        self.height = height
        self.subsampling = subsampling
    }
}
