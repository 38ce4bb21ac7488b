import AHCIDriver
import AHCIModel
import BoxlessPlatform
import E1000Driver
import E1000Model
import RTL8139Driver
import RTL8139Model
import RTL8168Driver
import RTL8168Model
import TestDeviceDriver
import TestDeviceModel

/// The chips this package ships: one entry each (DESIGN.md: "the catalog of chips is a list of
/// values"). Adding a chip adds an entry here; no runner or host code names a chip.
enum StandardDevices {
    static var entries: [CatalogEntry] { [
        CatalogEntry(name: "e1000", vendorID: 0x8086, deviceID: 0x100E,
                     description: "82540EM Gigabit Ethernet Controller (PCI 32-bit/33 MHz)",
                     kind: "Ethernet controller", makeModel: { E1000Device(chip: .i82540EM) }, driver: E1000Driver.self,
                     qemuDevice: "e1000", linuxDrivers: ["e1000"], diagnosticRegisters: e1000Registers),
        CatalogEntry(name: "e1000e", vendorID: 0x8086, deviceID: 0x10D3,
                     description: "82574L Gigabit Network Connection (PCIe x1, MSI-X)",
                     kind: "Ethernet controller", makeModel: { E1000Device(chip: .i82574L) }, driver: E1000Driver.self,
                     qemuDevice: "e1000e", linuxDrivers: ["e1000e"],
                     diagnosticRegisters: e1000Registers + [DiagnosticRegister("IAM", 0x00E0), DiagnosticRegister("EIAC", 0x00DC)]),
        CatalogEntry(name: "rtl8139c", vendorID: 0x10EC, deviceID: 0x8139,
                     description: "RTL8139C Fast Ethernet (rev 10, C mode; PCI 32-bit/33 MHz, 100 Mb/s)",
                     kind: "Ethernet controller", makeModel: { RTL8139Device(chip: .rtl8139c) }, driver: RTL8139Driver.self,
                     linuxDrivers: ["8139too"], diagnosticRegisters: rtl8139Registers),
        CatalogEntry(name: "rtl8139", vendorID: 0x10EC, deviceID: 0x8139,
                     description: "RTL8139C+ Fast Ethernet (rev 20, C and C+ mode; PCI 32-bit/33 MHz, 100 Mb/s)",
                     kind: "Ethernet controller", makeModel: { RTL8139Device(chip: .rtl8139cPlus) }, driver: RTL8139Driver.self,
                     qemuDevice: "rtl8139", linuxDrivers: ["8139cp"], diagnosticRegisters: rtl8139Registers),
        CatalogEntry(name: "rtl8168", vendorID: 0x10EC, deviceID: 0x8168,
                     description: "RTL8111C/8168C PCI Express Gigabit Ethernet (RTL_GIGA_MAC_VER_22, XID 3c4; PCIe 1.1 x1, MSI-X)",
                     kind: "Ethernet controller", makeModel: { RTL8168Device(chip: .rtl8168c) }, driver: RTL8168Driver.self,
                     linuxDrivers: ["r8169"], diagnosticRegisters: rtl8168Registers),
        CatalogEntry(name: "ahci", vendorID: 0x8086, deviceID: 0x2922,
                     description: "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode], one 64 MiB SSD on port 0",
                     kind: "SATA controller",
                     makeModel: { AHCIController(ports: [SATADisk(backend: MemoryBackend(sectors: 131_072))]) }, driver: AHCIDriver.self,
                     qemuDevice: "ich9-ahci", linuxDrivers: ["ahci"]),
        CatalogEntry(name: "exerciser", vendorID: ExerciserDevice.vendorID, deviceID: ExerciserDevice.deviceID,
                     description: "Boxless exerciser (synthetic test device: every BAR kind, MSI, MSI-X, INTx, DMA engine)",
                     kind: "Unclassified device", makeModel: { ExerciserDevice() }, driver: ExerciserDriver.self),
    ] }

    /// RTL8139C(+) registers without read side effects (RTL8139C datasheet §6, RTL8139C+ §"Register
    /// Descriptions"): command, receive ring pointers, masks and configuration; ISR, MPC and the
    /// timer are left out (their reads are not stable).
    static let rtl8139Registers: [DiagnosticRegister] = [
        DiagnosticRegister("IDR0", 0x00), DiagnosticRegister("IDR4", 0x04, mask: 0x0000_FFFF),
        DiagnosticRegister("RBSTART", 0x30), DiagnosticRegister("CR", 0x34, mask: 0xFF00_0000),
        DiagnosticRegister("CAPR/CBR", 0x38), DiagnosticRegister("IMR", 0x3C, mask: 0x0000_FFFF),
        DiagnosticRegister("TCR", 0x40), DiagnosticRegister("RCR", 0x44), DiagnosticRegister("MSR", 0x58, mask: 0x0000_00FF),
        DiagnosticRegister("BMCR", 0x60, mask: 0x0000_FFFF), DiagnosticRegister("CpCmd", 0xE0, mask: 0x0000_FFFF),
        DiagnosticRegister("RxRingAddr", 0xE4),
    ]

    /// RTL8168C registers without read side effects (r8169's register names; the RTL8111C
    /// datasheet's offsets), for stall reports.
    static let rtl8168Registers: [DiagnosticRegister] = [
        DiagnosticRegister("MAC0", bar: 2, 0x00), DiagnosticRegister("ChipCmd", bar: 2, 0x34, mask: 0xFF00_0000),
        DiagnosticRegister("IntrMask", bar: 2, 0x3C, mask: 0x0000_FFFF), DiagnosticRegister("TxConfig", bar: 2, 0x40),
        DiagnosticRegister("RxConfig", bar: 2, 0x44), DiagnosticRegister("PHYstatus", bar: 2, 0x6C, mask: 0x0000_00FF),
        DiagnosticRegister("CPlusCmd", bar: 2, 0xE0, mask: 0x0000_FFFF), DiagnosticRegister("RxDescAddrLow", bar: 2, 0xE4),
        DiagnosticRegister("TxDescStartAddrLow", bar: 2, 0x20),
    ]

    /// The e1000 family's side-effect-free registers (8254x SDM §13.4, 82574 DS §10.2 offsets),
    /// compared after driver initialisation in differential tests and shown in stall reports.
    static let e1000Registers: [DiagnosticRegister] = [
        DiagnosticRegister("CTRL", 0x0000), DiagnosticRegister("STATUS", 0x0008),
        DiagnosticRegister("STATUS.FD|LU|SPEED", 0x0008, mask: 0x0000_00C3),
        DiagnosticRegister("CTRL_EXT", 0x0018), DiagnosticRegister("VET", 0x0038), DiagnosticRegister("ITR", 0x00C4),
        DiagnosticRegister("IMS", 0x00D0), DiagnosticRegister("RCTL", 0x0100), DiagnosticRegister("TCTL", 0x0400),
        DiagnosticRegister("TIPG", 0x0410), DiagnosticRegister("RDLEN", 0x2808), DiagnosticRegister("RDH", 0x2810),
        DiagnosticRegister("RDT", 0x2818), DiagnosticRegister("RDTR", 0x2820), DiagnosticRegister("RADV", 0x282C),
        DiagnosticRegister("TDLEN", 0x3808), DiagnosticRegister("TDH", 0x3810), DiagnosticRegister("TDT", 0x3818),
        DiagnosticRegister("TIDV", 0x3820), DiagnosticRegister("RXCSUM", 0x5000), DiagnosticRegister("RAL0", 0x5400),
        DiagnosticRegister("RAH0", 0x5404),
    ]
}
