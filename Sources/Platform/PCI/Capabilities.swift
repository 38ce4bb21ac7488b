/// Capability IDs (PCI Code and ID Assignment Specification §2, §3).
public enum CapabilityID {
    /// PCI Power Management (PCI PM 1.2).
    public static let powerManagement: UInt8 = 0x01
    /// Vital Product Data (PCI Local Bus 3.0 §6.4, Appendix I).
    public static let vpd: UInt8 = 0x03
    /// Message Signalled Interrupts (PCI Local Bus 3.0 §6.8.1).
    public static let msi: UInt8 = 0x05
    /// Vendor-specific.
    public static let vendorSpecific: UInt8 = 0x09
    /// PCI Express (PCIe Base §7.5.3).
    public static let pciExpress: UInt8 = 0x10
    /// MSI-X (PCI Local Bus 3.0 §6.8.2).
    public static let msix: UInt8 = 0x11
    /// SATA configuration (AHCI 1.3.1 §2.3).
    public static let sata: UInt8 = 0x12
    /// Advanced Error Reporting (extended, PCIe Base §7.8.4).
    public static let extendedAER: UInt16 = 0x0001
    /// Virtual Channel (extended, PCIe Base §7.11), when no MFVC capability is present.
    public static let extendedVirtualChannel: UInt16 = 0x0002
    /// Device Serial Number (extended, PCIe Base §7.9.3).
    public static let extendedSerialNumber: UInt16 = 0x0003
}

/// Where a function's MSI capability lives and what it supports (PCI Local Bus 3.0 §6.8.1).
public struct MSICapabilityLayout: Sendable, Equatable {
    /// Offset of the capability in config space.
    public var offset: Int
    /// Vectors the function can request (Multiple Message Capable), 1–32.
    public var vectors: Int
    /// 64-bit Address Capable.
    public var is64Bit: Bool
    /// Per-vector Masking Capable.
    public var perVectorMasking: Bool
    /// Offset of Message Control.
    public var control: Int { offset + 2 }
    /// Offset of Message Address (low).
    public var addressLow: Int { offset + 4 }
    /// Offset of Message Upper Address (64-bit only).
    public var addressHigh: Int? { is64Bit ? offset + 8 : nil }
    /// Offset of Message Data.
    public var data: Int { offset + (is64Bit ? 0x0C : 0x08) }
    /// Offset of Mask Bits (per-vector masking only).
    public var maskBits: Int? { perVectorMasking ? offset + (is64Bit ? 0x10 : 0x0C) : nil }
    /// Offset of Pending Bits (per-vector masking only).
    public var pendingBits: Int? { perVectorMasking ? offset + (is64Bit ? 0x14 : 0x10) : nil }
    /// Message Control: MSI Enable.
    public static let controlEnable: UInt16 = 1 << 0
    /// Message Control: Multiple Message Enable field shift (bits 6:4).
    public static let controlMMEShift: UInt16 = 4
}

/// Where a function's MSI-X capability, table and PBA live (PCI Local Bus 3.0 §6.8.2).
public struct MSIXCapabilityLayout: Sendable, Equatable {
    /// Offset of the capability in config space.
    public var offset: Int
    /// Number of table entries, 1–2048.
    public var tableSize: Int
    /// BAR holding the table (BIR).
    public var tableBAR: Int
    /// Offset of the table in that BAR (8-byte aligned).
    public var tableOffset: UInt64
    /// BAR holding the Pending Bit Array.
    public var pbaBAR: Int
    /// Offset of the PBA in that BAR (8-byte aligned).
    public var pbaOffset: UInt64
    /// Offset of Message Control.
    public var control: Int { offset + 2 }
    /// Message Control: Function Mask (bit 14).
    public static let controlFunctionMask: UInt16 = 1 << 14
    /// Message Control: MSI-X Enable (bit 15).
    public static let controlEnable: UInt16 = 1 << 15
    /// Bytes per table entry.
    public static let entrySize: UInt64 = 16
    /// Vector Control: Mask Bit (bit 0 of the entry's fourth dword).
    public static let vectorControlMask: UInt32 = 1
    /// Bytes of the PBA (one bit per vector, in whole qwords).
    public var pbaSize: UInt64 { UInt64((tableSize + 63) / 64 * 8) }
}

/// PCI Express Device/Port Type values (PCIe Base §7.5.3.2).
public enum PCIExpressPortType: UInt8, Sendable {
    /// PCI Express Endpoint.
    case endpoint = 0
    /// Legacy PCI Express Endpoint.
    case legacyEndpoint = 1
    /// Root Complex Integrated Endpoint.
    case rootComplexIntegrated = 9
}

/// Where a function's VPD capability lives (PCI Local Bus 3.0 §6.4): software writes the VPD Address
/// with F = 0 to read (the function fetches the DWORD into VPD Data and sets F), or VPD Data then the
/// address with F = 1 to write (the function clears F when done). The model performs the handshake.
public struct VPDCapabilityLayout: Sendable, Equatable {
    /// Offset of the capability in config space.
    public var offset: Int
    /// Offset of VPD Address (bits 14:0 the byte address, bit 15 the F flag).
    public var address: Int { offset + 2 }
    /// Offset of VPD Data.
    public var data: Int { offset + 4 }
    /// VPD Address: F flag (bit 15).
    public static let flag: UInt16 = 1 << 15
    /// VPD Address: the address field (bits 14:0, DWORD aligned).
    public static let addressMask: UInt16 = 0x7FFF
}
