import BoardSupport
import HAL
import HALLinux
import Testing

extension HIL {
    /// Why the tests of what only libgpiod's v2 API offers (kernel debounce, the kernel's choice
    /// of edges and event clock, larger event queues) cannot run; nil if they can.
    /// Tools/virtual-board/test accepts these skips from a v1 build, recognising "needs libgpiod v2".
    static var libgpiodV2Unavailable: String? {
        if let reason = inputsUnavailable { return reason }
        guard probe.value is LinuxTarget else {
            return "needs the Linux backend: the simulated one has no kernel to debounce or queue edges"
        }
        guard Libgpiod.api >= .v2 else {
            return "needs libgpiod v2: this build uses libgpiod \(Libgpiod.version), whose v1 API has no kernel "
                + "debounce, edge choice, event clock or event queue size"
        }
        return nil
    }

    /// How far a debounced edge's timestamp may lie from the moment the line settled. Exact when
    /// Vigil debounces in software. The kernel (libgpiod v2) times the period on its timer tick
    /// (4 ms at HZ=250) and stamps the edge when its work runs after that, and the stamp is that
    /// less the period: up to a tick early, or late by the kernel's latency, which is well under
    /// a millisecond on a board but was seen at 10 ms in the virtual board's guest (software
    /// emulation) on a loaded host. The tests that tell a stamp less the period from one that is
    /// not use periods of 200 ms and more.
    static func settlingUncertainty(of request: any LineRequest) -> Duration {
        (request as? LinuxLineRequest)?.kernelDebounce == nil ? .zero : .milliseconds(50)
    }
}

extension HardwareInTheLoop {
    /// What the kernel holds for a request: bias, drive and active-low on every API; with
    /// libgpiod v2, also kernel debounce, the edges asked for, the event clock and an event
    /// queue large enough for a burst.
    @Suite("Kernel line settings")
    struct KernelGPIOTests {
        static let consumer = "vigil-hil"
        /// Time between two drives of a line that is not read meanwhile, for the kernel to handle
        /// each edge's interrupt before the next (nothing else paces them).
        static let pace = Duration.milliseconds(10)

        /// The first input the outside world drives, resolved, with its chip as a Linux chip
        /// where it is one.
        private func input(_ target: any HILTarget) throws -> (role: LogicalLine, chip: any GPIOChip, offset: Int) {
            let role = try #require(target.drivableInputs.value?.first)
            let (chip, offset) = try #require(try target.board.resolve(role, in: target.gpio))
            return (role, chip, offset)
        }

        @Test("The chip reports the bias, drive and active-low each request asked for", .needs(HIL.gpioUnavailable))
        func biasAndDriveHeld() async throws {
            let target = try HIL.target()
            try await target.run {
                for role in LogicalLine.allCases {
                    guard let (chip, offset) = try target.board.resolve(role, in: target.gpio) else { continue }
                    let variants: [LineSettings] =
                        role.direction == .input
                        ? LineBias.allCases.filter { $0 != .asIs }.map { .input(activeLow: $0 == .pullUp, bias: $0) }
                        : LineDrive.allCases.map { .output(activeLow: $0 == .openDrain, drive: $0) }
                    for settings in variants {
                        let request = try chip.requestLines([offset], settings: settings, consumer: Self.consumer)
                        defer { request.release() }
                        let info = try chip.lineInfo(offset)
                        #expect(info.direction == settings.direction, "\(role): \(info)")
                        #expect(info.activeLow == settings.activeLow, "\(role): \(info)")
                        if settings.direction == .input {
                            #expect(info.bias == settings.bias, "\(role) requested with \(settings.bias): \(info)")
                        } else {
                            #expect(info.drive == settings.drive, "\(role) requested with \(settings.drive): \(info)")
                        }
                    }
                }
            }
        }

