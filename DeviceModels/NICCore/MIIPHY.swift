/// IEEE 802.3 clause 22 management registers (§22.2.4) and the 1000BASE-T ones (§40.5.1.1).
public enum MIIRegister {
    /// Basic Mode Control (BMCR), §22.2.4.1.
    public static let BMCR: UInt8 = 0
    /// Basic Mode Status (BMSR), §22.2.4.2.
    public static let BMSR: UInt8 = 1
    /// PHY Identifier 1 (OUI bits 3–18), §22.2.4.3.1.
    public static let PHYID1: UInt8 = 2
    /// PHY Identifier 2 (OUI bits 19–24, model, revision).
    public static let PHYID2: UInt8 = 3
    /// Auto-Negotiation Advertisement (ANAR), §28.2.4.1.3.
    public static let ANAR: UInt8 = 4
    /// Auto-Negotiation Link Partner Ability (ANLPAR), §28.2.4.1.4.
    public static let ANLPAR: UInt8 = 5
    /// Auto-Negotiation Expansion (ANER), §28.2.4.1.5.
    public static let ANER: UInt8 = 6
    /// Next Page Transmit, §28.2.4.1.6.
    public static let ANNPTR: UInt8 = 7
    /// Link Partner Next Page, §28.2.4.1.7.
    public static let ANNPRR: UInt8 = 8
    /// 1000BASE-T Control (GBCR), §40.5.1.1.
    public static let GBCR: UInt8 = 9
    /// 1000BASE-T Status (GBSR), §40.5.1.1.
    public static let GBSR: UInt8 = 10
    /// Extended Status (GBESR), §22.2.4.4.
    public static let GBESR: UInt8 = 15
}

/// BMCR bits (IEEE 802.3 §22.2.4.1).
public enum BMCR {
    /// Reset (self-clearing, §22.2.4.1.1).
    public static let RESET: UInt16 = 1 << 15
    /// Loopback.
    public static let LOOPBACK: UInt16 = 1 << 14
    /// Speed selection LSB (with bit 6: 00 10, 01 100, 10 1000 Mb/s).
    public static let SPEED_LSB: UInt16 = 1 << 13
    /// Auto-negotiation enable.
    public static let ANENABLE: UInt16 = 1 << 12
    /// Power down.
    public static let PDOWN: UInt16 = 1 << 11
    /// Isolate.
    public static let ISOLATE: UInt16 = 1 << 10
    /// Restart auto-negotiation (self-clearing, §22.2.4.1.7).
    public static let ANRESTART: UInt16 = 1 << 9
    /// Full duplex (forced mode).
    public static let FULLDPLX: UInt16 = 1 << 8
    /// Speed selection MSB.
    public static let SPEED_MSB: UInt16 = 1 << 6
}

/// BMSR bits (IEEE 802.3 §22.2.4.2).
public enum BMSR {
    /// 100BASE-TX full duplex capable.
    public static let CAP_100FULL: UInt16 = 1 << 14
    /// 100BASE-TX half duplex capable.
    public static let CAP_100HALF: UInt16 = 1 << 13
    /// 10BASE-T full duplex capable.
    public static let CAP_10FULL: UInt16 = 1 << 12
    /// 10BASE-T half duplex capable.
    public static let CAP_10HALF: UInt16 = 1 << 11
    /// Extended status in register 15.
    public static let ESTATEN: UInt16 = 1 << 8
    /// MF preamble suppression.
    public static let PREAMBLE_SUPPRESS: UInt16 = 1 << 6
    /// Auto-negotiation complete.
    public static let ANEGCOMPLETE: UInt16 = 1 << 5
    /// Remote fault.
    public static let RFAULT: UInt16 = 1 << 4
    /// Auto-negotiation ability.
    public static let ANEGCAPABLE: UInt16 = 1 << 3
    /// Link status (latches low until read, §22.2.4.2.13).
    public static let LSTATUS: UInt16 = 1 << 2
    /// Jabber detect.
    public static let JCD: UInt16 = 1 << 1
    /// Extended register capability.
    public static let ERCAP: UInt16 = 1 << 0
}

/// ANAR / ANLPAR technology-ability bits (IEEE 802.3 Annex 28B.2, 28D).
public enum MIIAbility {
    /// Selector field: IEEE 802.3.
    public static let SELECTOR_802_3: UInt16 = 0x0001
    /// 10BASE-T half duplex.
    public static let T10_HD: UInt16 = 1 << 5
    /// 10BASE-T full duplex.
    public static let T10_FD: UInt16 = 1 << 6
    /// 100BASE-TX half duplex.
    public static let TX100_HD: UInt16 = 1 << 7
    /// 100BASE-TX full duplex.
    public static let TX100_FD: UInt16 = 1 << 8
    /// Symmetric pause.
    public static let PAUSE: UInt16 = 1 << 10
    /// Asymmetric pause.
    public static let ASM_DIR: UInt16 = 1 << 11
    /// Acknowledge.
    public static let ACK: UInt16 = 1 << 14
    /// Next page.
    public static let NP: UInt16 = 1 << 15
    /// GBCR: advertise 1000BASE-T full duplex (§40.5.1.1).
    public static let GBCR_1000FULL: UInt16 = 1 << 9
    /// GBCR: advertise 1000BASE-T half duplex.
    public static let GBCR_1000HALF: UInt16 = 1 << 8
}

