import BoxlessPlatform
import NICCore
import Testing
@testable import RTL8139Model

/// The far end of the cable, with arrival times.
final class Catcher: EthernetReceiver {
    var frames: [(time: VirtualTime, bytes: [UInt8])] = []
    let m: Machine
    init(_ m: Machine) { self.m = m }
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { frames.append((m.now, Array(frame))) }
    func carrierChanged(_ up: Bool) {}
}

extension Rig {
    /// C mode receive into an 8 KiB ring (APM | AB, WRAP), RE | TE; returns the ring.
    func cModeReceive(rcr extra: UInt32 = 0) -> UnsafeMutableRawPointer {
        let (bus, p) = alloc(8192 + 16 + 1536)
        w32(0x30, UInt32(bus)); w8(0x37, 0x0C); w32(0x44, 0x0A | 0x80 | extra)
        return p
    }

    /// C+ receive ring of `count` 2 KiB descriptors (EOR on the last), CpCmd.RxEnb | TxEnb; returns it.
    func cplusReceive(count: Int = 4, cpcmd: UInt16 = 0x0003) -> (ring: UnsafeMutableRawPointer, buffers: UnsafeMutableRawPointer) {
        let (ring, rp) = alloc(256 * 4)
        let (buf, bp) = alloc(2048 * count)
        for i in 0..<count {
            rp.storeBytes(of: UInt32(1 << 31 | (i == count - 1 ? 1 << 30 : 0) | 2048), toByteOffset: 16 * i, as: UInt32.self)
            rp.storeBytes(of: UInt64(buf + UInt64(2048 * i)), toByteOffset: 16 * i + 8, as: UInt64.self)
        }
        w16(0xE0, cpcmd)
        w32(0xE4, UInt32(ring)); w32(0xE8, 0)
        w8(0x37, 0x0C); w32(0x44, 0x0A)
        return (rp, bp)
    }

