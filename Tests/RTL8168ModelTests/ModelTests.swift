import BoxlessPlatform
import Testing
@testable import RTL8168Model

/// A machine with one RTL8168C, enumerated and enabled, driven by raw register accesses.
final class ModelRig: EthernetReceiver {
    let m: Machine
    let dev = RTL8168Device()
    let f: PCIFunction
    let bar2: UInt64
    let peerPort: EthernetPort
    var wire: [[UInt8]] = []
    static let slot = PCIAddress(device: 4)

    init(strict: Bool = true) {
        m = Machine(configuration: MachineConfiguration(strict: strict))
        dev.autoNegotiationTime = .microseconds(100)
        f = m.plug(dev, at: Self.slot)
        let fns = try! Enumerator().enumerate(ECAMConfigMechanism(m))
        bar2 = fns[0].bars.first { $0.index == 2 }!.base
        m.configWrite(Self.slot, offset: ConfigHeader.command, width: .word,
                      value: UInt32(ConfigHeader.commandIOSpace | ConfigHeader.commandMemorySpace | ConfigHeader.commandBusMaster))
        peerPort = EthernetPort(name: "peer", machine: m)
        EthernetPort.connect(dev.port, peerPort)
        peerPort.receiver = self
        run(.microseconds(200))
    }
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { wire.append(Array(frame)) }
    func carrierChanged(_ up: Bool) {}

    func r8(_ o: Int) -> UInt8 { UInt8(m.mmioRead(bar2 + UInt64(o), width: .byte)) }
    func r16(_ o: Int) -> UInt16 { UInt16(m.mmioRead(bar2 + UInt64(o), width: .word)) }
    func r32(_ o: Int) -> UInt32 { UInt32(m.mmioRead(bar2 + UInt64(o), width: .dword)) }
    func w8(_ o: Int, _ v: UInt8) { m.mmioWrite(bar2 + UInt64(o), width: .byte, value: UInt64(v)) }
    func w16(_ o: Int, _ v: UInt16) { m.mmioWrite(bar2 + UInt64(o), width: .word, value: UInt64(v)) }
    func w32(_ o: Int, _ v: UInt32) { m.mmioWrite(bar2 + UInt64(o), width: .dword, value: UInt64(v)) }
    func run(_ d: VirtualDuration) { m.scheduler.advance(by: d) }

    func alloc(_ size: Int) -> (bus: UInt64, p: UnsafeMutableRawPointer) {
        let (phys, p) = m.memory.allocate(size: size)
        f.iommu.map(BusAddress(phys.rawValue), length: UInt64(size), physical: phys, pointer: p, direction: .bidirectional, at: m.now, label: "test")
        return (phys.rawValue, p)
    }

    func phyWrite(_ reg: Int, _ v: UInt16) { w32(0x60, 1 << 31 | UInt32(reg) << 16 | UInt32(v)); run(.microseconds(30)) }
    func phyRead(_ reg: Int) -> UInt16 {
        w32(0x60, UInt32(reg) << 16); run(.microseconds(30))
        let v = r32(0x60)
        #expect(v & 1 << 31 != 0)
        return UInt16(truncatingIfNeeded: v)
    }

    /// The strict rules broken so far, by id.
    var rules: [String] {
        m.log.findings.map { f in RTL8168Rule.allCases.first { f.rule == $0.id }?.rawValue ?? f.message }
    }
}

