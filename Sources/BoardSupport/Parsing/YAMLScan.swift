import CYaml
import Foundation
import Yams

/// One pass over a YAML text's parse events, before it is composed into nodes: finds every
/// duplicated mapping key (so that all can be renamed at once, instead of composing the text
/// again for each) and counts the nodes the document expands to through its aliases (so that
/// an alias bomb is refused before anything walks it).
///
/// Never expands an alias: its size is the anchored node's, counted once; the work is linear
/// in the text. On a syntax error it stops, and composing reports the error.
struct YAMLScan {
    /// A key occurrence to rename: every occurrence of a duplicated key but the last.
    struct Duplicate {
        let key: String
        /// 1-based, in Unicode scalars, as Yams reports positions.
        let line: Int
        let column: Int
    }

    /// Earlier occurrences of duplicated scalar keys, in file order.
    private(set) var duplicates: [Duplicate] = []
    /// Nodes as written in the text.
    private(set) var literalNodes = 0
    /// Nodes the document has once every alias is expanded, saturating at `expansionCap`.
    private(set) var expandedNodes = 0
    /// Where the first alias is, 1-based.
    private(set) var firstAlias: (line: Int, column: Int)?

    private struct Frame {
        let isMapping: Bool
        let anchor: String?
        var size = 1
        var atKey = true
        var keys: [Node: [(key: String, line: Int, column: Int)]] = [:]
    }

    init(_ yaml: String, expansionCap: Int) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var utf8 = Array(yaml.utf8)
        utf8.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            scan(&parser, cap: expansionCap)
        }
    }

    private mutating func scan(_ parser: inout yaml_parser_t, cap: Int) {
        var anchors: [String: Int] = [:]
        var stack: [Frame] = []
        func add(_ a: Int, _ b: Int) -> Int { a > cap - b ? cap : a + b }
        // A finished node of `size`: counted into its parent; a scalar key checked for repeats.
        func finish(size: Int, key: Node?, text: String, mark: yaml_mark_t) {
            guard !stack.isEmpty else {
                expandedNodes = size
                return
            }
            let index = stack.count - 1
            stack[index].size = add(stack[index].size, size)
            guard stack[index].isMapping else { return }
            if stack[index].atKey, let key {
                stack[index].keys[key, default: []].append((text, Int(mark.line) + 1, Int(mark.column) + 1))
            }
            stack[index].atKey.toggle()
        }
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return }
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_SCALAR_EVENT:
                literalNodes += 1
                let scalar = event.data.scalar
                let text = Self.string(scalar.value, length: scalar.length)
                // Keys compare as Yams' composer compares them, with Resolver.basic (ComposedYAML).
                let tag = scalar.tag.map { Tag(Tag.Name(rawValue: Self.string($0)), .basic, .default) } ?? Tag(.implicit, .basic, .default)
                let style = Node.Scalar.Style(rawValue: scalar.style.rawValue) ?? .any
                if let anchor = scalar.anchor { anchors[Self.string(anchor)] = 1 }
                finish(size: 1, key: Node.scalar(Node.Scalar(text, tag, style)), text: text, mark: mark)
            case YAML_ALIAS_EVENT:
                literalNodes += 1
                if firstAlias == nil { firstAlias = (Int(mark.line) + 1, Int(mark.column) + 1) }
                let name = event.data.alias.anchor.map { Self.string($0) } ?? ""
                finish(size: anchors[name] ?? 1, key: nil, text: "", mark: mark)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                literalNodes += 1
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                stack.append(Frame(isMapping: isMapping, anchor: anchor.map { Self.string($0) }))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return }
                for occurrences in frame.keys.values where occurrences.count > 1 {
                    duplicates += occurrences.dropLast().map { Duplicate(key: $0.key, line: $0.line, column: $0.column) }
                }
                if let anchor = frame.anchor { anchors[anchor] = frame.size }
                finish(size: frame.size, key: nil, text: "", mark: mark)
            default:
                continue
            }
        }
    }

    private static func string(_ bytes: UnsafeMutablePointer<yaml_char_t>, length: Int? = nil) -> String {
        let count = length ?? strlen(UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
