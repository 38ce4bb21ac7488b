#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A driver or model that traps on a hostile value — a Swift precondition, an overflow, an index
/// out of range — ends the process with a signal. Under the command line that is a *failed run*
/// (exit status 1) with one line saying so after the runtime's own message ("Fatal error: …"),
/// never a crash a CI system reads as an infrastructure failure. The line is formatted before the
/// run starts, so the handler only writes it (async-signal-safe: `write`, `_exit`).
enum TrapReport {
    /// The preformatted line (allocated once, never freed: the handler may run at any time).
    nonisolated(unsafe) private static var line: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var length = 0

    /// Arms the report for the run `arguments` of tool `name`.
    static func arm(tool name: String, arguments: [String]) {
        let command = ([name] + arguments).joined(separator: " ")
        let text = "\(name): FAILED: the run trapped (a Swift runtime check failed — in a driver, a model or Boxless itself; the message is above) while running: \(command)\n"
        let bytes = Array(text.utf8CString)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        p.initialize(from: bytes, count: bytes.count)
        line = p
        length = bytes.count - 1
        for s in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] {
            var a = sigaction()
            #if canImport(Glibc)
            a.__sigaction_handler.sa_handler = trapped
            #else
            a.__sigaction_u.__sa_handler = trapped
            #endif
            a.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigemptyset(&a.sa_mask)
            sigaction(s, &a, nil)
        }
    }

    /// The handler: the line, then exit status 1.
    private static let trapped: @convention(c) (Int32) -> Void = { _ in
        if let p = TrapReport.line { _ = write(2, p, TrapReport.length) }
        _exit(1)
    }
}
