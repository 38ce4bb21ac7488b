// PHY (MII management) register facts for the 82540EM's integrated Marvell
// M88E1011-class PHY and the 82574L's integrated "BME1000" PHY.
// Standard registers 0–10 and 15: IEEE 802.3 clause 22.2.4 (control/status/ID),
// clause 28.2.4.1 (auto-negotiation registers 4–8), clause 40.5.1.1
// (1000BASE-T control/status, registers 9/10). Vendor register 17 and IDs:
// Linux e1000/e1000e headers and QEMU models. 8254x SDM §11 (PHY functionality)
// and §8.6.2.4 describe how the MAC uses them. See FACTS.md for gaps.

/// MII register numbers (5-bit REGADD in MDIC).
enum E1000PHYRegister: UInt32, Sendable, Hashable, CaseIterable {
    /// PHY_CTRL (BMCR, register 0) — PHY Control, IEEE 802.3 §22.2.4.1.
    case PHY_CTRL = 0
    /// PHY_STATUS (BMSR, register 1) — PHY Status, IEEE 802.3 §22.2.4.2.
    case PHY_STATUS = 1
    /// PHY_ID1 (register 2) — PHY Identifier 1 (OUI bits 3–18), IEEE 802.3 §22.2.4.3.1.
    case PHY_ID1 = 2
    /// PHY_ID2 (register 3) — PHY Identifier 2 (OUI bits 19–24, model, revision).
    case PHY_ID2 = 3
    /// PHY_AUTONEG_ADV (ANAR, register 4) — Auto-Negotiation Advertisement, IEEE 802.3 §28.2.4.1.3.
    case PHY_AUTONEG_ADV = 4
    /// PHY_LP_ABILITY (ANLPAR, register 5) — Link Partner Ability (base page), IEEE 802.3 §28.2.4.1.4.
    case PHY_LP_ABILITY = 5
    /// PHY_AUTONEG_EXP (ANER, register 6) — Auto-Negotiation Expansion, IEEE 802.3 §28.2.4.1.5.
    case PHY_AUTONEG_EXP = 6
    /// PHY_NEXT_PAGE_TX (register 7) — Next Page Transmit (SDM §11.1.2 "NPT").
    case PHY_NEXT_PAGE_TX = 7
    /// PHY_LP_NEXT_PAGE (register 8) — Link Partner Next Page (SDM §11.1.2 "LPN").
    case PHY_LP_NEXT_PAGE = 8
    /// PHY_1000T_CTRL (register 9) — 1000BASE-T Control, IEEE 802.3 §40.5.1.1.
    case PHY_1000T_CTRL = 9
    /// PHY_1000T_STATUS (register 10) — 1000BASE-T Status, IEEE 802.3 §40.5.1.1.
    case PHY_1000T_STATUS = 10
    /// PHY_EXT_STATUS (register 15) — Extended Status, IEEE 802.3 §22.2.4.4.
    case PHY_EXT_STATUS = 15
    /// PHY_SPEC_CTRL (register 16) — PHY Specific Control (SDM "PSCON"; 82574
    /// "Copper Specific Control 1").
    case PHY_SPEC_CTRL = 16
    /// PHY_SPEC_STATUS (register 17) — PHY Specific Status (SDM §11.1.4
    /// "PSTATUS"; 82574 "Copper Specific Status 1").
    case PHY_SPEC_STATUS = 17
    /// PHY_INT_ENABLE (register 18) — PHY Interrupt Enable.
    case PHY_INT_ENABLE = 18
    /// PHY_INT_STATUS (register 19) — PHY Interrupt Status (SDM §11.1.4 "PINTS").
    case PHY_INT_STATUS = 19
    /// PHY_EXT_SPEC_CTRL (register 20) — Extended PHY Specific Control (M88).
    case PHY_EXT_SPEC_CTRL = 20
    /// PHY_RX_ERR_CNTR (register 21) — Receive Error Counter.
    case PHY_RX_ERR_CNTR = 21
    /// PHY_PAGE_SELECT_82574 (register 22) — page address on the 82574's PHY
    /// (QEMU `PHY_PAGE 0x16`; registers 16–21 are paged there).
    case PHY_PAGE_SELECT_82574 = 22
    /// M88_PAGE_SELECT (register 29) — M88 page/address register (82540EM; Linux
    /// `M88E1000_PHY_PAGE_SELECT`).
    case M88_PAGE_SELECT = 29
    /// M88_GEN_CONTROL (register 30) — M88 data register selected by reg 29.
    case M88_GEN_CONTROL = 30
}

