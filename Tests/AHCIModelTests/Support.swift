import Testing
@testable import AHCIModel
@testable import BoxlessPlatform

/// Records what reaches the interrupt controller.
final class InterruptRecorder: InterruptSink {
    var messages: [(address: UInt64, data: UInt32)] = []
    var lines: [(line: Int, asserted: Bool)] = []
    init(_ m: Machine) { m.interruptSink = self }
    func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32) { messages.append((address, data)) }
    func lineChanged(_ line: Int, asserted: Bool) { lines.append((line, asserted)) }
}

/// A machine with an AHCI controller at 00:1f.0, enumerated over ECAM, decoding and bus mastering on,
/// and 4 MiB of DMA memory mapped at bus address 0x1_0000_0000 — the raw platform calls a mini
/// driver makes (STYLE.md §8).
///
/// Memory layout (offsets from `busBase`): port *p*'s command list at p × 64 KiB, its received-FIS
/// area at + 0x400, command tables at + 0x1000 + slot × 0x200 (room for 24 PRDs); data buffers from
/// 1 MiB.
final class Rig {
    static let slotAddress = PCIAddress(device: 0x1F)
    static let busBase: UInt64 = 0x1_0000_0000
    static let memorySize = 4 << 20
    static let dataBase: UInt64 = 1 << 20
    let m: Machine
    let f: PCIFunction
    let ctrl: AHCIController
    let disks: [SATADisk?]
    let abar: UInt64
    let io: UInt64
    let mem: UnsafeMutableRawPointer
    let irq: InterruptRecorder

    init(disks: [SATADisk?] = [SATADisk(backend: MemoryBackend(sectors: 1 << 20))], strict: Bool = false, map: Bool = true) {
        m = Machine(configuration: MachineConfiguration(seed: 7, strict: strict))
        self.disks = disks
        ctrl = AHCIController(ports: disks)
        f = m.plug(ctrl, at: Self.slotAddress)
        irq = InterruptRecorder(m)
        let found = try! Enumerator().enumerate(ECAMConfigMechanism(m))
        let e = found.first { $0.address == Self.slotAddress }!
        abar = e.bars.first { $0.index == 5 }!.base
        io = e.bars.first { $0.index == 4 }!.base
        m.configWrite(Self.slotAddress, offset: ConfigHeader.command, width: .word,
                      value: UInt32(ConfigHeader.commandMemorySpace | ConfigHeader.commandIOSpace | ConfigHeader.commandBusMaster))
        let (phys, p) = m.memory.allocate(size: Self.memorySize)
        mem = p
        if map {
            f.iommu.map(BusAddress(Self.busBase), length: UInt64(Self.memorySize), physical: phys, pointer: p,
                        direction: .bidirectional, at: m.now, label: "rig")
        }
    }

    // MARK: registers

    func r(_ off: UInt64) -> UInt32 { UInt32(m.mmioRead(abar + off, width: .dword)) }
    func w(_ off: UInt64, _ v: UInt32) { m.mmioWrite(abar + off, width: .dword, value: UInt64(v)) }
    func pr(_ p: Int, _ reg: UInt64) -> UInt32 { r(0x100 + UInt64(p) * 0x80 + reg) }
    func pw(_ p: Int, _ reg: UInt64, _ v: UInt32) { w(0x100 + UInt64(p) * 0x80 + reg, v) }
    func run(_ d: VirtualDuration) { m.scheduler.advance(by: d) }
    func settle() { m.scheduler.runUntilIdle() }
    var strictFindings: [Finding] { m.log.findings.filter { $0.code == .strict } }

    // MARK: memory

    func clb(_ p: Int) -> UInt64 { UInt64(p) << 16 }
    func fb(_ p: Int) -> UInt64 { UInt64(p) << 16 + 0x400 }
    func table(_ p: Int, _ slot: Int) -> UInt64 { UInt64(p) << 16 + 0x1000 + UInt64(slot) * 0x200 }
    func bus(_ off: UInt64) -> UInt64 { Self.busBase + off }
    func store32(_ off: UInt64, _ v: UInt32) { mem.storeBytes(of: v.littleEndian, toByteOffset: Int(off), as: UInt32.self) }
    func load32(_ off: UInt64) -> UInt32 { UInt32(littleEndian: mem.load(fromByteOffset: Int(off), as: UInt32.self)) }
    func load8(_ off: UInt64) -> UInt8 { mem.load(fromByteOffset: Int(off), as: UInt8.self) }
    func bytes(_ off: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { load8(off + UInt64($0)) } }
    func fill(_ off: UInt64, _ b: [UInt8]) { for (i, x) in b.enumerated() { mem.storeBytes(of: x, toByteOffset: Int(off) + i, as: UInt8.self) } }

