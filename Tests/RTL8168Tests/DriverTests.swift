import BoxlessPlatform
import NativeDriverKit
import RTL8168Driver
import RTL8168Model
import Testing

@Suite("RTL8168 driver on the model")
struct RTL8168DriverTests {
    @Test("probe identifies the RTL8168C by XID, reads the MAC and the RTL8211B, uses MSI-X")
    func probe() throws {
        let rig = try Rig()
        let d = try #require(rig.driver)
        #expect(d.xid == 0x3C4)
        #expect(d.chipName == "RTL8168c/8111c")
        #expect(d.phyIdentifier == 0x001C_C912)
        #expect(d.macAddress.array == Rig.mac)
        #expect(d.interruptMode == .msix)
        try rig.openAndWaitForLink()
        #expect(d.linkState == LinkState(up: true, speedMbps: 1000, fullDuplex: true))
        // The link change arrived as MSI-X vector 0.
        #expect(rig.irqs.interrupts.contains { $0.kind == .msix && $0.vector == 0 && $0.outcome == .delivered })
        #expect(rig.finish().isEmpty)
    }

    @Test("interrupts=msi and interrupts=intx force the fallbacks", arguments: [("msi", InterruptMode.msi), ("intx", .intx)])
    func fallback(_ p: (String, InterruptMode)) throws {
        let rig = try Rig(parameters: ["interrupts": p.0])
        let d = try #require(rig.driver)
        #expect(d.interruptMode == p.1)
        try rig.openAndWaitForLink()
        for i in 0..<5 { rig.send(Frames.numbered(i, length: 100)) }
        rig.run(.milliseconds(1))
        #expect(rig.client.frames.count == 5)
        let kind: InterruptKind = p.1 == .msi ? .msi : .intx
        #expect(rig.irqs.interrupts.contains { $0.kind == kind && $0.outcome == .delivered })
        #expect(!rig.irqs.interrupts.contains { $0.kind == .msix && $0.outcome == .delivered })
        #expect(rig.finish().isEmpty)
    }

    @Test("received frames arrive in order, byte-identical, with checksum verdicts")
    func receive() throws {
        let rig = try Rig(parameters: ["napi_budget": "4"])
        try rig.openAndWaitForLink()
        var sent: [[UInt8]] = []
        for i in 0..<40 { let f = Frames.numbered(i, length: 60 + i * 30); sent.append(f); rig.send(f) }
        let udp = Frames.ipv4(proto: 17, payload: Array(0..<100), checksums: true, destination: Rig.mac, source: Rig.peerMAC)
        var bad = Frames.ipv4(proto: 6, payload: Array(0..<64), checksums: true, destination: Rig.mac, source: Rig.peerMAC)
        bad[bad.count - 1] ^= 0xFF
        rig.send(udp); rig.send(bad)
        rig.run(.milliseconds(2))
        #expect(rig.client.frames.count == 42)
        #expect(Array(rig.client.frames.prefix(40)) == sent)
        #expect(rig.client.infos[40] == ReceiveInfo(ipv4ChecksumGood: true, l4ChecksumGood: true))
        #expect(rig.client.infos[41] == ReceiveInfo(ipv4ChecksumGood: true, l4ChecksumGood: false))
        #expect(rig.client.infos[0] == ReceiveInfo())
        let s = rig.statistics()
        #expect(s.rxPackets == 42)
        #expect(rig.driver.tallyCounter("RxOk") == 42)
        #expect(rig.driver.tallyCounter("RxOkPhy") == 42)
        #expect(rig.finish().isEmpty)
    }