@Suite("RTL8168 model")
struct RTL8168ModelTests {
    @Test("config space: IDs, BARs and the capability chain at the offsets real boards show")
    func configSpace() {
        let rig = ModelRig()
        let c = rig.f.config
        #expect(c.read(0, .dword) == 0x8168_10EC)
        #expect(c.read(ConfigHeader.revisionID, .byte) == 0x02)
        #expect(c.read(0x0B, .byte) == 0x02 && c.read(0x0A, .byte) == 0x00)
        #expect(rig.f.bars.map(\.index) == [0, 2, 4])
        #expect(rig.f.bars.map(\.size) == [256, 4096, 16384])
        var chain: [(Int, UInt32)] = []
        var p = Int(c.read(0x34, .byte))
        while p != 0 { chain.append((p, c.read(p, .byte))); p = Int(c.read(p + 1, .byte)) }
        #expect(chain.map(\.0) == [0x40, 0x50, 0x70, 0xB0, 0xD0])
        #expect(chain.map(\.1) == [0x01, 0x05, 0x10, 0x11, 0x03])
        #expect(rig.f.msix?.tableSize == 4 && rig.f.msix?.tableBAR == 4 && rig.f.msix?.pbaOffset == 0x800)
        var ext: [(Int, UInt32)] = []
        var e = 0x100
        while e != 0 { let h = c.read(e, .dword); ext.append((e, h & 0xFFFF)); e = Int(h >> 20) }
        #expect(ext.map(\.0) == [0x100, 0x140, 0x160])
        #expect(ext.map(\.1) == [0x0001, 0x0002, 0x0003])
        #expect(rig.m.log.findings.isEmpty)
    }

    @Test("TxConfig carries XID 3C4h; ChipCmd.RST self-clears; IDR holds the EEPROM address")
    func identity() {
        let rig = ModelRig()
        #expect(rig.r32(0x40) >> 20 & 0xFCF == 0x3C4)
        rig.w32(0x40, 0xFFFF_FFFF)
        #expect(rig.r32(0x40) >> 20 & 0xFCF == 0x3C4)
        rig.w8(0x37, 0x10)
        #expect(rig.r8(0x37) & 0x10 != 0)
        rig.run(.microseconds(3))
        #expect(rig.r8(0x37) & 0x10 == 0)
        #expect((0..<6).map { rig.r8($0) } == rig.dev.macAddress)
    }

    @Test("PHY: RTL8211B ID, page select isolates vendor pages, BMCR reset self-clears, link resolves 1000/full")
    func phyPaging() {
        let rig = ModelRig()
        #expect(rig.phyRead(2) == 0x001C && rig.phyRead(3) == 0xC912)
        rig.phyWrite(0x1F, 0x0002)
        rig.phyWrite(0x06, 0x5461)
        rig.phyWrite(0x0C, 0x7EB8)
        #expect(rig.phyRead(0x06) == 0x5461)
        rig.phyWrite(0x1F, 0x0000)
        #expect(rig.phyRead(0x06) & 0x0001 != 0 && rig.phyRead(0x06) != 0x5461)   // page 0 reg 6 is ANER (partner AN able), not the vendor value
        #expect(rig.phyRead(3) == 0xC912)
        rig.phyWrite(0x1F, 0x0002)
        #expect(rig.phyRead(0x0C) == 0x7EB8)
        rig.phyWrite(0x1F, 0x0000)
        #expect(rig.r8(0x6C) & 0x02 != 0)              // link up from power-on negotiation
        rig.phyWrite(0, 0x8000)
        #expect(rig.phyRead(0) & 0x8000 == 0)
        #expect(rig.r8(0x6C) & 0x02 == 0)              // reset: link down
        rig.run(.microseconds(200))
        #expect(rig.r8(0x6C) == 0x10 | 0x40 | 0x20 | 0x02 | 0x01)
        #expect(rig.r16(0x3E) & 0x20 != 0)              // LinkChg latched
        rig.w16(0x3E, 0x20)
        #expect(rig.r16(0x3E) & 0x20 == 0)              // write 1 to clear
    }

