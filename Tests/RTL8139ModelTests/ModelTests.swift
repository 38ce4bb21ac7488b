import BoxlessPlatform
import NICCore
import Testing
@testable import RTL8139Model

/// A machine with one RTL8139 model, enumerated, I/O + memory + bus master on, linked to a peer.
final class Rig {
    let m: Machine
    let dev: RTL8139Device
    let peer: EthernetPort
    let bar1: UInt64
    static let slot = PCIAddress(device: 3)

    init(_ chip: RTL8139Chip = .rtl8139cPlus, strict: Bool = true) {
        m = Machine(configuration: MachineConfiguration(strict: strict))
        dev = RTL8139Device(chip: chip)
        dev.autoNegotiationTime = .microseconds(100)
        m.plug(dev, at: Self.slot)
        let fns = try! Enumerator().enumerate(ECAMConfigMechanism(m))
        bar1 = fns[0].bars.first { $0.index == 1 }!.base
        m.configWrite(Self.slot, offset: ConfigHeader.command, width: .word,
                      value: UInt32(ConfigHeader.commandIOSpace | ConfigHeader.commandMemorySpace | ConfigHeader.commandBusMaster))
        peer = EthernetPort(name: "peer", machine: m, timing: .fastEthernet)
        EthernetPort.connect(dev.port, peer)
        run(.microseconds(200))
    }
    func r8(_ o: UInt64) -> UInt8 { UInt8(m.mmioRead(bar1 + o, width: .byte)) }
    func r16(_ o: UInt64) -> UInt16 { UInt16(m.mmioRead(bar1 + o, width: .word)) }
    func r32(_ o: UInt64) -> UInt32 { UInt32(m.mmioRead(bar1 + o, width: .dword)) }
    func w8(_ o: UInt64, _ v: UInt8) { m.mmioWrite(bar1 + o, width: .byte, value: UInt64(v)) }
    func w16(_ o: UInt64, _ v: UInt16) { m.mmioWrite(bar1 + o, width: .word, value: UInt64(v)) }
    func w32(_ o: UInt64, _ v: UInt32) { m.mmioWrite(bar1 + o, width: .dword, value: UInt64(v)) }
    func run(_ d: VirtualDuration) { m.scheduler.advance(by: d) }
    func alloc(_ size: Int) -> (bus: UInt64, p: UnsafeMutableRawPointer) {
        let (phys, p) = m.memory.allocate(size: size)
        m.function(at: Self.slot)!.iommu.map(BusAddress(phys.rawValue), length: UInt64(size), physical: phys, pointer: p,
                                             direction: .bidirectional, at: m.now, label: "test")
        return (phys.rawValue, p)
    }
    func send(_ f: [UInt8]) { f.withUnsafeBytes { _ = peer.send($0) }; run(.microseconds(200)) }
    /// Rules reported so far, by id.
    var rules: [String] {
        m.log.findings.filter { $0.code == .strict }.map { f in
            RTL8139Rule.allCases.first { f.rule == $0.id }?.rawValue ?? f.message
        }
    }
    static let mac: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
    static func frame(_ i: Int, _ n: Int) -> [UInt8] {
        (mac + [2, 0, 0, 0, 0, 2, 0x88, 0xB5] + (0..<max(0, n - 14)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }).prefix(n).map { $0 }
    }
}

@Suite struct RTL8139ModelTests {
    /// C-mode ring: every size, with and without WRAP; frames crossing the end land where §5.10 says,
    /// CBR wraps modulo the ring, and CAPR + 16 frees the space again.
    @Test(arguments: [0, 1, 2, 3], [false, true])
    func cModeRingWrapsAtEverySize(rblen: Int, wrap: Bool) {
        let rig = Rig(.rtl8139c)
        let length = 8192 << rblen
        let (bus, p) = rig.alloc(length + 16 + 1536)
        rig.w32(0x30, UInt32(bus))
        rig.w8(0x37, 0x0C)                                    // RE | TE
        rig.w32(0x44, 0x02 | UInt32(rblen) << 11 | (wrap ? 0x80 : 0))   // APM, RBLEN, WRAP
        var cur = 0
        var frames = 0
        let size = 1000
        while frames < 3 * length / size {
            let f = Rig.frame(frames, size)
            rig.send(f)
            let off = cur % length
            let header = p.load(fromByteOffset: off, as: UInt32.self)
            #expect(header & 1 == 1 && Int(header >> 16) == size + 4, "frame \(frames)")
            let crosses = off + 4 + size + 4 > length
            let data: [UInt8] = (0..<size).map { i in
                let at = off + 4 + i
                return p.load(fromByteOffset: at < length || (wrap && length < 65536) ? at : at - length, as: UInt8.self)
            }
            #expect(data == f, "frame \(frames) at \(off), crosses end: \(crosses)")
            cur = (cur + 4 + size + 4 + 3) & ~3
            #expect(Int(rig.r16(0x3A)) == cur % length)       // CBR
            rig.w16(0x38, UInt16(truncatingIfNeeded: cur - 16)) // CAPR
            #expect(rig.r8(0x37) & 1 == 1)                    // BUFE: empty again
            frames += 1
        }
        #expect(rig.rules == [])
    }

