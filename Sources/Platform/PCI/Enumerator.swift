/// A BAR as enumeration found and assigned it.
public struct AssignedBAR: Sendable, Equatable {
    /// BAR number.
    public var index: Int
    /// What it decodes, as read from the BAR's low bits.
    public var kind: BARKind
    /// Assigned base address.
    public var base: UInt64
    /// Size found by the sizing protocol.
    public var size: UInt64
}

/// A function as enumeration found it.
public struct EnumeratedFunction: Sendable, Equatable {
    /// Location.
    public var address: PCIAddress
    /// Vendor ID.
    public var vendorID: UInt16
    /// Device ID.
    public var deviceID: UInt16
    /// Subsystem vendor ID.
    public var subsystemVendorID: UInt16
    /// Subsystem ID.
    public var subsystemID: UInt16
    /// Class code (base, sub, prog-if).
    public var classCode: UInt32
    /// Revision ID.
    public var revision: UInt8
    /// Assigned BARs.
    public var bars: [AssignedBAR]
    /// Interrupt pin (0 none, 1 = INTA#).
    public var interruptPin: UInt8
    /// The line written to Interrupt Line, if the function has a pin.
    public var interruptLine: Int?
}

/// Address windows BARs are assigned from.
public struct AddressWindows: Sendable {
    /// I/O ports.
    public var io: Range<UInt64>
    /// 32-bit memory (below 4 GiB, above the ECAM window).
    public var memory32: Range<UInt64>
    /// 64-bit memory (above 4 GiB).
    public var memory64: Range<UInt64>
    /// The windows of a q35-like layout: I/O 0xC000–0xFFFF, MMIO32 0xC000_0000–0xFEC0_0000,
    /// MMIO64 from 512 GiB.
    public static let standard = AddressWindows(io: 0xC000..<0x1_0000, memory32: 0xC000_0000..<0xFEC0_0000,
                                                memory64: 0x80_0000_0000..<0x100_0000_0000)
    /// Creates windows.
    public init(io: Range<UInt64>, memory32: Range<UInt64>, memory64: Range<UInt64>) {
        self.io = io; self.memory32 = memory32; self.memory64 = memory64
    }
}

/// Why enumeration could not finish.
public enum EnumerationError: Error, Equatable, CustomStringConvertible {
    /// The windows have no room for a BAR.
    case windowExhausted(PCIAddress, bar: Int, size: UInt64)
    /// One-line description.
    public var description: String {
        switch self {
        case let .windowExhausted(a, bar, size): return "\(a): no room for BAR\(bar) of \(size) bytes in its address window"
        }
    }
}

/// Enumerates bus 0 as firmware does (PCI Firmware 3.2 §3.5; PCI Local Bus 3.0 §6.2.5.1): finds
/// functions, sizes every BAR by writing all ones and reading back, assigns addresses from the
/// windows (largest first, naturally aligned), writes Interrupt Line, and leaves decoding disabled
/// for the driver to enable.
public struct Enumerator {
    /// The windows to assign from.
    public var windows: AddressWindows
    /// Creates an enumerator.
    public init(windows: AddressWindows = .standard) { self.windows = windows }

