import AHCIDriver
import AHCIModel
import BoxlessPlatform
import E1000Driver
import E1000Model
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
        CatalogEntry(name: "ahci", vendorID: 0x8086, deviceID: 0x2922,
                     description: "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode], one 64 MiB SSD on port 0",
                     kind: "SATA controller",
                     makeModel: { AHCIController(ports: [SATADisk(backend: MemoryBackend(sectors: 131_072))]) }, driver: AHCIDriver.self,
                     qemuDevice: "ich9-ahci", linuxDrivers: ["ahci"]),
        CatalogEntry(name: "exerciser", vendorID: ExerciserDevice.vendorID, deviceID: ExerciserDevice.deviceID,
                     description: "Boxless exerciser (synthetic test device: every BAR kind, MSI, MSI-X, INTx, DMA engine)",
                     kind: "Unclassified device", makeModel: { ExerciserDevice() }, driver: ExerciserDriver.self),
    ] }

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
