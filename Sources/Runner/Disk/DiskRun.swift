import BoxlessFaults
import AHCIModel
import BoxlessPlatform
import EmulatorHost
import Foundation
import NativeDriverKit

/// Everything `boxless disk` takes.
public struct DiskOptions: Sendable {
    /// Controller model (`ahci`).
    public var controller = "ahci"
    /// A raw image file; nil for a memory-backed disk of ``size`` bytes.
    public var image: String?
    /// Size of a memory-backed disk in bytes (default ``defaultSize``); with an image, the size the
    /// image must have (a mismatch is an error).
    public var size: UInt64?
    /// Let writes reach the image file (otherwise they go to a copy-on-write overlay).
    public var writable = false
    /// Disk profile: `ssd` or `hdd`.
    public var profile = "ssd"
    /// The workload.
    public var workload: WorkloadKind = .verify
    /// Queue depth (1…32; capped at what the driver offers, e.g. 1 with `ncq=0`).
    public var queueDepth = 32
    /// Requests.
    public var operations = 2000
    /// Largest request in 512-byte blocks.
    public var maxBlocks = 64
    /// The run's seed.
    public var seed: UInt64 = 1
    /// Strict mode.
    public var strict = true
    /// Driver parameters.
    public var driverParameters: [String: String] = [:]
    /// JSON Lines event log, if wanted.
    public var eventLog: String?
    /// Whether DMA payload bytes join the event-log digest (on by default; the benchmark may turn it off).
    public var digestPayloads = true
    /// A fault plan to apply (`--faults PLAN.yaml`, loaded with ``loadFaults(_:)``).
    public var faults: FaultPlan?
    /// A Chrome/Perfetto trace-event file to write (`--trace-out`).
    public var traceOut: String?
    /// Creates default options.
    public init() {}

    /// Loads the fault plan at `path` into ``faults`` (one-line error naming the file, line and key).
    public mutating func loadFaults(_ path: String) throws(RunnerError) { faults = try RunFaults.load(path: path) }

    /// Size of a memory-backed disk when none is given: 64 MiB.
    public static let defaultSize: UInt64 = 64 << 20
    /// Largest queue depth (AHCI: 32 command slots, NCQ: 32 tags).
    public static let queueDepthRange = 1...32

    /// Checks the options every host shares (queue depth, request count and size); one error line.
    public func validate() throws(RunnerError) {
        guard DiskOptions.queueDepthRange.contains(queueDepth) else {
            throw .badOption("--queue-depth must be \(DiskOptions.queueDepthRange.lowerBound)…\(DiskOptions.queueDepthRange.upperBound) (got \(queueDepth))")
        }
        guard operations > 0 else { throw .badOption("--ops must be positive (got \(operations))") }
        guard maxBlocks > 0 else { throw .badOption("--max-blocks must be positive (got \(maxBlocks))") }
    }

    /// The workload settings for a disk of geometry `g` (queue depth and request size capped at what
    /// the driver offers); `disk` names the disk in the error when it is too small.
    public func settings(for g: NativeDriverKit.BlockGeometry, disk: String) throws(RunnerError) -> BlockWorkload.Settings {
        var s = BlockWorkload.Settings()
        s.kind = workload; s.operations = operations
        s.queueDepth = min(queueDepth, max(1, g.maximumQueueDepth))
        s.maxBlocks = min(maxBlocks, g.maximumBlocksPerRequest)
        guard g.blockCount >= UInt64(s.maxBlocks), g.blockCount > 0 else {
            throw .badOption("\(disk): the disk has \(g.blockCount) sectors (\(g.blockCount * 512) bytes), too small for the \(workload.rawValue) workload's "
                             + "requests of up to \(s.maxBlocks) sectors (\(s.maxBlocks * 512) bytes); use a larger disk or a smaller --max-blocks")
        }
        return s
    }