    // MARK: bring-up (AHCI 1.3.1 §10.1)

    /// AE, then for port `p`: CLB/FB, SUD (spin-up, CAP.SSS), wait for the signature, clear SERR, FRE, ST.
    func bringUp(_ p: Int = 0, ie: UInt32 = 0) {
        w(HostRegister.ghc, GHCBit.ae)
        pw(p, PortRegister.clb, UInt32(truncatingIfNeeded: bus(clb(p)))); pw(p, PortRegister.clbu, UInt32(bus(clb(p)) >> 32))
        pw(p, PortRegister.fb, UInt32(truncatingIfNeeded: bus(fb(p)))); pw(p, PortRegister.fbu, UInt32(bus(fb(p)) >> 32))
        pw(p, PortRegister.cmd, PortCMD.sud)
        run(.microseconds(200))
        pw(p, PortRegister.serr, 0xFFFF_FFFF)
        pw(p, PortRegister.interruptStatus, 0xFFFF_FFFF)
        pw(p, PortRegister.interruptEnable, ie)
        pw(p, PortRegister.cmd, PortCMD.sud | PortCMD.fre)
        pw(p, PortRegister.cmd, PortCMD.sud | PortCMD.fre | PortCMD.st)
    }

    /// Writes command header `slot` and its table: the CFIS from `tf`, and `prds` (bus offset, bytes, I).
    func prepare(_ p: Int, _ slot: Int, _ tf: TaskFile, prds: [(UInt64, Int, Bool)] = [], write: Bool = false,
                 extraHeader: UInt32 = 0) {
        let h = clb(p) + UInt64(slot) * 32
        store32(h, 5 | (write ? CommandList.write : 0) | UInt32(prds.count) << 16 | extraHeader)
        store32(h + 4, 0)
        let t = table(p, slot)
        store32(h + 8, UInt32(truncatingIfNeeded: bus(t))); store32(h + 12, UInt32(bus(t) >> 32))
        fill(t, tf.encodedH2D())
        for (i, prd) in prds.enumerated() {
            let o = t + 0x80 + UInt64(i) * 16
            store32(o, UInt32(truncatingIfNeeded: bus(prd.0))); store32(o + 4, UInt32(bus(prd.0) >> 32)); store32(o + 8, 0)
            store32(o + 12, UInt32(prd.1 - 1) | (prd.2 ? CommandList.prdInterrupt : 0))
        }
    }

    /// Issues slot `slot` (and, for NCQ, its PxSACT bit first).
    func issue(_ p: Int, _ slot: Int, ncq: Bool = false) {
        if ncq { pw(p, PortRegister.sact, 1 << UInt32(slot)) }
        pw(p, PortRegister.ci, 1 << UInt32(slot))
    }

    /// PRDBC of a command header.
    func prdbc(_ p: Int, _ slot: Int) -> UInt32 { load32(clb(p) + UInt64(slot) * 32 + 4) }

    /// Error recovery (AHCI §6.2.2): clear ST, wait for CR, clear SERR and IS, set ST.
    func recover(_ p: Int = 0) {
        pw(p, PortRegister.cmd, PortCMD.sud | PortCMD.fre)
        for _ in 0..<100 where pr(p, PortRegister.cmd) & PortCMD.cr != 0 { run(.microseconds(1)) }
        pw(p, PortRegister.serr, 0xFFFF_FFFF)
        pw(p, PortRegister.interruptStatus, 0xFFFF_FFFF)
        w(HostRegister.interruptStatus, 0xFFFF_FFFF)
        pw(p, PortRegister.cmd, PortCMD.sud | PortCMD.fre | PortCMD.st)
    }
}

// MARK: task files

func rw(_ command: UInt8, lba: UInt64, count: Int) -> TaskFile {
    var t = TaskFile()
    t.command = command; t.lba = lba; t.count = UInt16(truncatingIfNeeded: count); t.device = 0x40
    return t
}

func ncq(_ command: UInt8, tag: Int, lba: UInt64, count: Int) -> TaskFile {
    var t = TaskFile()
    t.command = command; t.lba = lba; t.features = UInt16(truncatingIfNeeded: count); t.count = UInt16(tag << 3); t.device = 0x40
    return t
}

func command(_ c: UInt8, features: UInt16 = 0, lba: UInt64 = 0, count: UInt16 = 0) -> TaskFile {
    var t = TaskFile()
    t.command = c; t.features = features; t.lba = lba; t.count = count
    return t
}

/// A recognisable sector pattern.
func pattern(_ seed: UInt64, bytes: Int) -> [UInt8] {
    var x = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<bytes).map { _ in x ^= x << 13; x ^= x >> 7; x ^= x << 17; return UInt8(truncatingIfNeeded: x) }
}
