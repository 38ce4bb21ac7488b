import Testing
@testable import E1000Model
import BoxlessPlatform

/// What arrives at the far end of the link.
final class Peer: EthernetReceiver {
    var frames: [[UInt8]] = []
    var fcs: [Bool] = []
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { frames.append(Array(frame)); fcs.append(fcsValid) }
    func carrierChanged(_ up: Bool) {}
}

/// Records what reaches the interrupt controller.
final class Sink: InterruptSink {
    var messages: [(time: VirtualTime, address: UInt64, data: UInt32)] = []
    var lines: [(time: VirtualTime, asserted: Bool)] = []
    unowned let machine: Machine
    init(_ m: Machine) { machine = m; m.interruptSink = self }
    func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32) { messages.append((machine.now, address, data)) }
    func lineChanged(_ line: Int, asserted: Bool) { lines.append((machine.now, asserted)) }
}

/// Register offsets used by the tests (8254x SDM §13).
enum R {
    static let CTRL: UInt32 = 0x0, STATUS: UInt32 = 0x8, EECD: UInt32 = 0x10, EERD: UInt32 = 0x14, CTRL_EXT: UInt32 = 0x18
    static let MDIC: UInt32 = 0x20, ICR: UInt32 = 0xC0, ITR: UInt32 = 0xC4, ICS: UInt32 = 0xC8, IMS: UInt32 = 0xD0
    static let IMC: UInt32 = 0xD8, EIAC: UInt32 = 0xDC, IAM: UInt32 = 0xE0, IVAR: UInt32 = 0xE4, EITR0: UInt32 = 0xE8
    static let RCTL: UInt32 = 0x100, TCTL: UInt32 = 0x400, PBA: UInt32 = 0x1000, VET: UInt32 = 0x38
    static let RDBAL: UInt32 = 0x2800, RDBAH: UInt32 = 0x2804, RDLEN: UInt32 = 0x2808, RDH: UInt32 = 0x2810, RDT: UInt32 = 0x2818
    static let RDTR: UInt32 = 0x2820, RADV: UInt32 = 0x282C, RXCSUM: UInt32 = 0x5000, RFCTL: UInt32 = 0x5008
    static let TDBAL: UInt32 = 0x3800, TDBAH: UInt32 = 0x3804, TDLEN: UInt32 = 0x3808, TDH: UInt32 = 0x3810, TDT: UInt32 = 0x3818
    static let TIDV: UInt32 = 0x3820, TADV: UInt32 = 0x382C
    static let RAL0: UInt32 = 0x5400, RAH0: UInt32 = 0x5404, MTA: UInt32 = 0x5200, VFTA: UInt32 = 0x5600
    static let CRCERRS: UInt32 = 0x4000, MPC: UInt32 = 0x4010, GPRC: UInt32 = 0x4074, GPTC: UInt32 = 0x4080
    static let GORCL: UInt32 = 0x4088, GORCH: UInt32 = 0x408C, RNBC: UInt32 = 0x40A0, RUC: UInt32 = 0x40A4, ROC: UInt32 = 0x40AC
    static let TPR: UInt32 = 0x40D0, TSCTC: UInt32 = 0x40F8, TSCTFC: UInt32 = 0x40FC
}

/// RCTL/TCTL bits used by the tests.
enum B {
    static let EN: UInt32 = 1 << 1, SBP: UInt32 = 1 << 2, UPE: UInt32 = 1 << 3, MPE: UInt32 = 1 << 4, LPE: UInt32 = 1 << 5
    static let BAM: UInt32 = 1 << 15, VFE: UInt32 = 1 << 18, BSEX: UInt32 = 1 << 25, SECRC: UInt32 = 1 << 26
    static let PSP: UInt32 = 1 << 3
    static let TXDW: UInt32 = 1 << 0, TXQE: UInt32 = 1 << 1, LSC: UInt32 = 1 << 2, RXDMT0: UInt32 = 1 << 4, RXO: UInt32 = 1 << 6
    static let RXT0: UInt32 = 1 << 7, MDAC: UInt32 = 1 << 9
}

/// A machine with one e1000 model, enumerated and enabled, its port connected to a ``Peer``: the
/// raw platform calls a minimal driver makes.
final class Rig {
    let m: Machine
    let dev: E1000Device
    let f: PCIFunction
    let sink: Sink
    let peer = Peer()
    let peerPort: EthernetPort
    let bar0: UInt64
    let io: UInt64
    static let slot = PCIAddress(device: 3)

