import ArgumentParser
import BoxlessFaults
import BoxlessPlatform
import BoxlessRunner
import Foundation

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a pcap/pcapng trace through a NIC model and its driver, and check every frame.")
    @Argument(help: "The trace (pcap or pcapng).") var trace: String
    @Option(help: "NIC model: e1000 (82540EM), e1000e (82574L), rtl8139c (RTL8139C), rtl8139 (RTL8139C+), rtl8168 (RTL8111C/8168C), or an entry a tool adds to the catalog (`boxless devices` lists them).") var nic: String
    @Option(help: "Host: emulator; qemu (QEMU's own e1000/e1000e models through qtest; not deterministic); or linux (Linux's own e1000/e1000e drivers in User-Mode Linux on our models, on the machine's clock; needs `make linux`).") var host = "emulator"
    @Option(name: .customLong("kernel-log"), help: "With --host linux: write the guest kernel's log to this file.") var kernelLog: String?
    @Flag(name: .customLong("free-running"), help: "With --host linux: run the guest in real time instead of on the machine's simulated clock (UML time travel); not deterministic.") var freeRunning = false
    @Option(help: "rx: trace → wire → driver; tx: trace → driver → wire.") var direction = "rx"
    @Option(help: "The run's seed.") var seed: UInt64 = 1
    @Option(help: "A fault plan (YAML; see README \"Fault injection\"). Emulator host.") var faults: String?
    @Option(name: .customLong("trace-out"), help: "Write a Chrome/Perfetto trace-event file (JSON; ui.perfetto.dev opens it): MMIO, DMA, interrupts, frames, disk commands, faults, notes, findings in virtual time. Emulator host.") var traceOut: String?
    @Option(name: .customLong("watchdog"), help: "Fail a run in which no frame moves for this long (virtual time, e.g. 5s, 500ms).") var watchdog: String?
    @Option(help: "A BPF filter expression (compiled by libpcap).") var filter: String?
    @Option(name: .customLong("capture-rx"), help: "Write what the driver delivered to this pcap file.") var captureRX: String?
    @Option(name: .customLong("capture-tx"), help: "Write what the NIC put on the wire to this pcap file.") var captureTX: String?
    @Option(help: "original, line-rate or scale:X.") var timing = "original"
    @Option(help: "Frames the capture cut short: pad, skip or error.") var truncated = "pad"
    @Option(name: .customLong("param"), help: "Driver parameter name=value (repeatable).") var params: [String] = []
    @Flag(help: "Turn strict mode off.") var lenient = false
    @Option(help: "Write the event log as JSON Lines to this file.") var eventLog: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard ["emulator", "qemu", "linux"].contains(host) else { throw ValidationError("--host \(host) is not available in this build (hosts: emulator, qemu, linux)") }
        if host == "qemu" && eventLog != nil { throw ValidationError("--event-log is not available with --host qemu (QEMU runs have no event log)") }
        if host == "linux" && eventLog != nil && freeRunning { throw ValidationError("--event-log is not available with --free-running (the guest runs in real time; use --kernel-log)") }
        if host != "linux" && kernelLog != nil { throw ValidationError("--kernel-log needs --host linux") }
        if host != "linux" && freeRunning { throw ValidationError("--free-running needs --host linux") }
        if host == "linux" && !params.isEmpty { throw ValidationError("--param sets our drivers' parameters; with --host linux the guest's own driver runs") }
        guard ReplayDirection(rawValue: direction) != nil else { throw ValidationError("--direction must be rx or tx (got '\(direction)')") }
        guard ReplayTiming(argument: timing) != nil else { throw ValidationError("--timing must be original, line-rate or scale:X with X > 0 (got '\(timing)')") }
        guard TruncatedPolicy(rawValue: truncated) != nil else { throw ValidationError("--truncated must be pad, skip or error (got '\(truncated)')") }
        if traceOut != nil && host != "emulator" { throw ValidationError("--trace-out is available on the emulator host") }
        if faults != nil && host != "emulator" { throw ValidationError("--faults is available on the emulator host (QEMU's and Linux's clocks are not ours to fault)") }
        if let w = watchdog, VirtualDuration(argument: w) == nil { throw ValidationError("--watchdog must be a duration like 5s or 500ms (got '\(w)')") }
        for p in params where !p.contains("=") { throw ValidationError("--param takes name=value (got '\(p)')") }
    }

    func run() throws {
        var o = ReplayOptions(trace: trace, nic: nic)
        o.direction = ReplayDirection(rawValue: direction)!
        o.seed = seed; o.filter = filter; o.captureRX = captureRX; o.captureTX = captureTX
        o.timing = ReplayTiming(argument: timing)!; o.truncated = TruncatedPolicy(rawValue: truncated)!
        o.strict = !lenient; o.eventLog = eventLog
        if let f = faults { try o.loadFaults(f) }
        o.traceOut = traceOut
        if let w = watchdog { o.watchdog = VirtualDuration(argument: w)! }
        for p in params {
            let kv = p.split(separator: "=", maxSplits: 1)
            o.driverParameters[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        let progress = ProgressLine(label: "replay")
        let s: ReplaySummary
        do {
            if host == "qemu" {
                s = try QEMUReplayRun(o, progress: progress.update).run()
            } else if host == "linux" {
                let files: LinuxGuestFiles
                do { files = try LinuxGuestFiles.locate() } catch { throw RunnerError.hostFailed(error.description) }
                s = try LinuxReplayRun(o, files: files, timeTravel: !freeRunning, progress: progress.update).run()
                if let k = kernelLog {
                    guard FileManager.default.createFile(atPath: k, contents: Data(((s.kernel_log ?? []).joined(separator: "\n") + "\n").utf8)) else {
                        throw RunnerError.cannotWrite(k, "cannot write the kernel log")
                    }
                }
            } else {
                let r = try ReplayRun(o, progress: progress.update)
                s = try r.run()
            }
        } catch { progress.clear(); throw fail("\(error)") }
        progress.clear()
        if json { try printJSON(s) } else {
            print("\(s.trace): \(s.direction) through \(s.device) + \(s.driver): \(s.packets_in) in, \(s.delivered) delivered, \(s.dropped.total) dropped"
                  + (s.dropped.reasons.filter { $0.count > 0 }.isEmpty ? "" : " (" + s.dropped.reasons.filter { $0.count > 0 }.map { "\($0.counter) \($0.count)" }.joined(separator: ", ") + ")")
                  + ", \(s.mismatched) mismatched")
            if let n = s.host_skipped, n > 0 { print("\(n) frames over 64 KiB left out: the host's network backend cannot carry them") }
            if s.truncated_padded + s.truncated_skipped + s.runts_padded > 0 {
                print("truncated: \(s.truncated_padded) padded, \(s.truncated_skipped) skipped; runts padded: \(s.runts_padded)")
            }
            if let g = s.guest_stack {
                print("guest stack: \(g.udp_on_wire)/\(g.udp_sent) UDP datagrams and \(g.icmp_echo_on_wire)/\(g.icmp_echo_expected) ICMP echo requests intact on the wire"
                      + (g.problems.isEmpty ? "" : ", \(g.problems.count) problems"))
            }
            print("virtual \(Double(s.virtual_ns) / 1e6) ms, wall \(Double(s.wall_ns) / 1e6) ms, \(s.events) events, digest \(s.digest)")
            for f in s.failures { print("failed: \(f)") }
            for f in s.findings.prefix(20) { print("finding: \(f)") }
            print(s.passed ? "PASSED" : "FAILED")
        }
        if !s.passed { throw ExitCode(1) }
    }
}

struct GenTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-trace", abstract: "Write a synthetic trace (well-formed frames, seeded) with libpcap.")
    @Argument(help: "Output pcap file.") var output: String
    @Option(help: "mixed, min (64-byte frames at line rate) or max (1518-byte frames at line rate).") var kind = "mixed"
    @Option(help: "Number of frames.") var count = 1000
    @Option(help: "Seed.") var seed: UInt64 = 1

    func validate() throws {
        guard TraceGenerator.Kind(rawValue: kind) != nil else { throw ValidationError("--kind must be mixed, min or max (got '\(kind)')") }
        guard count > 0 && count <= 100_000_000 else { throw ValidationError("--count must be 1…100000000") }
    }

    func run() throws {
        do { try TraceGenerator.write(kind: TraceGenerator.Kind(rawValue: kind)!, count: count, seed: seed, to: output) }
        catch { throw fail("\(error)") }
        print("wrote \(count) \(kind) frames to \(output)")
    }
}

/// A one-line progress indicator on stderr, shown only on a terminal.
final class ProgressLine: @unchecked Sendable {
    let label: String
    let enabled = isatty(2) == 1
    private var last = ContinuousClock.now   // wall time: only to throttle drawing
    private var shown = false
    init(label: String) { self.label = label }
    func update(_ frames: Int) {
        guard enabled, ContinuousClock.now - last > .milliseconds(200) else { return }   // wall time: progress display only
        last = ContinuousClock.now   // wall time: progress display only
        shown = true
        FileHandle.standardError.write(Data("\r\(label): \(frames) frames…".utf8))
    }
    func clear() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
