import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import TestDeviceDriver

/// Options of an exerciser run (the platform's own end-to-end check).
public struct ExerciseOptions: Sendable {
    /// The run's seed (workload and device jitter).
    public var seed: UInt64 = 1
    /// `msix`, `msi`, `intx` or `auto`.
    public var interrupts: String = "auto"
    /// Block operations to run.
    public var operations: Int = 200
    /// Strict mode.
    public var strict: Bool = true
    /// JSON Lines event log path, if any.
    public var eventLogPath: String?
    /// Creates default options.
    public init() {}
}

/// What an exerciser run did and found.
public struct ExerciseSummary: Codable, Sendable, Equatable {
    /// Always `emulator` here.
    public var host: String
    /// `exerciser`.
    public var device: String
    /// The bound driver.
    public var driver: String
    /// The interrupt mode the driver got.
    public var interrupt_mode: String
    /// Block operations completed.
    public var operations: Int
    /// Bytes moved.
    public var bytes: Int
    /// Operations that failed or read wrong data.
    public var errors: Int
    /// Virtual time the run took.
    public var virtual_ns: UInt64
    /// Wall time the run took (not part of the digest).
    public var wall_ns: UInt64
    /// Event-log records.
    public var events: UInt64
    /// SHA-256 of the event log.
    public var digest: String
    /// Findings, one line each.
    public var findings: [String]
    /// Whether every check passed.
    public var passed: Bool
}

/// Runs a seeded block workload through the exerciser and its driver and checks it: every read
/// returns the last data written, no findings, no errors, clean detach.
public enum ExerciseRun {
    /// Runs once.
    public static func run(_ o: ExerciseOptions, faults: (any FaultInjector)? = nil) throws -> ExerciseSummary {
        let wallStart = ContinuousClock.now   // wall time only for reporting speed
        let spec = MachineSpec(slots: [.init(model: "exerciser", device: 3)], seed: o.seed, strict: o.strict,
                               driverParameters: ["interrupts": o.interrupts])
        let m = try BoxlessMachine(spec, faults: faults)
        var file: EventLogFile?
        if let p = o.eventLogPath { file = try EventLogFile(path: p); m.machine.log.sink = file }
        var closed = false
        defer { if !closed { try? file?.close() } }
        try m.start()
        var errors = 0, done = 0, bytes = 0
        var mode = "none"
        if let d = m.driver(ExerciserDriver.self) {
            mode = d.interruptMode.description
            let client = WorkloadClient()
            m.host.onCPU { d.setClient(client) }
            var rng = m.machine.random.split("workload")
            var shadow = [[UInt8]](repeating: [UInt8](repeating: 0, count: ExerciserDriver.blockSize), count: 8)
            for i in 0..<o.operations {
                let lba = Int(rng.next() % 8)
                let count = Int(rng.next() % UInt64(8 - lba)) + 1
                let write = rng.next() % 2 == 0
                var req = BlockRequest(id: UInt64(i), operation: write ? .write : .read, lba: UInt64(lba), blockCount: count)
                if write {
                    req.data = (0..<count * ExerciserDriver.blockSize).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    for b in 0..<count { shadow[lba + b] = Array(req.data[b * 512..<(b + 1) * 512]) }
                }
                if i % 50 == 49 { m.host.onCPU { d.armTimer(microseconds: 5) } }
                do { try m.host.onCPU { () throws(DriverError) in try d.submit(req) } } catch { errors += 1; continue }
                m.machine.scheduler.runUntilIdle(maxEvents: 100_000)
                guard let c = client.completions.popLast(), c.id == req.id else { errors += 1; continue }
                done += 1
                bytes += count * ExerciserDriver.blockSize
                if c.status != .success { errors += 1; continue }
                if !write && c.data != Array(shadow[lba..<lba + count].joined()) { errors += 1 }
            }
            m.machine.scheduler.runUntilIdle(maxEvents: 100_000)
        } else {
            errors += 1
        }
        m.host.detachAll()
        m.machine.scheduler.runUntilIdle(maxEvents: 100_000)
        let findings = m.machine.log.findings.map(\.description)
        let wall = ContinuousClock.now - wallStart
        closed = true
        try file?.close()
        return ExerciseSummary(
            host: "emulator", device: "exerciser", driver: ExerciserDriver.name, interrupt_mode: mode, operations: done,
            bytes: bytes, errors: errors, virtual_ns: m.machine.now.nanoseconds,
            wall_ns: UInt64(wall.components.seconds) * 1_000_000_000 + UInt64(wall.components.attoseconds / 1_000_000_000),
            events: m.machine.log.count, digest: m.machine.log.digest, findings: findings,
            passed: errors == 0 && findings.isEmpty && done == o.operations && m.host.driverErrors == 0)
    }
}

/// Collects block completions.
final class WorkloadClient: BlockClient {
    var completions: [BlockCompletion] = []
    func completed(_ completion: BlockCompletion) { completions.append(completion) }
}
