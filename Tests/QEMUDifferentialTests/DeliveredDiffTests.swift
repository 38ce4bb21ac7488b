import BoxlessRunner
import Foundation
import Testing

/// (a) The same trace through both hosts: the same frames delivered, in the same order, and both
/// runs pass their own checks (missing frames = counted drops).
@Suite("QEMU differential: delivered frames", .serialized, .enabled(if: qemuInstalled, Comment(rawValue: qemuMissing)))
struct DeliveredDiffTests {
    func compare(_ trace: String, nic: String, parameters: [String: String] = [:]) throws {
        let (es, ef) = try QEMUDifferential.emulatorDelivered(trace: trace, nic: nic, parameters: parameters)
        let (qs, qf) = try QEMUDifferential.qemuDelivered(trace: trace, nic: nic, parameters: parameters)
        #expect(es.passed, "emulator: \(es.failures)")
        #expect(qs.passed, "qemu: \(qs.failures)")
        #expect(qs.host == "qemu" && qs.device == nic && qs.digest == "nondeterministic")
        #expect(es.packets_in == qs.packets_in)
        #expect(ef.count == qf.count, "\(trace): emulator delivered \(ef.count), QEMU \(qf.count)")
        let firstDiff = zip(ef, qf).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDiff == nil, "\(trace): delivered frame \(firstDiff ?? -1) differs")
        #expect(es.dropped.total == qs.dropped.total, "\(trace): drops emulator \(es.dropped.reasons.filter { $0.count > 0 }) QEMU \(qs.dropped.reasons.filter { $0.count > 0 })")
    }

    @Test func mixed200OnE1000() throws { try compare(mixedTrace, nic: "e1000") }

    /// The 82574L with MSI.
    @Test func mixed200OnE1000eWithMSI() throws { try compare(mixedTrace, nic: "e1000e", parameters: ["interrupts": "msi"]) }

    /// The 82574L with MSI-X, the driver's default (works on QEMU since the driver re-arms IMS: D5).
    @Test func mixed200OnE1000eWithMSIX() throws { try compare(mixedTrace, nic: "e1000e") }

    @Test func tcpdumpCapturesOnE1000() throws {
        #expect(!tcpdumpTraces.isEmpty, "../shared/traces/tcpdump not found next to the repository")
        for t in tcpdumpTraces { try compare(t, nic: "e1000") }
    }

    /// TX on QEMU: what the driver accepted comes out of QEMU's backend, byte-identical, in order.
    /// An intermittent loss (7 of 180 frames, a few runs in dozens, only under load) is a known issue
    /// (docs/QEMU-DEVIATIONS.md, "Transmit flake"): it is recorded as such, with the lost frames' indices.
    @Test func transmitOnQEMUPassesTheTransmitCheck() throws {
        let dir = NSTemporaryDirectory() + "/boxless-qemu-tx-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = ReplayOptions(trace: mixedTrace, nic: "e1000")
        o.direction = .tx
        o.captureTX = dir + "/qemu.pcap"
        let s = try QEMUReplayRun(o).run()
        #expect(s.failed == 20 && s.mismatched == 0)   // 20 frames over 1514 bytes: refused by the driver, as on the emulator
        #expect(s.delivered + s.unaccounted == 180)
        if s.unaccounted > 0 {
            o.captureTX = dir + "/emulator.pcap"
            o.timing = .lineRate
            _ = try ReplayRun(o).run()
            let want = try PcapFrameSource(path: dir + "/emulator.pcap"), got = try PcapFrameSource(path: dir + "/qemu.pcap")
            var seen = Set<[UInt8]>()
            while let f = try got.next() { seen.insert(f.bytes) }
            var lost: [Int] = []
            while let f = try want.next() { if !seen.contains(f.bytes) { lost.append(f.index) } }
            withKnownIssue("intermittent transmit loss on QEMU", isIntermittent: true) {
                Issue.record("\(s.unaccounted) frames never came out of QEMU (wire-order indices \(lost)): \(s.failures)")
            }
        } else {
            #expect(s.passed, "\(s.failures)")
        }
    }

    @Test func missingQEMUIsOneClearError() {
        do {
            _ = try QEMUReplayRun(ReplayOptions(trace: mixedTrace, nic: "e1000"), binary: "/nonexistent/qemu-system-x86_64")
            Issue.record("started without QEMU")
        } catch {
            let s = "\(error)"
            #expect(s.contains("/nonexistent/qemu-system-x86_64") && s.contains("not found") && !s.contains("\n"))
        }
    }
}