/// PHY_CTRL (BMCR, register 0) bits, IEEE 802.3 §22.2.4.1; SDM §11.1.3 refers
/// to bits 6, 8, 9, 11, 12, 13, 15.
struct E1000PHYControl: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Speed selection MSB (bit 6); with bit 13: 10b = 1000, 01b = 100, 00b = 10 Mb/s.
    static let SPEED_MSB = E1000PHYControl(rawValue: 1 << 6)
    /// Collision test (bit 7).
    static let COLLISION_TEST = E1000PHYControl(rawValue: 1 << 7)
    /// Duplex mode: 1 = full (bit 8).
    static let FULL_DUPLEX = E1000PHYControl(rawValue: 1 << 8)
    /// Restart auto-negotiation (bit 9), self-clearing.
    static let RESTART_AN = E1000PHYControl(rawValue: 1 << 9)
    /// Isolate (bit 10).
    static let ISOLATE = E1000PHYControl(rawValue: 1 << 10)
    /// Power down (bit 11).
    static let POWER_DOWN = E1000PHYControl(rawValue: 1 << 11)
    /// Auto-negotiation enable (bit 12).
    static let AN_ENABLE = E1000PHYControl(rawValue: 1 << 12)
    /// Speed selection LSB (bit 13).
    static let SPEED_LSB = E1000PHYControl(rawValue: 1 << 13)
    /// Loopback (bit 14).
    static let LOOPBACK = E1000PHYControl(rawValue: 1 << 14)
    /// Reset (bit 15), self-clearing.
    static let RESET = E1000PHYControl(rawValue: 1 << 15)

    /// Forced speed from bits 6 and 13 (nil for the reserved 11b code).
    var speed: E1000LinkSpeed? {
        switch (contains(.SPEED_MSB), contains(.SPEED_LSB)) {
        case (false, false): return .mbps10
        case (false, true): return .mbps100
        case (true, false): return .mbps1000
        case (true, true): return nil
        }
    }

    /// SDM §11.1.3 example: 0x8000 (reset, AN disabled, 10 Mb/s half duplex)
    /// forces 10BASE-T half duplex.
    static let sdmForce10HalfExample: UInt16 = 0x8000
}

/// PHY_STATUS (BMSR, register 1) bits, IEEE 802.3 §22.2.4.2.
struct E1000PHYStatus: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Extended register capabilities (bit 0).
    static let EXTENDED_CAPS = E1000PHYStatus(rawValue: 1 << 0)
    /// Jabber detected (bit 1, latching high).
    static let JABBER_DETECT = E1000PHYStatus(rawValue: 1 << 1)
    /// Link status (bit 2, latching low: a read after link loss returns 0 once).
    static let LINK_STATUS = E1000PHYStatus(rawValue: 1 << 2)
    /// Auto-negotiation ability (bit 3).
    static let AN_CAPABLE = E1000PHYStatus(rawValue: 1 << 3)
    /// Remote fault (bit 4).
    static let REMOTE_FAULT = E1000PHYStatus(rawValue: 1 << 4)
    /// Auto-negotiation complete (bit 5).
    static let AN_COMPLETE = E1000PHYStatus(rawValue: 1 << 5)
    /// MF preamble suppression capable (bit 6).
    static let PREAMBLE_SUPPRESS = E1000PHYStatus(rawValue: 1 << 6)
    /// Extended status in register 15 (bit 8).
    static let EXTENDED_STATUS = E1000PHYStatus(rawValue: 1 << 8)
    /// 100BASE-T2 half duplex capable (bit 9).
    static let CAP_100T2_HD = E1000PHYStatus(rawValue: 1 << 9)
    /// 100BASE-T2 full duplex capable (bit 10).
    static let CAP_100T2_FD = E1000PHYStatus(rawValue: 1 << 10)
    /// 10 Mb/s half duplex capable (bit 11).
    static let CAP_10T_HD = E1000PHYStatus(rawValue: 1 << 11)
    /// 10 Mb/s full duplex capable (bit 12).
    static let CAP_10T_FD = E1000PHYStatus(rawValue: 1 << 12)
    /// 100BASE-X half duplex capable (bit 13).
    static let CAP_100X_HD = E1000PHYStatus(rawValue: 1 << 13)
    /// 100BASE-X full duplex capable (bit 14).
    static let CAP_100X_FD = E1000PHYStatus(rawValue: 1 << 14)
    /// 100BASE-T4 capable (bit 15).
    static let CAP_100T4 = E1000PHYStatus(rawValue: 1 << 15)

    /// Capability bits of a 10/100/1000BASE-T copper PHY with link down and
    /// auto-negotiation not complete: 0x7949 (as modelled by QEMU's e1000 and
    /// e1000e, which add LINK_STATUS = 0x794D when the link is up).
    static let copperCapabilities: E1000PHYStatus =
        [.EXTENDED_CAPS, .AN_CAPABLE, .PREAMBLE_SUPPRESS, .EXTENDED_STATUS,
         .CAP_10T_HD, .CAP_10T_FD, .CAP_100X_HD, .CAP_100X_FD]
}

