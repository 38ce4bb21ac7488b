import BoxlessPlatform
import NativeDriverKit

/// A timer on the emulator host: a CPU-lane event, re-armed when periodic.
final class EmulatedTimer: DriverTimer {
    unowned let host: EmulatorHost
    var event: EventID?
    let period: VirtualDuration?
    let handler: () -> Void
    private(set) var isActive = true
    init(host: EmulatorHost, period: VirtualDuration?, handler: @escaping () -> Void) {
        self.host = host; self.period = period; self.handler = handler
    }
    func arm(at t: VirtualTime) {
        event = host.cpu.post(at: t) { [weak self] in self?.fire() }
    }
    private func fire() {
        guard isActive else { return }
        if let p = period { arm(at: host.machine.now + max(p, .picoseconds(1))) } else { isActive = false }
        handler()
    }
    func cancel() {
        guard isActive else { return }
        isActive = false
        if let e = event { host.machine.scheduler.cancel(e) }
    }
}

/// Deferred work on the emulator host: a CPU-lane event at the current time.
final class EmulatedDeferredWork: DeferredWork {
    unowned let host: EmulatorHost
    let name: String
    let body: () -> Void
    private(set) var isScheduled = false
    var cancelled = false
    init(host: EmulatorHost, name: String, body: @escaping () -> Void) { self.host = host; self.name = name; self.body = body }
    /// Built once, so scheduling allocates nothing (a NAPI poll is scheduled per interrupt).
    private lazy var run: () -> Void = { [weak self] in
        guard let self, !self.cancelled else { return }
        self.isScheduled = false
        self.body()
    }
    func schedule() {
        guard !isScheduled, !cancelled else { return }
        isScheduled = true
        host.cpu.post(at: host.machine.now, run)
    }
}

/// The emulator host's ``DriverContext`` for one bound driver.
final class EmulatedDriverContext: DriverContext {
    unowned let host: EmulatorHost
    let source: String
    unowned let device: EmulatedPCIDevice
    private var timers: [EmulatedTimer] = []
    private var works: [EmulatedDeferredWork] = []

    init(host: EmulatorHost, source: String, device: EmulatedPCIDevice) {
        self.host = host; self.source = source; self.device = device
    }

    var now: Instant { host.cpu.now }

    func startTimer(after delay: Duration, repeating: Duration?, _ handler: @escaping () -> Void) -> any DriverTimer {
        let t = EmulatedTimer(host: host, period: repeating.map { VirtualDuration($0) }, handler: handler)
        timers.removeAll { !$0.isActive }
        timers.append(t)
        t.arm(at: host.machine.now + VirtualDuration(delay))
        return t
    }

    func delay(_ d: Duration) { host.cpu.stall(for: VirtualDuration(d)) }

    func wait(until condition: () -> Bool, timeout: Duration, interval: Duration) -> Bool {
        let deadline = host.machine.now + VirtualDuration(timeout)
        let step = max(VirtualDuration(interval), .picoseconds(1))
        if condition() { return true }
        while host.machine.now < deadline {
            host.cpu.stall(until: min(host.machine.now + step, deadline))
            if condition() { return true }
        }
        return false
    }

    func makeDeferredWork(name: String, _ body: @escaping () -> Void) -> any DeferredWork {
        let w = EmulatedDeferredWork(host: host, name: name, body: body)
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
