import ArgumentParser
import BoxlessRunner
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure replay throughput through model and driver (use a release build).")
    @Option(help: "Case: 64, 1514 (in-memory frames at line rate), trace (a generated 64-byte pcap, constant memory), or dma (the kit's DMA accessors).") var size = "64"
    @Option(help: "Frames.") var frames = 1_000_000
    @Option(help: "NIC model.") var nic = "e1000"
    @Option(help: "Host: emulator, or qemu (QEMU's own NIC model driven through qtest; 64 or 1514 only).") var host = "emulator"
    @Option(help: "Directory for generated traces.") var workdir = NSTemporaryDirectory()
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        let nic: String, case_: String, frames: Int, delivered: Int, dropped: UInt64, wall_ns: UInt64, virtual_ns: UInt64
        let frames_per_second: Double, virtual_to_wall: Double, peak_rss_mib: Double, passed: Bool
        enum CodingKeys: String, CodingKey {
            case nic, case_ = "case", frames, delivered, dropped, wall_ns, virtual_ns, frames_per_second, virtual_to_wall, peak_rss_mib, passed
        }
    }

    /// Times the kit's DMABuffer accessors on the emulator host (2 × 1024 accesses per round).
    func dmaAccessors() throws {
        let rounds = max(1, frames / 100)
        let (seconds, accesses) = try DMAAccessorBench.run(rounds: rounds)
        let ns = seconds * 1e9 / Double(accesses)
        if json {
            struct R: Encodable { let case_: String; let accesses: Int; let ns_per_access: Double
                enum CodingKeys: String, CodingKey { case case_ = "case", accesses, ns_per_access } }
            try printJSON(R(case_: "dma", accesses: accesses, ns_per_access: ns))
        } else {
            print(String(format: "DMA accessors: %d 32-bit loads/stores in %.3f s: %.2f ns per access", accesses, seconds, ns))
        }
    }

    /// The same replay through QEMU's NIC model (wall-clock bound by qtest round trips).
    func qemu() throws {
        guard size == "64" || size == "1514" else { throw fail("--host qemu takes --size 64 or 1514") }
        let r: QEMUReplayBench.Result
        do { r = try QEMUReplayBench.run(nic: nic, size: Int(size)!, frames: frames) } catch { throw fail("\(error)") }
        if json { try printJSON(r); return }
        print(String(format: "%@ on QEMU %@-byte: %d frames, %d delivered in %.3f s wall: %.0f frames/s (%d qtest commands)%@",
                     nic, size, r.frames, r.delivered, Double(r.wall_ns) / 1e9, r.frames_per_second, Int(r.qtest_commands),
                     r.passed ? "" : " (checks FAILED)"))
        if !r.passed { throw ExitCode(1) }
    }

    func run() throws {
        if size == "dma" { try dmaAccessors(); return }
        if host == "qemu" { try qemu(); return }
        guard host == "emulator" else { throw fail("--host must be emulator or qemu (got '\(host)')") }
        var o = ReplayOptions(trace: "", nic: nic)
        o.timing = .lineRate
        o.strict = false
        let source: (any FrameSource)?
        switch size {
        case "64", "1514":
            var g = TraceGenerator(kind: size == "64" ? .min : .max, seed: 1)
            source = RepeatingFrameSource(name: "generated \(size)-byte frames", frame: g.next().bytes, count: frames)
        case "trace":
            let path = (workdir as NSString).appendingPathComponent("boxless-bench-\(frames)-min.pcap")
            if !FileManager.default.fileExists(atPath: path) {
                do { try TraceGenerator.write(kind: .min, count: frames, seed: 1, to: path) } catch { throw fail("\(error)") }
            }
            o.trace = path
            source = nil
        default: throw fail("--size must be 64, 1514 or trace")
        }
        let s: ReplaySummary
        do { s = try ReplayRun(o, source: source).run() } catch { throw fail("\(error)") }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let wallS = Double(s.wall_ns) / 1e9
        let r = Result(nic: nic, case_: size, frames: s.packets_in, delivered: s.delivered, dropped: s.dropped.total,
                       wall_ns: s.wall_ns, virtual_ns: s.virtual_ns, frames_per_second: Double(s.packets_in) / wallS,
                       virtual_to_wall: Double(s.virtual_ns) / Double(s.wall_ns), peak_rss_mib: Double(usage.ru_maxrss) / 1024,
                       passed: s.passed)
        if json { try printJSON(r); return }
        print(String(format: "%@ %@: %d frames in %.3f s wall (%.3f s virtual): %.0f frames/s, virtual/wall %.2f, peak RSS %.1f MiB%@",
                     nic, size == "trace" ? "1M-frame pcap" : "\(size)-byte", s.packets_in, wallS, Double(s.virtual_ns) / 1e9,
                     r.frames_per_second, r.virtual_to_wall, r.peak_rss_mib, s.passed ? "" : " (checks FAILED)"))
    }
}