    @Test("tally dump: DMA of the 64-byte counter block, Cmd self-clears, Reset zeroes")
    func tallyDump() {
        let rig = ModelRig()
        rig.dev.tally.count(.RxOk, 5); rig.dev.tally.count(.TxOk, 3); rig.dev.tally.count(.MissPkt, 70_000)
        let (bus, p) = rig.alloc(64)
        rig.w32(0x14, UInt32(bus >> 32))
        rig.w32(0x10, UInt32(truncatingIfNeeded: bus) | 0x8)
        #expect(rig.r32(0x10) & 0x8 != 0)
        rig.run(.microseconds(5))
        #expect(rig.r32(0x10) & 0x8 == 0)
        #expect(p.load(fromByteOffset: 0, as: UInt64.self) == 3)
        #expect(p.load(fromByteOffset: 8, as: UInt64.self) == 5)
        #expect(p.load(fromByteOffset: 28, as: UInt16.self) == 0xFFFF)   // saturates at 16 bits
        rig.w32(0x10, UInt32(truncatingIfNeeded: bus) | 0x1)
        #expect(rig.dev.tally[.RxOk] == 0)
        #expect(rig.m.log.findings.isEmpty)
    }

    // MARK: strict rules, one test each

    @Test("ringNotAligned") func ringNotAligned() {
        let rig = ModelRig(); rig.w32(0xE4, 0x1010); #expect(rig.rules == ["ringNotAligned"])
    }
    @Test("configWriteWhileLocked") func configLocked() {
        let rig = ModelRig()
        rig.w8(0x00, 0x12)
        #expect(rig.rules == ["configWriteWhileLocked"])
        #expect(rig.r8(0) == rig.dev.macAddress[0])
        rig.w8(0x50, 0xC0); rig.w8(0x00, 0x12); rig.w8(0x50, 0x00)
        #expect(rig.r8(0) == 0x12 && rig.rules.count == 1)
    }
    @Test("pollWhileTransmitterOff") func pollOff() {
        let rig = ModelRig(); rig.w8(0x38, 0x40); #expect(rig.rules == ["pollWhileTransmitterOff"])
    }
    @Test("ringBaseWrittenWhileEnabled") func baseWhileEnabled() {
        let rig = ModelRig(); rig.w8(0x37, 0x08); rig.w32(0xE4, 0x2000); #expect(rig.rules == ["ringBaseWrittenWhileEnabled"])
    }
    @Test("tallyNotAligned") func tallyAlign() {
        let rig = ModelRig(); let (bus, _) = rig.alloc(128)
        rig.w32(0x14, 0); rig.w32(0x10, UInt32(bus) + 0x20 | 0x8); rig.run(.microseconds(5))
        #expect(rig.rules == ["tallyNotAligned"])
    }
    @Test("tallyDumpWhileBusy") func tallyBusy() {
        let rig = ModelRig(); let (bus, _) = rig.alloc(64)
        rig.w32(0x14, 0); rig.w32(0x10, UInt32(bus) | 0x8); rig.w32(0x10, UInt32(bus) | 0x8)
        #expect(rig.rules == ["tallyDumpWhileBusy"])
    }
    @Test("phyAccessWhileBusy") func phyBusy() {
        let rig = ModelRig(); rig.w32(0x60, 2 << 16); rig.w32(0x60, 3 << 16); #expect(rig.rules == ["phyAccessWhileBusy"])
    }

    /// A TX ring of `count` descriptors with one 2 KiB buffer each.
    func txRing(_ rig: ModelRig, count: Int, eorLast: Bool = true) -> (UnsafeMutableRawPointer, UInt64) {
        let (ring, rp) = rig.alloc(count * 16)
        let (buf, _) = rig.alloc(2048)
        for i in 0..<count { rp.storeBytes(of: buf, toByteOffset: 16 * i + 8, as: UInt64.self) }
        rig.w8(0x50, 0xC0)
        rig.w32(0x24, UInt32(ring >> 32)); rig.w32(0x20, UInt32(truncatingIfNeeded: ring))
        rig.w8(0x50, 0x00)
        rig.w8(0x37, 0x04)
        return (rp, buf)
    }
    func put(_ rp: UnsafeMutableRawPointer, _ i: Int, _ o1: UInt32, _ o2: UInt32 = 0) {
        rp.storeBytes(of: o2, toByteOffset: 16 * i + 4, as: UInt32.self)
        rp.storeBytes(of: o1, toByteOffset: 16 * i, as: UInt32.self)
    }