/// PHY_AUTONEG_ADV / PHY_LP_ABILITY (registers 4/5) bits, IEEE 802.3
/// §28.2.4.1.3–4 and Annex 28B (selector 00001b = IEEE 802.3).
struct E1000PHYAbility: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Selector field value for IEEE 802.3 (bits 4:0 = 00001b).
    static let SELECTOR_802_3 = E1000PHYAbility(rawValue: 0x0001)
    /// 10BASE-T half duplex (bit 5).
    static let T10_HD = E1000PHYAbility(rawValue: 1 << 5)
    /// 10BASE-T full duplex (bit 6).
    static let T10_FD = E1000PHYAbility(rawValue: 1 << 6)
    /// 100BASE-TX half duplex (bit 7).
    static let TX100_HD = E1000PHYAbility(rawValue: 1 << 7)
    /// 100BASE-TX full duplex (bit 8).
    static let TX100_FD = E1000PHYAbility(rawValue: 1 << 8)
    /// 100BASE-T4 (bit 9).
    static let T4_100 = E1000PHYAbility(rawValue: 1 << 9)
    /// PAUSE — symmetric pause (bit 10).
    static let PAUSE = E1000PHYAbility(rawValue: 1 << 10)
    /// ASM_DIR — asymmetric pause (bit 11).
    static let ASM_DIR = E1000PHYAbility(rawValue: 1 << 11)
    /// Remote fault (bit 13).
    static let REMOTE_FAULT = E1000PHYAbility(rawValue: 1 << 13)
    /// Acknowledge (bit 14; link partner register only).
    static let ACK = E1000PHYAbility(rawValue: 1 << 14)
    /// Next page (bit 15).
    static let NEXT_PAGE = E1000PHYAbility(rawValue: 1 << 15)

    /// Advertise all 10/100 modes plus both pause bits: 0x0DE1 (the value
    /// QEMU's e1000 and e1000e models reset ANAR to; Linux's default
    /// advertisement also covers these modes).
    static let defaultAdvertisement: E1000PHYAbility =
        [.SELECTOR_802_3, .T10_HD, .T10_FD, .TX100_HD, .TX100_FD, .PAUSE, .ASM_DIR]
}

/// PHY_AUTONEG_EXP (ANER, register 6) bits, IEEE 802.3 §28.2.4.1.5.
struct E1000PHYAutonegExpansion: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Link partner auto-negotiation able (bit 0).
    static let LP_AN_ABLE = E1000PHYAutonegExpansion(rawValue: 1 << 0)
    /// Page received (bit 1, latching).
    static let PAGE_RECEIVED = E1000PHYAutonegExpansion(rawValue: 1 << 1)
    /// Local device next-page able (bit 2).
    static let NEXT_PAGE_ABLE = E1000PHYAutonegExpansion(rawValue: 1 << 2)
    /// Link partner next-page able (bit 3).
    static let LP_NEXT_PAGE_ABLE = E1000PHYAutonegExpansion(rawValue: 1 << 3)
    /// Parallel detection fault (bit 4).
    static let PARALLEL_DETECT_FAULT = E1000PHYAutonegExpansion(rawValue: 1 << 4)
}

/// PHY_1000T_CTRL (register 9) bits, IEEE 802.3 §40.5.1.1.
struct E1000PHY1000TControl: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Advertise 1000BASE-T half duplex (bit 8).
    static let ADV_1000_HD = E1000PHY1000TControl(rawValue: 1 << 8)
    /// Advertise 1000BASE-T full duplex (bit 9).
    static let ADV_1000_FD = E1000PHY1000TControl(rawValue: 1 << 9)
    /// Port type: 1 = multiport (repeater/switch) device (bit 10).
    static let PORT_TYPE_MULTIPORT = E1000PHY1000TControl(rawValue: 1 << 10)
    /// Manual master/slave configuration value: 1 = master (bit 11).
    static let MS_VALUE_MASTER = E1000PHY1000TControl(rawValue: 1 << 11)
    /// Manual master/slave configuration enable (bit 12).
    static let MS_MANUAL_ENABLE = E1000PHY1000TControl(rawValue: 1 << 12)
    /// Test mode field mask (bits 15:13).
    static let TEST_MODE_MASK: UInt16 = 0xE000
}