/// The resolved speed of a link.
public enum LinkSpeed: Int, Sendable, Comparable {
    /// 10 Mb/s.
    case mbps10 = 10
    /// 100 Mb/s.
    case mbps100 = 100
    /// 1000 Mb/s.
    case mbps1000 = 1000
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a PHY is: its identifier and abilities (the chip's datasheet) and its reset values.
public struct PHYIdentity: Sendable, Equatable {
    /// PHYID1.
    public var id1: UInt16
    /// PHYID2.
    public var id2: UInt16
    /// BMSR ability bits (without the state bits LSTATUS/ANEGCOMPLETE).
    public var capabilities: UInt16
    /// Extended Status (register 15), 0 for a PHY without 1000BASE-T.
    public var extendedStatus: UInt16
    /// BMCR after power-on or reset.
    public var controlDefault: UInt16
    /// ANAR after power-on or reset.
    public var advertisementDefault: UInt16
    /// GBCR after power-on or reset (0 for a 10/100 PHY, which has no GBCR).
    public var gigabitControlDefault: UInt16
    /// Whether registers 9, 10 and 15 exist (a 1000BASE-T PHY).
    public var gigabit: Bool { extendedStatus != 0 }
    /// Creates an identity.
    public init(id1: UInt16, id2: UInt16, capabilities: UInt16, extendedStatus: UInt16, controlDefault: UInt16,
                advertisementDefault: UInt16, gigabitControlDefault: UInt16) {
        self.id1 = id1; self.id2 = id2; self.capabilities = capabilities; self.extendedStatus = extendedStatus
        self.controlDefault = controlDefault; self.advertisementDefault = advertisementDefault
        self.gigabitControlDefault = gigabitControlDefault
    }
}

/// Registers 16–31 of a PHY and any vendor pages: what is not IEEE's. A value kept inside
/// ``MIIPHY``; it sees the standard state to answer status registers.
public protocol PHYVendorRegisters: Sendable {
    /// Power-on / reset values.
    mutating func reset()
    /// A read of vendor register `reg` (16–31), or of a standard register while a vendor page is
    /// selected; nil to let the standard registers answer.
    mutating func read(_ reg: UInt8, phy: MIIPHYState) -> UInt16?
    /// A write; true when the vendor registers took it (the standard register is left alone).
    mutating func write(_ reg: UInt8, _ value: UInt16, phy: MIIPHYState) -> Bool
}

/// The standard (clause 22) state of a PHY, which vendor registers may read.
public struct MIIPHYState: Sendable {
    /// Registers 0–15 as software last wrote them.
    public var regs = [UInt16](repeating: 0, count: 16)
    /// Link up (after auto-negotiation or forced-mode link establishment).
    public var linkUp = false
    /// Auto-negotiation completed.
    public var anComplete = false
    /// BMSR.LSTATUS latches low until read (IEEE 802.3 §22.2.4.2.13).
    public var linkLatchedLow = true
    /// BMCR.
    public var control: UInt16 { regs[Int(MIIRegister.BMCR)] }

    /// The resolved (speed, full duplex) of the link: forced by BMCR, or the best mode both ends
    /// advertise (Annex 28B.3 priority) against a partner that advertises every mode.
    public func resolved(gigabit: Bool) -> (LinkSpeed, Bool) {
        let c = control
        guard c & BMCR.ANENABLE != 0 else {
            let speed: LinkSpeed = c & BMCR.SPEED_MSB != 0 ? .mbps1000 : (c & BMCR.SPEED_LSB != 0 ? .mbps100 : .mbps10)
            return (speed, c & BMCR.FULLDPLX != 0)
        }
        let gig = gigabit ? regs[Int(MIIRegister.GBCR)] : 0
        let adv = regs[Int(MIIRegister.ANAR)] & MIIPartner.ability
        if gig & MIIAbility.GBCR_1000FULL != 0 { return (.mbps1000, true) }
        if gig & MIIAbility.GBCR_1000HALF != 0 { return (.mbps1000, false) }
        if adv & MIIAbility.TX100_FD != 0 { return (.mbps100, true) }
        if adv & MIIAbility.TX100_HD != 0 { return (.mbps100, false) }
        if adv & MIIAbility.T10_FD != 0 { return (.mbps10, true) }
        return (.mbps10, false)
    }
}

/// The modelled link partner: a 10/100/1000BASE-T port that advertises every mode.
public enum MIIPartner {
    /// What it advertises (ANLPAR once negotiated): NP, ACK, PAUSE, 100FD/HD, 10FD/HD, selector 802.3.
    public static let ability: UInt16 = 0xC5E1
    /// Its 1000BASE-T status (GBSR once negotiated): LP 1000 FD/HD, remote and local receiver OK.
    public static let gigabitStatus: UInt16 = 0x3C00
}

/// An IEEE 802.3 clause 22 PHY (with the 1000BASE-T registers when the identity has them) whose
/// link partner is a 10/100/1000BASE-T port advertising every mode and symmetric pause; resolution
/// picks the best common mode (Annex 28B.3 priority). The model drives link and negotiation timing
/// with its scheduler (``linkEstablished()``, ``linkLost()``); this holds the registers.
public struct MIIPHY<Vendor: PHYVendorRegisters>: Sendable {
    /// The PHY's identity.
    public let identity: PHYIdentity
    /// Standard state.
    public var state = MIIPHYState()
    /// Vendor registers.
    public var vendor: Vendor

    /// A PHY after power-on.
    public init(identity: PHYIdentity, vendor: Vendor) {
        self.identity = identity; self.vendor = vendor
        powerOn()
    }

    /// Register defaults after power-on or a hardware PHY reset.
    public mutating func powerOn() {
        for i in 0..<16 { state.regs[i] = 0 }
        state.regs[Int(MIIRegister.BMCR)] = identity.controlDefault
        state.regs[Int(MIIRegister.ANAR)] = identity.advertisementDefault
        state.regs[Int(MIIRegister.GBCR)] = identity.gigabitControlDefault
        state.linkUp = false; state.anComplete = false; state.linkLatchedLow = true
        vendor.reset()
    }

    /// BMCR.
    public var control: UInt16 { state.control }
    /// Whether the PHY is powered down (BMCR.PDOWN).
    public var poweredDown: Bool { control & BMCR.PDOWN != 0 }
    /// Whether auto-negotiation is on.
    public var autoNegotiation: Bool { control & BMCR.ANENABLE != 0 }

    /// The resolved (speed, full duplex) of the link.
    public var resolved: (LinkSpeed, Bool) { state.resolved(gigabit: identity.gigabit) }

    /// The link came up (negotiation finished, or forced mode trained).
    public mutating func linkEstablished() {
        state.anComplete = autoNegotiation
        state.linkUp = true
    }

    /// The link went down (partner gone, PHY reset or powered down): BMSR.LSTATUS latches low.
    public mutating func linkLost() {
        state.anComplete = false
        if state.linkUp { state.linkLatchedLow = true }
        state.linkUp = false
    }

    /// A management read of register `reg` (0–31).
    public mutating func read(_ reg: UInt8) -> UInt16 {
        let reg = reg & 31
        if let v = vendor.read(reg, phy: state) { return v }
        switch reg {
        case MIIRegister.BMSR:
            var v = identity.capabilities
            if state.linkUp && !state.linkLatchedLow { v |= BMSR.LSTATUS }
            if state.anComplete { v |= BMSR.ANEGCOMPLETE }
            state.linkLatchedLow = false
            return v
        case MIIRegister.PHYID1: return identity.id1
        case MIIRegister.PHYID2: return identity.id2
        case MIIRegister.ANLPAR: return state.anComplete ? MIIPartner.ability : 0
        case MIIRegister.ANER:
            // LP_AN_ABLE, PAGE_RECEIVED, NEXT_PAGE_ABLE, LP_NEXT_PAGE_ABLE (§28.2.4.1.5).
            return state.anComplete ? 0x000F : 0x0004
        case MIIRegister.GBSR: return identity.gigabit && state.anComplete ? MIIPartner.gigabitStatus : 0
        case MIIRegister.GBESR: return identity.extendedStatus
        case 16...31: return 0
        default: return state.regs[Int(reg)]
        }
    }

    /// What a register write asks of the model.
    public enum Effect: Sendable, Equatable {
        /// Nothing to do.
        case none
        /// Reset or restart auto-negotiation (or power back up): drop the link and negotiate again.
        case restartNegotiation
        /// The PHY was powered down: drop the link.
        case powerDown
    }

    /// A management write of `value` to register `reg` (0–31).
    public mutating func write(_ reg: UInt8, _ value: UInt16) -> Effect {
        let reg = reg & 31
        if vendor.write(reg, value, phy: state) { return .none }
        switch reg {
        case MIIRegister.BMCR:
            let wasDown = poweredDown
            // RESET and ANRESTART self-clear (§22.2.4.1.1, §22.2.4.1.7); a soft reset keeps the
            // configuration written with it and renegotiates.
            state.regs[0] = value & ~(BMCR.RESET | BMCR.ANRESTART)
            if value & BMCR.PDOWN != 0 { return .powerDown }
            if value & (BMCR.RESET | BMCR.ANRESTART) != 0 || wasDown { return .restartNegotiation }
            return .none
        case MIIRegister.BMSR, MIIRegister.PHYID1, MIIRegister.PHYID2, MIIRegister.ANLPAR, MIIRegister.ANER,
             MIIRegister.GBSR, MIIRegister.GBESR, 16...31:
            return .none   // read-only, or vendor registers the vendor part did not take
        default:
            state.regs[Int(reg)] = value
            return .none
        }
    }
}
