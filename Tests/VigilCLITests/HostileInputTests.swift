import Foundation
import Testing

@testable import VigilCLI

/// Flags as an attacker might write them: durations past what they can mean are refused naming
/// the flag; none traps. (The configuration file's side is NodeTests' ConfigurationHostileInputTests.)
@Suite struct CLIHostileInputTests {
    @Test(arguments: [
        ["record", "--duration", "9300000000s"], ["trigger", "--for", "9300000000s"], ["trigger", "--for", "10000000000"],
        ["gpio", "monitor", "pir", "--duration", "106752d"], ["gpio", "set", "status-led=1", "--hold", "99999999999999999999ms"],
    ])
    func durationFlagsPastAHundredYearsAreRefusedNamingTheFlag(arguments: [String]) async throws {
        let result = try await VigilProcess.run(arguments)
        #expect(result.status != 0)
        let flag = arguments.first { $0.hasPrefix("--") } ?? ""
        #expect(result.error.contains("is invalid for '\(flag) "), "\(result.error)")
        #expect(result.error.contains("must be at most 100 years"), "\(result.error)")
    }
}
