import BoxlessPlatform
import EmulatorHost

/// Renders the emulated machine the way `lspci` (and, verbose, `lspci -vv`) does, from each
/// function's config space as software would read it after enumeration and driver probe.
public enum LSPCI {
    /// One line per function, or lspci -vv-style blocks when `verbose`.
    public static func render(_ m: BoxlessMachine, verbose: Bool) -> String {
        var out = ""
        for f in m.machine.functions {
            let c = { (o: Int, w: AccessWidth) in f.deviceReadConfig(o, w) }
            let vendor = UInt16(c(ConfigHeader.vendorID, .word)), device = UInt16(c(ConfigHeader.deviceID, .word))
            let cls = c(ConfigHeader.revisionID, .dword) >> 8, rev = c(ConfigHeader.revisionID, .byte)
            let loc = "\(hexString(UInt64(f.address.bus), digits: 2)):\(hexString(UInt64(f.address.device), digits: 2)).\(f.address.function)"
            out += "\(loc) \(DeviceCatalog.className(cls)) [\(hexString(UInt64(cls >> 8), digits: 4))]: \(DeviceCatalog.vendorName(vendor)) \(DeviceCatalog.deviceName(vendor: vendor, device: device)) [\(hexString(UInt64(vendor), digits: 4)):\(hexString(UInt64(device), digits: 4))]"
            out += rev != 0 ? " (rev \(hexString(UInt64(rev), digits: 2)))\n" : "\n"
            guard verbose else { continue }
            let sv = UInt16(c(ConfigHeader.subsystemVendorID, .word)), sd = UInt16(c(ConfigHeader.subsystemID, .word))
            out += "\tSubsystem: \(DeviceCatalog.vendorName(sv)) Device [\(hexString(UInt64(sv), digits: 4)):\(hexString(UInt64(sd), digits: 4))]\n"
            let cmd = UInt16(c(ConfigHeader.command, .word)), st = UInt16(c(ConfigHeader.status, .word))
            func pm(_ b: Bool) -> String { b ? "+" : "-" }
            out += "\tControl: I/O\(pm(cmd & 1 != 0)) Mem\(pm(cmd & 2 != 0)) BusMaster\(pm(cmd & 4 != 0)) SpecCycle- MemWINV- VGASnoop- ParErr\(pm(cmd & 0x40 != 0)) Stepping- SERR\(pm(cmd & 0x100 != 0)) FastB2B- DisINTx\(pm(cmd & 0x400 != 0))\n"
            out += "\tStatus: Cap\(pm(st & 0x10 != 0)) 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort\(pm(st & 0x800 != 0)) <TAbort\(pm(st & 0x1000 != 0)) <MAbort\(pm(st & 0x2000 != 0)) >SERR\(pm(st & 0x4000 != 0)) <PERR\(pm(st & 0x8000 != 0)) INTx\(pm(st & 0x8 != 0))\n"
            let pin = c(ConfigHeader.interruptPin, .byte)
            if pin != 0 {
                out += "\tInterrupt: pin \(["A", "B", "C", "D"][Int(pin - 1)]) routed to IRQ \(c(ConfigHeader.interruptLine, .byte))\n"
            }
            for b in f.bars {
                let base = f.barBase(b.index)
                let disabled = b.kind.isMemory ? cmd & 2 == 0 : cmd & 1 == 0
                let where_ = base == 0 ? "<unassigned>" : hexString(base, digits: b.kind.isMemory ? 8 : 4)
                if b.kind.isMemory {
                    out += "\tRegion \(b.index): Memory at \(where_) (\(b.kind.is64Bit ? "64" : "32")-bit, \(b.kind.isPrefetchable ? "" : "non-")prefetchable)\(disabled ? " [disabled]" : "") [size=\(size(b.size))]\n"
                } else {
                    out += "\tRegion \(b.index): I/O ports at \(where_)\(disabled ? " [disabled]" : "") [size=\(size(b.size))]\n"
                }
            }
            out += capabilities(f)
            if let d = m.host.bound.first(where: { $0.address == f.address }) {
                out += "\tKernel driver in use: \(d.driverName)\n"
            }
            out += "\n"
        }
        return out
    }

    static func size(_ s: UInt64) -> String {
        if s >= 1 << 30 && s % (1 << 30) == 0 { return "\(s >> 30)G" }
        if s >= 1 << 20 && s % (1 << 20) == 0 { return "\(s >> 20)M" }
        if s >= 1 << 10 && s % (1 << 10) == 0 { return "\(s >> 10)K" }
        return "\(s)"
    }

