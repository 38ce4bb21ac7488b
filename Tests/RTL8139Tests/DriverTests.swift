import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import RTL8139Driver
import RTL8139Model
import Testing

@Suite struct RTL8139DriverTests {
    static let setups: [(RTL8139Chip, String?, RTL8139Driver.Mode)] = [
        (.rtl8139c, nil, .c), (.rtl8139cPlus, nil, .cplus), (.rtl8139cPlus, "c", .c), (.rtl8139cPlus, "cplus", .cplus),
    ]

    @Test(arguments: 0..<4)
    func probeReadsTheStationAddressThroughTheEEPROMAndPicksTheMode(setup: Int) throws {
        let (chip, mode, expected) = Self.setups[setup]
        let mac: [UInt8] = [0x00, 0xE0, 0x4C, 0x81, 0x39, 0x01]
        let rig = try Rig(chip: chip, parameters: mode.map { ["mode": $0] } ?? [:], mac: mac)
        let d = try #require(rig.driver, "no driver: \(rig.host.probeFailures.map { "\($0.error)" })")
        #expect(d.macAddress.array == mac)
        #expect(d.mode == expected)
        #expect(d.hardwareVersion == (chip == .rtl8139c ? 0x7400_0000 : 0x7480_0000))
        #expect(rig.finish() == [])
    }

    @Test func cplusModeOnTheRTL8139CFailsTheProbeClearly() throws {
        let rig = try Rig(chip: .rtl8139c, parameters: ["mode": "cplus"])
        #expect(rig.driver == nil)
        #expect(rig.host.probeFailures.first.map { "\($0.error)" }?.contains("mode=cplus") == true)
        rig.host.detachAll()
    }

    @Test(arguments: 0..<4)
    func framesGoBothWaysInEitherMode(setup: Int) throws {
        let (chip, mode, _) = Self.setups[setup]
        let rig = try Rig(chip: chip, parameters: mode.map { ["mode": $0] } ?? [:])
        try rig.openAndWaitForLink()
        // Enough frames to wrap the 32 KiB C-mode ring several times.
        let sent = (0..<300).map { Frames.numbered($0, length: 60 + ($0 * 37) % 1455) }
        for f in sent { rig.send(f) }
        rig.run(.milliseconds(200))
        #expect(rig.client.frames.count == sent.count)
        #expect(rig.client.frames == sent)
        var queued: [UInt64] = []
        for i in 0..<40 {
            while rig.transmit(Frames.numbered(1000 + i, length: 100 + i, to: Rig.peerMAC), token: UInt64(i)) == .busy { rig.run(.microseconds(50)) }
            queued.append(UInt64(i))
        }
        rig.run(.milliseconds(5))
        #expect(rig.client.completions.map(\.token) == queued)
        #expect(rig.wire.frames == (0..<40).map { Frames.numbered(1000 + $0, length: 100 + $0, to: Rig.peerMAC) })
        #expect(rig.driver.statistics().rxPackets == 300)
        #expect(rig.finish() == [])
    }

