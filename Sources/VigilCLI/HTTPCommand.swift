import ArgumentParser
import Foundation
import HTTPInterface

/// `vigil http`: helpers for the HTTP interface of `vigil record`.
struct HTTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Helpers for the HTTP interface that 'vigil record' serves.",
        subcommands: [HashPasswordCommand.self])
}

/// `vigil http hash-password`: a bcrypt hash for the configuration's `http:` users and tokens.
struct HashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a bcrypt hash of a password or token, for 'password-hash:' or 'tokens:' in the 'http:' section.",
        discussion: """
            Reads the secret from standard input (one line; from a terminal it is echoed), so it \
            stays out of the shell's history and the process list: \
            'vigil http hash-password < secret.txt', or type it and press Enter.
            """)

    @Option(help: "bcrypt's cost, 4 to 31: each step doubles the time a check takes (12: about a quarter second).")
    var cost: UInt8 = 12

    func validate() throws {
        guard (4...31).contains(cost) else { throw ValidationError("--cost must be from 4 to 31, not \(cost)") }
    }

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("no secret on standard input")
        }
        guard line.utf8.count <= 72 else { throw CLIError("bcrypt takes at most 72 bytes of secret; this one has \(line.utf8.count)") }
        print(PasswordHash.make(line, cost: cost))
    }
}
