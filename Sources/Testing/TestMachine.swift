import BoxlessPlatform
import BoxlessRunner
import EmulatorHost

/// A machine built from catalog entries — the package's models and the caller's own — with the
/// emulator host and each entry's driver bound, to poke at in a test: run it for some virtual
/// time, list it as `lspci` does, call the driver on the machine's CPU, read findings and the
/// digest.
///
/// One machine runs on one thread (the caller's); make one per test.
public final class TestMachine {
    /// The runner's machine (platform machine, emulator host, spec).
    let machine: BoxlessMachine

    /// Builds the machine with `devices` (catalog names, plugged at bus 0 device 3, 4, …) after
    /// adding `entries` to the catalog, enumerates the bus and probes the drivers.
    ///
    /// - Throws: `MachineError` for an unknown model or a failed enumeration.
    public init(devices: [String], adding entries: [CatalogEntry] = [], seed: UInt64 = 1, strict: Bool = true,
                driverParameters: [String: String] = [:]) throws {
        DeviceCatalog.include(entries)
        let slots = devices.enumerated().map { MachineSpec.Slot(model: $0.element, device: UInt8(3 + $0.offset)) }
        machine = try BoxlessMachine(MachineSpec(slots: slots, seed: seed, strict: strict, driverParameters: driverParameters))
        try machine.start()
    }

    /// The platform machine: clock, scheduler, functions, event log.
    public var platform: Machine { machine.machine }

    /// The current virtual time.
    public var now: VirtualTime { machine.machine.now }

    /// Runs the machine for `duration` of virtual time (costs no wall time while idle).
    public func run(for duration: VirtualDuration) {
        machine.machine.scheduler.run(until: machine.machine.now + duration)
    }

    /// The machine as `lspci` (`-v`: BARs, capabilities, drivers) shows it.
    public func lspci(verbose: Bool = true) -> String { LSPCI.render(machine, verbose: verbose) }

    /// Names of the drivers bound, with their functions (`0000:00:03.0 whitebox`).
    public var bound: [String] { machine.host.bound.map { "\($0.address) \($0.driverName)" } }

    /// Why drivers failed to probe, one line each.
    public var probeFailures: [String] { machine.host.probeFailures.map { "\($0.driverName): \($0.error)" } }

    /// The first bound driver instance of type `T` (e.g. `any NetworkInterface`).
    public func driver<T>(_ type: T.Type) -> T? { machine.driver(type) }

    /// Runs `body` on the machine's CPU, where driver calls belong (as an interrupt handler or a
    /// timer would), and returns its result.
    public func onCPU<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T { try machine.host.onCPU(body) }

    /// Findings so far (typed: code, strict rule id, message, reference).
    public var findings: [Finding] { machine.machine.log.findings }

    /// Findings so far that breach `rule`.
    public func findings(breaking rule: some StrictRule) -> [Finding] { findings.filter { $0.rule == rule.id } }

    /// SHA-256 of the event log so far.
    public var digest: String { machine.machine.log.digest }

    /// Event-log records so far.
    public var eventCount: UInt64 { machine.machine.log.count }

    /// Detaches every driver (each must release what it took: leaks become findings) and lets
    /// the machine settle for a millisecond.
    public func detach() {
        machine.host.detachAll()
        run(for: .milliseconds(1))
    }
}
