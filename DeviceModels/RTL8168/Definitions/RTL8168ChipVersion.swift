/// One revision of the RTL8111/8168 family: what tells it apart to software and what it supports.
/// Later revisions (RTL8111H, RTL8125) are further rows of ``RTL8168ChipVersion/table``.
public struct RTL8168ChipVersion: Sendable, Equatable {
    /// The marketing name (`RTL8168C/8111C`).
    public var name: String
    /// Linux r8169's name for it (`RTL_GIGA_MAC_VER_22`).
    public var linuxMACVersion: String
    /// The 12-bit XID r8169 reads as `(TxConfig >> 20) & 0xfcf`.
    public var xid: UInt16
    /// PCI Revision ID.
    public var pciRevision: UInt8
    /// PCI Device ID (10EC:8168 for the whole PCIe gigabit family).
    public var deviceID: UInt16
    /// The PHY's identifier, PHYID1 << 16 | PHYID2.
    public var phyIdentifier: UInt32
    /// Largest frame (with FCS) the chip takes with jumbo enabled (r8169 `rtl_jumbo_max`: 6 KiB on 8168C).
    public var jumboFrameBytes: Int
    /// MSI-X table entries.
    public var msixVectors: Int
    /// The TxConfig bits that encode the XID (bits 31:20 = `xid`).
    public var txConfigVersionBits: UInt32 { UInt32(xid) << 20 & RTL8168TxConfig.versionMask }

    /// Known revisions.
    public static let table: [RTL8168ChipVersion] = [
        // XID: r8169 rtl8169_get_mac_version `{ 0x7cf, 0x3c4, RTL_GIGA_MAC_VER_22 }` ("8168C family").
        // Revision 02h: lspci of RTL8111C boards ("RTL8111/8168B PCI Express Gigabit Ethernet
        // controller (rev 02)"). PHY: RTL8211B-class core, ID 001C:C912 (Linux realtek PHY driver
        // "RTL8211B Gigabit Ethernet"). Jumbo 6 KiB (r8169 JUMBO_6K for VER_18…24). See FACTS.md.
        RTL8168ChipVersion(name: "RTL8168C/8111C", linuxMACVersion: "RTL_GIGA_MAC_VER_22", xid: 0x3C4,
                           pciRevision: 0x02, deviceID: 0x8168, phyIdentifier: 0x001C_C912,
                           jumboFrameBytes: 6 * 1024, msixVectors: 4),
    ]

    /// The RTL8168C/8111C (RTL_GIGA_MAC_VER_22).
    public static let rtl8168c = table[0]
}
