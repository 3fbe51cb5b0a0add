import Foundation

/// CPU time and memory of a running process, as /proc tells them.
struct ProcessFigures: Codable, Sendable {
    /// utime + stime of the process and of its children, waited for or still running, in
    /// clock ticks.
    var cpuTicks: Int
    /// From /proc/PID/status, kB.
    var vmRSS: Int
    var vmHWM: Int
    /// From /proc/PID/smaps_rollup, kB.
    var pss: Int
    var rssAnon: Int

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// Clock ticks a second (`sysconf(_SC_CLK_TCK)`).
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Reads the figures of `pid` now.
    static func read(pid: Int32) throws -> ProcessFigures {
        var ticks = try ownTicks(pid)
        for child in try descendants(of: pid) {
            // A child may end between the listing and the reading: it then counts in cutime.
            if let childTicks = try? ownTicks(child) { ticks = try add(ticks, childTicks) }
        }
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let rollup = try String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)
        return ProcessFigures(
            cpuTicks: ticks, vmRSS: try field("VmRSS", in: status, pid), vmHWM: try field("VmHWM", in: status, pid),
            pss: try field("Pss", in: rollup, pid), rssAnon: try field("RssAnon", in: status, pid))
    }

    /// utime + stime + cutime + cstime of one process.
    static func ownTicks(_ pid: Int32) throws -> Int {
        let fields = try statFields(pid)
        guard fields.count > 14 else { throw Unreadable(description: "/proc/\(pid)/stat has \(fields.count) fields") }
        var total = 0
        for index in 11...14 {
            guard let value = Int(fields[index]), value >= 0 else { throw Unreadable(description: "/proc/\(pid)/stat field \(index + 3): '\(fields[index])'") }
            total = try add(total, value)
        }
        return total
    }

    /// The fields of /proc/PID/stat after the command's name (state first, then ppid, ...).
    private static func statFields(_ pid: Int32) throws -> [Substring] {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let end = text.lastIndex(of: ")") else { throw Unreadable(description: "/proc/\(pid)/stat: no ')'") }
        return text[text.index(after: end)...].split(separator: " ")
    }

    /// The processes now running whose parent, grandparent, ... is `pid`.
    static func descendants(of pid: Int32) throws -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let child = Int32(entry), let fields = try? statFields(child), fields.count > 1, let parent = Int32(fields[1]) else { continue }
            parents[child] = parent
        }
        var found: Set<Int32> = [pid]
        var grew = true
        while grew {
            grew = false
            for (child, parent) in parents where found.contains(parent) && !found.contains(child) {
                found.insert(child)
                grew = true
            }
        }
        found.remove(pid)
        return found.sorted()
    }

    private static func field(_ name: String, in text: String, _ pid: Int32) throws -> Int {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            if let value = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) }) {
                return value
            }
        }
        throw Unreadable(description: "no \(name) for process \(pid)")
    }

    private static func add(_ a: Int, _ b: Int) throws -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw Unreadable(description: "tick count overflows") }
        return sum
    }
}
