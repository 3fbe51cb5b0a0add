import Yams

/// A YAML text composed into Yams nodes, with the problems found on the way.
///
/// Yams refuses a mapping with a duplicate key, pointing at the key's first occurrence. To
/// point at the later occurrence instead, and to go on validating the rest of the file, each
/// refused first occurrence is renamed in place to a placeholder of the same length (so every
/// position stays the same) and the text is composed again. Validation skips placeholder
/// keys and reports the duplicates through ``renamedKeys``.
package struct ComposedYAML {
    /// The document's root node; nil if the text is empty or could not be composed.
    package var root: Node?
    /// Syntax errors; when there are any, ``root`` is nil.
    package var diagnostics: [BoardDiagnostic] = []
    /// Placeholder key name → the duplicated key it replaced.
    package var renamedKeys: [String: String] = [:]

    package init(yaml: String, file: String) {
        var text = yaml
        while true {
            do {
                root = try Yams.compose(yaml: text)
                return
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                // Yams names the first occurrence of the first duplicated key (in key order).
                let key = duplicates.first ?? ""
                let placeholder = Self.placeholder(number: renamedKeys.count, length: key.unicodeScalars.count)
                guard renamedKeys.count < 1000,
                    let renamed = Self.renaming(key, at: context.mark, to: placeholder, in: text)
                else {
                    // A key we cannot rename (quoted with escapes, say): report it where Yams did.
                    diagnostics.append(
                        BoardDiagnostic(
                            file: file, line: context.mark.line, column: context.mark.column,
                            message: "duplicate key '\(key)'"))
                    return
                }
                renamedKeys[placeholder] = key
                text = renamed
            } catch {
                diagnostics.append(Self.diagnostic(for: error, file: file))
                return
            }
        }
    }

    /// A key name made of private-use characters, which no board file contains.
    private static func placeholder(number: Int, length: Int) -> String {
        let scalar = Unicode.Scalar(0xE000 + UInt32(number)) ?? "\u{E000}"
        return String(repeating: Character(scalar), count: max(length, 1))
    }

    /// `text` with the key `key` that starts at `mark` (possibly after a quote) replaced by
    /// `placeholder`, which has as many Unicode scalars; nil if the text there is not `key`.
    private static func renaming(_ key: String, at mark: Mark, to placeholder: String, in text: String) -> String? {
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Array($0) }
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, lines.indices.contains(mark.line - 1) else { return nil }
        var line = lines[mark.line - 1]
        var start = mark.column - 1
        if line.indices.contains(start), line[start] == "'" || line[start] == "\"" { start += 1 }
        let end = start + keyScalars.count
        guard start >= 0, end <= line.count, Array(line[start..<end]) == keyScalars else { return nil }
        line.replaceSubrange(start..<end, with: placeholder.unicodeScalars)
        lines[mark.line - 1] = line
        var result = String.UnicodeScalarView()
        for (index, line) in lines.enumerated() {
            if index > 0 { result.append("\n") }
            result.append(contentsOf: line)
        }
        return String(result)
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
