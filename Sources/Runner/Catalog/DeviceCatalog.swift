import BoxlessPlatform
import NativeDriverKit
import Synchronization

/// A register a host reads outside the driver, for stall reports and differential tests: only
/// registers whose reads have no side effect (no read-to-clear ones).
public struct DiagnosticRegister: Sendable, Hashable {
    /// The datasheet's name.
    public let name: String
    /// BAR holding it.
    public let bar: Int
    /// Offset in the BAR.
    public let offset: Int
    /// Bits compared in differential tests (others are configuration- or time-dependent).
    public let mask: UInt32
    /// Creates a register description.
    public init(_ name: String, bar: Int = 0, _ offset: Int, mask: UInt32 = 0xFFFF_FFFF) {
        self.name = name; self.bar = bar; self.offset = offset; self.mask = mask
    }
}

/// One device model Boxless can plug in, with the driver that serves it and what each host needs
/// to know about the chip. Entries are values: a package outside this repository makes its own and
/// adds it to a ``DeviceCatalog``.
public struct CatalogEntry: Sendable {
    /// The name used on the command line (`--nic e1000`, scenario files).
    public var name: String
    /// PCI vendor ID.
    public var vendorID: UInt16
    /// PCI device ID.
    public var deviceID: UInt16
    /// What it is.
    public var description: String
    /// Its class (lspci's words).
    public var kind: String
    /// Makes a fresh model.
    public var makeModel: @Sendable () -> any PCIDeviceModel
    /// The Swift driver for it.
    public var driver: any PCIDriver.Type
    /// QEMU's `-device` name for the same chip, if QEMU models it (the QEMU host runs the driver there).
    public var qemuDevice: String?
    /// The Linux kernel drivers that bind the model (the Linux host runs them on it), first the expected one.
    public var linuxDrivers: [String]
    /// Registers a host may read outside the driver (stall reports, differential tests).
    public var diagnosticRegisters: [DiagnosticRegister]
    /// Whether it is a network device (its model has an Ethernet port).
    public var isNIC: Bool { kind == "Ethernet controller" }

    /// Creates an entry.
    public init(name: String, vendorID: UInt16, deviceID: UInt16, description: String, kind: String,
                makeModel: @escaping @Sendable () -> any PCIDeviceModel, driver: any PCIDriver.Type,
                qemuDevice: String? = nil, linuxDrivers: [String] = [], diagnosticRegisters: [DiagnosticRegister] = []) {
        self.name = name; self.vendorID = vendorID; self.deviceID = deviceID; self.description = description
        self.kind = kind; self.makeModel = makeModel; self.driver = driver; self.qemuDevice = qemuDevice
        self.linuxDrivers = linuxDrivers; self.diagnosticRegisters = diagnosticRegisters
    }
}

/// The device models a run can use: a list of ``CatalogEntry`` values in a fixed order, open to
/// extension (`DeviceCatalog.standard + [myEntry]`).
public struct DeviceCatalog: Sendable {
    /// Every entry, in a fixed order.
    public var entries: [CatalogEntry]

    /// Creates a catalog.
    public init(_ entries: [CatalogEntry]) { self.entries = entries }

    /// The entry called `name`.
    public func entry(named name: String) -> CatalogEntry? { entries.first { $0.name == name } }

    /// This catalog with `more` entries after its own (an entry of an existing name replaces it).
    public static func + (catalog: DeviceCatalog, more: [CatalogEntry]) -> DeviceCatalog {
        var c = catalog
        for e in more {
            if let i = c.entries.firstIndex(where: { $0.name == e.name }) { c.entries[i] = e } else { c.entries.append(e) }
        }
        return c
    }

    /// The models this package ships.
    public static var standard: DeviceCatalog { DeviceCatalog(StandardDevices.entries) }

    static let active = Mutex(DeviceCatalog.standard)

    /// The catalog runs use: ``standard`` unless a command-line entry point set another.
    public static var current: DeviceCatalog {
        get { active.withLock { $0 } }
        set { active.withLock { $0 = newValue } }
    }

    /// Every entry of ``current``.
    public static var entries: [CatalogEntry] { current.entries }

    /// The entry of ``current`` called `name`.
    public static func entry(named name: String) -> CatalogEntry? { current.entry(named: name) }

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