    /// Enumerates and assigns; returns the functions in bus order.
    public func enumerate(_ cfg: any ConfigMechanism, bus: UInt8 = 0) throws(EnumerationError) -> [EnumeratedFunction] {
        var found: [(EnumeratedFunction, [(index: Int, kind: BARKind, size: UInt64)])] = []
        for dev in UInt8(0)..<32 {
            let f0 = PCIAddress(bus: bus, device: dev, function: 0)
            guard UInt16(cfg.read(f0, offset: ConfigHeader.vendorID, width: .word)) != 0xFFFF else { continue }
            let multi = cfg.read(f0, offset: ConfigHeader.headerType, width: .byte) & 0x80 != 0
            for fn in UInt8(0)..<(multi ? 8 : 1) {
                let a = PCIAddress(bus: bus, device: dev, function: fn)
                let vendor = UInt16(cfg.read(a, offset: ConfigHeader.vendorID, width: .word))
                guard vendor != 0xFFFF else { continue }
                // Decoding off while sizing (§6.2.5.1 advises it).
                let cmd = cfg.read(a, offset: ConfigHeader.command, width: .word)
                cfg.write(a, offset: ConfigHeader.command, width: .word,
                          value: cmd & ~UInt32(ConfigHeader.commandIOSpace | ConfigHeader.commandMemorySpace))
                var bars: [(Int, BARKind, UInt64)] = []
                var i = 0
                while i < 6 {
                    let off = ConfigHeader.bar0 + 4 * i
                    let orig = cfg.read(a, offset: off, width: .dword)
                    cfg.write(a, offset: off, width: .dword, value: 0xFFFF_FFFF)
                    let low = cfg.read(a, offset: off, width: .dword)
                    cfg.write(a, offset: off, width: .dword, value: orig)
                    guard low != 0 else { i += 1; continue }
                    if low & 1 == 1 {
                        let mask = UInt64(low & 0xFFFF_FFFC) | 0xFFFF_FFFF_0000_0000
                        bars.append((i, .io, ~mask &+ 1 & 0xFFFF_FFFF)); i += 1; continue
                    }
                    let prefetch = low & 0x8 != 0
                    if low & 0x6 == 0x4 {
                        let origHi = cfg.read(a, offset: off + 4, width: .dword)
                        cfg.write(a, offset: off + 4, width: .dword, value: 0xFFFF_FFFF)
                        let high = cfg.read(a, offset: off + 4, width: .dword)
                        cfg.write(a, offset: off + 4, width: .dword, value: origHi)
                        let mask = UInt64(high) << 32 | UInt64(low & 0xFFFF_FFF0)
                        bars.append((i, .memory64(prefetchable: prefetch), ~mask &+ 1)); i += 2
                    } else {
                        let mask = UInt64(low & 0xFFFF_FFF0) | 0xFFFF_FFFF_0000_0000
                        bars.append((i, .memory32(prefetchable: prefetch), ~mask &+ 1)); i += 1
                    }
                }
                let pin = UInt8(cfg.read(a, offset: ConfigHeader.interruptPin, width: .byte))
                var line: Int?
                if pin != 0 {
                    line = INTxRouting.line(device: dev, pin: pin)
                    cfg.write(a, offset: ConfigHeader.interruptLine, width: .byte, value: UInt32(line!))
                }
                let cls = cfg.read(a, offset: ConfigHeader.revisionID, width: .dword)
                let e = EnumeratedFunction(
                    address: a, vendorID: vendor, deviceID: UInt16(cfg.read(a, offset: ConfigHeader.deviceID, width: .word)),
                    subsystemVendorID: UInt16(cfg.read(a, offset: ConfigHeader.subsystemVendorID, width: .word)),
                    subsystemID: UInt16(cfg.read(a, offset: ConfigHeader.subsystemID, width: .word)),
                    classCode: cls >> 8, revision: UInt8(cls & 0xFF), bars: [], interruptPin: pin, interruptLine: line)
                found.append((e, bars.map { (index: $0.0, kind: $0.1, size: $0.2) }))
            }
        }
        // Assign, largest first so natural alignment packs well; ties in bus order (deterministic).
        var next = (io: windows.io.lowerBound, m32: windows.memory32.lowerBound, m64: windows.memory64.lowerBound)
        var order: [(Int, Int)] = []
        for (fi, f) in found.enumerated() { for bi in f.1.indices { order.append((fi, bi)) } }
        order.sort { found[$0.0].1[$0.1].size != found[$1.0].1[$1.1].size ? found[$0.0].1[$0.1].size > found[$1.0].1[$1.1].size : $0 < $1 }
        for (fi, bi) in order {
            let (a, b) = (found[fi].0.address, found[fi].1[bi])
            func take(_ cursor: inout UInt64, _ window: Range<UInt64>) throws(EnumerationError) -> UInt64 {
                let base = (cursor + b.size - 1) & ~(b.size - 1)
                guard base + b.size <= window.upperBound else { throw .windowExhausted(a, bar: b.index, size: b.size) }
                cursor = base + b.size
                return base
            }
            let base: UInt64
            switch b.kind {
            case .io: base = try take(&next.io, windows.io)
            case .memory32: base = try take(&next.m32, windows.memory32)
            case .memory64: base = try take(&next.m64, windows.memory64)
            }
            let off = ConfigHeader.bar0 + 4 * b.index
            cfg.write(a, offset: off, width: .dword, value: UInt32(truncatingIfNeeded: base))
            if b.kind.is64Bit { cfg.write(a, offset: off + 4, width: .dword, value: UInt32(truncatingIfNeeded: base >> 32)) }
            found[fi].0.bars.append(AssignedBAR(index: b.index, kind: b.kind, base: base, size: b.size))
        }
        return found.map { var e = $0.0; e.bars.sort { $0.index < $1.index }; return e }
    }
}
