import NICCore

/// The RTL8211B-class gigabit PHY inside the RTL8111C/8168C, reached through PHYAR: IEEE 802.3
/// clause 22 registers 0–15 on the NIC core's ``MIIPHY``, and these Realtek vendor registers —
/// registers 16–30 of page 0 and the page select at 31 (PAGSR).
///
/// Pages 1–7 are vendor pages whose registers 0–30 are plain storage. Linux r8169's
/// `rtl8168c_3_hw_phy_config` (RTL_GIGA_MAC_VER_22) writes, in order: page 1 regs 0x12 = 2300h and
/// 0x1d = 3d98h; page 2 regs 0x0c = 7eb8h and 0x06 = 5461h; page 3 reg 0x16 = 0f0ah; back to page 0
/// and sets bit 0 of 0x16, bit 5 of 0x14 and bit 5 of 0x0d. These are analog/DSP tuning values with
/// no modelled effect: they are stored and read back. Linux's Realtek PHY driver (RTL8211B) also
/// uses 0x12/0x13 (INER/INSR), stored likewise. PHYSR (page 0 reg 0x11) is computed from the link.
struct RTL8211BVendorRegisters: PHYVendorRegisters {
    /// PAGSR: page select (RTL8211B datasheet "Page Select Register", r8169 `rtl_writephy(tp, 0x1f, page)`).
    static let PAGSR: UInt8 = 0x1F
    /// PHYSR: PHY-specific status (speed 15:14, duplex 13, resolved 11, link 10).
    static let PHYSR: UInt8 = 0x11
    /// Vendor pages beyond page 0.
    static let vendorPages = 7
    /// Registers per vendor page (0–30; 31 is PAGSR on every page).
    static let registersPerPage = 31

    /// The selected page.
    var page: UInt16 = 0
    /// Page 0 registers 16–30.
    var page0 = [UInt16](repeating: 0, count: 15)
    /// Pages 1–7, registers 0–30 each.
    var pages = [UInt16](repeating: 0, count: vendorPages * registersPerPage)

    /// The PHY's identity: PHYID 001Ch/C912h (Linux realtek PHY driver "RTL8211B Gigabit Ethernet"),
    /// 10/100 full/half, extended status, preamble suppression, AN; 1000BASE-T full and half;
    /// AN enabled at 1000/full with every mode advertised after reset.
    static func identity(_ identifier: UInt32) -> PHYIdentity {
        PHYIdentity(id1: UInt16(identifier >> 16), id2: UInt16(identifier & 0xFFFF),
                    capabilities: BMSR.CAP_100FULL | BMSR.CAP_100HALF | BMSR.CAP_10FULL | BMSR.CAP_10HALF | BMSR.ESTATEN
                        | BMSR.PREAMBLE_SUPPRESS | BMSR.ANEGCAPABLE | BMSR.ERCAP,
                    extendedStatus: 0x3000,
                    controlDefault: BMCR.ANENABLE | BMCR.FULLDPLX | BMCR.SPEED_MSB,
                    advertisementDefault: MIIAbility.TX100_FD | MIIAbility.TX100_HD | MIIAbility.T10_FD | MIIAbility.T10_HD
                        | MIIAbility.SELECTOR_802_3,
                    gigabitControlDefault: MIIAbility.GBCR_1000FULL | MIIAbility.GBCR_1000HALF)
    }

    mutating func reset() {
        page = 0
        for i in page0.indices { page0[i] = 0 }
        for i in pages.indices { pages[i] = 0 }
    }

    mutating func read(_ reg: UInt8, phy: MIIPHYState) -> UInt16? {
        if reg == Self.PAGSR { return page }
        if page != 0 { return pages[(Int(page) - 1) * Self.registersPerPage + Int(reg)] }
        guard reg >= 16 else { return nil }
        if reg == Self.PHYSR { return Self.physr(phy) }
        return page0[Int(reg) - 16]
    }

    mutating func write(_ reg: UInt8, _ value: UInt16, phy: MIIPHYState) -> Bool {
        if reg == Self.PAGSR { page = value & 0x7; return true }
        if page != 0 { pages[(Int(page) - 1) * Self.registersPerPage + Int(reg)] = value; return true }
        guard reg >= 16 else { return false }
        if reg != Self.PHYSR { page0[Int(reg) - 16] = value }   // PHYSR is read-only
        return true
    }

    /// PHYSR from the link: speed 15:14 (10b = 1000, 01b = 100), full duplex 13, resolved 11, link 10.
    static func physr(_ phy: MIIPHYState) -> UInt16 {
        guard phy.linkUp else { return 0 }
        let (speed, full) = phy.resolved(gigabit: true)
        let s: UInt16 = speed == .mbps1000 ? 2 : speed == .mbps100 ? 1 : 0
        return s << 14 | (full ? 1 << 13 : 0) | 1 << 11 | 1 << 10
    }
}

/// The RTL8111C's PHY.
typealias RTL8211BPHY = MIIPHY<RTL8211BVendorRegisters>
