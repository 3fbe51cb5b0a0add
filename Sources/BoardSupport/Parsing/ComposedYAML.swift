import Yams

/// A YAML text composed into Yams nodes, with the problems found on the way.
///
/// Yams refuses a mapping with a duplicate key, pointing at the key's first occurrence. To
/// point at the later occurrence instead, and to go on validating the rest of the file, every
/// occurrence of a duplicated key but the last is renamed in place to a placeholder of the
/// same length (so every position stays the same), all at once after one pass over the
/// text's parse events (``YAMLScan``), and the text is composed once. Validation skips
/// placeholder keys and reports the duplicates through ``renamedKeys``.
///
/// Text from outside is bounded before Yams sees it: at most ``maximumSize`` bytes, and at
/// most ``maximumAliasExpansion`` nodes added by aliases (an "alias bomb" of a few hundred
/// bytes otherwise expands to billions of nodes for whatever walks the tree).
package struct ComposedYAML {
    /// The document's root node; nil if the text is empty or could not be composed.
    package var root: Node?
    /// Syntax errors; when there are any, ``root`` is nil.
    package var diagnostics: [BoardDiagnostic] = []
    /// Placeholder key name → the duplicated key it replaced.
    package var renamedKeys: [String: String] = [:]

    /// The largest text read: 1 MiB, hundreds of times a real board or node configuration.
    package static let maximumSize = 1 << 20
    /// The most nodes aliases may add to the document, beyond those written out.
    package static let maximumAliasExpansion = 100_000
    /// The most duplicated keys renamed (one placeholder character each, from a private-use
    /// range of 6,400); past it, the first duplicate Yams finds is reported alone.
    static let maximumRenames = 1000

    package init(yaml: String, file: String) {
        let size = yaml.utf8.count
        guard size <= Self.maximumSize else {
            diagnostics.append(BoardDiagnostic(
                file: file, message: "the file is \(size) bytes; at most \(Self.maximumSize) (1 MiB) are read"))
            return
        }
        let scan = YAMLScan(yaml, expansionCap: Self.maximumAliasExpansion * 2 + size)
        if scan.expandedNodes - scan.literalNodes > Self.maximumAliasExpansion {
            diagnostics.append(BoardDiagnostic(
                file: file, line: scan.firstAlias?.line, column: scan.firstAlias?.column,
                message: "aliases expand the file by more than \(Self.maximumAliasExpansion) values; refused"))
            return
        }
        var text = yaml
        let duplicates = scan.duplicates.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        if !duplicates.isEmpty, duplicates.count <= Self.maximumRenames {
            var renames: [(key: String, line: Int, column: Int, placeholder: String)] = []
            for duplicate in duplicates {
                let placeholder = Self.placeholder(number: renames.count, length: duplicate.key.unicodeScalars.count)
                renames.append((duplicate.key, duplicate.line, duplicate.column, placeholder))
            }
            if let renamed = Self.renaming(renames, in: text) {
                text = renamed.text
                for (placeholder, key) in renamed.applied { renamedKeys[placeholder] = key }
            }
        }
        do {
            // Resolver.basic: the default one compiles seven NSRegularExpressions (ICU); plain
            // scalars get the same tags from PlainScalarTags.
            root = try Yams.compose(yaml: text, .basic).map(PlainScalarTags.resolved)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            // A key the scan could not rename (quoted with escapes, an alias): reported where Yams found it.
            diagnostics.append(BoardDiagnostic(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate key '\(duplicates.first ?? "")'"))
        } catch {
            diagnostics.append(Self.diagnostic(for: error, file: file))
        }
    }

    /// A key name made of private-use characters, which no board file contains.
    private static func placeholder(number: Int, length: Int) -> String {
        let scalar = Unicode.Scalar(0xE000 + UInt32(truncatingIfNeeded: number)) ?? "\u{E000}"
        return String(repeating: Character(scalar), count: max(length, 1))
    }

    /// `text` with each key that starts at its line and column (possibly after a quote)
    /// replaced by its placeholder, which has as many Unicode scalars, in one pass; a key not
    /// found there as written (escapes, say) is left alone. Also the placeholders used.
    private static func renaming(
        _ renames: [(key: String, line: Int, column: Int, placeholder: String)], in text: String
    ) -> (text: String, applied: [(String, String)])? {
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Array($0) }
        var applied: [(String, String)] = []
        for rename in renames {
            let keyScalars = Array(rename.key.unicodeScalars)
            guard !keyScalars.isEmpty, lines.indices.contains(rename.line - 1) else { continue }
            var line = lines[rename.line - 1]
            var start = rename.column - 1
            if line.indices.contains(start), line[start] == "'" || line[start] == "\"" { start += 1 }
            let end = start + keyScalars.count
            guard start >= 0, end <= line.count, Array(line[start..<end]) == keyScalars else { continue }
            line.replaceSubrange(start..<end, with: rename.placeholder.unicodeScalars)
            lines[rename.line - 1] = line
            applied.append((rename.placeholder, rename.key))
        }
        guard !applied.isEmpty else { return nil }
        var result = String.UnicodeScalarView()
        for (index, line) in lines.enumerated() {
            if index > 0 { result.append("\n") }
            result.append(contentsOf: line)
        }
        return (String(result), applied)
    }

    /// A diagnostic for an error Yams threw while composing, at the position it names.
    private static func diagnostic(for error: any Error, file: String) -> BoardDiagnostic {
        func syntax(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> BoardDiagnostic {
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            return BoardDiagnostic(file: file, line: mark.line, column: mark.column, message: message)
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return syntax(problem, context, mark)
        case .reader(let problem, let offset, _, let yaml):
            let position = offset.map { Self.position(ofCharacter: $0, in: yaml) }
            return BoardDiagnostic(
                file: file, line: position?.line, column: position?.column,
                message: "the board file is not readable text: \(problem)")
        default:
            return BoardDiagnostic(file: file, message: "YAML error: \(error)")
        }
    }

    /// The 1-based line and column (in Unicode scalars) of the `offset`th character.
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }
}
