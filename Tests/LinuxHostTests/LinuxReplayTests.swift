import BoxlessRunner
import Foundation
import Testing

/// A sample of the shared captures through Linux's own e1000 and e1000e drivers on our models:
/// variety of sizes (runts, 1514-byte, a 64 KiB frame the device must drop and count), protocols,
/// VLAN tags (mixed-200; priority-tagged BPDUs in MSTP, whose PCP bits Linux's e1000 drops when
/// the NIC strips tags — the agent turns stripping off), truncated captures.
let linuxSample = ["afs.pcap", "pim-packet-assortment.pcap", "AoE_Linux.pcap", "vrrp.pcap", "eapon1.pcap",
                   "erspan-type-ii-3.pcap", "ipx.pcap", "mptcp-v0.pcap", "MSTP_Intra-Region_BPDUs.pcap"]

@Suite("Linux host: replay through Linux's e1000 and e1000e", .serialized, .enabled(if: umlAvailable, Comment(rawValue: umlMissing)))
struct LinuxReplayTests {
    @Test("RX: every frame is counted by the guest, in order, or dropped and counted by the device",
          arguments: ["e1000", "e1000e"])
    func receiveSample(nic: String) throws {
        for trace in [TestPaths.mixed] + linuxSample.map(TestPaths.shared) {
            let s = try linuxReplay(trace, nic: nic)
            #expect(s.passed, "\(trace): \(s.failures)")
            #expect(s.delivered + Int(s.dropped.total) == s.packets_in, "\(trace)")
            #expect(s.unaccounted == 0 && s.mismatched == 0, "\(trace)")
            #expect(s.host == "linux" && s.driver == "linux " + nic)
        }
    }

    @Test("TX: the trace the guest sends, then its own UDP and ping traffic, appear on the wire capture, checked", arguments: ["e1000", "e1000e"])
    func transmitSample(nic: String) throws {
        let dir = TestPaths.temporary("tx-\(nic)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, trace) in ([TestPaths.mixed] + linuxSample.prefix(4).map(TestPaths.shared)).enumerated() {
            let capture = dir + "/wire-\(i).pcap"
            let s = try linuxReplay(trace, nic: nic, direction: .tx) { $0.captureTX = capture }
            #expect(s.passed, "\(trace): \(s.failures)")
            #expect(s.delivered > 0 && s.delivered + s.failed == s.packets_in, "\(trace)")
            // Then the guest's own stack: every UDP datagram (two of them fragmented) and ping's
            // echo requests, with the checksums the NIC inserted, intact.
            let g = try #require(s.guest_stack)
            #expect(g.problems == [], "\(trace)")
            #expect(g.udp_sent == GuestStackCheck.udpSizes.count && g.udp_on_wire == g.udp_sent)
            #expect(g.icmp_echo_on_wire == GuestStackCheck.pings)
            // The wire capture holds exactly the frames that passed and the stack's, readable by libpcap.
            let frames = try PcapFrameSource(path: capture)
            var n = 0
            while try frames.next() != nil { n += 1 }
            #expect(n == s.delivered + g.frames, "\(trace)")
        }
    }
}
