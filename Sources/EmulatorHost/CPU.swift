import BoxlessPlatform
import NativeDriverKit

/// The emulated machine's single CPU: driver code runs only inside ``run(_:)``, which holds the
/// scheduler's CPU lane so timers, interrupt handlers and deferred work never re-enter a driver.
/// Time passes inside driver code only through register-access latency, `delay` and `wait`; the
/// devices' events run meanwhile (the CPU is stalled, the hardware is not).
final class VirtualCPU {
    unowned(unsafe) let machine: Machine
    init(machine: Machine) { self.machine = machine }

    var now: Instant { Instant(picoseconds: machine.scheduler.now.rawValue) }

    /// Runs driver code on the CPU.
    func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let prev = machine.scheduler.holdCPU()
        defer { machine.scheduler.releaseCPU(previous: prev) }
        return try body()
    }

    /// Stalls the CPU until `time`, running device events on the way.
    func stall(until time: VirtualTime) {
        let prev = machine.scheduler.holdCPU()
        machine.scheduler.run(until: time)
        machine.scheduler.releaseCPU(previous: prev)
    }

    /// Stalls the CPU for `d`.
    func stall(for d: VirtualDuration) {
        guard d.rawValue > 0 else { return }
        stall(until: machine.scheduler.now + d)
    }

    /// Schedules driver code on the CPU lane at `time`.
    @discardableResult
    func post(at time: VirtualTime, _ body: @escaping () -> Void) -> EventID {
        machine.scheduler.schedule(at: time, lane: .cpu, body)
    }
}

extension VirtualDuration {
    /// Converts a kit `Duration` (negative becomes zero).
    init(kit d: Duration) { self.init(d) }
}
