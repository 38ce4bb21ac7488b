import BoxlessPlatform
import E1000Driver
import E1000Model
import EmulatorHost
import NativeDriverKit
import Testing

@Suite struct TransmitTests {
    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func legacyFramesReachTheWireOnceEachInOrder(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        try rig.openAndWaitForLink()
        let sizes = [60, 64, 100, 1000, 1514]
        let frames = (0..<1000).map { Frames.numbered($0, length: sizes[$0 % sizes.count], to: Rig.peerMAC) }
        var next = 0
        // Queue until busy, let completions come, repeat.
        for _ in 0..<100 where next < frames.count {
            while next < frames.count {
                let r = rig.transmit(frames[next], token: UInt64(next))
                if r == .busy { break }
                #expect(r == .queued)
                next += 1
            }
            rig.run(.milliseconds(1))
        }
        rig.run(.milliseconds(5))
        #expect(next == frames.count)
        #expect(rig.wire.frames == frames)
        #expect(rig.client.completions.map(\.token) == (0..<frames.count).map { UInt64($0) })
        #expect(rig.client.completions.allSatisfy { $0.success })
        let s = rig.host.onCPU { rig.driver.statistics() }
        #expect(s.txPackets == UInt64(frames.count))
        #expect(s.txBytes == UInt64(frames.reduce(0) { $0 + $1.count }))
        #expect(rig.finish() == [])
    }

    @Test func rejectsWhatItCannotSendAndReportsBusyWhenFull() throws {
        let rig = try Rig(chip: .i82540EM, parameters: ["tx_descriptors": "64"])
        #expect(rig.transmit(Frames.numbered(0, length: 100), token: 0) == .rejected("interface is not open"))
        try rig.openAndWaitForLink()
        if case .rejected = rig.transmit(Frames.numbered(0, length: 1515), token: 0) {} else { Issue.record("1515-byte frame accepted") }
        if case .rejected = rig.transmit([1, 2, 3], token: 0) {} else { Issue.record("3-byte frame accepted") }
        var results: [TransmitResult] = []
        for i in 0..<70 { results.append(rig.transmit(Frames.numbered(i, length: 1514, to: Rig.peerMAC), token: UInt64(i))) }
        #expect(results.prefix(63).allSatisfy { $0 == .queued })
        #expect(results.suffix(7).allSatisfy { $0 == .busy })
        rig.run(.milliseconds(5))
        #expect(rig.client.completions.count == 63)
        #expect(rig.wire.frames.count == 63)
        #expect(rig.finish() == [])
    }

    @Test func closeReportsEveryQueuedFrameExactlyOnce() throws {
        let rig = try Rig(chip: .i82574L)
        try rig.openAndWaitForLink()
        for i in 0..<100 { _ = rig.transmit(Frames.numbered(i, length: 1514, to: Rig.peerMAC), token: UInt64(i)) }
        rig.host.onCPU { rig.driver.close() }
        let tokens = rig.client.completions.map(\.token)
        #expect(tokens.sorted() == (0..<100).map { UInt64($0) })
        #expect(Set(tokens).count == 100)
        rig.run(.milliseconds(5))
        #expect(rig.wire.frames.count == rig.client.completions.filter(\.success).count)
        #expect(rig.finish() == [])
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func checksumOffloadInsertsIPv4TCPAndUDPChecksums(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        try rig.openAndWaitForLink()
        let tcp = Frames.ipv4(proto: 6, payload: Array(0..<200))
        let udp = Frames.ipv4(proto: 17, payload: Array(repeating: 0xA5, count: 333))
        let offload = TransmitOffload(ipv4Checksum: true, l4Checksum: true)
        #expect(rig.transmit(tcp, token: 1, offload: offload) == .queued)
        #expect(rig.transmit(udp, token: 2, offload: offload) == .queued)
        #expect(rig.transmit(tcp, token: 3) == .queued)     // no offload: checksums stay zero
        rig.run(.milliseconds(2))
        try #require(rig.wire.frames.count == 3)
        for f in rig.wire.frames.prefix(2) {
            let v = Frames.checksumsValid(f)
            #expect(v.ip && v.l4)
        }
        var expected = tcp
        Frames.fixChecksums(&expected, l3: 14, l4: 34)
        #expect(rig.wire.frames[0] == expected)
        #expect(rig.wire.frames[2] == tcp)
        #expect(rig.client.completions.map(\.token) == [1, 2, 3])
        #expect(rig.finish() == [])
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func tcpSegmentationCutsASuperFrameIntoValidSegments(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        try rig.openAndWaitForLink()
        let payload = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let mss = 1448
        let superFrame = Frames.ipv4(proto: 6, payload: payload, seq: 5000)
        #expect(rig.transmit(superFrame, token: 9, offload: TransmitOffload(ipv4Checksum: true, l4Checksum: true, tcpSegmentationMSS: mss)) == .queued)
        rig.run(.milliseconds(5))
        let segments = rig.wire.frames
        #expect(segments.count == (payload.count + mss - 1) / mss)
        var joined: [UInt8] = []
        var seq: UInt32 = 5000
        for s in segments {
            let v = Frames.checksumsValid(s)
            #expect(v.ip && v.l4)
            #expect(Frames.be32(s, 14 + 20 + 4) == seq)
            #expect(Int(Frames.be16(s, 16)) == s.count - 14)
            let data = Array(s[(14 + 40)...])
            #expect(data.count <= mss)
            seq &+= UInt32(data.count)
            joined += data
        }
        #expect(joined == payload)
        #expect(rig.client.completions.map(\.token) == [9])
        #expect(rig.finish() == [])
    }

    @Test func vlanTagIsInsertedBySoftwareOrHardware() throws {
        let frame = Frames.numbered(1, length: 100, to: Rig.peerMAC)
        let tagged = Array(frame[0..<12]) + [0x81, 0x00, 0x20, 0x64] + Array(frame[12...])
        for strip in ["0", "1"] {
            let rig = try Rig(chip: .i82540EM, parameters: ["vlan_strip": strip])
            try rig.openAndWaitForLink()
            #expect(rig.transmit(frame, token: 1, offload: TransmitOffload(vlanTag: 0x2064)) == .queued)
            rig.run(.milliseconds(2))
            #expect(rig.wire.frames == [tagged], "vlan_strip=\(strip)")
            #expect(rig.finish() == [])
        }
    }
}
