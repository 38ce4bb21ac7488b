/// The two presentations of the RTL8139 family this model serves, as PCI and TCR tell them apart
/// (Linux 8139too.c `rtl_chip_info` and its refusal of revision ≥ 0x20; 8139cp.c's probe).
public enum RTL8139Chip: Sendable, CaseIterable {
    /// RTL8139C: C mode only. Linux's 8139too binds it.
    case rtl8139c
    /// RTL8139C+: C mode and C+ mode (what QEMU's `rtl8139` presents). Linux's 8139cp binds it.
    case rtl8139cPlus

    /// Realtek's PCI vendor ID.
    public static let vendorID: UInt16 = 0x10EC
    /// Device ID of both parts.
    public static let deviceID: UInt16 = 0x8139
    /// Class code: network controller, Ethernet.
    public static let classCode: UInt32 = 0x02_0000

    /// PCI revision ID (also read from RERID): 0x10 for the C, 0x20 for the C+.
    public var revision: UInt8 { self == .rtl8139c ? 0x10 : 0x20 }
    /// TCR hardware version bits under ``RTL8139TCR/HWVERID_MASK``: RTL8139C 0x74000000,
    /// RTL8139C+ 0x74800000 (8139too's `HW_REVID` table).
    public var hardwareVersion: UInt32 { self == .rtl8139c ? 0x7400_0000 : 0x7480_0000 }
    /// Whether the C+ registers (CpCmd, the descriptor rings, DTCCR, TxPoll) exist.
    public var hasCPlus: Bool { self == .rtl8139cPlus }
    /// A name for listings: `RTL8139C` / `RTL8139C+`.
    public var name: String { self == .rtl8139c ? "RTL8139C" : "RTL8139C+" }
}
