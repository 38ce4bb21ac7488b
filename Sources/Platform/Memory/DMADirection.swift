/// Which way data may move through a mapping, from the device's point of view.
public enum DMADirection: UInt8, Sendable, CustomStringConvertible {
    /// Memory → device (the device may only read).
    case toDevice = 1
    /// Device → memory (the device may only write).
    case fromDevice = 2
    /// Both ways.
    case bidirectional = 3
    /// Whether the device may read through this mapping.
    @inlinable public var deviceMayRead: Bool { rawValue & 1 != 0 }
    /// Whether the device may write through this mapping.
    @inlinable public var deviceMayWrite: Bool { rawValue & 2 != 0 }
    public var description: String { ["", "to-device", "from-device", "bidirectional"][Int(rawValue)] }
}