    /// The disk profile `profile` names (`ssd`, `hdd`/`hdd7200`); a bad name is one error line.
    public func diskProfile() throws -> DiskProfile {
        switch profile {
        case "ssd": return .ssd
        case "hdd", "hdd7200": return .hdd7200
        default: throw RunnerError.badOption("--profile must be ssd or hdd (got '\(profile)')")
        }
    }

    /// Parses a size such as `64M`, `1G`, `4096`, `512K` or `8MiB` (binary units); nil if malformed or zero.
    public static func parseSize(_ s: String) -> UInt64? {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var t = s.uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") { t.removeLast() }
        var mult: UInt64 = 1
        if let u = t.last, let m = units[u] { mult = m; t.removeLast() }
        guard !t.isEmpty, t.allSatisfy(\.isASCII), let n = UInt64(t), n > 0, n <= UInt64.max / mult else { return nil }
        return n * mult
    }
}

/// The JSON summary of a disk run (DESIGN.md's `boxless disk` contract, plus detail).
public struct DiskSummary: Codable, Sendable {
    public var host: String
    public var controller: String
    public var device: String
    public var driver: String
    public var profile: String
    public var image: String?
    public var writable: Bool
    /// Capacity in 512-byte sectors.
    public var sectors: UInt64
    public var workload: String
    /// The queue depth used (the one asked for, capped at ``device_queue_depth``).
    public var queue_depth: Int
    /// The most requests the driver accepts at once.
    public var device_queue_depth: Int
    public var seed: UInt64
    public var operations: Int
    public var reads: Int
    public var writes: Int
    public var flushes: Int
    public var bytes: Int
    public var errors: Int
    public var media_errors: Int
    public var mismatches: Int
    /// Sectors held by the copy-on-write overlay (the image itself was not written); nil without one.
    public var overlay_sectors: UInt64?
    /// Virtual time at the end of the workload (boot included).
    public var virtual_ns: UInt64
    /// Wall time of the whole run (machine set-up included).
    public var wall_ns: UInt64
    /// Virtual time of the workload alone.
    public var workload_virtual_ns: UInt64
    /// Wall time of the workload alone.
    public var workload_wall_ns: UInt64
    public var events: UInt64
    public var digest: String
    public var findings: [String]
    public var error_samples: [String]
    public var passed: Bool
    public var failures: [String]
    /// With `--faults`: what the plan injected.
    public var faults: FaultReport? = nil
    /// With `--faults`: failed requests accounted to injected faults (media errors, failed commands).
    public var lost_to_faults: Int? = nil
    /// With `--faults`: whether I/O flowed again within each transient fault's stated time.
    public var recoveries: [FaultRecovery]? = nil
    /// The guest kernel's log (Linux host only).
    public var kernel_log: [String]? = nil
    /// Files the guest read and checked (Linux host only).
    public var files_checked: Int? = nil
}

/// A disk machine: the AHCI controller with one SATA disk on port 0, its driver bound.
public final class DiskMachine {
    /// The machine.
    public let machine: BoxlessMachine
    /// The disk.
    public let disk: SATADisk
    /// The medium the disk writes to (the overlay, the writable file or memory).
    public let medium: any BlockBackend
    /// The image file, if any.
    public let file: FileBackend?
    /// The copy-on-write overlay over a read-only image, if any.
    public let overlay: OverlayBackend?
    /// The bound block driver.
    public let device: any BlockDevice
    /// Whether the base content is read from the medium the workload writes (a writable image or
    /// a medium handed in), so it must be captured before it is overwritten.
    public let baseIsLive: Bool
    private let base: (any BlockBackend)?
    var eventFile: EventLogFile?
    /// The trace-event file (`--trace-out`), if any.
    var trace: TraceEventFile?
    /// The fault plan, armed (nil without faults).
    let faults: RunFaults?

