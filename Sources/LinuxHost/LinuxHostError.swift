/// Why the Linux host could not do what it was asked; each case is one line for the user.
public enum LinuxHostError: Error, CustomStringConvertible, Equatable {
    /// The UML kernel or another input file is missing.
    case missing(String)
    /// A system call failed.
    case system(String)
    /// The vhost-user front end broke the protocol.
    case protocolError(String)
    /// The guest did not reach a point in time.
    case timeout(String)
    /// The guest stopped or failed.
    case guest(String)

    /// One line.
    public var description: String {
        switch self {
        case .missing(let s): return s
        case .system(let s): return s
        case .protocolError(let s): return "vhost-user protocol error: \(s)"
        case .timeout(let s): return "timed out: \(s)"
        case .guest(let s): return s
        }
    }
}
