import BoxlessTesting
import Foundation
import WhiteboxCatalog

/// What every test shares: the catalog entry and a small trace the tests make themselves
/// (200 seeded frames of every kind: ARP, TCP/UDP over IPv4 and IPv6, VLAN, runts, jumbo frames).
enum Fixture {
    /// The WBX-100's entry, added to the catalog by every run that names it.
    static let entries = [Whitebox.entry]

    /// The bundled trace, written once per test process.
    static let trace: String = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("whitebox-mixed-200-\(ProcessInfo.processInfo.processIdentifier).pcap").path
        do { try Traces.write(.mixed, count: 200, seed: 7, to: path) } catch { fatalError("cannot write \(path): \(error)") }
        return path
    }()

    /// Replay options for the WBX-100 with the bundled trace.
    static func options(_ change: (inout ReplayOptions) -> Void = { _ in }) -> ReplayOptions {
        var o = ReplayOptions(trace: trace, nic: "wbx100")
        change(&o)
        return o
    }

    /// Runs a replay with the WBX-100 in the catalog.
    static func replay(recordEventLog: Bool = false, _ change: (inout ReplayOptions) -> Void = { _ in }) throws -> ReplayResult {
        try Replay.run(options(change), adding: entries, recordEventLog: recordEventLog)
    }
}
