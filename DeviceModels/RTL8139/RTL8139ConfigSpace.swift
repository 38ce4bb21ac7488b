import BoxlessPlatform

/// Configuration space of both parts (RTL8139C(L) datasheet §4 "PCI Configuration Space"):
/// 10EC:8139, class 020000h, revision 10h (C) / 20h (C+); BAR0 256-byte I/O and BAR1 256-byte
/// memory over the same register file; INTA#; a Power Management capability at 50h; Cache Line
/// Size writable (the builder's default — 8139cp's `pci_set_mwi` needs it).
enum RTL8139ConfigSpace {
    /// I/O BAR index.
    static let ioBAR = 0
    /// Memory BAR index.
    static let memoryBAR = 1

    static func build(_ chip: RTL8139Chip) -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: RTL8139Chip.vendorID, deviceID: RTL8139Chip.deviceID,
                                   classCode: RTL8139Chip.classCode, revision: chip.revision,
                                   subsystemVendorID: RTL8139Chip.vendorID, subsystemID: RTL8139Chip.deviceID, express: false)
        let size = UInt64(RTL8139Register.size)
        b.addBAR(ioBAR, .io, size: size, rules: RegionAccessRules(minWidth: .byte, maxWidth: .dword),
                 registers: RTL8139Register.map, label: "registers (I/O)")
        b.addBAR(memoryBAR, .memory32(prefetchable: false), size: size, rules: RegionAccessRules(minWidth: .byte, maxWidth: .dword),
                 registers: RTL8139Register.map, label: "registers")
        b.setInterruptPin(1)
        b.addPowerManagement(at: 0x50)
        return b
    }
}
