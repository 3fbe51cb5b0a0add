import HAL

/// One output line of a request, driven by a peripheral driver.
struct OutputLine: Sendable {
    let request: any LineRequest
    let offset: Int

    /// Checks that `request` holds outputs and `offset` (default: its first line) is one of them.
    init(_ request: any LineRequest, offset: Int?, operation: String) throws(HALError) {
        guard request.settings.direction == .output else {
            throw HALError(
                .invalidArgument, operation: operation, target: request.chipName,
                message: "the line was requested as an input: it cannot be driven")
        }
        guard let offset = offset ?? request.offsets.first, request.offsets.contains(offset) else {
            throw HALError(
                .invalidArgument, operation: operation, target: "\(request.chipName):\(offset ?? -1)",
                message: "the line is not part of the request (it holds offsets \(request.offsets))")
        }
        self.request = request
        self.offset = offset
    }

    /// Drives the line to a logical value.
    func set(_ value: Bool) throws(HALError) {
        if request.offsets.count == 1 {
            try request.setValues([value])
        } else {
            try request.setValue(value, of: offset)
        }
    }
}
