import Yams

/// The tags of plain (unquoted, untagged) scalars, resolved without regular expressions.
///
/// Yams' `Resolver.default` matches each plain scalar against seven `NSRegularExpression`s,
/// which brings ICU's regular-expression engine into every process that reads a board or a
/// node configuration (some 2.4 MB resident). This resolves the same scalars to the same tags,
/// by the same rules in the same order (bool, int, float, merge, null, timestamp, value; else
/// str), with a hand-written matcher over the scalar's bytes. `PlainScalarTagsTests` checks it
/// against Yams' own rules.
package enum PlainScalarTags {
    /// The tag Yams' default resolver gives a plain scalar written as `text`.
    package static func tag(of text: String) -> Tag.Name {
        // ICU's `$` also matches before one line terminator at the very end (a plain scalar
        // never ends with one; kept so that the two agree on every string).
        var scalars = Substring(text).unicodeScalars
        if scalars.last == "\n", scalars.dropLast().last == "\r" {
            scalars = scalars.dropLast(2)
        } else if let last = scalars.last, ["\n", "\u{0B}", "\u{0C}", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(last) {
            scalars = scalars.dropLast()
        }
        let bytes = Array(Substring(scalars).utf8)
        if isBool(bytes) { return .bool }
        if isInt(bytes) { return .int }
        if isFloat(bytes) { return .float }
        if bytes == Array("<<".utf8) { return .merge }
        if isNull(bytes) { return .null }
        if isTimestamp(bytes) { return .timestamp }
        if bytes == Array("=".utf8) { return .value }
        return .str
    }

    /// `node` with every plain scalar that has no tag of its own tagged as ``tag(of:)`` says, so
    /// that nothing resolves it later with `Resolver.default`. Compose with `Resolver.basic` first.
    package static func resolved(_ node: Node) -> Node {
        switch node {
        case .scalar(var scalar):
            // An unresolved tag reads as its name: empty for a scalar written plain and untagged.
            if scalar.tag.description == Tag.Name.implicit.rawValue {
                scalar.tag = Tag(tag(of: scalar.string), .basic, .default)
            }
            return .scalar(scalar)
        case .mapping(let mapping):
            return .mapping(Node.Mapping(
                mapping.map { (resolved($0.key), resolved($0.value)) }, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(resolved), sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    // MARK: The rules, one function each (Yams' patterns quoted above each)

    private static let bools: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    private static func isBool(_ bytes: [UInt8]) -> Bool {
        bytes.count <= 5 && bools.contains(String(decoding: bytes, as: UTF8.self))
    }

    private static func isNull(_ bytes: [UInt8]) -> Bool {
        // ^(?:~|null|Null|NULL|)$
        bytes.isEmpty || ["~", "null", "Null", "NULL"].contains { Array($0.utf8) == bytes }
    }

    private static func isInt(_ bytes: [UInt8]) -> Bool {
        // [-+]?0b[0-1_]+
        var binary = Cursor(bytes)
        binary.sign()
        if binary.take("0"), binary.take("b"), binary.many(Cursor.binaryDigit) > 0, binary.atEnd { return true }
        // [-+]?0o?[0-7_]+
        var octal = Cursor(bytes)
        octal.sign()
        if octal.take("0") {
            _ = octal.take("o")
            if octal.many(Cursor.octalDigit) > 0, octal.atEnd { return true }
        }
        // [-+]?(?:0|[1-9][0-9_]*)
        var decimal = Cursor(bytes)
        decimal.sign()
        if decimal.take("0") {
            if decimal.atEnd { return true }
        } else if decimal.one(Cursor.nonZeroDigit), decimal.many(Cursor.digitOrUnderscore) >= 0, decimal.atEnd {
            return true
        }
        // [-+]?0x[0-9a-fA-F_]+
        var hexadecimal = Cursor(bytes)
        hexadecimal.sign()
        if hexadecimal.take("0"), hexadecimal.take("x"), hexadecimal.many(Cursor.hexDigit) > 0, hexadecimal.atEnd {
            return true
        }
        // [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
        var sexagesimal = Cursor(bytes)
        sexagesimal.sign()
        if sexagesimal.one(Cursor.nonZeroDigit) {
            _ = sexagesimal.many(Cursor.digitOrUnderscore)
            if sexagesimal.sexagesimalParts() > 0, sexagesimal.atEnd { return true }
        }
        return false
    }

    private static func isFloat(_ bytes: [UInt8]) -> Bool {
        // [-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        var decimal = Cursor(bytes)
        decimal.sign()
        if decimal.one(Cursor.digit) {
            _ = decimal.many(Cursor.digitOrUnderscore)
            if decimal.take(".") { _ = decimal.many(Cursor.digitOrUnderscore) }
            if decimal.atEnd { return true }
            if decimal.one({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                decimal.sign()
                if decimal.many(Cursor.digit) > 0, decimal.atEnd { return true }
            }
        }
        // \.[0-9_]+(?:[eE][-+][0-9]+)?
        var fraction = Cursor(bytes)
        if fraction.take("."), fraction.many(Cursor.digitOrUnderscore) > 0 {
            if fraction.atEnd { return true }
            if fraction.one({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
                fraction.one({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }), fraction.many(Cursor.digit) > 0,
                fraction.atEnd
            {
                return true
            }
        }
        // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        var sexagesimal = Cursor(bytes)
        sexagesimal.sign()
        if sexagesimal.one(Cursor.digit) {
            _ = sexagesimal.many(Cursor.digitOrUnderscore)
            if sexagesimal.sexagesimalParts() > 0, sexagesimal.take(".") {
                _ = sexagesimal.many(Cursor.digitOrUnderscore)
                if sexagesimal.atEnd { return true }
            }
        }
        // [-+]?\.(?:inf|Inf|INF)
        var infinity = Cursor(bytes)
        infinity.sign()
        if infinity.take("."), infinity.rest(oneOf: ["inf", "Inf", "INF"]) { return true }
        // \.(?:nan|NaN|NAN)
        var nan = Cursor(bytes)
        return nan.take(".") && nan.rest(oneOf: ["nan", "NaN", "NAN"])
    }

    private static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        // [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        var date = Cursor(bytes)
        if date.digits(4), date.take("-"), date.digits(2), date.take("-"), date.digits(2), date.atEnd { return true }
        // [0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]
        // (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
        var time = Cursor(bytes)
        guard time.digits(4), time.take("-"), time.oneOrTwoDigits(), time.take("-"), time.oneOrTwoDigits() else {
            return false
        }
        if !time.one({ $0 == UInt8(ascii: "T") || $0 == UInt8(ascii: "t") }) {
            guard time.many(Cursor.blank) > 0 else { return false }
        }
        guard time.oneOrTwoDigits(), time.take(":"), time.digits(2), time.take(":"), time.digits(2) else { return false }
        if time.take(".") { _ = time.many(Cursor.digit) }
        if time.atEnd { return true }
        _ = time.many(Cursor.blank)
        if time.take("Z") { return time.atEnd }
        guard time.one({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }), time.oneOrTwoDigits() else { return false }
        if time.take(":") { guard time.digits(2) else { return false } }
        return time.atEnd
    }

    /// A position in a scalar's bytes; each step consumes only on success. The patterns above
    /// need no backtracking: where a repetition is greedy, what may follow it is never what it takes.
    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        static func digit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        static func nonZeroDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") }
        static func digitOrUnderscore(_ byte: UInt8) -> Bool { digit(byte) || byte == UInt8(ascii: "_") }
        static func binaryDigit(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") || byte == UInt8(ascii: "_")
        }
        static func octalDigit(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7")) || byte == UInt8(ascii: "_")
        }
        static func hexDigit(_ byte: UInt8) -> Bool {
            digitOrUnderscore(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
        }
        static func blank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

        var atEnd: Bool { index == bytes.count }

        mutating func one(_ matches: (UInt8) -> Bool) -> Bool {
            guard index < bytes.count, matches(bytes[index]) else { return false }
            index += 1
            return true
        }

        mutating func take(_ character: Unicode.Scalar) -> Bool { one { $0 == UInt8(ascii: character) } }

        /// `[-+]?`; true, for use in a condition.
        @discardableResult
        mutating func sign() -> Bool {
            _ = one { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
            return true
        }

        /// As many bytes as match; how many.
        mutating func many(_ matches: (UInt8) -> Bool) -> Int {
            let start = index
            while one(matches) {}
            return index - start
        }

        /// Exactly `count` digits.
        mutating func digits(_ count: Int) -> Bool {
            let start = index
            for _ in 0..<count where !one(Cursor.digit) {
                index = start
                return false
            }
            return true
        }

        /// `[0-9][0-9]?`
        mutating func oneOrTwoDigits() -> Bool {
            guard one(Cursor.digit) else { return false }
            _ = one(Cursor.digit)
            return true
        }

        /// `(?::[0-5]?[0-9])*`: how many parts. Two digits are taken where the first is 0-5,
        /// since a digit left over could only fail what follows (`.`, `:` or the end).
        mutating func sexagesimalParts() -> Int {
            var parts = 0
            while index + 1 < bytes.count, bytes[index] == UInt8(ascii: ":"), Cursor.digit(bytes[index + 1]) {
                index += 2
                if index < bytes.count, Cursor.digit(bytes[index]), bytes[index - 1] <= UInt8(ascii: "5") { index += 1 }
                parts += 1
            }
            return parts
        }

        /// Whether the rest is exactly one of `words`.
        mutating func rest(oneOf words: [String]) -> Bool {
            let rest = Array(bytes[index...])
            guard words.contains(where: { Array($0.utf8) == rest }) else { return false }
            index = bytes.count
            return true
        }
    }
}
