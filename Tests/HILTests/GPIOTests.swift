import BoardSupport
import HAL
import Testing

extension HardwareInTheLoop {
    /// GPIO on the chosen target (VIGIL_HIL): the backend's view checked against the outside
    /// world's.
    @Suite("GPIO")
    struct GPIOTests {
        static let consumer = "vigil-hil"

        @Test("VIGIL_HIL names a target: sim, virtual or board:FILE with a board file that loads")
        func selectionIsValid() {
            if let problem = HIL.configurationError { Issue.record(Comment(rawValue: problem)) }
        }

        @Test("The target named by VIGIL_HIL is there", .needs(HIL.gpioUnavailable))
        func targetIsThere() throws {
            let target = try HIL.target()
            #expect(try !target.gpio.chips().isEmpty, "\(target.name) has no GPIO chips")
        }

        @Test("Every chip of the board is found by its label, with the board's line count and names",
              .needs(HIL.gpioUnavailable))
        func chipsFoundByLabel() async throws {
            let target = try HIL.target()
            try await target.run {
                for boardChip in target.board.chips {
                    let chip = try target.gpio.chip(.label(boardChip.label))
                    #expect(chip.info.label == boardChip.label)
                    #expect(chip.info.lineCount == boardChip.lineCount)
                    #expect(try target.gpio.chips().contains { $0.info.label == boardChip.label })
                    // The same chip by its kernel name and by its device path.
                    #expect(try target.gpio.chip(ChipSelector(chip.info.name)).info.label == boardChip.label)
                    #expect(try target.gpio.chip(.path(chip.info.path)).info.label == boardChip.label)
                    for (offset, name) in boardChip.names.enumerated() where !name.isEmpty {
                        #expect(try chip.lineInfo(offset).name == name, "line \(offset) of \(boardChip.label)")
                    }
                }
                let missing = #expect(throws: HALError.self) { try target.gpio.chip(.label("vigil-hil-no-such-chip")) }
                #expect(missing?.kind == .notFound)
            }
        }

        @Test("Lines are found by name (GPIO17) and through the board's roles", .needs(HIL.gpioUnavailable))
        func lineNamesResolved() async throws {
            let target = try HIL.target()
            try await target.run {
                let board = target.board
                if let chip = board.chips.first(where: { $0.offsets(ofLineNamed: "GPIO17") == [17] && $0.names.count > 17 }) {
                    let found = try #require(try target.gpio.findLine(named: "GPIO17"), "no line named GPIO17 on \(target.name)")
                    #expect(found.chip.info.label == chip.label)
                    #expect(found.offset == 17)
                }
                for role in LogicalLine.allCases {
                    guard let assignment = board.lines[role] else { continue }
                    let resolved = try #require(try board.resolve(role, in: target.gpio), "\(role) did not resolve")
                    #expect(resolved.chip.info.label == assignment.chipLabel, "\(role)")
                    #expect(resolved.offset == assignment.offset, "\(role)")
                    if let name = assignment.lineName {
                        #expect(try resolved.chip.lineInfo(resolved.offset).name == name, "\(role)")
                        let byName = try target.gpio.findLine(named: name)
                        #expect(
                            byName?.chip.info.label == assignment.chipLabel && byName?.offset == assignment.offset,
                            "\(role) by its name \(name)")
                    }
                }
            }
        }