    /// Builds and starts it. `medium` replaces the image or memory disk (e.g. the medium of a machine
    /// that lost power); the image is then not opened. Errors are one line naming the file and the problem.
    public init(_ o: DiskOptions, medium: (any BlockBackend)? = nil) throws {
        guard o.controller == "ahci" else { throw RunnerError.badOption("--controller \(o.controller) is not available (controllers: ahci)") }
        let profile = try o.diskProfile()
        if let medium {
            self.medium = medium; base = medium; file = nil; overlay = nil; baseIsLive = true
        } else if let path = o.image {
            let f: FileBackend
            do { f = try FileBackend(path: path, writable: o.writable) } catch { throw RunnerError.cannotRead(path, error.description) }
            if let size = o.size, size != f.byteCount {
                throw RunnerError.badOption("\(path): the image is \(f.byteCount) bytes but --size asks for \(size) bytes (leave --size out to use the image's size)")
            }
            file = f; base = f
            if o.writable { self.medium = f; overlay = nil; baseIsLive = true } else {
                let ov = OverlayBackend(base: f)
                self.medium = ov; overlay = ov; baseIsLive = false
            }
        } else {
            let bytes = o.size ?? DiskOptions.defaultSize
            guard bytes % UInt64(BlockGeometry.sectorSize) == 0 else {
                throw RunnerError.badOption("--size \(bytes) bytes is not a multiple of the 512-byte sector size")
            }
            // A fresh memory disk reads as zeros: the check compares against zeros, not against the
            // medium it is checking.
            self.medium = MemoryBackend(sectors: bytes / UInt64(BlockGeometry.sectorSize))
            base = nil; file = nil; overlay = nil; baseIsLive = false
        }
        let disk = SATADisk(backend: self.medium, profile: profile)
        self.disk = disk
        machine = try BoxlessMachine(MachineSpec(slots: [.init(model: "ahci", device: 4)], seed: o.seed, strict: o.strict,
                                                 driverParameters: o.driverParameters),
                                     make: { _ in AHCIController(ports: [disk]) })
        machine.machine.log.digestsPayloads = o.digestPayloads
        let recording = try RunRecording(machine: machine.machine, eventLog: o.eventLog, traceOut: o.traceOut,
                                         process: "boxless disk: \(o.controller)")
        eventFile = recording.eventFile; trace = recording.trace
        let platform = machine.machine
        faults = o.faults.map { RunFaults(plan: $0, machine: platform) }
        do { try machine.start() } catch { try? eventFile?.close(); throw error }
        guard let d = machine.host.bound.first?.instance as? any BlockDevice else {
            try? eventFile?.close()
            let why = machine.host.probeFailures.first.map { "\($0.driverName) probe failed: \($0.error)" } ?? "no driver bound"
            throw RunnerError.probeFailed("ahci: \(why)")
        }
        device = d
    }

    /// Fills `buffer` with the base content of `count` blocks at `lba` (what a never-written block reads as).
    public func readBase(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) {
        guard let base else { buffer.initializeMemory(as: UInt8.self, repeating: 0); return }
        do { try base.read(lba: lba, count: count, into: buffer) } catch {
            // An unreadable image makes the expected content unknowable; 0xFF never matches a good read.
            buffer.initializeMemory(as: UInt8.self, repeating: 0xFF)
        }
    }