    /// CAPR/CBR at the ring end: free space is (CAPR + 16 − CBR) mod length; a frame that does not
    /// fit waits in the FIFO with RXOVW, and goes in once CAPR moves.
    @Test func caprAndCBRArithmeticAtTheRingEnd() {
        let rig = Rig(.rtl8139c)
        let (bus, _) = rig.alloc(8192 + 16 + 1536)
        rig.w32(0x30, UInt32(bus)); rig.w8(0x37, 0x0C); rig.w32(0x44, 0x02 | 0x80)
        rig.w16(0x3C, 0xFFFF)
        // 5 × 1500-byte frames fill 7540 bytes; the sixth does not fit in the remaining 652.
        for i in 0..<6 { rig.send(Rig.frame(i, 1500)) }
        #expect(rig.r16(0x3A) == 5 * 1508)
        #expect(rig.r16(0x3E) & 0x10 != 0)                    // RXOVW
        rig.w16(0x3E, 0xFFFF)
        rig.w16(0x38, UInt16(2 * 1508 - 16))                  // two frames read
        rig.run(.microseconds(200))
        #expect(rig.r16(0x3A) == UInt16((6 * 1508) % 8192))   // the sixth went in, wrapping CBR
        #expect(rig.dev.counter(named: "MPC") == 0)
        #expect(rig.rules == [])
    }

    @Test func eepromReadsThroughThe9346CR() {
        let rig = Rig(.rtl8139c)
        func word(_ a: Int) -> UInt16 {
            let sel: UInt8 = 0x80 | 0x08
            rig.w8(0x50, 0x80); rig.w8(0x50, sel)
            let cmd = 0b110 << 6 | a
            for i in stride(from: 8, through: 0, by: -1) {
                let di: UInt8 = cmd >> i & 1 != 0 ? 2 : 0
                rig.w8(0x50, sel | di); rig.w8(0x50, sel | di | 4)
            }
            rig.w8(0x50, sel)                                 // SK low before the data clocks
            var v: UInt16 = 0
            for _ in 0..<16 { rig.w8(0x50, sel | 4); v = v << 1 | UInt16(rig.r8(0x50) & 1); rig.w8(0x50, sel) }
            rig.w8(0x50, 0)
            return v
        }
        #expect(word(0) == 0x8129)
        #expect([word(7), word(8), word(9)] == [0x5452, 0x1200, 0x5634])
        #expect((0..<6).map { rig.r8(UInt64($0)) } == Rig.mac)   // auto-loaded into IDR
    }

    @Test func phyRegistersNegotiateAndReportLinkChange() {
        let rig = Rig(.rtl8139cPlus)
        #expect(rig.r16(0x64) & 0x0024 == 0x0020)             // BMSR: link latched low since power-on
        #expect(rig.r16(0x64) & 0x0024 == 0x0024)             // read again: link + AN complete
        #expect(rig.r8(0x58) & 0x04 == 0)                     // MSR.LINKB clear: link OK
        #expect(rig.r16(0x68) & 0x0100 != 0)                  // ANLPAR 100 full
        rig.w16(0x3E, 0xFFFF)
        rig.w16(0x62, 0x1200)                                 // restart AN (ANE kept)
        #expect(rig.r16(0x64) & 0x04 == 0)                    // down (this read clears the latch)
        rig.run(.microseconds(200))
        #expect(rig.r16(0x64) & 0x04 != 0)
        #expect(rig.r16(0x3E) & 0x20 != 0)                    // PUN/LinkChg
    }

    @Test func tallyCountersAreDumpedByDTCCR() {
        let rig = Rig(.rtl8139cPlus)
        let (ring, rp) = rig.alloc(256 * 2)
        let (buf, _) = rig.alloc(2048 * 4)
        for i in 0..<4 {
            rp.storeBytes(of: UInt32(1 << 31 | (i == 3 ? 1 << 30 : 0) | 2048), toByteOffset: 16 * i, as: UInt32.self)
            rp.storeBytes(of: UInt64(buf + UInt64(2048 * i)), toByteOffset: 16 * i + 8, as: UInt64.self)
        }
        rig.w16(0xE0, 0x0003)
        rig.w32(0xE4, UInt32(ring)); rig.w32(0xE8, 0)
        rig.w8(0x37, 0x0C); rig.w32(0x44, 0x0A)
        for i in 0..<3 { rig.send(Rig.frame(i, 100)) }
        let (tally, tp) = rig.alloc(64)
        rig.w32(0x14, 0); rig.w32(0x10, UInt32(tally) | 8)
        #expect(rig.r32(0x10) & 8 == 0)
        #expect(tp.load(fromByteOffset: 8, as: UInt64.self) == 3)    // RxOk
        #expect(tp.load(fromByteOffset: 40, as: UInt64.self) == 3)   // RxOkPhy
        #expect(rig.rules == [])
    }

