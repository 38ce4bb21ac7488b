import BoxlessPlatform
import E1000Driver
import E1000Model
import EmulatorHost
import NativeDriverKit
import Testing

@Suite struct ReceiveTests {
    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func manyFramesArriveInOrderAndByteIdentical(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        try rig.openAndWaitForLink()
        // Runts padded by the sender to 60 bytes, full-size frames and everything between.
        let sizes = [60, 61, 64, 100, 127, 128, 512, 1000, 1513, 1514]
        let sent = (0..<3000).map { Frames.numbered($0, length: sizes[$0 % sizes.count]) }
        for f in sent { rig.send(f) }
        rig.run(.milliseconds(50))
        #expect(rig.client.frames.count == sent.count)
        #expect(rig.client.frames == sent)
        let s = rig.host.onCPU { rig.driver.statistics() }
        #expect(s.rxPackets == UInt64(sent.count))
        #expect(s.rxBytes == UInt64(sent.reduce(0) { $0 + $1.count }))
        #expect(s.rxDroppedTotal == 0)
        #expect(rig.finish() == [])
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func jumboFramesSpanSeveralDescriptors(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip, parameters: ["jumbo": "1"])
        #expect(rig.driver.maximumFrameSize == 9014)
        try rig.openAndWaitForLink()
        let sent = [9014, 2048, 2049, 4096, 60, 6000, 1514].enumerated().map { Frames.numbered($0.offset, length: $0.element) }
        for f in sent { rig.send(f) }
        rig.run(.milliseconds(10))
        #expect(rig.client.frames == sent)
        #expect(rig.finish() == [])
    }

    @Test func oversizeFramesWithoutJumboAreCountedNotDelivered() throws {
        let rig = try Rig(chip: .i82540EM)
        try rig.openAndWaitForLink()
        let sent = [Frames.numbered(0, length: 100), Frames.numbered(1, length: 4000), Frames.numbered(2, length: 100)]
        for f in sent { rig.send(f) }
        rig.run(.milliseconds(5))
        #expect(rig.client.frames == [sent[0], sent[2]])
        let s = rig.host.onCPU { rig.driver.statistics() }
        #expect(s.rxDroppedTotal == 1)
        #expect(s.rxDropped.first { $0.0 == "ROC" }?.1 == 1)
        #expect(rig.finish() == [])
    }

