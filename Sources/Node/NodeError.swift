/// A node that cannot be built or started, with a message for the user naming what and why
/// (a file, a line, a device) and, where there is one, what to do about it.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
