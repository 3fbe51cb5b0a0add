/// The topics of one node: `<prefix>/<node>/...`.
public struct MQTTTopics: Sendable, Hashable {
    public let prefix: String
    public let node: String

    public init(prefix: String, node: String) {
        self.prefix = prefix
        self.node = node
    }

    var base: String { "\(prefix)/\(node)" }
    /// `online`/`offline`, retained; `offline` is the last will.
    public var availability: String { "\(base)/availability" }
    /// The node's status JSON, retained (cameras, start, disk free, last event, errors).
    public var status: String { "\(base)/status" }
    /// `{"type": "new"|"update"|"end", "before": ..., "after": ...}`, QoS 1, from the outbox.
    public var events: String { "\(base)/events" }
    /// Answers to commands that could not be carried out.
    public var errors: String { "\(base)/errors" }
    /// A camera's state JSON, retained.
    public func state(_ camera: String) -> String { "\(base)/\(camera)/state" }
    /// `ON`/`OFF`, retained.
    public func motion(_ camera: String) -> String { "\(base)/\(camera)/motion" }
    /// The last snapshot's JPEG bytes, retained.
    public func snapshot(_ camera: String) -> String { "\(base)/\(camera)/snapshot" }
    /// The IR mode (`on`, `off`, `auto`), retained.
    public func irState(_ camera: String) -> String { "\(base)/\(camera)/ir/state" }
    /// A command: `trigger`, `snapshot` or `ir`.
    public func command(_ camera: String, _ feature: String) -> String { "\(base)/\(camera)/\(feature)/set" }
    /// Every command to this node.
    public var commands: String { "\(base)/+/+/set" }

    /// The camera and feature of a command topic of this node; nil for any other topic.
    public func parseCommand(_ topic: String) -> (camera: String, feature: String)? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count == 5, levels[0] == prefix, levels[1] == node, levels[4] == "set" else { return nil }
        return (String(levels[2]), String(levels[3]))
    }
}