    /// With slow interrupts and a small ring, a burst overruns the ring and the FIFO: every frame is
    /// either delivered (in order) or counted in `rxDropped`. (A 64-descriptor ring holds 63 frames,
    /// fewer than the poll budget, so each ITR interval drains one ringful.)
    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func ringOverflowIsCountedAsDrops(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip, parameters: ["rx_descriptors": "64", "itr_ns": "1000000"])
        try rig.openAndWaitForLink()
        let sent = (0..<2000).map { Frames.numbered($0, length: 60) }
        for f in sent { rig.send(f) }
        rig.run(.milliseconds(40))
        let s = rig.host.onCPU { rig.driver.statistics() }
        let got = rig.client.frames
        #expect(got.count < sent.count, "the burst should overrun a 64-descriptor ring")
        #expect(s.rxDroppedTotal > 0 && s.rxDropped.first?.0 == "MPC" && s.rxDropped.first?.1 == s.rxDroppedTotal)
        #expect(UInt64(got.count) + s.rxDroppedTotal == UInt64(sent.count), "dropped: \(s.rxDropped)")
        // What arrived is byte-identical and in order: indices strictly increase.
        let indices = got.map { Int(Frames.be32($0, 14)) }
        #expect(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 })
        #expect(got.allSatisfy { sent[Int(Frames.be32($0, 14))] == $0 })
        #expect(rig.finish() == [])
    }

    @Test func unicastToAnotherStationNeedsPromiscuousMode() throws {
        let rig = try Rig(chip: .i82574L)
        try rig.openAndWaitForLink()
        let other: [UInt8] = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55]
        let broadcast = [UInt8](repeating: 0xFF, count: 6)
        rig.send(Frames.numbered(0, length: 64, to: other))
        rig.send(Frames.numbered(1, length: 64, to: broadcast))
        rig.run(.milliseconds(2))
        #expect(rig.client.frames == [Frames.numbered(1, length: 64, to: broadcast)])
        rig.host.onCPU { rig.driver.setReceiveFilter(ReceiveFilter(promiscuous: true)) }
        rig.send(Frames.numbered(2, length: 64, to: other))
        rig.run(.milliseconds(2))
        #expect(rig.client.frames.last == Frames.numbered(2, length: 64, to: other))
        rig.host.onCPU { rig.driver.setReceiveFilter(ReceiveFilter()) }
        rig.send(Frames.numbered(3, length: 64, to: other))
        rig.run(.milliseconds(2))
        #expect(rig.client.frames.count == 2)
        #expect(rig.finish() == [])
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func multicastThroughExactFiltersAndTheHashTable(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        try rig.openAndWaitForLink()
        // 20 groups: 15 take the exact RAL/RAH entries, 5 go to the MTA.
        let groups = (0..<20).map { MACAddress(0x01, 0x00, 0x5E, 0x00, 0x01, UInt8($0)) }
        rig.host.onCPU { rig.driver.setReceiveFilter(ReceiveFilter(multicast: groups)) }
        let wanted = groups.enumerated().map { Frames.numbered($0.offset, length: 64, to: $0.element.array) }
        for f in wanted { rig.send(f) }
        // Not subscribed, and in a different MTA bucket from every group above.
        rig.send(Frames.numbered(99, length: 64, to: [0x01, 0x00, 0x5E, 0x7F, 0x00, 0x00]))
        rig.run(.milliseconds(5))
        #expect(rig.client.frames == wanted)
        rig.host.onCPU { rig.driver.setReceiveFilter(ReceiveFilter(allMulticast: true)) }
        rig.send(Frames.numbered(100, length: 64, to: [0x01, 0x00, 0x5E, 0x7F, 0x00, 0x00]))
        rig.run(.milliseconds(2))
        #expect(rig.client.frames.count == wanted.count + 1)
        #expect(rig.finish() == [])
    }

    @Test func vlanTagsAreStrippedOnlyWhenAskedFor() throws {
        let tagged = Frames.ipv4(proto: 17, payload: Array(repeating: 7, count: 40), checksums: true,
                                 destination: Rig.defaultMAC, vlan: 0x2064)
        // Default: byte-identical.
        let plain = try Rig(chip: .i82574L)
        try plain.openAndWaitForLink()
        plain.send(tagged)
        plain.run(.milliseconds(2))
        #expect(plain.client.frames == [tagged])
        #expect(plain.client.infos.first?.vlanTag == nil)
        #expect(plain.finish() == [])
        // vlan_strip=1: the tag goes to ReceiveInfo.
        let strip = try Rig(chip: .i82574L, parameters: ["vlan_strip": "1"])
        try strip.openAndWaitForLink()
        strip.send(tagged)
        strip.run(.milliseconds(2))
        let untagged = Array(tagged[0..<12] + tagged[16...])
        #expect(strip.client.frames == [untagged])
        #expect(strip.client.infos.first?.vlanTag == 0x2064)
        #expect(strip.finish() == [])
    }

    @Test func receiveChecksumIndications() throws {
        let rig = try Rig(chip: .i82540EM)
        try rig.openAndWaitForLink()
        let good = Frames.ipv4(proto: 6, payload: Array(0..<100), checksums: true, destination: Rig.defaultMAC)
        var bad = good
        bad[bad.count - 1] ^= 0xFF      // TCP checksum now wrong
        rig.send(good)
        rig.send(bad)
        rig.run(.milliseconds(2))
        #expect(rig.client.frames == [good, bad])
        #expect(rig.client.infos.map(\.ipv4ChecksumGood) == [true, true])
        #expect(rig.client.infos.map(\.l4ChecksumGood) == [true, false])
        #expect(rig.finish() == [])
    }
}
