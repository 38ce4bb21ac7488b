/// How important a log line is.
public enum LogLevel: UInt8, Sendable, Comparable, CustomStringConvertible {
    /// Detail for developers.
    case debug
    /// Normal events (link up, probe done).
    case info
    /// Something unexpected the driver recovered from.
    case warning
    /// A failure.
    case error
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// `debug`, `info`, `warning` or `error`.
    public var description: String { ["debug", "info", "warning", "error"][Int(rawValue)] }
}

/// A timer started by ``DriverContext/startTimer(after:repeating:_:)``.
public protocol DriverTimer: AnyObject {
    /// Stops it; a cancelled timer never fires again. Cancelling twice is harmless.
    func cancel()
    /// Whether it will still fire.
    var isActive: Bool { get }
}

/// A bottom half (like a NAPI poll or a tasklet): work the driver asks to run soon, outside its
/// interrupt handler, on the machine's CPU.
public protocol DeferredWork: AnyObject {
    /// Asks for the work to run; asking again before it ran does nothing (it runs once).
    func schedule()
    /// Whether it is scheduled and has not run yet.
    var isScheduled: Bool { get }
}

/// Everything a driver needs besides its device: time, timers, waiting, deferred work, logging.
public protocol DriverContext: AnyObject {
    /// The current time.
    var now: Instant { get }
    /// Starts a timer that calls `handler` after `delay`, then every `repeating` if given.
    func startTimer(after delay: Duration, repeating: Duration?, _ handler: @escaping () -> Void) -> any DriverTimer
    /// Busy-waits (`udelay`): time passes for the devices; nothing else of the driver runs.
    func delay(_ d: Duration)
    /// Polls `condition` every `interval` until it holds or `timeout` passes (probe-time polling, like
    /// Linux's `readx_poll_timeout`). The condition is checked at the start, at each interval and at
    /// the deadline itself; returns whether it held. It never waits longer than `timeout`.
    func wait(until condition: () -> Bool, timeout: Duration, interval: Duration) -> Bool
    /// Creates deferred work that runs `body` when scheduled.
    func makeDeferredWork(name: String, _ body: @escaping () -> Void) -> any DeferredWork
    /// Logs a line.
    func log(_ level: LogLevel, _ message: String)
    /// The driver's parameters, as the user set them (like Linux module parameters), e.g.
    /// `interrupts=msi`. A driver documents the names it reads and ignores the rest.
    func parameter(_ name: String) -> String?
}

extension DriverContext {
    /// Starts a one-shot timer.
    public func startTimer(after delay: Duration, _ handler: @escaping () -> Void) -> any DriverTimer {
        startTimer(after: delay, repeating: nil, handler)
    }
    /// Polls every microsecond (see ``wait(until:timeout:interval:)``).
    public func wait(until condition: () -> Bool, timeout: Duration) -> Bool {
        wait(until: condition, timeout: timeout, interval: .microseconds(1))
    }
}