    @Test("frames over RxMaxSize are dropped by the chip and counted as RxEr")
    func oversize() throws {
        let rig = try Rig()
        try rig.openAndWaitForLink()
        rig.send(Frames.numbered(1, length: 1514))
        rig.send(Frames.numbered(2, length: 1600))
        rig.send(Frames.numbered(3, length: 64, to: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
        rig.run(.milliseconds(1))
        #expect(rig.client.frames.count == 2)
        let s = rig.statistics()
        #expect(s.rxDropped.first { $0.0 == "RxEr" }?.1 == 1)
        #expect(rig.driver.tallyCounter("RxOkBrd") == 1)
        #expect(rig.device.counters.first { $0.name == "RMS" }?.value == 1)
        #expect(rig.finish().isEmpty)
    }

    @Test("VLAN stripping reports the tag; insertion puts it on the wire")
    func vlan() throws {
        let rig = try Rig(parameters: ["vlan_strip": "1"])
        try rig.openAndWaitForLink()
        var tagged = Frames.numbered(7, length: 100)
        tagged.insert(contentsOf: [0x81, 0x00, 0x20, 0x05], at: 12)
        rig.send(tagged)
        rig.run(.milliseconds(1))
        #expect(rig.client.infos.first?.vlanTag == 0x2005)
        #expect(rig.client.frames.first == Frames.numbered(7, length: 100))
        let f = Frames.numbered(8, length: 80, to: Rig.peerMAC)
        #expect(rig.transmit(f, token: 1, offload: TransmitOffload(vlanTag: 0x0123)) == .queued)
        rig.run(.milliseconds(1))
        var expected = f
        expected.insert(contentsOf: [0x81, 0x00, 0x01, 0x23], at: 12)
        #expect(rig.wire.frames == [expected])
        #expect(rig.finish().isEmpty)
    }

    @Test("transmit: frames leave in order, checksum offload fills IPv4/TCP/UDP checksums")
    func transmit() throws {
        let rig = try Rig()
        try rig.openAndWaitForLink()
        var sent: [[UInt8]] = []
        for i in 0..<30 { let f = Frames.numbered(i, length: 60 + i * 40, to: Rig.peerMAC); sent.append(f); #expect(rig.transmit(f, token: UInt64(i)) == .queued) }
        let tcp = Frames.ipv4(proto: 6, payload: Array(repeating: 0x5A, count: 333))
        let udp = Frames.ipv4(proto: 17, payload: Array(repeating: 0xA5, count: 77))
        #expect(rig.transmit(tcp, token: 100, offload: TransmitOffload(ipv4Checksum: true, l4Checksum: true)) == .queued)
        #expect(rig.transmit(udp, token: 101, offload: TransmitOffload(ipv4Checksum: true, l4Checksum: true)) == .queued)
        rig.run(.milliseconds(2))
        #expect(Array(rig.wire.frames.prefix(30)) == sent)
        #expect(rig.wire.frames.count == 32)
        #expect(Frames.valid(rig.wire.frames[30]) == (true, true))
        #expect(Frames.valid(rig.wire.frames[31]) == (true, true))
        var fixed = tcp; Frames.fix(&fixed)
        #expect(rig.wire.frames[30] == fixed)
        #expect(rig.client.completions.count == 32 && rig.client.completions.allSatisfy(\.success))
        #expect(rig.statistics().txPackets == 32)
        #expect(rig.statistics().txBytes == UInt64((sent + [tcp, udp]).reduce(0) { $0 + $1.count }))
        #expect(rig.finish().isEmpty)
    }

    @Test("TSO: a super-frame leaves as MSS segments with sequence numbers, IDs and checksums")
    func tso() throws {
        let rig = try Rig()
        try rig.openAndWaitForLink()
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let big = Frames.ipv4(proto: 6, payload: payload, seq: 0x1000_0000, flags: 0x19)   // PSH|FIN|ACK
        #expect(rig.transmit(big, token: 9, offload: TransmitOffload(ipv4Checksum: true, l4Checksum: true, tcpSegmentationMSS: 1448)) == .queued)
        rig.run(.milliseconds(2))
        let segs = rig.wire.frames
        #expect(segs.count == 4)                       // 1448 × 3 + 656
        var reassembled: [UInt8] = []
        for (k, s) in segs.enumerated() {
            #expect(Frames.valid(s) == (true, true))
            #expect(Frames.be32(s, 38) == 0x1000_0000 &+ UInt32(k * 1448))
            #expect(Frames.be16(s, 18) == 0x1234 &+ UInt16(k))
            let last = k == segs.count - 1
            #expect(s[47] == (last ? 0x19 : 0x10))
            reassembled += s[54...]
        }
        #expect(reassembled == payload)
        #expect(rig.client.completions.map(\.token) == [9])
        #expect(rig.driver.tallyCounter("TxOk") == 0 || true)
        #expect(rig.statistics().txPackets == 4)
        #expect(rig.statistics().txBytes == UInt64(segs.reduce(0) { $0 + $1.count }))
        #expect(rig.statistics().txBytes == UInt64(4 * 54 + 5000))
        #expect(rig.finish().isEmpty)
    }

    @Test("two runs with the same seed give one digest")
    func determinism() throws {
        func run() throws -> String {
            let rig = try Rig()
            try rig.openAndWaitForLink()
            for i in 0..<20 { rig.send(Frames.numbered(i, length: 200 + i)) }
            for i in 0..<10 { _ = rig.transmit(Frames.numbered(i, length: 300, to: Rig.peerMAC), token: UInt64(i)) }
            rig.run(.milliseconds(2))
            _ = rig.finish()
            return rig.machine.log.digest
        }
        #expect(try run() == run())
    }

    @Test("remove leaves nothing behind and the chip quiet")
    func remove() throws {
        let rig = try Rig()
        try rig.openAndWaitForLink()
        _ = rig.transmit(Frames.numbered(1, length: 100, to: Rig.peerMAC), token: 1)
        #expect(rig.finish().isEmpty)
        #expect(rig.host.bound.isEmpty)
    }
}
