import NICCore

/// The RTL8139's internal PHY has no registers beyond IEEE 802.3 clause 22's: the MAC maps MII
/// registers 0, 1, 4, 5 and 6 onto BMCR, BMSR, ANAR, ANLPAR and ANER at 62h–6Bh (RTL8139C(L)
/// datasheet §5.18–5.22; Linux 8139too's `mii_2_8139_map` has no entry for the others, which read
/// as zero). NWAYTR, CSCR and the PARM registers are MAC registers, kept in the register file.
struct RTL8139PHYVendor: PHYVendorRegisters {
    mutating func reset() {}
    mutating func read(_ reg: UInt8, phy: MIIPHYState) -> UInt16? { nil }
    mutating func write(_ reg: UInt8, _ value: UInt16, phy: MIIPHYState) -> Bool { false }
}

extension PHYIdentity {
    /// The RTL8139C/C+ internal 10/100 PHY: no PHY identifier (PHYID1/2 read 0, 8139too), BMSR
    /// abilities 100BASE-TX FD/HD, 10BASE-T FD/HD, auto-negotiation, extended capability (§5.19:
    /// 7809h), BMCR after reset ANE | Spd_Set | Duplex_Mode (§5.18), ANAR 05E1h (§5.20: selector,
    /// 10/100 half and full, pause).
    static let rtl8139 = PHYIdentity(
        id1: 0, id2: 0, capabilities: RTL8139MII.BMSR_abilities, extendedStatus: 0,
        controlDefault: RTL8139MII.BMCR_ANE | RTL8139MII.BMCR_Spd_Set | RTL8139MII.BMCR_Duplex_Mode,
        advertisementDefault: RTL8139MII.ANAR_default, gigabitControlDefault: 0)
}

/// The MII register number behind each PHY word of the register file (62h + 2n).
enum RTL8139MIIMap {
    /// BMCR, BMSR, ANAR, ANLPAR, ANER.
    static let registers: [UInt8] = [MIIRegister.BMCR, MIIRegister.BMSR, MIIRegister.ANAR, MIIRegister.ANLPAR, MIIRegister.ANER]
}
