import HAL

extension BoardDescription {
    /// The real chip and offset of `line` on this system, or nil if the board has no such
    /// peripheral (`none` in the board file).
    ///
    /// See ``LineAssignment/resolve(in:)`` for what is checked and thrown.
    public func resolve(
        _ line: LogicalLine, in provider: some GPIOProvider
    ) throws(HALError) -> (chip: any GPIOChip, offset: Int)? {
        guard let assignment = lines[line] else { return nil }
        return try assignment.resolve(in: provider)
    }
}

extension LineAssignment {
    /// Finds the line on this system: the chip labelled ``chipLabel`` and the line at
    /// ``offset``, whose name, when both the board file and the chip name it, must be
    /// ``lineName``.
    ///
    /// - Throws: `notFound` if no chip has the label (naming the chips there are);
    ///   `invalidArgument` if the chip is too small or names the line differently (either
    ///   means the board file does not describe this system); any error of the provider.
    public func resolve(in provider: some GPIOProvider) throws(HALError) -> (chip: any GPIOChip, offset: Int) {
        let target = "\(chipLabel):\(offset)"
        let chip: any GPIOChip
        do {
            chip = try provider.chip(.label(chipLabel))
        } catch where error.kind == .notFound {
            let present = ((try? provider.chips()) ?? []).map { "'\($0.info.label)' (\($0.info.name))" }
            throw HALError(
                .notFound, operation: "resolve-line", target: target,
                message: "no GPIO chip labelled '\(chipLabel)' for the \(role.peripheral) ('\(role)'); chips present: "
                    + (present.isEmpty ? "none" : present.joined(separator: ", ")) + "; is this the right board?")
        }
        guard offset < chip.info.lineCount else {
            throw HALError(
                .invalidArgument, operation: "resolve-line", target: target,
                message: "chip '\(chipLabel)' has only \(chip.info.lineCount) lines, so it has no offset \(offset) "
                    + "for '\(role)'; is this the right board?")
        }
        if let lineName, let actual = try chip.lineInfo(offset).name, !actual.isEmpty, actual != lineName {
            throw HALError(
                .invalidArgument, operation: "resolve-line", target: target,
                message: "the line for '\(role)' should be named '\(lineName)', but chip '\(chipLabel)' names "
                    + "offset \(offset) '\(actual)'; is this the right board?")
        }
        return (chip, offset)
    }
}
