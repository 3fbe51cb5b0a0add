import HAL
import Yams

/// Reads values out of composed YAML nodes, recording a diagnostic at the offending node for
/// every value that is missing, unknown or of the wrong kind. Readers return nil after
/// reporting, so callers simply skip what they could not read and go on to find more problems.
package struct NodeReader {
    package let file: String
    /// Placeholder → original key, from ``ComposedYAML/renamedKeys``.
    package let renamedKeys: [String: String]
    package private(set) var diagnostics: [BoardDiagnostic] = []
    /// Placeholders whose duplicates have been reported.
    private var reportedPlaceholders: Set<String> = []

    package init(file: String, renamedKeys: [String: String]) {
        self.file = file
        self.renamedKeys = renamedKeys
    }

    /// Records a problem at a 1-based line and column.
    package mutating func report(_ message: String, line: Int?, column: Int?) {
        diagnostics.append(BoardDiagnostic(file: file, line: line, column: column, message: message))
    }

    /// Records a problem at the node that causes it.
    package mutating func report(_ message: String, at node: Node) {
        report(message, line: node.mark?.line, column: node.mark?.column)
    }

    // MARK: Mappings

    /// One key of a mapping and its value.
    package struct Entry {
        package let name: String
        package let key: Node
        package let value: Node
    }

    /// The mapping's entries in file order; for a duplicated key, only its last occurrence,
    /// after reporting every later occurrence as a duplicate.
    ///
    /// - Parameters:
    ///   - subject: what the mapping is, for "`subject` must be a mapping", such as `camera`.
    ///   - context: where its keys are, for messages about them, such as `in camera`.
    package mutating func entries(of node: Node, subject: String, context: String) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            report("\(subject) must be a mapping of keys to values, not \(Self.describe(node))", at: node)
            return nil
        }
        var entries: [Entry] = []
        var occurrences: [String: [Node]] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report("keys \(context) must be names, not \(Self.describe(key))", at: key)
                continue
            }
            if let original = renamedKeys[scalar.string] {
                reportedPlaceholders.insert(scalar.string)
                occurrences[original, default: []].append(key)
                continue
            }
            occurrences[scalar.string, default: []].append(key)
            entries.append(Entry(name: scalar.string, key: key, value: value))
        }
        for (name, keys) in occurrences where keys.count > 1 {
            let sorted = keys.sorted { Self.precedes($0.mark, $1.mark) }
            let first = sorted[0].mark.map { " (first at \($0.line):\($0.column))" } ?? ""
            for key in sorted.dropFirst() {
                report("duplicate key '\(name)' \(context)\(first)", at: key)
            }
        }
        return entries
    }

    /// A mapping's entries by name, checked against the keys it may and must have.
    package struct Fields {
        package let context: String
        package let entries: [Entry]

        package subscript(name: String) -> Node? { entries.first { $0.name == name }?.value }

        /// The key node of `name`, to point at the key rather than its value.
        package func key(_ name: String) -> Node? { entries.first { $0.name == name }?.key }

        /// How to name the value of `key` in a message: `'active-low' in line 'tamper'`.
        package func what(_ key: String) -> String { "'\(key)' \(context)" }
    }

    /// The mapping's entries, after reporting keys not in `allowed` and `required` keys that
    /// are missing (at the mapping itself).
    package mutating func fields(
        of node: Node, subject: String, context: String, allowed: [String], required: [String] = []
    ) -> Fields? {
        guard let entries = entries(of: node, subject: subject, context: context) else { return nil }
        for entry in entries where !allowed.contains(entry.name) {
            report(
                "unknown key '\(entry.name)' \(context) (expected one of: \(allowed.joined(separator: ", ")))",
                at: entry.key)
        }
        for name in required where !entries.contains(where: { $0.name == name }) {
            report("missing required key '\(name)' \(context)", at: node)
        }
        return Fields(context: context, entries: entries)
    }

    /// Reports duplicate keys in mappings no validation visited (such as the value of an
    /// unknown key), so that no duplicate goes unreported.
    package mutating func reportUnvisitedDuplicates(in node: Node) {
        switch node {
        case .mapping(let mapping):
            let hasUnvisited = mapping.keys.contains { key in
                guard let name = key.scalar?.string else { return false }
                return renamedKeys[name] != nil && !reportedPlaceholders.contains(name)
            }
            if hasUnvisited { _ = entries(of: node, subject: "this value", context: "in this mapping") }
            for value in mapping.values { reportUnvisitedDuplicates(in: value) }
        case .sequence(let sequence):
            for item in sequence { reportUnvisitedDuplicates(in: item) }
        case .scalar, .alias:
            break
        }
    }

    // MARK: Values

    /// The text of a scalar (plain or quoted; numbers and booleans as written).
    package mutating func text(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, node.tagName != .null else {
            report("\(what) must be text, not \(Self.describe(node))", at: node)
            return nil
        }
        return scalar.string
    }

    /// A YAML boolean; a quoted "true" is text and is refused.
    package mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard node.tagName == .bool, let value = node.bool else {
            report("\(what) must be true or false, not \(Self.describe(node))", at: node)
            return nil
        }
        return value
    }

    /// A YAML integer.
    package mutating func integer(_ node: Node, _ what: String) -> Int? {
        guard node.tagName == .int, let value = node.int else {
            report("\(what) must be a whole number, not \(Self.describe(node))", at: node)
            return nil
        }
        return value
    }

    /// A YAML number (integer or decimal).
    package mutating func number(_ node: Node, _ what: String) -> Double? {
        guard node.tagName == .int || node.tagName == .float, let value = node.float ?? node.int.map(Double.init) else {
            report("\(what) must be a number, not \(Self.describe(node))", at: node)
            return nil
        }
        return value
    }

    /// A duration such as `20ms`, `90s`, `5m` or `1h` (a bare number is seconds).
    package mutating func duration(_ node: Node, _ what: String) -> Duration? {
        guard case .scalar(let scalar) = node, let value = Duration(humanReadable: scalar.string) else {
            let problem = node.scalar.map { Duration.humanReadableProblem($0.string) } ?? Duration.humanReadableProblem("")
            report("\(what) \(problem), not \(Self.describe(node))", at: node)
            return nil
        }
        return value
    }

    /// One of an enumeration's raw values: "unknown bias 'pullup' in line 'tamper' (expected
    /// one of: as-is, disabled, pull-up, pull-down)".
    package mutating func choice<Value: CaseIterable & RawRepresentable<String>>(
        _ node: Node, _ type: Value.Type, noun: String, context: String? = nil
    ) -> Value? {
        let expected = Value.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .scalar(let scalar) = node, let value = Value(rawValue: scalar.string) else {
            let found = node.scalar.map { "'\($0.string)'" } ?? Self.describe(node)
            let place = context.map { " \($0)" } ?? ""
            report("unknown \(noun) \(found)\(place) (expected one of: \(expected))", at: node)
            return nil
        }
        return value
    }

    /// The items of a sequence.
    package mutating func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report("\(what) must be a list, not \(Self.describe(node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    // MARK: Helpers

    /// A node as messages show it: `'maybe'`, `the string 'true'`, `a mapping`, `a list`.
    package static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if node.tagName == .null { return "an empty value" }
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            return quoted ? "the string '\(scalar.string)'" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private static func precedes(_ lhs: Mark?, _ rhs: Mark?) -> Bool {
        guard let lhs, let rhs else { return false }
        return (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

extension Node {
    /// The node's resolved tag (`str`, `int`, `bool`, `null`, ...): a quoted scalar is always `str`.
    package var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