    // MARK: strict rules, one test each, asserted by rule id

    @Test func strictRBSTARTMisaligned() { let r = Rig(.rtl8139c); r.w32(0x30, 0x1002); #expect(r.rules == ["rbstartMisaligned"]) }

    @Test func strictCAPRPastCBR() { let r = Rig(.rtl8139c); r.w32(0x44, 0x02); r.w16(0x38, 0x0100); #expect(r.rules == ["caprPastCBR"]) }

    @Test func strictTxSlotRewrittenWhileOwned() {
        let r = Rig(.rtl8139c)
        let (b, _) = r.alloc(2048)
        r.w32(0x20, UInt32(b))
        r.w32(0x10, 100)          // slot 0 handed over (TE off: stays owned)
        r.w32(0x20, UInt32(b) + 64)
        r.w32(0x10, 100)
        #expect(r.rules == ["txSlotRewrittenWhileOwned", "txSlotRewrittenWhileOwned"])
    }

    @Test func strictCPlusRingMisaligned() {
        let r = Rig(.rtl8139cPlus)
        r.w16(0xE0, 0x0003)
        r.w32(0x20, 0x1080); r.w32(0xE4, 0x2010)
        #expect(r.rules == ["cplusRingMisaligned", "cplusRingMisaligned"])
    }

    @Test func strictRingWithoutEOR() {
        let r = Rig(.rtl8139cPlus)
        let (ring, rp) = r.alloc(64 * 16)
        let (buf, _) = r.alloc(2048)
        for i in 0..<64 {
            rp.storeBytes(of: UInt32(1 << 31 | 2048), toByteOffset: 16 * i, as: UInt32.self)
            rp.storeBytes(of: UInt64(buf), toByteOffset: 16 * i + 8, as: UInt64.self)
        }
        r.w16(0xE0, 0x0002); r.w32(0xE4, UInt32(ring)); r.w8(0x37, 0x08); r.w32(0x44, 0x02)
        for i in 0..<64 { r.send(Rig.frame(i, 80)) }
        #expect(r.rules == ["ringWithoutEOR"])
    }

    @Test func strictConfigWriteLocked() {
        let r = Rig(.rtl8139c)
        r.w8(0x52, 0x01)
        #expect(r.rules == ["configWriteLocked"])
        #expect(r.r8(0x52) & 1 == 0)                          // ignored, as the chip does
        r.w8(0x50, 0xC0); r.w8(0x52, 0x01); r.w8(0x50, 0)
        #expect(r.r8(0x52) & 1 == 1)
        #expect(r.rules == ["configWriteLocked"])
    }

    @Test func strictCPlusRegisterInCMode() {
        let r = Rig(.rtl8139cPlus)
        r.w8(0xD9, 0x40)                                      // TxPoll with CpCmd.TxEnb clear
        let c = Rig(.rtl8139c)
        c.w16(0xE0, 0x0003)                                   // no C+ on the RTL8139C
        #expect(r.rules == ["cplusRegisterInCMode"])
        #expect(c.rules == ["cplusRegisterInCMode"])
    }

    @Test func strictCModeSlotInCPlusMode() {
        let r = Rig(.rtl8139cPlus)
        r.w16(0xE0, 0x0001)
        r.w32(0x18, 100)
        #expect(r.rules == ["cModeSlotInCPlusMode"])
    }

    @Test func everyRuleHasATest() { #expect(RTL8139Rule.allCases.count == 8) }

    @Test func configSpaceHasBothBARsPMAndWritableCacheLineSize() {
        let rig = Rig(.rtl8139cPlus)
        let f = rig.m.function(at: Rig.slot)!
        #expect(f.bars.map(\.index) == [0, 1])
        #expect(f.bars.map(\.size) == [256, 256])
        #expect(f.deviceReadConfig(ConfigHeader.revisionID, .byte) == 0x20)
        rig.m.configWrite(Rig.slot, offset: ConfigHeader.cacheLineSize, width: .byte, value: 0x10)
        #expect(rig.m.configRead(Rig.slot, offset: ConfigHeader.cacheLineSize, width: .byte) == 0x10)
        #expect(rig.r32(0x40) & 0x7CC0_0000 == 0x7480_0000)
    }
}
