import ArgumentParser
import BoxlessRunner
import Foundation

struct Disk: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive the block path: a seeded workload through the AHCI model, a SATA disk and the AHCI driver, checked.")
    @Option(help: "Controller: ahci.") var controller = "ahci"
    @Option(help: "Host: emulator; qemu (QEMU's ich9-ahci + ide-hd through qtest; verify and seq workloads); or linux (Linux's ahci/sd/ext4 in User-Mode Linux on our AHCI model, on the machine's clock: every file of an ext4 image checked, a pattern written, synced and read back; needs `make linux`).") var host = "emulator"
    @Option(name: .customLong("kernel-log"), help: "With --host linux: write the guest kernel's log to this file.") var kernelLog: String?
    @Flag(name: .customLong("free-running"), help: "With --host linux: run the guest in real time instead of on the machine's simulated clock (UML time travel); not deterministic.") var freeRunning = false
    @Option(help: "A raw disk image (never modified unless --writable; writes go to a copy-on-write overlay).") var image: String?
    @Option(help: "Size of a memory-backed disk (e.g. 64M, 1G; default 64M); with --image, the size the image must have.") var size: String?
    @Flag(help: "Let writes reach the image file.") var writable = false
    @Option(help: "verify, randrw, seq or randread.") var workload = "verify"
    @Option(name: .customLong("queue-depth"), help: "Requests in flight (1…32).") var queueDepth = 32
    @Option(help: "Requests.") var ops = 2000
    @Option(name: .customLong("max-blocks"), help: "Largest request in 512-byte blocks (1…256).") var maxBlocks = 64
    @Option(help: "Disk profile: ssd or hdd.") var profile = "ssd"
    @Option(help: "The run's seed.") var seed: UInt64 = 1
    @Option(help: "A fault plan (YAML; see README \"Fault injection\"). Emulator host.") var faults: String?
    @Option(name: .customLong("trace-out"), help: "Write a Chrome/Perfetto trace-event file (JSON; ui.perfetto.dev opens it): MMIO, DMA, interrupts, frames, disk commands, faults, notes, findings in virtual time. Emulator host.") var traceOut: String?
    @Option(name: .customLong("param"), help: "Driver parameter name=value (repeatable).") var params: [String] = []
    @Flag(help: "Turn strict mode off.") var lenient = false
    @Option(help: "Write the event log as JSON Lines to this file.") var eventLog: String?
    @Flag(help: "Print one JSON object.") var json = false

    /// Bad options get one line on stderr and exit status 2 (not ArgumentParser's usage block).
    func validate() throws {
        guard ["emulator", "qemu", "linux"].contains(host) else { throw fail("--host \(host) is not available in this build (hosts: emulator, qemu, linux)") }
        if host == "qemu" && eventLog != nil { throw fail("--event-log is not available with --host qemu (QEMU runs have no event log)") }
        if host == "linux" && eventLog != nil { throw fail("--event-log is not available with --host linux (the guest runs in real time; use --kernel-log)") }
        if host != "linux" && kernelLog != nil { throw fail("--kernel-log needs --host linux") }
        if host != "linux" && freeRunning { throw fail("--free-running needs --host linux") }
        if host == "linux" && !params.isEmpty { throw fail("--param sets our drivers' parameters; with --host linux the guest's own driver runs") }
        guard controller == "ahci" else { throw fail("--controller \(controller) is not available (controllers: ahci)") }
        guard ["ssd", "hdd", "hdd7200"].contains(profile) else { throw fail("--profile must be ssd or hdd (got '\(profile)')") }
        guard WorkloadKind(rawValue: workload) != nil else { throw fail("--workload must be verify, randrw, seq or randread (got '\(workload)')") }
        guard DiskOptions.queueDepthRange.contains(queueDepth) else { throw fail("--queue-depth must be 1…32 (got \(queueDepth))") }
        guard (1...100_000_000).contains(ops) else { throw fail("--ops must be 1…100000000 (got \(ops))") }
        guard (1...256).contains(maxBlocks) else { throw fail("--max-blocks must be 1…256 (got \(maxBlocks))") }
        if let size {
            guard let n = DiskOptions.parseSize(size) else { throw fail("--size must be a positive size such as 512K, 64M or 1G (got '\(size)')") }
            guard n % 512 == 0 else { throw fail("--size \(size) (\(n) bytes) is not a multiple of the 512-byte sector size") }
            guard n <= 1 << 47 else { throw fail("--size \(size) is larger than the 128 TiB an LBA48 disk can address") }
        }
        if writable && image == nil { throw fail("--writable needs --image FILE") }
        if traceOut != nil && host != "emulator" { throw fail("--trace-out is available on the emulator host") }
        if faults != nil && host != "emulator" { throw fail("--faults is available on the emulator host (QEMU's and Linux's clocks are not ours to fault)") }
        for p in params where !p.contains("=") { throw fail("--param takes name=value (got '\(p)')") }
    }

    func run() throws {
        var o = DiskOptions()
        o.controller = controller; o.image = image; o.size = size.flatMap(DiskOptions.parseSize); o.writable = writable
        o.workload = WorkloadKind(rawValue: workload)!; o.queueDepth = queueDepth; o.operations = ops; o.maxBlocks = maxBlocks
        o.profile = profile; o.seed = seed; o.strict = !lenient; o.eventLog = eventLog
        if let f = faults { try o.loadFaults(f) }
        o.traceOut = traceOut
        for p in params {
            let kv = p.split(separator: "=", maxSplits: 1)
            o.driverParameters[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        let bar = ProgressBar(label: "disk \(workload)", total: ops)
        let s: DiskSummary
        do {
            switch host {
            case "qemu": s = try QEMUDiskRun.run(o, progress: bar.update)
            case "linux":
                let files: LinuxGuestFiles
                do { files = try LinuxGuestFiles.locate() } catch { throw RunnerError.hostFailed(error.description) }
                s = try LinuxDiskRun.run(o, files: files, timeTravel: !freeRunning)
                if let k = kernelLog {
                    guard FileManager.default.createFile(atPath: k, contents: Data(((s.kernel_log ?? []).joined(separator: "\n") + "\n").utf8)) else {
                        throw RunnerError.cannotWrite(k, "cannot write the kernel log")
                    }
                }
            default: s = try DiskRun.run(o, progress: bar.update)
            }
        } catch { bar.clear(); throw fail("\(error)") }
        bar.clear()
        if json { try printJSON(s) } else {
            if let n = s.files_checked { print("\(s.device) + \(s.driver): \(n) files of the ext4 image read by the guest, pattern written and read back") } else {
            print("\(s.workload) on \(s.device) + \(s.driver) (\(s.profile), QD \(s.queue_depth)): \(s.operations) ops (\(s.reads) reads, \(s.writes) writes, \(s.flushes) flushes), \(s.bytes) bytes, \(s.errors) errors, \(s.mismatches) mismatches")
            }
            if let img = s.image {
                print(s.writable ? "image \(img) written in place" : "image \(img) untouched; \(s.overlay_sectors ?? 0) sectors in the copy-on-write overlay")
            }
            print("virtual \(Double(s.virtual_ns) / 1e6) ms, wall \(Double(s.wall_ns) / 1e6) ms, \(s.events) events, digest \(s.digest)")
            for f in s.failures { print("failed: \(f)") }
            for e in s.error_samples.prefix(10) { print("error: \(e)") }
            for f in s.findings.prefix(20) { print("finding: \(f)") }
            print(s.passed ? "PASSED" : "FAILED")
        }
        if !s.passed { throw ExitCode(1) }
    }
}

/// A progress bar on stderr for long runs, drawn only on a terminal and at most five times a second
/// (the same rules as ``ProgressLine``, with a bar and a count of requests instead of frames).
final class ProgressBar: @unchecked Sendable {
    let label: String
    let total: Int
    let enabled = isatty(2) == 1
    private let started = ContinuousClock.now   // wall time: only to decide when to draw
    private var last = ContinuousClock.now   // wall time: progress display only
    private var shown = false
    init(label: String, total: Int) { self.label = label; self.total = max(1, total) }
    func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now   // wall time: progress display only
        // Short runs never draw: the first frame waits half a second.
        guard now - started > .milliseconds(500), now - last > .milliseconds(200) else { return }
        last = now
        shown = true
        let fraction = min(1, Double(done) / Double(total))
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total) requests".utf8))
    }
    func clear() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
