import NativeDriverKit

/// A timer on the QEMU host: fires from the host's scheduler once QEMU's clock reaches its deadline.
final class QEMUTimer: DriverTimer {
    unowned let host: QEMUHost
    var deadline: Instant
    let sequence: UInt64
    let period: Duration?
    let handler: () -> Void
    private(set) var isActive = true
    init(host: QEMUHost, deadline: Instant, sequence: UInt64, period: Duration?, handler: @escaping () -> Void) {
        self.host = host; self.deadline = deadline; self.sequence = sequence; self.period = period; self.handler = handler
    }
    func cancel() { isActive = false }
    /// Fires; re-arms a periodic timer first (at least 1 ns later).
    func fire(now: Instant) {
        guard isActive else { return }
        if let p = period { deadline = max(deadline + p, now + .nanoseconds(1)) } else { isActive = false }
        handler()
    }
}

/// Deferred work on the QEMU host: queued on the scheduler's ready list.
final class QEMUDeferredWork: DeferredWork {
    unowned let host: QEMUHost
    let name: String
    let body: () -> Void
    private(set) var isScheduled = false
    var cancelled = false
    init(host: QEMUHost, name: String, body: @escaping () -> Void) { self.host = host; self.name = name; self.body = body }
    func schedule() {
        guard !isScheduled, !cancelled else { return }
        isScheduled = true
        host.post { [weak self] in
            guard let self, !self.cancelled else { return }
            self.isScheduled = false
            self.body()
        }
    }
}

/// The QEMU host's ``DriverContext`` for one bound driver. Time is QEMU's virtual clock (the HPET
/// main counter), which under TCG runs with the host's clock: `delay` and `wait` really wait.
final class QEMUDriverContext: DriverContext {
    unowned let host: QEMUHost
    let source: String
    private var timers: [QEMUTimer] = []
    private var works: [QEMUDeferredWork] = []

    init(host: QEMUHost, source: String) { self.host = host; self.source = source }

    var now: Instant { host.now }

    func startTimer(after delay: Duration, repeating: Duration?, _ handler: @escaping () -> Void) -> any DriverTimer {
        let t = host.addTimer(after: delay, period: repeating.map { max($0, .nanoseconds(1)) }, handler)
        timers.removeAll { !$0.isActive }
        timers.append(t)
        return t
    }

    func delay(_ d: Duration) { host.busyWait(until: host.now + d) }

    func wait(until condition: () -> Bool, timeout: Duration, interval: Duration) -> Bool {
        let deadline = host.now + timeout
        if condition() { return true }
        while host.now < deadline {
            // A qtest round trip takes tens of microseconds: shorter intervals just poll.
            if interval >= .microseconds(100) { host.busyWait(until: min(host.now + interval, deadline)) }
            if condition() { return true }
        }
        return false
    }

    func makeDeferredWork(name: String, _ body: @escaping () -> Void) -> any DeferredWork {
        let w = QEMUDeferredWork(host: host, name: name, body: body)
        works.append(w)
        return w
    }

    func log(_ level: LogLevel, _ message: String) { host.recordDriverLog(source, level, message) }

    func parameter(_ name: String) -> String? { host.driverParameters[name] }

    var activeTimers: Int { timers.filter(\.isActive).count }

    func cancelAll() {
        for t in timers { t.cancel() }
        for w in works { w.cancelled = true }
    }
}
