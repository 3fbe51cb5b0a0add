import CGPIOD
import HAL
import Synchronization

/// An open libgpiod chip, shared by a ``LinuxGPIOChip`` and every line request made through it.
///
/// libgpiod v1 keeps one line object per offset inside the chip, rewrites it on every request,
/// release and info update, and releases every request when the chip is closed. So the chip
/// stays open while its ``LinuxGPIOChip`` or any of its requests lives (each holds this
/// handle), and every libgpiod call on the chip or its lines goes through ``withChip(_:)``,
/// one at a time. (v2's requests are independent of their chip; the same rule costs nothing.)
final class GPIOChipHandle: @unchecked Sendable {
    /// Used only with `lock` held (or in deinit, when no one else can).
    private let chip: OpaquePointer
    private let lock = Mutex(())

    /// Takes ownership of `chip`, closing it when the last holder goes away.
    init(_ chip: OpaquePointer) {
        self.chip = chip
    }

    deinit {
        vigil_gpiod_chip_close(chip)
    }

    /// Runs `body` with the chip, holding its lock.
    func withChip<Value, Failure: Error>(_ body: (OpaquePointer) throws(Failure) -> Value) throws(Failure) -> Value {
        try lock.withLock { _ throws(Failure) in try body(chip) }
    }
}
