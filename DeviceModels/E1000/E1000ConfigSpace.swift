import BoxlessPlatform

/// Configuration space of both chips (SDM §4.1, §6.3.3; 82574 layout as FACTS.md records it).
///
/// 82540EM: BAR0 128 KiB memory (CSRs), BAR2 8-byte I/O window (IOADDR/IODATA; the SDM's 8-byte
/// I/O space, at BAR2 as on a 32-bit-BAR 8254x where BAR1 is the optional Flash BAR), PM at DCh, INTA#.
/// 82574L: BAR0 128 KiB CSRs, BAR1 128 KiB Flash, BAR2 32-byte I/O window, BAR3 16 KiB MSI-X (table
/// 0x0000, PBA 0x2000, 5 vectors); PM C8h → MSI D0h (1 vector, 64-bit) → PCIe E0h (v1) → MSI-X A0h;
/// AER 100h → DSN 140h (serial from the MAC with FFFFh inserted after the OUI); INTA#.
enum E1000ConfigSpace {
    static func ioBAR(_ chip: E1000Chip) -> Int { 2 }

    /// The I/O window's registers.
    static let ioMap = RegisterMap([RegisterInfo("IOADDR", offset: 0), RegisterInfo("IODATA", offset: 4)],
                                   undefinedIsFinding: false)

    static func build(_ chip: E1000Chip, registers: RegisterMap, mac: [UInt8]) -> ConfigSpaceBuilder {
        let id = E1000PCIIdentity.identity(for: chip)
        var b = ConfigSpaceBuilder(vendorID: id.vendorID, deviceID: id.deviceID, classCode: id.classCode,
                                   revision: id.revisionID, subsystemVendorID: id.subsystemVendorID,
                                   subsystemID: id.subsystemID, express: chip == .i82574L)
        // Registers are 32-bit; 64-bit accesses are split (SDM §13: registers are DWORD-accessed).
        let cs = RegionAccessRules(minWidth: .dword, maxWidth: .qword)
        b.addBAR(0, .memory32(prefetchable: false), size: 128 * 1024, rules: cs, registers: registers, label: "registers")
        b.setInterruptPin(id.interruptPin)
        switch chip {
        case .i82540EM:
            b.addBAR(2, .io, size: 8, rules: .dwordOnly, registers: ioMap, label: "I/O window")
            b.addPowerManagement(at: 0xDC)
        case .i82574L:
            b.addBAR(1, .memory32(prefetchable: false), size: 128 * 1024, label: "Flash")
            b.addBAR(2, .io, size: 32, rules: .dwordOnly, registers: ioMap, label: "I/O window")
            b.addBAR(3, .memory32(prefetchable: false), size: 16 * 1024, rules: cs, label: "MSI-X")
            b.addPowerManagement(at: 0xC8)
            b.addMSI(vectors: E1000PCIIdentity.msiVectorCount82574L, is64Bit: true, perVectorMasking: false, at: 0xD0)
            addExpressV1(&b, at: 0xE0)
            b.addMSIX(tableSize: 5, tableBAR: 3, tableOffset: 0, pbaBAR: 3, pbaOffset: 0x2000, at: 0xA0)
            addAER(&b)
            let dsn = E1000PCIIdentity.deviceSerialNumber82574L(mac: mac)
            b.addExtendedCapability(CapabilityID.extendedSerialNumber, version: 1,
                                    body: (0..<8).map { UInt8(truncatingIfNeeded: dsn >> (8 * UInt64($0))) })
        }
        return b
    }

    /// A version-1 PCI Express capability (PCIe Base 1.1 §7.8: 0x14 bytes for an endpoint) — the
    /// platform's `addPCIExpress` builds a 0x3C-byte version 2 that does not fit below 0x100 at E0h.
    private static func addExpressV1(_ b: inout ConfigSpaceBuilder, at offset: Int) {
        var body = [UInt8](repeating: 0, count: 0x14 - 2)
        func put16(_ o: Int, _ v: UInt16) { body[o - 2] = UInt8(v & 0xFF); body[o - 1] = UInt8(v >> 8) }
        func put32(_ o: Int, _ v: UInt32) { for i in 0..<4 { body[o - 2 + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        put16(0x02, 0x0001)                     // capability version 1, endpoint
        put32(0x04, 0x0000_0001)                // Max_Payload_Size supported 256 bytes
        put16(0x08, 0x2810)                     // Device Control: relaxed ordering, MRRS 512, MPS 128
        put32(0x0C, 0x0000_0011)                // Link Capabilities: 2.5 GT/s, x1
        put16(0x12, 0x0011)                     // Link Status: trained at 2.5 GT/s x1
        var w = [UInt8](repeating: 0, count: body.count)
        w[0x08 - 2] = 0xFF; w[0x09 - 2] = 0x7F   // Device Control
        w[0x10 - 2] = 0xFB; w[0x11 - 2] = 0x0F   // Link Control
        var c = [UInt8](repeating: 0, count: body.count)
        c[0x0A - 2] = 0x0F                       // Device Status error bits RW1C
        b.addCapability(CapabilityID.pciExpress, body: body, writable: w, writeOneToClear: c, at: offset)
    }

    /// Advanced Error Reporting (PCIe Base 1.1 §7.10), version 1, sized so DSN follows at 140h.
    private static func addAER(_ b: inout ConfigSpaceBuilder) {
        var w = [UInt8](repeating: 0, count: 0x3C)
        for o in [0x08, 0x0C, 0x14] { for i in 0..<4 { w[o - 4 + i] = 0xFF } }   // masks and severity
        w[0x18 - 4] = 0x40; w[0x19 - 4] = 0x01                                    // ECRC generation/check enables (bits 6, 8)
        b.addExtendedCapability(CapabilityID.extendedAER, version: 1, body: [UInt8](repeating: 0, count: 0x3C), writable: w)
    }
}
