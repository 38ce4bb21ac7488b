/// Why the QEMU host could not start or go on (STYLE.md §5: host mistakes are typed errors).
public enum QEMUHostError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The QEMU binary is not there or not executable.
    case binaryMissing(path: String)
    /// QEMU exited (or never connected) while starting; `stderr` is what it printed.
    case startFailed(binary: String, status: Int32?, stderr: String)
    /// The qtest connection closed or broke (QEMU died); `stderr` is what QEMU printed.
    case connectionLost(String)
    /// QEMU answered `FAIL` to a qtest command.
    case commandFailed(command: String, reply: String)
    /// QEMU's reply could not be parsed.
    case malformedReply(command: String, reply: String)
    /// A socket or file operation on this machine failed.
    case system(String)
    /// Enumeration of QEMU's bus failed (address windows).
    case enumeration(String)
    /// The request does not fit the machine (e.g. no network backend, guest memory exhausted).
    case invalidRequest(String)

    /// One line.
    public var description: String {
        switch self {
        case .binaryMissing(let p): return "QEMU binary \(p) not found or not executable (install qemu-system-x86)"
        case let .startFailed(b, s, e):
            return "QEMU (\(b)) failed to start" + (s.map { " (exit status \($0))" } ?? "") + (e.isEmpty ? "" : ": " + e.trimmingTrailingNewlines)
        case .connectionLost(let s): return "qtest connection lost: \(s)"
        case let .commandFailed(c, r): return "qtest command '\(c)' failed: \(r)"
        case let .malformedReply(c, r): return "qtest command '\(c)' got a malformed reply '\(r)'"
        case .system(let s): return s
        case .enumeration(let s): return "enumeration failed: \(s)"
        case .invalidRequest(let s): return s
        }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while let l = s.last, l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
