import Foundation
import HAL
import Node
import Recorder
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// Helpers the sections share: running programs for their JSON, emulators, waiting, loopback ports.
extension Workspace {
    /// The repository this executable was built from (the folder above `.build` with Package.swift).
    var repository: String {
        get throws {
            var folder = binaries
            while folder != "/" && !folder.isEmpty {
                folder = (folder as NSString).deletingLastPathComponent
                if FileManager.default.fileExists(atPath: folder + "/Package.swift") { return folder }
            }
            throw ChildProcess.Failure(description: "no Package.swift above \(binaries)")
        }
    }

    /// Runs a program to its end and decodes the JSON object it printed last.
    func runJSON<Value: Decodable>(
        _ type: Value.Type, _ executable: String, _ arguments: [String], name: String, timeout: Duration,
        environment: [String: String]? = nil
    ) throws -> Value {
        let child = try ChildProcess(executable, arguments, name: name, folder: folder, environment: environment)
        return try lastJSON(Value.self, in: try child.output(within: timeout), from: name)
    }

    /// Starts `vigil emulate` with `count` cameras and returns it with their pty paths.
    func emulator(_ model: String, count: Int = 1, baud: Int, size: String? = nil, trace: Bool = false, name: String) async throws -> (ChildProcess, [String]) {
        let link = path(name + ".pty")
        var arguments = ["emulate", "--camera", model, "--count", "\(count)", "--baud", "\(baud)", "--link", link]
        if let size, model == "vc0706" { arguments += ["--size", size] }
        if trace { arguments.append("--trace") }
        let process = try ChildProcess(vigil, arguments, name: name, folder: folder)
        let paths = count == 1 ? [link] : (0..<count).map { "\(link)\($0)" }
        do {
            try await waitUntil("vigil emulate made its \(count) pty link(s)", within: .seconds(60), process: process) {
                paths.allSatisfy { FileManager.default.fileExists(atPath: $0) }
            }
        } catch {
            process.stop()
            throw error
        }
        return (process, paths)
    }
}

/// Decodes the last JSON object in `output`: all of it (pretty-printed), or its last line.
func lastJSON<Value: Decodable>(_ type: Value.Type, in output: String, from name: String) throws -> Value {
    let text = "\n" + output.trimmingCharacters(in: .whitespacesAndNewlines)
    var end = text.endIndex
    var lastError: (any Error)?
    while let start = text.range(of: "\n{", options: .backwards, range: text.startIndex..<end)?.lowerBound {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text[start...].utf8))
        } catch {
            lastError = error
            end = start
        }
    }
    throw ChildProcess.Failure(description: "\(name) printed no JSON object of the expected form (\(lastError.map { "\($0)" } ?? "none")): \(output.suffix(400))")
}

/// Waits, polling every 200 ms, until `condition` holds; throws if `process` ends first or the time runs out.
func waitUntil(_ what: String, within limit: Duration, process: ChildProcess?, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if let process, !process.isRunning { throw ChildProcess.Failure(description: "\(process.name) exited: \(process.errorTail())") }
        guard ContinuousClock.now < deadline else { throw ChildProcess.Failure(description: "not within \(limit): \(what)") }
        try await Task.sleep(for: .milliseconds(200))
    }
}

/// The running recorder's status, from its control socket in `storage`.
func recorderStatus(storage: String) throws -> RecorderStatus {
    let response = try ControlClient.send(ControlRequest(command: .status), to: storage + "/vigil.sock")
    guard response.ok, let status = response.status else {
        throw ChildProcess.Failure(description: "vigil record's status: \(response.error ?? "none")")
    }
    return status
}

/// A TCP port free on 127.0.0.1 now.
func freeLoopbackPort() throws -> Int {
    let descriptor = try systemCall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
    defer { close(descriptor) }
    return try bindLoopback(descriptor)
}

/// Binds `descriptor` to a free port on 127.0.0.1 and returns the port.
func bindLoopback(_ descriptor: Int32) throws -> Int {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            try systemCall("bind", target: "127.0.0.1") { bind(descriptor, raw, length) }
            try systemCall("getsockname") { getsockname(descriptor, raw, &length) }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Median, maximum, minimum and count of a sample.
struct Summary: Codable, Sendable {
    var median: Double
    var max: Double
    var min: Double
    var count: Int

    init(_ values: [Double]) {
        let sorted = values.sorted()
        median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        max = sorted.last ?? 0
        min = sorted.first ?? 0
        count = sorted.count
    }
}

/// A table's lines: cells padded to `widths`, the first `leftAligned` columns on the left.
func tableRow(_ cells: [String], _ widths: [Int], leftAligned: Int = 1) -> String {
    zip(cells, widths).enumerated().map { index, pair in
        let padding = String(repeating: " ", count: Swift.max(0, pair.1 - pair.0.count))
        return index < leftAligned ? pair.0 + padding : padding + pair.0
    }.joined(separator: " ")
}

/// `value` with `format`, or "-" for none.
func formatted(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }

/// One figure against its target, as the verdict lines print it.
func verdict(_ measure: String, _ figure: String, target: String, met: Bool?) -> String {
    tableRow([measure, figure, target, met.map { $0 ? "yes" : "NO" } ?? ""], [66, 12, 8, 3], leftAligned: 1)
}