    /// A one-descriptor C+ transmit ring at TNPDS (or THPDS) holding `frame`.
    func cplusTransmitRing(_ frame: [UInt8], high: Bool, opts1 extra: UInt32 = 0, opts2: UInt32 = 0) {
        let (ring, rp) = alloc(256)
        let (buf, bp) = alloc(max(frame.count, 64))
        frame.withUnsafeBytes { bp.copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
        rp.storeBytes(of: UInt32(1 << 31 | 1 << 30 | 1 << 29 | 1 << 28) | extra | UInt32(frame.count), toByteOffset: 0, as: UInt32.self)
        rp.storeBytes(of: opts2, toByteOffset: 4, as: UInt32.self)
        rp.storeBytes(of: UInt64(buf), toByteOffset: 8, as: UInt64.self)
        w32(high ? 0x28 : 0x20, UInt32(ring)); w32(high ? 0x2C : 0x24, 0)
    }

    /// Hands C-mode slot 0 a frame (TSD0 SIZE | ERTXTH).
    func slot0(_ frame: [UInt8], ertxth: UInt32 = 0) {
        let (buf, bp) = alloc(2048)
        frame.withUnsafeBytes { bp.copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
        w32(0x20, UInt32(buf))
        w32(0x10, UInt32(frame.count) | ertxth << 16)
    }
}

enum TCPFrame {
    /// A TCP/IPv4 frame (flags ACK | PSH | FIN, sequence 1000, IP ID 77h), checksums zero.
    static func make(_ payload: Int) -> [UInt8] {
        var f: [UInt8] = [2, 0, 0, 0, 0, 2] + Rig.mac + [0x08, 0x00]
        let total = 40 + payload
        f += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0x77, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        f += [0x30, 0x39, 0, 0x50, 0, 0, 0x03, 0xE8, 0, 0, 0, 1, 0x50, 0x19, 0xFF, 0xFF, 0, 0, 0, 0]
        f += (0..<payload).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        return f
    }
    static func verifies(_ f: [UInt8]) -> Bool {
        f.withUnsafeBytes { p in
            let h = FrameHeaders.parse(p.baseAddress!, f.count)
            guard let l4 = h.l4Offset else { return false }
            return InternetChecksum.verifies(p.baseAddress! + 14, 20)
                && InternetChecksum.verifies(p.baseAddress! + l4, h.l4Length, initial: UInt32(h.pseudoHeaderSum))
        }
    }
}

@Suite struct RTL8139FeatureTests {
    /// BMSR.Link_Status latches low (IEEE 802.3 §22.2.4.2.13 through NICCore's MIIPHY): a link
    /// drop shows in the next read even after the link is back; MSR.LINKB shows the live state.
    @Test func bmsrLinkLatchesLowUntilRead() {
        let rig = Rig(.rtl8139c)
        _ = rig.r16(0x64)
        #expect(rig.r16(0x64) & 0x04 != 0)
        rig.peer.setCarrier(false)
        rig.peer.setCarrier(true)
        rig.run(.microseconds(200))
        #expect(rig.r8(0x58) & 0x04 == 0)                     // MSR: link up now
        #expect(rig.r16(0x64) & 0x04 == 0)                    // BMSR: the drop, latched
        #expect(rig.r16(0x64) & 0x04 != 0)
    }

    /// TxPoll.HPQ (C+ §6.4): the high-priority ring is sent before the normal one.
    @Test func highPriorityQueueGoesFirst() {
        let rig = Rig(.rtl8139cPlus)
        let catcher = Catcher(rig.m); rig.peer.receiver = catcher
        rig.w16(0xE0, 0x0001); rig.w8(0x37, 0x04)
        rig.cplusTransmitRing(Rig.frame(1, 200), high: false)
        rig.cplusTransmitRing(Rig.frame(2, 100), high: true)
        rig.w8(0xD9, 0xC0)                                    // HPQ | NPQ
        rig.run(.microseconds(500))
        #expect(catcher.frames.map(\.bytes) == [Rig.frame(2, 100), Rig.frame(1, 200)])
        #expect(rig.r16(0x3E) & 0x04 != 0)                    // TOK
    }

    /// TSD.ERTXTH (§5.2): with an 8-byte threshold the frame starts on the wire while the rest is
    /// still being read; with the threshold above the frame it starts after the whole DMA.
    @Test func earlyTransmitThresholdStartsTheWireSooner() {
        func arrival(_ ertxth: UInt32) -> VirtualTime {
            let rig = Rig(.rtl8139c)
            let catcher = Catcher(rig.m); rig.peer.receiver = catcher
            rig.w8(0x37, 0x04)
            let start = rig.m.now
            rig.slot0(Rig.frame(3, 1500), ertxth: ertxth)
            rig.run(.microseconds(300))
            #expect(rig.r32(0x10) & 0xA000 == 0xA000)         // OWN and TOK
            return VirtualTime.zero + (catcher.frames.first!.time - start)
        }
        let early = arrival(0), late = arrival(63)
        #expect(early < late)
        #expect(late - early > .microseconds(5))             // ~1.5 KB at 133 MB/s ≈ 11 µs
    }

    /// ERBCR/ERSR (§5.5): byte count of the last packet, ERGood, EROK with RCR.ERTH set.
    @Test func earlyReceiveStatus() {
        let rig = Rig(.rtl8139c)
        _ = rig.cModeReceive(rcr: 1 << 24)                    // ERTH = 1/16
        rig.send(Rig.frame(0, 100))
        #expect(rig.r16(0x34) == 104)
        #expect(rig.r8(0x36) == 0x09)                         // ERGood | EROK
        rig.w32(0x44, 0x0A | 0x80)
        rig.send(Rig.frame(1, 200))
        #expect(rig.r8(0x36) == 0x08)
    }

    /// IntrMitigate (RTL8169 layout, documented): receive frames 1 (×4) holds ROK until the 4th
    /// frame; the receive timer raises it on its own.
    @Test func intrMitigateHoldsReceiveInterrupts() {
        let rig = Rig(.rtl8139cPlus)
        _ = rig.cplusReceive(count: 8)
        rig.w16(0xE2, 0x0001)
        for i in 0..<3 { rig.send(Rig.frame(i, 100)) }
        #expect(rig.r16(0x3E) & 0x01 == 0)
        rig.send(Rig.frame(3, 100))
        #expect(rig.r16(0x3E) & 0x01 != 0)
        rig.w16(0x3E, 0xFFFF)
        rig.w16(0xE2, 0x00F0)                                 // timer 15 units = 38.4 µs
        Rig.frame(4, 100).withUnsafeBytes { _ = rig.peer.send($0) }
        rig.run(.microseconds(30))                            // arrived (~10 µs) and DMA done, timer running
        #expect(rig.r16(0x3E) & 0x01 == 0)
        rig.run(.microseconds(50))
        #expect(rig.r16(0x3E) & 0x01 != 0)
    }

    /// TCR.LBK = 11b (§5.9): a sent frame comes back into the receive ring, not onto the wire.
    @Test func tcrLoopback() {
        let rig = Rig(.rtl8139c)
        let catcher = Catcher(rig.m); rig.peer.receiver = catcher
        let ring = rig.cModeReceive()
        rig.w32(0x40, 3 << 17)
        let f = Rig.frame(5, 120)
        rig.slot0(f)
        rig.run(.microseconds(200))
        #expect(catcher.frames.isEmpty)
        #expect(ring.load(as: UInt32.self) == 0x4001 | UInt32(124) << 16)   // PAM | ROK, 124 bytes
        #expect((0..<120).map { ring.load(fromByteOffset: 4 + $0, as: UInt8.self) } == f)
    }

    /// Large send on the NIC core's TCPSegmenter: a 3000-byte payload at MSS 1000 leaves as three
    /// segments with good checksums, IDs + 1, sequence numbers, and FIN/PSH only on the last.
    @Test func largeSendSegments() {
        let rig = Rig(.rtl8139cPlus)
        let catcher = Catcher(rig.m); rig.peer.receiver = catcher
        rig.w16(0xE0, 0x0001); rig.w8(0x37, 0x04)
        rig.cplusTransmitRing(TCPFrame.make(3000), high: false, opts1: 1 << 27 | 1000 << 16)
        rig.w8(0xD9, 0x40)
        rig.run(.microseconds(1000))
        let out = catcher.frames.map(\.bytes)
        #expect(out.map(\.count) == [1054, 1054, 1054])
        #expect(out.allSatisfy(TCPFrame.verifies))
        #expect(out.map { $0[19] } == [0x77, 0x78, 0x79])
        #expect(out.map { $0[47] } == [0x10, 0x10, 0x19])
        #expect(rig.counter("TxOk") == 3)
    }

    /// Checksum offload and VLAN insertion in place (C+ §9.1) and the RX verdicts from FrameHeaders.
    @Test func checksumOffloadBothWays() {
        let rig = Rig(.rtl8139cPlus)
        let catcher = Catcher(rig.m); rig.peer.receiver = catcher
        let (ring, _) = rig.cplusReceive(cpcmd: 0x0023)       // TxEnb | RxEnb | RxChkSum
        rig.cplusTransmitRing(TCPFrame.make(200), high: false, opts1: 1 << 18 | 1 << 16, opts2: 1 << 17 | 0x0520)
        rig.w8(0xD9, 0x40)
        rig.run(.microseconds(300))
        var out = catcher.frames.first!.bytes
        #expect(Array(out[12..<16]) == [0x81, 0x00, 0x20, 0x05])
        out.removeSubrange(12..<16)
        #expect(TCPFrame.verifies(out))
        var back = out; back[0..<6] = Rig.mac[...]
        back[6..<12] = [2, 0, 0, 0, 0, 2]
        rig.send(back)                                        // checksums still good (addresses are not covered)
        var bad = back; bad[60] ^= 0xFF
        rig.send(bad)
        let o1 = ring.load(as: UInt32.self), o1b = ring.load(fromByteOffset: 16, as: UInt32.self)
        #expect(o1 & 0x3_E000 == 1 << 16)                     // PID TCP, no fail bits
        #expect(o1b & 0x3_E000 == 1 << 16 | 1 << 13)          // TCPF
    }
}

extension Rig {
    func counter(_ name: String) -> UInt64? { dev.counter(named: name) }
}
