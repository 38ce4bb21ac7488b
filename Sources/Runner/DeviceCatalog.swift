import AHCIDriver
import AHCIModel
import BoxlessPlatform
import E1000Driver
import E1000Model
import NativeDriverKit
import TestDeviceDriver
import TestDeviceModel

/// One device model Boxless can plug in, with the driver that serves it.
public struct CatalogEntry {
    /// The name used on the command line (`--nic e1000`, scenario files).
    public let name: String
    /// PCI vendor ID.
    public let vendorID: UInt16
    /// PCI device ID.
    public let deviceID: UInt16
    /// What it is.
    public let description: String
    /// Its class (lspci's words).
    public let kind: String
    /// Makes a fresh model.
    public let makeModel: @Sendable () -> any PCIDeviceModel
    /// The Swift driver for it.
    public let driver: any PCIDriver.Type
    /// Whether it is a network device (its model has an Ethernet port).
    public var isNIC: Bool { kind == "Ethernet controller" }
}

/// The device models this build knows.
public enum DeviceCatalog {
    /// Every entry, in a fixed order.
    public static var entries: [CatalogEntry] { [
        CatalogEntry(name: "e1000", vendorID: 0x8086, deviceID: 0x100E,
                     description: "82540EM Gigabit Ethernet Controller (PCI 32-bit/33 MHz)",
                     kind: "Ethernet controller", makeModel: { E1000Device(chip: .i82540EM) }, driver: E1000Driver.self),
        CatalogEntry(name: "e1000e", vendorID: 0x8086, deviceID: 0x10D3,
                     description: "82574L Gigabit Network Connection (PCIe x1, MSI-X)",
                     kind: "Ethernet controller", makeModel: { E1000Device(chip: .i82574L) }, driver: E1000Driver.self),
        CatalogEntry(name: "ahci", vendorID: 0x8086, deviceID: 0x2922,
                     description: "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode], one 64 MiB SSD on port 0",
                     kind: "SATA controller",
                     makeModel: { AHCIController(ports: [SATADisk(backend: MemoryBackend(sectors: 131_072))]) }, driver: AHCIDriver.self),
        CatalogEntry(name: "exerciser", vendorID: ExerciserDevice.vendorID, deviceID: ExerciserDevice.deviceID,
                     description: "Boxless exerciser (synthetic test device: every BAR kind, MSI, MSI-X, INTx, DMA engine)",
                     kind: "Unclassified device", makeModel: { ExerciserDevice() }, driver: ExerciserDriver.self),
    ] }

    /// The entry called `name`.
    public static func entry(named name: String) -> CatalogEntry? { entries.first { $0.name == name } }

    /// Vendor names for listings (from the PCI ID repository's vendor names).
    public static func vendorName(_ id: UInt16) -> String {
        switch id {
        case 0x8086: return "Intel Corporation"
        case 0x10EC: return "Realtek Semiconductor Co., Ltd."
        case 0x1234: return "Boxless (unassigned test vendor)"
        default: return "Vendor \(hexString(UInt64(id), digits: 4))"
        }
    }

    /// Device names for listings.
    public static func deviceName(vendor: UInt16, device: UInt16) -> String {
        entries.first { $0.vendorID == vendor && $0.deviceID == device }?.description
            ?? "Device \(hexString(UInt64(device), digits: 4))"
    }

    /// Class names (PCI Code and ID Assignment Specification §1).
    public static func className(_ classCode: UInt32) -> String {
        switch classCode >> 8 {
        case 0x0200: return "Ethernet controller"
        case 0x0106: return "SATA controller"
        case 0x0100: return "SCSI storage controller"
        default: return classCode >> 16 == 0xFF ? "Unclassified device" : "Class \(hexString(UInt64(classCode >> 8), digits: 4))"
        }
    }
}