    /// The base content of block `lba`.
    public func baseBlock(_ lba: UInt64) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: BlockGeometry.sectorSize)
        b.withUnsafeMutableBytes { readBase(lba: lba, count: 1, into: $0) }
        return b
    }

    /// A workload on this machine's driver, its base content wired in.
    public func workload(_ s: BlockWorkload.Settings) -> BlockWorkload {
        let w = BlockWorkload(device: device, host: machine.host, settings: s, random: machine.machine.random.split("workload"),
                              baseRange: { [unowned self] lba, n, buf in self.readBase(lba: lba, count: n, into: buf) })
        w.baseIsLive = baseIsLive
        return w
    }

    /// Submits `requests` through the driver (at most `queueDepth` at once, in order) and runs the
    /// machine until all have completed or `timeout` of virtual time passed; returns the completions
    /// in request order (a request that never completed gets `.deviceError`).
    public func perform(_ requests: [BlockRequest], queueDepth: Int = 1, timeout: VirtualDuration = .seconds(60)) -> [BlockCompletion] {
        let client = Collector(requests, depth: queueDepth, device: device)
        machine.host.onCPU {
            device.setClient(client)
            client.fill()
        }
        let s = machine.machine.scheduler
        let deadline = machine.machine.now + timeout
        while client.done < requests.count, s.step(notAfter: deadline) {}
        return requests.map { r in client.results[r.id] ?? BlockCompletion(id: r.id, status: .deviceError("no completion within \(timeout) of virtual time")) }
    }

    /// Reads `count` blocks at `lba` through the controller and driver.
    public func read(lba: UInt64, count: Int) -> BlockCompletion {
        perform([BlockRequest(id: 0, operation: .read, lba: lba, blockCount: count)])[0]
    }

    /// Detaches the driver, lets the machine settle and closes the event log and trace file
    /// (throwing the first write error, naming the file).
    public func finish() throws(RunnerError) {
        machine.host.detachAll()
        machine.machine.scheduler.run(until: machine.machine.now + .milliseconds(1))
        let e = eventFile, t = trace
        eventFile = nil; trace = nil
        try e?.close()
        try t?.close()
    }

    private final class Collector: BlockClient {
        let requests: [BlockRequest]
        let depth: Int
        let device: any BlockDevice
        var next = 0, inFlight = 0, done = 0
        var results: [UInt64: BlockCompletion] = [:]
        init(_ r: [BlockRequest], depth: Int, device: any BlockDevice) { requests = r; self.depth = max(1, depth); self.device = device }
        func fill() {
            while inFlight < depth, next < requests.count {
                let r = requests[next]
                next += 1
                do { try device.submit(r); inFlight += 1 } catch {
                    results[r.id] = BlockCompletion(id: r.id, status: .invalid("submit failed: \(error)"))
                    done += 1
                }
            }
        }
        func completed(_ c: BlockCompletion) {
            results[c.id] = c
            inFlight -= 1; done += 1
            fill()
        }
    }
}

