import Testing
@testable import E1000Model
import BoxlessPlatform
import NICCore

@Suite struct ReceiveTests {
    static let DD: UInt8 = 1, EOP: UInt8 = 2, IXSM: UInt8 = 4, VP: UInt8 = 8, TCPCS: UInt8 = 0x20, IPCS: UInt8 = 0x40

    @Test func singleFrameLandsInTheBufferWithStatusAndStatistics() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx()
        let frame = Frames.ethernet(0x88B5, Frames.payload(100))
        rig.inject(frame)
        #expect(ring.length(0) == frame.count)
        #expect(ring.status(0) & (Self.DD | Self.EOP) == Self.DD | Self.EOP)
        #expect(ring.status(0) & Self.IXSM != 0)
        #expect(ring.buffer(0, frame.count) == frame)
        #expect(rig.r(R.RDH) == 1)
        #expect(rig.r(R.GPRC) == 1 && rig.r(R.TPR) == 1)
        #expect(rig.r(R.ICR) & B.RXT0 != 0)
    }

    @Test func crcIsKeptWithoutSECRC() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx(rctl: B.UPE | B.BAM)
        let frame = Frames.ethernet(0x88B5, Frames.payload(60))
        rig.inject(frame)
        #expect(ring.length(0) == frame.count + 4)
        let crc = frame.withUnsafeBytes { EthernetCRC.fcs($0.baseAddress!, frame.count) }
        let fcs = ring.buffer(0, frame.count + 4).suffix(4)
        #expect(Array(fcs) == [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
        // Known CRC-32 check value (IEEE 802.3): "123456789" → 0xCBF43926.
        let check = Array("123456789".utf8).withUnsafeBytes { EthernetCRC.fcs($0.baseAddress!, 9) }
        #expect(check == 0xCBF4_3926)
    }

    @Test func aFrameSpansDescriptorsWithEOPOnTheLast() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx(bufferSize: 256, rctl: B.UPE | B.SECRC | 3 << 16)   // BSIZE 11b = 256 bytes
        let frame = Frames.ethernet(0x88B5, Frames.payload(686))   // 700 bytes
        rig.inject(frame)
        #expect((0..<3).map { ring.length($0) } == [256, 256, 188])
        #expect((0..<3).map { ring.status($0) & (Self.DD | Self.EOP) } == [Self.DD, Self.DD, Self.DD | Self.EOP])
        #expect(ring.buffer(0, 256) + ring.buffer(1, 256) + ring.buffer(2, 188) == frame)
        #expect(rig.r(R.RDH) == 3)
    }

    @Test func vlanTagIsStrippedIntoSpecial() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx()
        rig.w(R.CTRL, rig.r(R.CTRL) | 1 << 30)   // VME
        let inner = Frames.payload(80)
        let tagged = Frames.deviceMAC + Frames.peerMAC + [0x81, 0x00, 0x20, 0x05, 0x88, 0xB5] + inner
        rig.inject(tagged)
        #expect(ring.status(0) & Self.VP != 0)
        #expect(ring.special(0) == 0x2005)
        #expect(ring.buffer(0, ring.length(0)) == Frames.ethernet(0x88B5, inner))
    }

    @Test func vlanFilterDropsUnlistedIDsSilently() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx(rctl: B.UPE | B.SECRC | B.VFE)
        rig.w(R.VFTA + 4 * (5 >> 5), 1 << 5)
        let frame: (UInt8) -> [UInt8] = { vid in Frames.deviceMAC + Frames.peerMAC + [0x81, 0x00, 0x00, vid, 0x88, 0xB5] + Frames.payload(60) }
        rig.inject(frame(6))
        rig.inject(frame(5))
        #expect(rig.r(R.RDH) == 1 && ring.length(0) == 78)
    }

    @Test func checksumOffloadReportsGoodAndBadChecksums() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx()
        rig.w(R.RXCSUM, 3 << 8)   // IPOFLD | TUOFLD
        let good = Frames.ethernet(0x0800, Frames.ipv4(6, Frames.tcp(payload: Frames.payload(40))))
        var badTCP = good; badTCP[good.count - 1] ^= 0xFF
        var badIP = good; badIP[14 + 8] ^= 1   // TTL without fixing the header checksum
        let udp = Frames.ethernet(0x0800, Frames.ipv4(17, Frames.udp(payload: Frames.payload(30))))
        for f in [good, badTCP, badIP, udp] { rig.inject(f) }
        #expect(ring.status(0) & (Self.IPCS | Self.TCPCS | Self.IXSM) == Self.IPCS | Self.TCPCS)
        #expect(ring.errors(0) == 0)
        #expect(ring.errors(1) == 0x20)        // TCPE
        #expect(ring.errors(2) & 0x40 != 0)    // IPE
        #expect(ring.status(3) & Self.TCPCS != 0 && ring.errors(3) == 0)
    }

    @Test func unicastFilterAndMulticastHash() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx(rctl: B.SECRC)
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60), dst: [0x02, 1, 2, 3, 4, 5]))   // other unicast: filtered
        let mc: [UInt8] = [0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB]
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60), dst: mc))                       // not in the MTA
        let hash = (UInt32(mc[4]) >> 4 | UInt32(mc[5]) << 4) & 0xFFF                           // MO = 00b
        rig.w(R.MTA + 4 * (hash >> 5), 1 << (hash & 31))
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60), dst: mc))
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60)))                                 // exact match
        #expect(rig.r(R.RDH) == 2)
        #expect(ring.status(0) & 0x80 != 0)    // PIF: inexact
        #expect(ring.status(1) & 0x80 == 0)
        #expect(rig.r(R.TPR) == 4)
    }

    @Test func oversizeRuntAndBadFCSAreCounted() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx()
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(1501)))                 // 1519 + FCS > 1518
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(20)))                   // 34 + 4 < 64
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(100)), fcsValid: false)
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(1500)))                 // exactly 1518
        #expect(rig.r(R.ROC) == 1 && rig.r(R.RUC) == 1 && rig.r(R.CRCERRS) == 1)
        #expect(rig.r(R.RDH) == 1 && ring.length(0) == 1514)
        // SBP stores the bad frame with CE; LPE accepts the long one.
        rig.w(R.RCTL, B.EN | B.UPE | B.SECRC | B.SBP | B.LPE)
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(100)), fcsValid: false)
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(1501)))
        #expect(rig.r(R.RDH) == 3)
        #expect(ring.errors(1) & 1 != 0 && ring.errors(2) == 0)
        #expect(rig.r(R.CRCERRS) == 1 && rig.r(R.ROC) == 0)
    }

    @Test func fullRingBuffersInTheFIFOThenDrainsWhenRDTAdvances() {
        let rig = Rig(.i82540EM)
        let ring = rig.setUpRx(count: 8, tail: 2)          // two descriptors free
        let frames = (0..<5).map { Frames.ethernet(0x88B5, Frames.payload(100, seed: UInt8($0))) }
        for f in frames { rig.inject(f) }
        #expect(rig.r(R.RDH) == 2)
        #expect(rig.r(R.RNBC) == 3 && rig.r(R.MPC) == 0)
        rig.w(R.RDT, 7)
        rig.settle()
        #expect(rig.r(R.RDH) == 5)
        #expect((0..<5).map { ring.buffer($0, frames[$0].count) } == frames)
    }

    @Test func fullFIFODropsIntoMPCWithRXO() {
        let rig = Rig(.i82540EM)
        rig.setUpRx(count: 8, tail: 0)                     // no descriptors at all
        rig.w(R.PBA, 0x0030_0010 & 0xFFFF_0000 | 2)        // RXA = 2 KB
        rig.w(R.IMS, B.RXO)
        for _ in 0..<3 { rig.inject(Frames.ethernet(0x88B5, Frames.payload(1000))) }
        #expect(rig.r(R.RNBC) == 3)
        #expect(rig.r(R.MPC) == 2)
        #expect(rig.r(R.ICR) & B.RXO != 0)
    }

    @Test func extendedDescriptorsOn82574() {
        let rig = Rig(.i82574L)
        let ring = rig.setUpRx()
        rig.w(R.RFCTL, 1 << 15)   // EXTEN
        rig.w(R.CTRL, rig.r(R.CTRL) | 1 << 30)
        let inner = Frames.ipv4(17, Frames.udp(payload: Frames.payload(50)), id: 0xBEEF)
        rig.inject(Frames.deviceMAC + Frames.peerMAC + [0x81, 0x00, 0x00, 0x07, 0x08, 0x00] + inner)
        let (low, high) = ring.desc(0)
        let staterr = UInt32(truncatingIfNeeded: high)
        #expect(staterr & 0x3 == 0x3)                      // DD, EOP
        #expect(staterr & 0x8 != 0)                        // VP
        #expect(staterr & 0x10 != 0 && staterr & 0x40 != 0)  // UDPCS, IPCS (RXCSUM resets to 0x300)
        #expect(staterr & 0x200 != 0)                      // IPIDV
        #expect(staterr >> 24 == 0)
        #expect(Int(high >> 32 & 0xFFFF) == 14 + inner.count)
        #expect(UInt16(truncatingIfNeeded: high >> 48) == 7)
        #expect(UInt16(truncatingIfNeeded: low >> 32) == 0xBEEF)
    }

    @Test func receiveDelayTimersRearmPerPacketAndCapAtRADV() {
        let rig = Rig(.i82540EM)
        rig.setUpRx(count: 32)
        rig.w(R.RDTR, 100); rig.w(R.RADV, 250)     // 102.4 µs, 256 µs
        rig.w(R.IMS, B.RXT0)
        let start = rig.m.now
        // A frame every 50 µs: the packet timer keeps moving, the absolute timer fires at 256 µs after the first.
        for _ in 0..<8 {
            _ = Frames.ethernet(0x88B5, Frames.payload(60)).withUnsafeBytes { rig.peerPort.send($0) }
            rig.run(.microseconds(50))
        }
        let first = rig.sink.lines.first { $0.asserted }!.time
        let arrival = start + EthernetTiming.gigabit.arrivalDelay(frameLength: 74)
        #expect(first == arrival + .nanoseconds(256_000) + rig.m.configuration.interruptLatency)
        // FPD flushes a pending timer at once.
        _ = rig.r(R.ICR)
        _ = Frames.ethernet(0x88B5, Frames.payload(60)).withUnsafeBytes { rig.peerPort.send($0) }
        rig.run(.microseconds(2))
        #expect(rig.r(R.ICS) & B.RXT0 == 0)
        rig.w(R.RDTR, 100 | 1 << 31)
        #expect(rig.r(R.ICS) & B.RXT0 != 0)
        #expect(rig.r(R.RDTR) == 100)
    }
}