    init(_ chip: E1000Device.Chip = .i82540EM, strict: Bool = false, autoneg: VirtualDuration = .microseconds(100), linkUp: Bool = true) {
        m = Machine(configuration: MachineConfiguration(strict: strict))
        dev = E1000Device(chip: chip)
        dev.autoNegotiationTime = autoneg
        f = m.plug(dev, at: Self.slot)
        let fns = try! Enumerator().enumerate(ECAMConfigMechanism(m))
        bar0 = fns[0].bars.first { $0.index == 0 }!.base
        io = fns[0].bars.first { $0.index == 2 }!.base
        m.configWrite(Self.slot, offset: ConfigHeader.command, width: .word,
                      value: UInt32(ConfigHeader.commandIOSpace | ConfigHeader.commandMemorySpace | ConfigHeader.commandBusMaster))
        sink = Sink(m)
        peerPort = EthernetPort(name: "peer", machine: m)
        peerPort.receiver = peer
        EthernetPort.connect(dev.port, peerPort)
        if linkUp { run(autoneg + .nanoseconds(1)) }
    }

    func r(_ off: UInt32) -> UInt32 { UInt32(m.mmioRead(bar0 + UInt64(off), width: .dword)) }
    func w(_ off: UInt32, _ v: UInt32) { m.mmioWrite(bar0 + UInt64(off), width: .dword, value: UInt64(v)) }
    func run(_ d: VirtualDuration) { m.scheduler.advance(by: d) }
    func settle() { run(.milliseconds(1)) }
    var findings: [Finding] { m.log.findings }
    var strictFindings: [String] { m.log.findings.filter { $0.code == .strict }.map(\.message) }

    /// DMA memory, mapped at its physical address.
    func alloc(_ size: Int) -> (bus: UInt64, p: UnsafeMutableRawPointer) {
        let (phys, p) = m.memory.allocate(size: size)
        f.iommu.map(BusAddress(phys.rawValue), length: UInt64(size), physical: phys, pointer: p, direction: .bidirectional, at: m.now, label: "test")
        return (phys.rawValue, p)
    }

    /// A receive ring of `count` descriptors with `bufferSize`-byte buffers, RDT = count − 1.
    struct Ring {
        let base: UInt64, p: UnsafeMutableRawPointer, buffers: UInt64, bp: UnsafeMutableRawPointer, count: Int, bufferSize: Int
        func desc(_ i: Int) -> (UInt64, UInt64) {
            (p.load(fromByteOffset: 16 * i, as: UInt64.self), p.load(fromByteOffset: 16 * i + 8, as: UInt64.self))
        }
        func buffer(_ i: Int, _ n: Int) -> [UInt8] { Array(UnsafeRawBufferPointer(start: bp + i * bufferSize, count: n)) }
        /// Legacy write-back fields.
        func length(_ i: Int) -> Int { Int(desc(i).1 & 0xFFFF) }
        func status(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: desc(i).1 >> 32) }
        func errors(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: desc(i).1 >> 40) }
        func special(_ i: Int) -> UInt16 { UInt16(truncatingIfNeeded: desc(i).1 >> 48) }
    }

    @discardableResult
    func setUpRx(count: Int = 8, bufferSize: Int = 2048, rctl: UInt32 = B.UPE | B.MPE | B.BAM | B.SECRC, tail: Int? = nil) -> Ring {
        let (base, p) = alloc(count * 16)
        let (buffers, bp) = alloc(count * bufferSize)
        for i in 0..<count { p.storeBytes(of: buffers + UInt64(i * bufferSize), toByteOffset: 16 * i, as: UInt64.self) }
        w(R.RDBAL, UInt32(truncatingIfNeeded: base)); w(R.RDBAH, UInt32(base >> 32))
        w(R.RDLEN, UInt32(count * 16)); w(R.RDH, 0); w(R.RDT, UInt32(tail ?? count - 1))
        w(R.RCTL, rctl | B.EN)
        return Ring(base: base, p: p, buffers: buffers, bp: bp, count: count, bufferSize: bufferSize)
    }

    /// A transmit ring; `put` writes descriptors into it.
    struct TxRing {
        let base: UInt64, p: UnsafeMutableRawPointer, count: Int
        func put(_ i: Int, _ low: UInt64, _ high: UInt64) {
            p.storeBytes(of: low, toByteOffset: 16 * i, as: UInt64.self)
            p.storeBytes(of: high, toByteOffset: 16 * i + 8, as: UInt64.self)
        }
        func sta(_ i: Int) -> UInt8 { p.load(fromByteOffset: 16 * i + 12, as: UInt8.self) }
    }

    func setUpTx(count: Int = 16, tctl: UInt32 = B.PSP) -> TxRing {
        let (base, p) = alloc(count * 16)
        w(R.TDBAL, UInt32(truncatingIfNeeded: base)); w(R.TDBAH, UInt32(base >> 32))
        w(R.TDLEN, UInt32(count * 16)); w(R.TDH, 0); w(R.TDT, 0)
        w(R.TCTL, tctl | B.EN)
        return TxRing(base: base, p: p, count: count)
    }

    /// Copies `bytes` into fresh DMA memory, returning its bus address.
    func buffer(_ bytes: [UInt8]) -> UInt64 {
        let (bus, p) = alloc(max(bytes.count, 1))
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return bus
    }

    /// The peer sends a frame to the device and the wire delivers it.
    func inject(_ frame: [UInt8], fcsValid: Bool = true) {
        frame.withUnsafeBytes { _ = peerPort.send($0, fcsValid: fcsValid) }
        run(.microseconds(30))
    }

    /// Reads a PHY register through MDIC (and waits for MDIC.R).
    func phyRead(_ reg: UInt32) -> UInt16 {
        w(R.MDIC, 0x0800_0000 | 1 << 21 | reg << 16)
        run(.microseconds(30))
        return UInt16(truncatingIfNeeded: r(R.MDIC))
    }
}

