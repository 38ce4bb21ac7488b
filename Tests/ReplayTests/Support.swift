import BoxlessRunner
import Foundation

/// The shared captures (`../shared/traces/tcpdump/`, beside the checkout; never copied in).
enum SharedTraces {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.deletingLastPathComponent().appendingPathComponent("shared/traces/tcpdump")
    static var all: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let generated = root.appendingPathComponent("Traces/mixed-200.pcap").path
}

func temporaryDirectory() -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-replay-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

func replay(_ trace: String, nic: String, direction: ReplayDirection = .rx, configure: (inout ReplayOptions) throws -> Void = { _ in }) throws -> ReplaySummary {
    var o = ReplayOptions(trace: trace, nic: nic)
    o.direction = direction
    try configure(&o)
    return try ReplayRun(o).run()
}
