import BoardSupport
import Testing
import Yams

/// Board and configuration YAML is composed with `Resolver.basic` and plain scalars are tagged
/// by `PlainScalarTags`, without regular expressions: the tags must be Yams' default ones.
@Suite struct PlainScalarTagsTests {
    /// What Yams' default resolver (seven NSRegularExpressions) makes of a plain scalar.
    static func yamsTag(_ text: String) -> Yams.Tag.Name {
        Resolver.default.resolveTag(of: Node(text))
    }

    static let edgeCases = [
        "", "~", "null", "Null", "NULL", "nULL", "nil", "None",
        "true", "True", "TRUE", "tRUE", "yes", "No", "ON", "off", "Off", "y", "n", "truee",
        "0", "-0", "+0", "00", "0_", "07", "08", "0o7", "0o8", "0o", "0b", "0b101", "0b2", "-0b1_0", "0x", "0x1F", "0xg",
        "+0x_a", "1_000", "1__", "_1", "12", "-12", "+12", "1:2", "1:20:59", "1:60", "1:5:", "0:30", "190:20:30",
        "1.", "1.5", "-1.5e3", "1e3", "1e", "1E+3", "1.5e-", ".5", ".5e3", ".5e+3", "._", "._1", ".", "-.5",
        "1:30.5", "1:30.", "1:30:07.25", ".inf", "-.inf", "+.Inf", ".INF", ".iNF", "-.nan", ".nan", ".NaN", ".NAN",
        "<<", "<", "=", "==", "2001-12-14", "2001-12-1", "2001-1-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
        "2001-12-14\t21:59:43 Z", "2001-12-14T21:59:43Z ", "2001-12-14T21:59:43+05:", "2001-12-14T1:59:43.",
        "2001-12-14T21:59", "2001-12-14  21:59:43", "12-14", "20ms", "5m", "1h", "2.5s", "GPIO17", "/dev/ttyS0",
        "vc0706", "115200", "0x7f", "١٢", "１２", "tru\u{0065}", "5 ", " 5", "5\n", "5\r\n", "5\u{2028}", "\n", "null\r", "5\n\n",
    ]

    @Test func edgeCasesGetYamsDefaultTags() {
        for text in Self.edgeCases {
            #expect(PlainScalarTags.tag(of: text) == Self.yamsTag(text), "\(text.debugDescription)")
        }
    }

    /// Every string of up to four characters over the characters the rules look at.
    @Test func everyShortStringGetsYamsDefaultTag() {
        let alphabet = Array("0159_:.eE+-xbo<=~aTZ ")
        var strings = [""]
        var mismatches: [String] = []
        for _ in 1...4 {
            strings = strings.flatMap { prefix in alphabet.map { prefix + String($0) } }
            for text in strings where PlainScalarTags.tag(of: text) != Self.yamsTag(text) {
                mismatches.append(text)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map(\.debugDescription))")
    }

    /// Longer numbers and timestamps: every combination of the parts each rule is made of.
    @Test func builtNumbersAndTimestampsGetYamsDefaultTags() {
        var texts: [String] = []
        let signs = ["", "-", "+"]
        let heads = ["0", "1", "12", "1_0", "0b1", "0x1f"]
        let tails = ["", ":5", ":59", ":60", ":5:07", ".", ".5", "._", "e5", "e+5", ".5E-10", ":30.5", ":7."]
        for sign in signs { for head in heads { for tail in tails { texts.append(sign + head + tail) } } }
        let dates = ["2001-12-14", "2001-1-4", "201-12-14", "2001-123-14"]
        let separators = ["", "T", "t", " ", " \t ", "x"]
        let times = ["", "21:59:43", "1:59:43", "21:5:43", "21:59:43.", "21:59:43.10"]
        let zones = ["", "Z", " Z", "-5", "+05:00", "-05:0", "\tZ", " "]
        for date in dates { for separator in separators { for time in times { for zone in zones {
            texts.append(date + separator + time + zone)
        } } } }
        for text in texts {
            #expect(PlainScalarTags.tag(of: text) == Self.yamsTag(text), "\(text.debugDescription)")
        }
    }

    /// Composed as boards and configurations are: plain scalars typed, quoted or tagged ones kept.
    @Test func composedScalarsKeepTheirMeaning() throws {
        let yaml = """
            none:
            tilde: ~
            yes-plain: yes
            false-plain: False
            true-quoted: "true"
            int: 0x1F
            int-quoted: '12'
            int-tagged: !!str 12
            float: 2.5e3
            float-tagged: !!float 3
            text: vc0706
            date: 2001-12-14
            """
        let composed = ComposedYAML(yaml: yaml, file: "test.yaml")
        #expect(composed.diagnostics.isEmpty, "\(composed.diagnostics)")
        let root = try #require(composed.root)
        func value(_ key: String) throws -> Node {
            try #require(root.mapping?.first { $0.key.scalar?.string == key }?.value, "\(key)")
        }
        #expect(try value("none").tagName == .null)
        #expect(try value("tilde").tagName == .null)
        #expect(try value("yes-plain").tagName == .bool)
        #expect(try value("yes-plain").bool == true)
        #expect(try value("false-plain").bool == false)
        #expect(try value("true-quoted").tagName == .str)
        #expect(try value("true-quoted").bool == nil)
        #expect(try value("int").tagName == .int)
        #expect(try value("int").int == 31)
        #expect(try value("int-quoted").tagName == .str)
        #expect(try value("int-tagged").tagName == .str)
        #expect(try value("float").tagName == .float)
        #expect(try value("float").float == 2500)
        #expect(try value("float-tagged").tagName == .float)
        #expect(try value("text").tagName == .str)
        #expect(try value("date").tagName == .timestamp)
        // Resolved once and for all: reading the tag through Yams does not turn it to str.
        _ = try value("int").tag
        #expect(try value("int").tagName == .int)
    }
}