    /// The capability lists, decoded as lspci -vv decodes them.
    static func capabilities(_ f: PCIFunction) -> String {
        let c = { (o: Int, w: AccessWidth) in f.deviceReadConfig(o, w) }
        func pm(_ b: Bool) -> String { b ? "+" : "-" }
        var out = ""
        guard UInt16(c(ConfigHeader.status, .word)) & ConfigHeader.statusCapabilitiesList != 0 else { return out }
        var ptr = Int(c(ConfigHeader.capabilitiesPointer, .byte) & 0xFC), hops = 0
        while ptr >= 0x40 && hops < 48 {
            let id = UInt8(c(ptr, .byte)), at = "[\(hexString(UInt64(ptr), digits: 2))]"
            switch id {
            case CapabilityID.powerManagement:
                let pmc = UInt16(c(ptr + 2, .word)), csr = UInt16(c(ptr + 4, .word))
                out += "\tCapabilities: \(at) Power Management version \(pmc & 7)\n"
                out += "\t\tStatus: D\(csr & 3) NoSoftRst\(pm(csr & 8 != 0)) PME-Enable\(pm(csr & 0x100 != 0)) DSel=0 DScale=0 PME\(pm(csr & 0x8000 != 0))\n"
            case CapabilityID.msi:
                let ctl = UInt16(c(ptr + 2, .word)), is64 = ctl & 0x80 != 0, mask = ctl & 0x100 != 0
                out += "\tCapabilities: \(at) MSI: Enable\(pm(ctl & 1 != 0)) Count=\(1 << Int(ctl >> 4 & 7))/\(1 << Int(ctl >> 1 & 7)) Maskable\(pm(mask)) 64bit\(pm(is64))\n"
                let addr = UInt64(c(ptr + 4, .dword)) | (is64 ? UInt64(c(ptr + 8, .dword)) << 32 : 0)
                let data = c(ptr + (is64 ? 0x0C : 0x08), .word)
                out += "\t\tAddress: \(hexString(addr, digits: is64 ? 16 : 8))  Data: \(hexString(UInt64(data), digits: 4))\n"
                if mask {
                    let mo = ptr + (is64 ? 0x10 : 0x0C)
                    out += "\t\tMasking: \(hexString(UInt64(c(mo, .dword)), digits: 8))  Pending: \(hexString(UInt64(c(mo + 4, .dword)), digits: 8))\n"
                }
            case CapabilityID.msix:
                let ctl = UInt16(c(ptr + 2, .word)), t = c(ptr + 4, .dword), p = c(ptr + 8, .dword)
                out += "\tCapabilities: \(at) MSI-X: Enable\(pm(ctl & 0x8000 != 0)) Count=\(Int(ctl & 0x7FF) + 1) Masked\(pm(ctl & 0x4000 != 0))\n"
                out += "\t\tVector table: BAR=\(t & 7) offset=\(hexString(UInt64(t & ~7), digits: 8))\n"
                out += "\t\tPBA: BAR=\(p & 7) offset=\(hexString(UInt64(p & ~7), digits: 8))\n"
            case CapabilityID.pciExpress:
                let caps = UInt16(c(ptr + 2, .word)), lcap = c(ptr + 0x0C, .dword), lsta = UInt16(c(ptr + 0x12, .word))
                let type = ["Endpoint", "Legacy Endpoint", "", "", "Root Port", "Upstream Port", "Downstream Port", "PCI-Express to PCI/PCI-X Bridge", "", "Root Complex Integrated Endpoint"]
                let t = Int(caps >> 4 & 0xF)
                func speed(_ s: Int) -> String { ["?", "2.5GT/s", "5GT/s", "8GT/s", "16GT/s"][min(s, 4)] }
                out += "\tCapabilities: \(at) Express (v\(caps & 0xF)) \(t < type.count ? type[t] : "type \(t)"), MSI 00\n"
                out += "\t\tLnkCap: Port #0, Speed \(speed(Int(lcap & 0xF))), Width x\(lcap >> 4 & 0x3F)\n"
                out += "\t\tLnkSta: Speed \(speed(Int(lsta & 0xF))), Width x\(lsta >> 4 & 0x3F)\n"
            case CapabilityID.sata:
                // SATACR1 (AHCI 1.3.1 §2.3.2): BARLOC 4h–9h names BAR0–BAR5, BAROFST counts dwords.
                let cr1 = c(ptr + 4, .dword), loc = Int(cr1 & 0xF)
                let bar = (4...9).contains(loc) ? "BAR\(loc - 4)" : "config"
                out += "\tCapabilities: \(at) SATA HBA v\(c(ptr + 2, .byte) >> 4 & 0xF).\(c(ptr + 2, .byte) & 0xF) \(bar) Offset=\(hexString(UInt64((cr1 >> 4 & 0xFFFFF) * 4), digits: 8))\n"
            case CapabilityID.vpd:
                // lspci shows "Vital Product Data" and, when it can read it, the VPD's fields.
                out += "\tCapabilities: \(at) Vital Product Data\n"
            default:
                out += "\tCapabilities: \(at) Capability ID \(hexString(UInt64(id), digits: 2))\n"
            }
            ptr = Int(c(ptr + 1, .byte) & 0xFC)
            hops += 1
        }
        guard f.isExpress else { return out }
        var ext = 0x100
        hops = 0
        while ext >= 0x100 && hops < 960 {
            let h = c(ext, .dword)
            if h == 0 || h == 0xFFFF_FFFF { break }
            let id = UInt16(h & 0xFFFF), v = h >> 16 & 0xF
            let at = "[\(hexString(UInt64(ext), digits: 3)) v\(v)]"
            switch id {
            case CapabilityID.extendedSerialNumber:
                let lo = c(ext + 4, .dword), hi = c(ext + 8, .dword)
                let bytes = (0..<8).map { i -> String in
                    let b = i < 4 ? hi >> UInt32(8 * (3 - i)) : lo >> UInt32(8 * (7 - i))
                    return hexString(UInt64(b & 0xFF), digits: 2)
                }
                out += "\tCapabilities: \(at) Device Serial Number \(bytes.joined(separator: "-"))\n"
            case CapabilityID.extendedAER:
                out += "\tCapabilities: \(at) Advanced Error Reporting\n"
            case CapabilityID.extendedVirtualChannel:
                // Port VC Capability 1 (PCIe Base §7.11.2): extended VC count in bits 2:0.
                out += "\tCapabilities: \(at) Virtual Channel\n"
                out += "\t\tCaps:\tLPEVC=\(c(ext + 4, .dword) >> 4 & 7) RefClk=100ns PATEntryBits=1\n"
            default:
                out += "\tCapabilities: \(at) Extended Capability ID \(hexString(UInt64(id), digits: 4))\n"
            }
            ext = Int(h >> 20) & 0xFFC
            hops += 1
        }
        return out
    }
}