        @Test("Output lines are driven to their values, active-low inverting the level",
              .needs(HIL.outputsUnavailable))
        func outputsDrivenAndReadBack() async throws {
            let target = try HIL.target()
            try await target.run {
                for role in try #require(target.observableOutputs.value) {
                    let (chip, offset) = try #require(try target.board.resolve(role, in: target.gpio))
                    for activeLow in [false, true] {
                        let settings = LineSettings.output(initialValue: false, activeLow: activeLow)
                        let request = try chip.requestLines([offset], settings: settings, consumer: Self.consumer)
                        defer { request.release() }
                        let info = try chip.lineInfo(offset)
                        #expect(info.isUsed && info.consumer == Self.consumer && info.direction == .output, "\(role): \(info)")
                        #expect(info.activeLow == activeLow, "\(role): the kernel's active-low flag")
                        #expect(try await target.level(of: role) == activeLow, "\(role) requested at 0, active-low \(activeLow)")
                        for value in [true, false, true] {
                            try request.setValues([value])
                            #expect(try request.values() == [value], "\(role) reads back what it was set to")
                            #expect(
                                try await target.level(of: role) == (value != activeLow),
                                "\(role) set to \(value), active-low \(activeLow): the pin's level")
                        }
                    }
                }
            }
        }

        @Test("Input edges arrive in order, stamped by the kernel at the time of the drive",
              .needs(HIL.inputsUnavailable))
        func inputEdgesCarryKernelTimestamps() async throws {
            let target = try HIL.target()
            try await target.run {
                for role in try #require(target.drivableInputs.value) {
                    let assignment = try #require(target.board.lines[role])
                    let (chip, offset) = try #require(try target.board.resolve(role, in: target.gpio))
                    var settings = assignment.settings
                    settings.edgeDetection = .both
                    let request = try chip.requestLines([offset], settings: settings, consumer: Self.consumer)
                    defer { request.release() }
                    let clock = request.clock
                    let settle = (settings.debounce ?? .zero) + .milliseconds(200)

                    // Idle: logical 0.
                    try await target.drive(role, high: settings.activeLow)
                    _ = try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: settle))
                    #expect(try request.values() == [false], "\(role) idles at 0")

                    var stamps: [MonotonicInstant] = []
                    for value in [true, false, true, false] {
                        let before = clock.now
                        try await target.drive(role, high: value != settings.activeLow)
                        let after = clock.now
                        let events = try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: settle + .seconds(2)))
                        try #require(events.count == 1, "\(role) driven to \(value): one edge, not \(events)")
                        let event = events[0]
                        #expect(event.kind == (value ? .rising : .falling), "\(role) driven to \(value): \(event)")
                        #expect(event.offset == offset)
                        let slack = HIL.settlingUncertainty(of: request)
                        #expect(
                            event.timestamp >= before.advanced(by: .zero - slack) && event.timestamp <= after.advanced(by: slack),
                            "\(role): the edge's timestamp \(event.timestamp) lies within the drive, \(before) to \(after) (± \(slack))")
                        #expect(try request.values() == [value], "\(role) reads \(value) after the edge")
                        stamps.append(event.timestamp)
                    }
                    #expect(stamps == stamps.sorted(), "\(role): timestamps are monotonic: \(stamps)")
                    if !(target is SimulatedTarget) {
                        // On real time every drive happens later than the one before.
                        #expect(Set(stamps).count == stamps.count, "\(role): timestamps strictly increase: \(stamps)")
                    }
                }
            }
        }

        @Test("A burst of changes inside the debounce period gives one edge; without debounce, every change",
              .needs(HIL.inputsUnavailable))
        func debounce() async throws {
            let target = try HIL.target()
            try await target.run {
                let role = try #require(target.drivableInputs.value?.first)
                let assignment = try #require(target.board.lines[role])
                let (chip, offset) = try #require(try target.board.resolve(role, in: target.gpio))
                let period = Duration.milliseconds(250)
                // Each change is given up to `gap` to be reported before the next: the kernel reports
                // every one (without debounce); the debouncer must hold them all back but the last.
                let gap = Duration.milliseconds(20)
                let burst = [true, false, true, false, true]

                for debounce in [nil, period] {
                    let settings = LineSettings.input(bias: assignment.bias, edges: .both, debounce: debounce)
                    let request = try chip.requestLines([offset], settings: settings, consumer: Self.consumer)
                    defer { request.release() }
                    let clock = request.clock
                    try await target.drive(role, high: false)
                    _ = try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: period + .milliseconds(100)))

                    var duringBurst: [EdgeEvent] = []
                    let start = clock.now
                    for high in burst {
                        try await target.drive(role, high: high)
                        duringBurst += try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: gap))
                    }
                    let end = clock.now
                    try #require(
                        start.duration(to: end) < period,
                        "the burst took \(start.duration(to: end)), longer than the \(period) debounce period")

                    if let debounce {
                        #expect(duringBurst.isEmpty, "debounced \(role): nothing reported while it bounces: \(duringBurst)")
                        var events: [EdgeEvent] = []
                        let deadline = end.advanced(by: debounce * 3)
                        while clock.now < deadline {
                            events += try await request.waitForEdgeEvents(deadline: deadline)
                        }
                        #expect(events.map(\.kind) == [.rising], "debounced \(role): one rising edge, not \(events)")
                        if let event = events.first {
                            let slack = HIL.settlingUncertainty(of: request)
                            #expect(
                                event.timestamp >= start.advanced(by: .zero - slack) && event.timestamp <= end.advanced(by: slack),
                                "stamped when the line settled: \(event)")
                        }
                    } else {
                        let events = duringBurst
                        #expect(
                            events.map(\.kind) == burst.map { $0 ? .rising : .falling },
                            "\(role) without debounce: \(events)")
                        #expect(events.map(\.timestamp) == events.map(\.timestamp).sorted(), "in order: \(events)")
                        #expect(events.allSatisfy { $0.timestamp >= start && $0.timestamp <= end }, "\(events)")
                    }
                    #expect(try request.values() == [true])
                }
            }
        }
    }
}
