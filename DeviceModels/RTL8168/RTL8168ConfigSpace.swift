import BoxlessPlatform

/// Configuration space as real RTL8111C boards show it (`lspci -vv`; FACTS.md §Config space):
/// 10EC:8168 rev 02, class 0200; BAR0 I/O 256 B, BAR2 64-bit prefetchable memory 4 KiB (registers),
/// BAR4 64-bit prefetchable memory 16 KiB (MSI-X table at 0, PBA at 800h); INTA#; capabilities
/// [40] PM → [50] MSI 64-bit → [70] PCI Express endpoint → [b0] MSI-X 4 vectors → [d0] VPD;
/// extended [100] AER → [140] VC → [160] Device Serial Number.
enum RTL8168ConfigSpace {
    /// BAR indices.
    static let ioBAR = 0, registerBAR = 2, msixBAR = 4
    /// Register window size (both BAR0 and BAR2 decode 256 bytes of registers).
    static let registerBytes: UInt64 = 256
    /// The serial number real 8111C boards report (`Device Serial Number 01-00-00-00-68-4c-e0-00`).
    static let serialNumber: UInt64 = 0x0100_0000_684C_E000
    /// Realtek's vendor ID.
    static let vendorID: UInt16 = 0x10EC
    /// Offsets of the capabilities.
    static let pm = 0x40, msi = 0x50, express = 0x70, msix = 0xB0, vpd = 0xD0

    static func build(_ chip: RTL8168ChipVersion, registers: RegisterMap) -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: vendorID, deviceID: chip.deviceID, classCode: 0x02_0000,
                                   revision: chip.pciRevision, subsystemVendorID: vendorID,
                                   subsystemID: chip.deviceID, express: true)
        b.addBAR(ioBAR, .io, size: registerBytes, rules: .any, registers: registers, label: "I/O registers")
        b.addBAR(registerBAR, .memory64(prefetchable: true), size: 4096, rules: .any, registers: registers, label: "registers")
        b.addBAR(msixBAR, .memory64(prefetchable: true), size: 16 * 1024, rules: .any, label: "MSI-X")
        b.setInterruptPin(1)
        b.addPowerManagement(at: pm)
        b.addMSI(vectors: 1, is64Bit: true, perVectorMasking: false, at: msi)
        b.addPCIExpress(portType: .endpoint, maxPayload: 128, maxLinkSpeed: 1, maxLinkWidth: 1, at: express)
        b.addMSIX(tableSize: chip.msixVectors, tableBAR: msixBAR, tableOffset: 0, pbaBAR: msixBAR, pbaOffset: 0x800, at: msix)
        b.addVPD(at: vpd)
        b.addAdvancedErrorReporting(length: 0x40, at: 0x100)
        b.addVirtualChannel(at: 0x140)
        b.addDeviceSerialNumber(serialNumber, at: 0x160)
        return b
    }
}
