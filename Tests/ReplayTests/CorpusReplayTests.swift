import BoxlessRunner
import Foundation
import Testing

/// Every shared capture, through both chips, in both directions, with the driver's default
/// configuration (the interface opened promiscuous, as a capture tool would).
@Suite struct CorpusReplayTests {
    @Test func theCorpusIsThere() {
        #expect(SharedTraces.all.count >= 100, "expected the shared captures at \(SharedTraces.folder.path)")
    }

    @Test(arguments: SharedTraces.all)
    func rxOn82540EM(trace: String) throws { try check(trace, nic: "e1000", .rx) }

    @Test(arguments: SharedTraces.all)
    func rxOn82574L(trace: String) throws { try check(trace, nic: "e1000e", .rx) }

    @Test(arguments: SharedTraces.all)
    func txOn82540EM(trace: String) throws { try check(trace, nic: "e1000", .tx) }

    @Test(arguments: SharedTraces.all)
    func txOn82574L(trace: String) throws { try check(trace, nic: "e1000e", .tx) }

    func check(_ trace: String, nic: String, _ d: ReplayDirection) throws {
        let s = try replay(SharedTraces.path(trace), nic: nic, direction: d)
        #expect(s.passed, "\(trace) \(nic) \(d): \(s.failures) \(s.findings.prefix(3))")
        #expect(s.mismatched == 0 && s.unaccounted == 0)
        if d == .rx { #expect(s.delivered + Int(s.dropped.total) == s.packets_in) }
        else { #expect(s.delivered + s.failed == s.packets_in) }
    }
}
