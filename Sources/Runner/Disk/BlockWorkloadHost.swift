import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import QEMUHost

/// What a block workload needs from the host its driver runs on: run code as driver code, and let
/// the host run — devices, interrupts, the driver's deferred work — a little at a time. One
/// ``BlockWorkload`` serves every host through this adapter.
public protocol BlockWorkloadHost: AnyObject {
    /// Runs `body` on the driver's CPU.
    func runAsDriver(_ body: () -> Void)
    /// Lets the host run a step; `progress` is the number of requests completed so far. Returns
    /// false to end the run: nothing more can happen, a limit was reached, or the host failed
    /// (``failure`` says why).
    func step(progress: Int) -> Bool
    /// Why the host ended the run early, if it did.
    var failure: String? { get }
}

/// The emulator host: one scheduler event per step, at most `maxEvents` for the run; a run in
/// which no request completes for `stallLimit` of virtual time is stopped as stalled (a driver
/// waiting forever on a command the device never answers, say), never left to spin.
public final class EmulatorWorkloadHost: BlockWorkloadHost {
    let host: EmulatorHost
    private let maxEvents: UInt64
    private let stallLimit: VirtualDuration
    private var start: UInt64?
    private var lastProgress = -1
    private var lastMove = VirtualTime.zero
    public private(set) var failure: String?

    /// An adapter for `host`, ending the run after `maxEvents` scheduler events or `stallLimit` of
    /// virtual time without a completion (default 60 s: above libata's 30 s command timeout and
    /// the port reset after it).
    public init(_ host: EmulatorHost, maxEvents: UInt64 = 200_000_000, stallLimit: VirtualDuration = .seconds(60)) {
        self.host = host; self.maxEvents = maxEvents; self.stallLimit = stallLimit
    }

    public func runAsDriver(_ body: () -> Void) { host.onCPU(body) }

    @inline(__always)
    public func step(progress: Int) -> Bool {
        let s = host.machine.scheduler
        if start == nil { start = s.eventsRun }
        guard s.eventsRun - start! < maxEvents else { failure = "event limit of \(maxEvents) reached"; return false }
        if progress != lastProgress {
            lastProgress = progress; lastMove = s.now
        } else if s.now - lastMove > stallLimit {
            failure = "watchdog: no request completed for \(stallLimit) of virtual time"
            return false
        }
        return s.step(notAfter: VirtualTime(rawValue: .max))
    }
}

/// The QEMU host: QEMU runs 300 µs (of its clock) per step; no completion for `stallLimit` ends the run.
public final class QEMUWorkloadHost: BlockWorkloadHost {
    let host: QEMUHost
    private let stallLimit: Duration
    private var lastProgress = -1
    private var lastMove = Instant(picoseconds: 0)
    public private(set) var failure: String?
    /// The QEMU host error that ended the run, if one did.
    public private(set) var hostError: QEMUHostError?

    /// An adapter for `host`.
    public init(_ host: QEMUHost, stallLimit: Duration = .seconds(10)) { self.host = host; self.stallLimit = stallLimit }

    public func runAsDriver(_ body: () -> Void) { host.onCPU(body) }

    public func step(progress: Int) -> Bool {
        do { try host.advance(by: .microseconds(300)) } catch {
            hostError = error; failure = "QEMU host: \(error.description)"; return false
        }
        let now = host.now
        if progress != lastProgress { lastProgress = progress; lastMove = now; return true }
        if now - lastMove > stallLimit { failure = "no request completed for \(stallLimit) of QEMU time"; return false }
        return true
    }
}