/// Runs `boxless disk`.
public enum DiskRun {
    /// Runs a workload and its checks; `progress` hears the number of completed requests now and then.
    public static func run(_ o: DiskOptions, progress: ((Int) -> Void)? = nil) throws -> DiskSummary {
        let wallStart = ContinuousClock.now   // wall time only for reporting speed
        try o.validate()
        let dm = try DiskMachine(o)
        let m = dm.machine
        let g = dm.device.geometry
        let s: BlockWorkload.Settings
        do { s = try o.settings(for: g, disk: o.image ?? "--size \(dm.medium.byteCount)") } catch { try? dm.finish(); throw error }
        let w = dm.workload(s)
        w.progress = progress
        // Under a plan that cuts power, what a completed flush made durable is tracked; at each cut
        // the rest may be lost (seen at the next completion, before it is counted).
        var cutsSeen = 0
        let cuts: (() -> Void)? = dm.faults.flatMap { f in
            f.plan.rules.contains { $0.kind == .powerLoss } ? {
                let n = f.powerLosses
                if n > cutsSeen { cutsSeen = n; w.powerLost() }
            } : nil
        }
        w.tracksDurability = cuts != nil
        var completions: [VirtualTime] = []
        var submitted: [UInt64: VirtualTime] = [:]
        if let trace = dm.trace {
            w.onSubmit = { r in submitted[r.id] = m.machine.now }
            w.onCompletion = { r, c in
                trace.span("\(r.operation) \(r.blockCount) @ \(r.lba)", track: .disk, from: submitted.removeValue(forKey: r.id) ?? m.machine.now,
                           to: m.machine.now, args: [("status", "\(c.status)")])
                if dm.faults != nil { completions.append(m.machine.now) }
                cuts?()
            }
        } else if dm.faults != nil {
            w.onCompletion = { _, _ in completions.append(m.machine.now); cuts?() }
        }
        let vStart = m.machine.now
        let wStart = ContinuousClock.now
        let r = w.run()
        cuts?()
        let workloadWall = ContinuousClock.now - wStart
        let vEnd = m.machine.now
        let log = m.machine.log
        var failures: [String] = []
        // A clean shutdown: FLUSH CACHE through the driver, so what was written reaches the medium
        // (the overlay, or the image with --writable), as an OS does before power-off.
        if !w.isStopped {
            let c = dm.perform([BlockRequest(id: UInt64.max, operation: .flush)])[0]
            if c.status != .success && dm.faults?.anyFunctionRemoved != true { failures.append("the shutdown flush failed: \(c.status)") }
        }
        // Under faults, a request may fail because of one: a media error the plan put there, or a
        // command a fault failed (errors that reach the caller are the driver doing its job).
        // A surprise removal takes the disk away: every request after it fails, by necessity.
        let excused = dm.faults.map { $0.anyFunctionRemoved ? r.errors : min(r.errors, r.mediaErrors + Int($0.injector.summary.commandsFailed)) } ?? 0
        if r.errors > excused { failures.append("\(r.errors - excused) requests failed\(excused > 0 ? " (besides \(excused) accounted to injected faults)" : "")") }
        if let why = dm.faults?.removalFailure { failures.append(why) }
        let recoveries = dm.faults?.recoveries(linkUps: [], progress: completions, trafficEnd: vEnd) ?? []
        for rec in recoveries where !rec.recovered {
            failures.append("no recovery from \(rec.fault) (plan entry \(rec.rule + 1)) at \(rec.at_ns / 1_000_000) ms within \(rec.within_ns / 1_000_000) ms: "
                            + (rec.recovered_ns.map { "I/O moved again only at \($0 / 1_000_000) ms" } ?? "no request completed after it"))
        }
        // A read that returns other data is silent corruption — unless a DMA fault damaged that very
        // transfer (at most one read per such fault).
        let damaged = min(r.mismatches, dm.faults?.dataFaultsBothWays ?? 0)
        if r.mismatches > damaged {
            failures.append("\(r.mismatches - damaged) reads returned data other than the last written (first at LBA \(r.firstMismatchLBA ?? 0))"
                            + (damaged > 0 ? " besides \(damaged) damaged by injected DMA faults" : ""))
        }
        if r.operations < w.totalOperations { failures.append("only \(r.operations) of \(w.totalOperations) requests completed") }
        try dm.finish()
        if log.findingCount > 0 { failures.append("\(log.findingCount) findings") }
        if m.host.driverErrors > 0 { failures.append("\(m.host.driverErrors) driver errors logged") }
        let wall = ContinuousClock.now - wallStart
        return DiskSummary(
            host: "emulator", controller: o.controller, device: m.machine.functions.first?.model.name ?? "?",
            driver: m.host.bound.first?.driverName ?? DeviceCatalog.entry(named: "ahci")?.driver.name ?? "?",
            profile: o.profile, image: o.image, writable: o.writable, sectors: g.blockCount,
            workload: o.workload.rawValue, queue_depth: s.queueDepth, device_queue_depth: g.maximumQueueDepth, seed: o.seed,
            operations: r.operations, reads: r.reads, writes: r.writes, flushes: r.flushes, bytes: r.bytes,
            errors: r.errors, media_errors: r.mediaErrors, mismatches: r.mismatches,
            overlay_sectors: dm.overlay?.modifiedSectors,
            virtual_ns: vEnd.nanoseconds, wall_ns: nanoseconds(wall),
            workload_virtual_ns: (vEnd - vStart).rawValue / 1_000, workload_wall_ns: nanoseconds(workloadWall),
            events: log.count, digest: log.digest, findings: Array(log.findings.prefix(100).map(\.description)),
            error_samples: r.errorSamples, passed: failures.isEmpty, failures: failures,
            faults: dm.faults?.report, lost_to_faults: dm.faults.map { _ in excused + damaged }, recoveries: dm.faults.map { _ in recoveries })
    }

    static func nanoseconds(_ d: Duration) -> UInt64 {
        let c = d.components
        return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds) / 1_000_000_000)
    }
}