    @Test func cplusOffloadsChecksumsAndVLANTags() throws {
        let rig = try Rig(chip: .rtl8139cPlus)
        try rig.openAndWaitForLink()
        let plain = Frames.udp(payload: Array(0..<64), checksums: false, destination: Rig.peerMAC)
        #expect(rig.transmit(plain, token: 1, offload: TransmitOffload(ipv4Checksum: true, l4Checksum: true, vlanTag: 0x2005)) == .queued)
        rig.run(.milliseconds(1))
        let out = try #require(rig.wire.frames.first)
        #expect(Array(out[12..<16]) == [0x81, 0x00, 0x20, 0x05])
        var untagged = out; untagged.removeSubrange(12..<16)
        #expect(Frames.valid(untagged))
        // Receive: a tagged frame with good checksums, and one with a bad UDP checksum.
        var good = Frames.udp(payload: Array(0..<32), checksums: true, destination: Rig.defaultMAC)
        var bad = good; bad[45] ^= 0xFF
        good.insert(contentsOf: [0x81, 0x00, 0x00, 0x07], at: 12)
        rig.send(good); rig.send(bad)
        rig.run(.milliseconds(1))
        #expect(rig.client.infos == [ReceiveInfo(ipv4ChecksumGood: true, l4ChecksumGood: true, vlanTag: 7),
                                     ReceiveInfo(ipv4ChecksumGood: true, l4ChecksumGood: false)])
        #expect(rig.client.frames.first.map { Array($0[12..<14]) } == [0x08, 0x00])
        #expect(rig.finish() == [])
    }

    /// Large send (C+ DS §9.1 LGSEN/MSS) from the kit's `tcpSegmentationMSS`: a 5000-byte TCP
    /// payload leaves as four segments with their own lengths, IDs, sequence numbers, PSH/FIN only
    /// on the last, and good checksums; one completion; C mode refuses the request.
    @Test func cplusLargeSendSegmentsATCPFrame() throws {
        let rig = try Rig(chip: .rtl8139cPlus)
        try rig.openAndWaitForLink()
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let frame = Frames.tcp(payload: payload, destination: Rig.peerMAC)
        let tso = TransmitOffload(ipv4Checksum: true, l4Checksum: true, tcpSegmentationMSS: 1460)
        #expect(rig.transmit(frame, token: 7, offload: tso) == .queued)
        rig.run(.milliseconds(5))
        let out = rig.wire.frames
        #expect(out.map { $0.count - 54 } == [1460, 1460, 1460, 620])
        #expect(out.allSatisfy(Frames.validTCP))
        #expect(Array(out.map { $0[54...] }.joined()) == payload)
        #expect(out.map { Frames.be16($0, 18) } == [0x77, 0x78, 0x79, 0x7A])
        #expect(out.map { UInt32(Frames.be16($0, 38)) << 16 | UInt32(Frames.be16($0, 40)) } == [1000, 2460, 3920, 5380])
        #expect(out.map { $0[47] } == [0x10, 0x10, 0x10, 0x19])
        #expect(rig.client.completions.map(\.token) == [7])
        #expect(rig.finish() == [])
        let c = try Rig(chip: .rtl8139c)
        try c.openAndWaitForLink()
        if case .rejected = c.transmit(frame, token: 1, offload: tso) {} else { Issue.record("C mode took a large send") }
        _ = c.finish()
    }

    @Test func tallyCountersAreDumpedByDMA() throws {
        let rig = try Rig(chip: .rtl8139cPlus)
        try rig.openAndWaitForLink()
        for i in 0..<5 { rig.send(Frames.numbered(i, length: 200)) }
        rig.send([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + Array(Frames.numbered(9, length: 80)[6...]))
        for i in 0..<3 { _ = rig.transmit(Frames.numbered(i, length: 90, to: Rig.peerMAC), token: UInt64(i)) }
        rig.run(.milliseconds(2))
        let d = rig.driver!
        let tally = rig.host.onCPU { d.tallyCounters() }
        let byName = Dictionary(uniqueKeysWithValues: tally.map { ($0.name, $0.value) })
        #expect(tally.map(\.name) == ["TxOk", "RxOk", "TxErr", "RxErr", "MissPkt", "FAE", "Tx1Col", "TxMCol", "RxOkPhy", "RxOkBrd", "RxOkMul", "TxAbt", "TxUndrn"])
        #expect(byName["TxOk"] == 3 && byName["RxOk"] == 6 && byName["RxOkPhy"] == 5 && byName["RxOkBrd"] == 1)
        #expect(rig.device.counter(named: "RxOk") == 6)
        #expect(rig.finish() == [])
    }

    @Test(arguments: [RTL8139Chip.rtl8139c, .rtl8139cPlus])
    func twoRunsGiveOneDigest(chip: RTL8139Chip) throws {
        func run() throws -> String {
            let rig = try Rig(chip: chip)
            try rig.openAndWaitForLink()
            for i in 0..<50 { rig.send(Frames.numbered(i, length: 64 + i * 20)) }
            for i in 0..<4 { _ = rig.transmit(Frames.numbered(i, length: 300, to: Rig.peerMAC), token: UInt64(i)) }
            rig.run(.milliseconds(20))
            _ = rig.finish()
            return rig.machine.log.digest
        }
        #expect(try run() == run())
    }
}
