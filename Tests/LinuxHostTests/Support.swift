import BoxlessRunner
import Foundation

/// Paths the Linux-host tests use: the shared captures beside the checkout (never copied in) and
/// the project's own trace.
enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func shared(_ name: String) -> String {
        root.deletingLastPathComponent().appendingPathComponent("shared/traces/tcpdump/\(name)").path
    }
    static let mixed = root.appendingPathComponent("Traces/mixed-200.pcap").path
    static func temporary(_ name: String) -> String {
        NSTemporaryDirectory() + "boxless-linux-test-\(getpid())-\(name)"
    }
}

/// A replay through the Linux host.
func linuxReplay(_ trace: String, nic: String, direction: ReplayDirection = .rx, configure: (inout ReplayOptions) -> Void = { _ in }) throws -> ReplaySummary {
    var o = ReplayOptions(trace: trace, nic: nic)
    o.direction = direction
    configure(&o)
    let s = try LinuxReplayRun(o, files: LinuxGuestFiles.locate()).run()
    if !s.passed {
        print("---- \(trace) \(nic) \(direction): \(s.failures)\n" + (s.kernel_log ?? []).suffix(40).joined(separator: "\n"))
    }
    return s
}

/// Whether the Linux host's guest (UML kernel, busybox, agent, seed library) is built; the suites
/// skip with ``umlMissing`` when it is not, as the QEMU suites do without QEMU.
let umlAvailable = (try? LinuxGuestFiles.locate()) != nil
let umlMissing = "the Linux host's guest is not built (run `make linux`, or set BOXLESS_LINUX_DIR)"