/// PHY_1000T_STATUS (register 10) bits, IEEE 802.3 §40.5.1.1.
struct E1000PHY1000TStatus: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Idle error count field mask (bits 7:0).
    static let IDLE_ERROR_COUNT_MASK: UInt16 = 0x00FF
    /// Link partner 1000BASE-T half duplex capable (bit 10).
    static let LP_1000_HD = E1000PHY1000TStatus(rawValue: 1 << 10)
    /// Link partner 1000BASE-T full duplex capable (bit 11).
    static let LP_1000_FD = E1000PHY1000TStatus(rawValue: 1 << 11)
    /// Remote receiver status OK (bit 12).
    static let REMOTE_RX_OK = E1000PHY1000TStatus(rawValue: 1 << 12)
    /// Local receiver status OK (bit 13).
    static let LOCAL_RX_OK = E1000PHY1000TStatus(rawValue: 1 << 13)
    /// Master/slave configuration resolution: 1 = master (bit 14).
    static let MS_RESOLVED_MASTER = E1000PHY1000TStatus(rawValue: 1 << 14)
    /// Master/slave configuration fault (bit 15).
    static let MS_CONFIG_FAULT = E1000PHY1000TStatus(rawValue: 1 << 15)
}

/// PHY_EXT_STATUS (register 15) bits, IEEE 802.3 §22.2.4.4.
struct E1000PHYExtendedStatus: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// 1000BASE-T half duplex capable (bit 12).
    static let T1000_HD = E1000PHYExtendedStatus(rawValue: 1 << 12)
    /// 1000BASE-T full duplex capable (bit 13).
    static let T1000_FD = E1000PHYExtendedStatus(rawValue: 1 << 13)
    /// 1000BASE-X half duplex capable (bit 14).
    static let X1000_HD = E1000PHYExtendedStatus(rawValue: 1 << 14)
    /// 1000BASE-X full duplex capable (bit 15).
    static let X1000_FD = E1000PHYExtendedStatus(rawValue: 1 << 15)
}

/// PHY_SPEC_STATUS (register 17) bits of the M88-class PHY (Linux
/// `M88E1000_PSSR_*`; SDM §11.1.4 lists speed, duplex, page received and
/// resolution among its contents). QEMU's 82574 model uses the same positions
/// for its register 17 (reset value bits 15, 13, 11, 10 = 1000 Mb/s, full
/// duplex, resolved, link).
struct E1000PHYSpecificStatus: OptionSet, Sendable, Hashable {
    /// The raw 16-bit register value.
    let rawValue: UInt16
    /// Wraps a raw value.
    init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Jabber (bit 0).
    static let JABBER = E1000PHYSpecificStatus(rawValue: 1 << 0)
    /// Polarity reversed (bit 1).
    static let REV_POLARITY = E1000PHYSpecificStatus(rawValue: 1 << 1)
    /// Downshifted (bit 5).
    static let DOWNSHIFT = E1000PHYSpecificStatus(rawValue: 1 << 5)
    /// MDI-X in use (bit 6).
    static let MDIX = E1000PHYSpecificStatus(rawValue: 1 << 6)
    /// Cable length estimate field mask (bits 9:7): 0 <50 m … 4 >140 m.
    static let CABLE_LENGTH_MASK: UInt16 = 0x0380
    /// Link up, real time (bit 10).
    static let LINK = E1000PHYSpecificStatus(rawValue: 1 << 10)
    /// Speed and duplex resolved (bit 11).
    static let SPEED_DUPLEX_RESOLVED = E1000PHYSpecificStatus(rawValue: 1 << 11)
    /// Page received (bit 12).
    static let PAGE_RECEIVED = E1000PHYSpecificStatus(rawValue: 1 << 12)
    /// Full duplex (bit 13).
    static let FULL_DUPLEX = E1000PHYSpecificStatus(rawValue: 1 << 13)
    /// Speed field mask (bits 15:14): 00b 10, 01b 100, 10b 1000 Mb/s.
    static let SPEED_MASK: UInt16 = 0xC000
    /// Speed field shift.
    static let SPEED_SHIFT: UInt16 = 14

    /// Resolved speed (valid when SPEED_DUPLEX_RESOLVED is set).
    var speed: E1000LinkSpeed? { E1000LinkSpeed(rawValue: UInt32((rawValue & Self.SPEED_MASK) >> Self.SPEED_SHIFT)) }

