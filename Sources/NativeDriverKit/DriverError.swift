/// Why a kit call or a driver operation failed.
public enum DriverError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The device is not what the driver expected (wrong ID, bad EEPROM checksum, …).
    case unsupportedDevice(String)
    /// The device did not respond in time (a bounded wait ran out).
    case timeout(String)
    /// The host could not provide a resource (DMA memory, interrupt vectors, address space).
    case resourceUnavailable(String)
    /// The request is invalid in the current state (e.g. transmit before open).
    case invalidState(String)
    /// An argument is out of range.
    case invalidArgument(String)
    /// The device reported an I/O error.
    case ioError(String)
    /// One line.
    public var description: String {
        switch self {
        case .unsupportedDevice(let s): return "unsupported device: \(s)"
        case .timeout(let s): return "timeout: \(s)"
        case .resourceUnavailable(let s): return "resource unavailable: \(s)"
        case .invalidState(let s): return "invalid state: \(s)"
        case .invalidArgument(let s): return "invalid argument: \(s)"
        case .ioError(let s): return "I/O error: \(s)"
        }
    }
}
