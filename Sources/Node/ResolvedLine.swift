import BoardSupport
import HAL

/// A GPIO line named on the command line, found on a chip.
public struct ResolvedLine: Sendable {
    /// What the user typed.
    public let reference: String
    public let chip: any GPIOChip
    public let offset: Int
    /// The board role wired to this line, if any.
    public let role: LogicalLine?
    /// The settings the board gives the line's role, or plain input settings.
    public let settings: LineSettings

    public var label: String {
        var text = role?.rawValue ?? reference
        let name = (try? chip.lineInfo(offset).name).flatMap { $0 }
        text += " (\(chip.info.label):\(offset)\(name.map { " \($0)" } ?? ""))"
        return text
    }
}

extension NodeHardware {
    /// Finds a line by role (`pir`), by kernel or header name (`GPIO17`), or as `CHIP:OFFSET`
    /// where CHIP is a label, number or path.
    public func resolveLine(_ reference: String) throws -> ResolvedLine {
        if let role = LogicalLine(rawValue: reference) {
            guard let assignment = board.lines[role] else {
                throw NodeError("board '\(board.name)' has no \(role.peripheral) (its '\(role)' line is 'none')")
            }
            let chip = try gpio.chip(.label(assignment.chipLabel))
            return ResolvedLine(reference: reference, chip: chip, offset: assignment.offset, role: role, settings: assignment.settings)
        }
        let found: (chip: any GPIOChip, offset: Int)
        if let colon = reference.lastIndex(of: ":") {
            let chipText = String(reference[..<colon])
            guard let offset = Int(reference[reference.index(after: colon)...]), offset >= 0 else {
                throw NodeError("'\(reference)': expected CHIP:OFFSET with a whole-number offset")
            }
            let chip = try gpio.chip(ChipSelector(chipText))
            guard offset < chip.info.lineCount else {
                throw NodeError("'\(reference)': chip \(chip.info.label) has \(chip.info.lineCount) lines (offsets 0 to \(chip.info.lineCount - 1))")
            }
            found = (chip, offset)
        } else if let named = try gpio.findLine(named: reference) {
            found = named
        } else if let alias = headerAlias(reference) {
            found = alias
        } else {
            let roles = LogicalLine.allCases.map(\.rawValue).joined(separator: ", ")
            throw NodeError("no line named '\(reference)' on board '\(board.name)': use a role (\(roles)), a line name such as GPIO17, or CHIP:OFFSET (see 'vigil gpio info')")
        }
        let role = board.lines.first { $0.value.chipLabel == found.chip.info.label && $0.value.offset == found.offset }
        return ResolvedLine(
            reference: reference, chip: found.chip, offset: found.offset, role: role?.key,
            settings: role?.value.settings ?? .input())
    }

    /// `GPIO<n>` on a board whose chip numbers its header pins by BCM number.
    private func headerAlias(_ reference: String) -> (chip: any GPIOChip, offset: Int)? {
        guard reference.hasPrefix("GPIO"), let number = Int(reference.dropFirst(4)),
              let boardChip = board.chips.first(where: { $0.header != nil && number < $0.lineCount }),
              let chip = try? gpio.chip(.label(boardChip.label)) else { return nil }
        return (chip, number)
    }
}