    @Test("txSegmentationBroken") func txNoFS() {
        let rig = ModelRig(); let (rp, _) = txRing(rig, count: 4)
        put(rp, 0, 1 << 31 | 1 << 28 | 60)
        rig.w8(0x38, 0x40); rig.run(.microseconds(20))
        #expect(rig.rules == ["txSegmentationBroken"])
    }
    @Test("ringWithoutEOR") func noEOR() {
        let rig = ModelRig(); let (rp, _) = txRing(rig, count: 1100)
        for i in 0..<1100 { put(rp, i, 1 << 31 | (i == 0 ? 1 << 29 : 0) | 1) }
        rig.w8(0x38, 0x40); rig.run(.microseconds(20))
        #expect(rig.rules == ["ringWithoutEOR"])
    }
    @Test("badLargeSend") func badLSO() {
        let rig = ModelRig(); let (rp, _) = txRing(rig, count: 4)
        put(rp, 0, 1 << 31 | 1 << 29 | 1 << 28 | 1 << 26 | 34 << 18 | 200, 0)
        rig.w8(0x38, 0x40); rig.run(.microseconds(20))
        #expect(rig.rules == ["badLargeSend"])
        #expect(rig.dev.tally[.TxEr] == 1 && rig.wire.isEmpty)
    }
    @Test("txPacketTooLong") func tooLong() {
        let rig = ModelRig(); let (rp, _) = txRing(rig, count: 4)
        rig.w8(0xEC, 1)
        put(rp, 0, 1 << 31 | 1 << 29 | 1 << 28 | 200)
        rig.w8(0x38, 0x40); rig.run(.microseconds(20))
        #expect(rig.rules == ["txPacketTooLong"])
    }
    @Test("rxMaxSizeExceedsBuffer, and a frame spanning descriptors with FS/LS and the length with FCS")
    func rxSpan() {
        let rig = ModelRig()
        let (ring, rp) = rig.alloc(4 * 16)
        let (buf, bp) = rig.alloc(4 * 256)
        for i in 0..<4 {
            rp.storeBytes(of: buf + UInt64(256 * i), toByteOffset: 16 * i + 8, as: UInt64.self)
            rp.storeBytes(of: UInt32(1 << 31) | (i == 3 ? 1 << 30 : 0) | 256, toByteOffset: 16 * i, as: UInt32.self)
        }
        rig.w32(0xE8, UInt32(ring >> 32)); rig.w32(0xE4, UInt32(truncatingIfNeeded: ring))
        rig.w32(0x44, 0x0F); rig.w8(0x37, 0x08)
        let frame = rig.dev.macAddress + [2, 0, 0, 0, 0, 2, 0x88, 0xB5] + (0..<386).map { UInt8(truncatingIfNeeded: $0) }
        frame.withUnsafeBytes { _ = rig.peerPort.send($0) }
        rig.run(.microseconds(50))
        #expect(rig.rules == ["rxMaxSizeExceedsBuffer"])
        let o1a = rp.load(fromByteOffset: 0, as: UInt32.self), o1b = rp.load(fromByteOffset: 16, as: UInt32.self)
        #expect(o1a & 1 << 31 == 0 && o1a & 1 << 29 != 0 && o1a & 1 << 28 == 0)
        #expect(o1b & 1 << 31 == 0 && o1b & 1 << 28 != 0 && o1b & 0x3FFF == 404)
        #expect(Array(UnsafeRawBufferPointer(start: bp, count: 400)) == frame)
        #expect(rig.dev.tally[.RxOk] == 1)
    }

    @Test("every rule has a test above")
    func ruleCount() { #expect(RTL8168Rule.allCases.count == 13) }
}