    /// Link up at 1000 Mb/s full duplex, resolved: 0xAC00 (QEMU's e1000 value).
    static let up1000Full: E1000PHYSpecificStatus =
        [.LINK, .SPEED_DUPLEX_RESOLVED, .FULL_DUPLEX, E1000PHYSpecificStatus(rawValue: 0x8000)]
}

/// PHY identifiers and modelled register values.
enum E1000PHYIdentity {
    /// PHY_ID1 of both PHYs: 0x0141 (Marvell OUI 00-50-43 bits 3–18).
    /// Linux `M88E1011_I_PHY_ID 0x01410C20`, `BME1000_E_PHY_ID_R2 0x01410CB1`.
    static let id1: UInt16 = 0x0141
    /// PHY_ID2 of the 82540EM's PHY (M88E1011): 0x0C20 — Linux
    /// `M88E1011_I_PHY_ID`; QEMU `E1000_PHY_ID2_8254xx_DEFAULT 0xC20`
    /// ("82540x, 82545x, and 82546x"). Low nibble = revision.
    static let id2_82540EM: UInt16 = 0x0C20
    /// PHY_ID2 of the 82574L's PHY: 0x0CB1 — Linux e1000e requires
    /// `BME1000_E_PHY_ID_R2 0x01410CB1` for e1000_82574/82583; QEMU
    /// `E1000_PHY_ID2_82574x 0xCB1`. (0x0CB0 is `BME1000_E_PHY_ID`, revision 0,
    /// which e1000e's 82574 path would reject.)
    static let id2_82574L: UInt16 = 0x0CB1
    /// Mask Linux applies before comparing PHY IDs (`PHY_REVISION_MASK`).
    static let revisionMask: UInt32 = 0xFFFF_FFF0

    /// PHY_ID2 for `chip`.
    static func id2(for chip: E1000Chip) -> UInt16 {
        chip == .i82540EM ? id2_82540EM : id2_82574L
    }

    /// The 32-bit PHY ID (ID1 << 16 | ID2) for `chip`.
    static func phyID(for chip: E1000Chip) -> UInt32 {
        (UInt32(id1) << 16) | UInt32(id2(for: chip))
    }

    /// Modelled PHY_CTRL after reset: AN enabled, full duplex, speed bits = 1000
    /// (0x1140). Emulator value (QEMU e1000/e1000e), not a datasheet reset value.
    static let modelledControl: UInt16 = 0x1140
    /// Modelled PHY_1000T_CTRL: advertise 1000 FD, multiport, master (0x0E00,
    /// QEMU e1000) — QEMU's 82574 model uses 0x0F00 (also 1000 HD).
    static let modelled1000TControl82540EM: UInt16 = 0x0E00
    /// Modelled PHY_1000T_CTRL for the 82574 (QEMU e1000e: bits 8–11).
    static let modelled1000TControl82574L: UInt16 = 0x0F00
    /// Modelled PHY_1000T_STATUS with link: 0x3C00 (LP 1000 HD/FD, remote and
    /// local receiver OK), as in QEMU's models.
    static let modelled1000TStatus: UInt16 = 0x3C00
    /// Modelled PHY_EXT_STATUS: 1000BASE-T HD and FD capable (0x3000, QEMU e1000e).
    static let modelledExtendedStatus: UInt16 = 0x3000
}

/// Auto-negotiation timing facts. None of these is a single "typical gigabit
/// auto-negotiation time" from a datasheet; each figure carries its nature.
enum E1000AutonegTiming {
    /// FLP burst spacing: nominally 16 ms ± 8 ms between bursts (IEEE 802.3
    /// clause 28 FLP timing, same spacing as 10BASE-T link pulses). Secondary
    /// source consulted (itwissen.info) states "16.8 ms ± 8 ms"; the standard's
    /// table itself was not read this session.
    static let flpBurstIntervalNanoseconds: UInt64 = 16_000_000
    /// Linux e1000e waits for auto-negotiation with `PHY_AUTO_NEG_LIMIT` = 45
    /// polls 100 ms apart, i.e. a 4.5 s upper bound — a driver timeout, not a
    /// typical duration.
    static let linuxWaitLimitNanoseconds: UInt64 = 4_500_000_000
    /// QEMU's e1000/e1000e models complete auto-negotiation 500 ms after it is
    /// (re)started (`e1000x_restart_autoneg`: timer + 500 ms) — an emulator
    /// choice, not a specification value.
    static let qemuModelledDurationNanoseconds: UInt64 = 500_000_000
}