        @Test("The kernel debounces (libgpiod v2): it holds the period, reads the settled value and reports one edge per burst",
              .needs(HIL.libgpiodV2Unavailable))
        func kernelDebounce() async throws {
            let target = try HIL.target()
            let (role, chip, offset) = try input(target)
            let linuxChip = try #require(chip as? LinuxGPIOChip)
            let period = Duration.milliseconds(200)
            try await target.drive(role, high: false)
            let request = try chip.requestLines(
                [offset], settings: .input(edges: .both, debounce: period), consumer: Self.consumer)
            defer { request.release() }
            let clock = request.clock
            #expect((request as? LinuxLineRequest)?.kernelDebounce == period)
            let held = try linuxChip.eventSettings(of: offset)
            #expect(held == LinuxLineEventSettings(edgeDetection: .both, debounce: period, eventClock: .monotonic))

            // A bounce: the kernel's debounced value holds until the line has settled for the
            // period (software debounce could not do this: it reads the raw level).
            let start = clock.now
            try await target.drive(role, high: true)
            try await target.drive(role, high: false)
            try await target.drive(role, high: true)
            let settled = clock.now
            #expect(try request.values() == [false], "the debounced value moves only once the line settles")
            #expect(try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: period / 2)).isEmpty)

            var events: [EdgeEvent] = []
            let deadline = settled.advanced(by: period * 3)
            while events.isEmpty, clock.now < deadline {
                events += try await request.waitForEdgeEvents(deadline: deadline)
            }
            #expect(events.map(\.kind) == [.rising], "one rising edge for the burst, not \(events)")
            #expect(try request.values() == [true])
            if let event = events.first {
                let slack = HIL.settlingUncertainty(of: request)
                #expect(
                    event.timestamp >= start.advanced(by: .zero - slack) && event.timestamp <= settled.advanced(by: slack),
                    "stamped when the line settled, \(start) to \(settled): \(event)")
            }
        }

        @Test("The kernel reports only the edges asked for, on the monotonic clock (libgpiod v2)",
              .needs(HIL.libgpiodV2Unavailable))
        func kernelEdgeChoiceAndClock() async throws {
            let target = try HIL.target()
            let (role, chip, offset) = try input(target)
            let linuxChip = try #require(chip as? LinuxGPIOChip)
            for edges in [EdgeDetection.rising, .falling] {
                try await target.drive(role, high: false)
                let request = try chip.requestLines([offset], settings: .input(edges: edges), consumer: Self.consumer)
                defer { request.release() }
                let held = try linuxChip.eventSettings(of: offset)
                #expect(held == LinuxLineEventSettings(edgeDetection: edges, debounce: nil, eventClock: .monotonic))

                let clock = request.clock
                let start = clock.now
                for high in [true, false, true, false] {
                    try await target.drive(role, high: high)
                    try await clock.sleep(for: Self.pace)
                }
                let end = clock.now
                var events: [EdgeEvent] = []
                let deadline = clock.now.advanced(by: .seconds(2))
                while events.count < 2, clock.now < deadline {
                    events += try await request.waitForEdgeEvents(deadline: deadline)
                }
                let kind: EdgeEvent.Kind = edges == .rising ? .rising : .falling
                #expect(events.map(\.kind) == [kind, kind], "\(edges) edges only: \(events)")
                #expect(events.allSatisfy { $0.timestamp >= start && $0.timestamp <= end }, "on the monotonic clock: \(events)")
            }
        }

        @Test("A burst of edges faster than they are read is queued whole by the kernel (libgpiod v2)",
              .needs(HIL.libgpiodV2Unavailable))
        func burstQueuedWhole() async throws {
            let target = try HIL.target()
            let (role, chip, offset) = try input(target)
            try await target.drive(role, high: false)
            let request = try chip.requestLines([offset], settings: .input(edges: .both), consumer: Self.consumer)
            defer { request.release() }
            // More than the 16 events a line's queue holds with the v1 API, fewer than v2's 64.
            let changes = 48
            let clock = request.clock
            for change in 1...changes {
                try await target.drive(role, high: change % 2 == 1)
                try await clock.sleep(for: Self.pace)
            }

            var events: [EdgeEvent] = []
            let deadline = clock.now.advanced(by: .seconds(2))
            while events.count < changes, clock.now < deadline {
                events += try await request.waitForEdgeEvents(deadline: deadline)
            }
            #expect(events.count == changes, "every one of the \(changes) edges, not \(events.count)")
            #expect(events.enumerated().allSatisfy { $0.element.kind == ($0.offset % 2 == 0 ? .rising : .falling) })
            #expect(events.map(\.timestamp) == events.map(\.timestamp).sorted())
        }
    }
}