// MARK: frames

enum Frames {
    static let deviceMAC: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
    static let peerMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x99]

    static func ethernet(_ type: UInt16, _ payload: [UInt8], dst: [UInt8] = deviceMAC) -> [UInt8] {
        dst + peerMAC + [UInt8(type >> 8), UInt8(type & 0xFF)] + payload
    }

    static func sum(_ b: ArraySlice<UInt8>, _ initial: UInt32 = 0) -> UInt16 {
        var s = initial
        var i = b.startIndex
        while i < b.endIndex {
            s += UInt32(b[i]) << 8 | (i + 1 < b.endIndex ? UInt32(b[i + 1]) : 0)
            i += 2
        }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    static func be16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) << 8 | UInt16(b[o + 1]) }
    static func be32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(be16(b, o)) << 16 | UInt32(be16(b, o + 2)) }
    static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) { b[o] = UInt8(v >> 8); b[o + 1] = UInt8(v & 0xFF) }

    /// An IPv4 packet (from the IP header on) carrying `proto` with `l4` bytes; checksums valid.
    static func ipv4(_ proto: UInt8, _ l4: [UInt8], id: UInt16 = 0x1234) -> [UInt8] {
        var ip: [UInt8] = [0x45, 0, 0, 0, UInt8(id >> 8), UInt8(id & 0xFF), 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        put16(&ip, 2, UInt16(20 + l4.count))
        put16(&ip, 10, ~sum(ip[...]))
        var seg = l4
        let off = proto == 6 ? 16 : 6
        let pseudo = UInt32(sum(ip[12..<20])) + UInt32(proto) + UInt32(l4.count)
        put16(&seg, off, 0)
        var c = ~sum(seg[...], pseudo)
        if proto == 17 && c == 0 { c = 0xFFFF }
        put16(&seg, off, c)
        return ip + seg
    }

    static func tcp(payload: [UInt8], seq: UInt32 = 1000, flags: UInt8 = 0x18) -> [UInt8] {
        [0x30, 0x39, 0x00, 0x50, UInt8(seq >> 24), UInt8(seq >> 16 & 0xFF), UInt8(seq >> 8 & 0xFF), UInt8(seq & 0xFF),
         0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + payload
    }

    static func udp(payload: [UInt8]) -> [UInt8] {
        let len = UInt16(8 + payload.count)
        return [0x30, 0x39, 0x00, 0x35, UInt8(len >> 8), UInt8(len & 0xFF), 0, 0] + payload
    }

    /// Whether the IPv4 header and TCP/UDP checksum of an Ethernet frame verify.
    static func checksumsValid(_ frame: [UInt8], l3: Int = 14) -> Bool {
        let ihl = Int(frame[l3] & 0xF) * 4
        guard sum(frame[l3..<l3 + ihl]) == 0xFFFF else { return false }
        let total = Int(be16(frame, l3 + 2)), proto = frame[l3 + 9]
        let pseudo = UInt32(sum(frame[l3 + 12..<l3 + 20])) + UInt32(proto) + UInt32(total - ihl)
        return sum(frame[l3 + ihl..<l3 + total], pseudo) == 0xFFFF
    }

    static func payload(_ n: Int, seed: UInt8 = 0) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) } }
}
