import CGPIOD
import HAL
@testable import HALLinux
import Testing

/// The libgpiod API chosen at build time, and how settings become a request on each API. Runs
/// everywhere, GPIO or not: CI runs it once built against libgpiod 1.6 and once against 2.x.
@Suite struct LibgpiodTests {
    @Test func theLibraryLoadedHasTheAPIBuiltFor() {
        #expect(Libgpiod.version.hasPrefix("\(Libgpiod.api.rawValue)."), "libgpiod \(Libgpiod.version), \(Libgpiod.api) API")
    }

    private func plan(
        _ settings: LineSettings, lines: Int = 1, api: Libgpiod.API
    ) throws(HALError) -> GPIODRequestPlan {
        try GPIODRequestPlan(settings: settings, lineCount: lines, api: api, target: "gpiochip0:17")
    }

    @Test func version1WatchesBothEdgesAndDebouncesInSoftware() throws {
        let plan = try plan(.input(bias: .pullDown, edges: .rising, debounce: .milliseconds(20)), api: .v1)
        #expect(plan.watchesEdges && plan.filtersEdges)
        #expect(plan.kernelDebounce == nil)
        #expect(plan.settings.edge_detection == VIGIL_GPIOD_EDGE_BOTH)
        #expect(plan.settings.debounce_period_us == 0)
        #expect(plan.settings.event_buffer_size == 0)
        #expect(plan.settings.bias == VIGIL_GPIOD_BIAS_PULL_DOWN)
    }

    @Test func version2LeavesEdgesDebounceAndQueueingToTheKernel() throws {
        let plan = try plan(.input(activeLow: true, edges: .rising, debounce: .milliseconds(20)), lines: 2, api: .v2)
        #expect(plan.watchesEdges && !plan.filtersEdges)
        #expect(plan.kernelDebounce == .milliseconds(20))
        #expect(plan.settings.edge_detection == VIGIL_GPIOD_EDGE_RISING)
        #expect(plan.settings.debounce_period_us == 20_000)
        #expect(plan.settings.event_clock == VIGIL_GPIOD_CLOCK_MONOTONIC)
        #expect(plan.settings.event_buffer_size == 128)
        #expect(plan.settings.active_low)
        #expect(plan.settings.direction == VIGIL_GPIOD_INPUT)
    }

    @Test func kernelDebounceIsRoundedUpToWholeMicroseconds() throws {
        let plan = try plan(.input(edges: .both, debounce: .nanoseconds(1_500)), api: .v2)
        #expect(plan.settings.debounce_period_us == 2)
        #expect(try self.plan(.input(edges: .both, debounce: .zero), api: .v2).kernelDebounce == nil)
        // Without edge detection there is nothing to debounce.
        #expect(try self.plan(.input(debounce: .milliseconds(5)), api: .v2).settings.debounce_period_us == 0)
    }

    @Test func theKernelQueueGrowsWithTheLinesUpToItsLimit() throws {
        #expect(try plan(.input(edges: .both), lines: 1, api: .v2).settings.event_buffer_size == 64)
        #expect(try plan(.input(edges: .both), lines: 20, api: .v2).settings.event_buffer_size == 1024)
        #expect(try plan(.input(), lines: 20, api: .v2).settings.event_buffer_size == 0)
    }

    @Test(arguments: [Libgpiod.API.v1, .v2])
    func outputsCarryTheirDriveAndInitialValue(api: Libgpiod.API) throws {
        let plan = try plan(.output(initialValue: true, drive: .openSource), api: api)
        #expect(!plan.watchesEdges)
        #expect(plan.settings.direction == VIGIL_GPIOD_OUTPUT)
        #expect(plan.settings.drive == VIGIL_GPIOD_DRIVE_OPEN_SOURCE)
        #expect(plan.settings.output_value)
        #expect(plan.settings.edge_detection == VIGIL_GPIOD_EDGE_NONE)
    }

    @Test(arguments: [Libgpiod.API.v1, .v2])
    func impossibleSettingsAreRejectedOnEitherAPI(api: Libgpiod.API) {
        let impossible = [
            LineSettings(direction: .output, edgeDetection: .both),
            LineSettings(direction: .input, drive: .openDrain),
            LineSettings.input(edges: .both, debounce: .milliseconds(-1)),
            LineSettings.input(edges: .both, debounce: .seconds(5_000)),
        ]
        for settings in impossible {
            let error = #expect(throws: HALError.self) { try plan(settings, api: api) }
            #expect(error?.kind == .invalidArgument, "\(settings)")
            #expect(error?.target == "gpiochip0:17")
        }
    }
}
