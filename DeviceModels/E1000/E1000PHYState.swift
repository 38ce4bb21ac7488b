/// The integrated copper PHY's MII registers (IEEE 802.3 §22.2.4, §28.2.4.1, §40.5.1.1; SDM §11;
/// M88-style vendor registers 16–21, 29–30), reached through MDIC at PHY address 1.
///
/// The link partner is modelled as a 10/100/1000BASE-T port that advertises every mode and symmetric
/// pause; resolution picks the best common mode (IEEE 802.3 Annex 28B.3 priority). Link and
/// auto-negotiation state are driven by the device (`E1000Device+Link.swift`).
struct E1000PHYState {
    let chip: E1000Chip
    /// Registers 0–31 as software last wrote them (page 0).
    var regs = [UInt16](repeating: 0, count: 32)
    /// Link up (after auto-negotiation or forced-mode link establishment).
    var linkUp = false
    /// Auto-negotiation completed.
    var anComplete = false
    /// BMSR.LINK_STATUS latches low until read (IEEE 802.3 §22.2.4.2.13).
    var linkLatchedLow = true

    /// What the link partner advertises: NP, ACK, PAUSE, 100FD/HD, 10FD/HD, selector 802.3.
    static let partnerAbility: UInt16 = 0xC5E1
    /// Partner 1000BASE-T status bits once linked: LP 1000 FD/HD, remote and local receiver OK.
    static let partner1000TStatus: UInt16 = 0x3C00

    init(chip: E1000Chip) {
        self.chip = chip
        powerOn()
    }

    /// Register defaults after power-on or a hardware PHY reset.
    mutating func powerOn() {
        for i in 0..<32 { regs[i] = 0 }
        regs[Int(E1000PHYRegister.PHY_CTRL.rawValue)] = E1000PHYIdentity.modelledControl
        regs[Int(E1000PHYRegister.PHY_AUTONEG_ADV.rawValue)] = E1000PHYAbility.defaultAdvertisement.rawValue
        regs[Int(E1000PHYRegister.PHY_1000T_CTRL.rawValue)] =
            (E1000PHY1000TControl.ADV_1000_FD.rawValue | E1000PHY1000TControl.ADV_1000_HD.rawValue)
        regs[Int(E1000PHYRegister.PHY_SPEC_CTRL.rawValue)] = 0x0060   // MDI/MDI-X auto crossover
        linkUp = false; anComplete = false; linkLatchedLow = true
    }

    var control: E1000PHYControl { E1000PHYControl(rawValue: regs[0]) }

    /// The resolved (speed, full duplex) of the link.
    var resolved: (E1000LinkSpeed, Bool) {
        let c = control
        guard c.contains(.AN_ENABLE) else { return (c.speed ?? .mbps1000, c.contains(.FULL_DUPLEX)) }
        let gig = regs[Int(E1000PHYRegister.PHY_1000T_CTRL.rawValue)]
        let adv = regs[Int(E1000PHYRegister.PHY_AUTONEG_ADV.rawValue)] & Self.partnerAbility
        if gig & E1000PHY1000TControl.ADV_1000_FD.rawValue != 0 { return (.mbps1000, true) }
        if gig & E1000PHY1000TControl.ADV_1000_HD.rawValue != 0 { return (.mbps1000, false) }
        if adv & E1000PHYAbility.TX100_FD.rawValue != 0 { return (.mbps100, true) }
        if adv & E1000PHYAbility.TX100_HD.rawValue != 0 { return (.mbps100, false) }
        if adv & E1000PHYAbility.T10_FD.rawValue != 0 { return (.mbps10, true) }
        return (.mbps10, false)
    }

    /// A register read through MDIC (`page` is the 82574 page-select register 22).
    mutating func read(_ reg: UInt32) -> UInt16 {
        guard let r = E1000PHYRegister(rawValue: reg) else { return regs[Int(reg & 31)] }
        switch r {
        case .PHY_CTRL: return regs[0]
        case .PHY_STATUS:
            var v = E1000PHYStatus.copperCapabilities.rawValue
            if linkUp && !linkLatchedLow { v |= E1000PHYStatus.LINK_STATUS.rawValue }
            if anComplete { v |= E1000PHYStatus.AN_COMPLETE.rawValue }
            linkLatchedLow = false
            return v
        case .PHY_ID1: return E1000PHYIdentity.id1
        case .PHY_ID2: return E1000PHYIdentity.id2(for: chip)
        case .PHY_LP_ABILITY: return anComplete ? Self.partnerAbility : 0
        case .PHY_AUTONEG_EXP:
            return anComplete ? (E1000PHYAutonegExpansion.LP_AN_ABLE.rawValue | E1000PHYAutonegExpansion.PAGE_RECEIVED.rawValue
                                 | E1000PHYAutonegExpansion.NEXT_PAGE_ABLE.rawValue | E1000PHYAutonegExpansion.LP_NEXT_PAGE_ABLE.rawValue)
                : E1000PHYAutonegExpansion.NEXT_PAGE_ABLE.rawValue
        case .PHY_1000T_STATUS: return anComplete ? Self.partner1000TStatus : 0
        case .PHY_EXT_STATUS: return E1000PHYIdentity.modelledExtendedStatus
        case .PHY_SPEC_STATUS:
            guard linkUp else { return 0 }
            let (speed, full) = resolved
            var v = E1000PHYSpecificStatus.LINK.rawValue | E1000PHYSpecificStatus.SPEED_DUPLEX_RESOLVED.rawValue
            v |= UInt16(speed.rawValue) << E1000PHYSpecificStatus.SPEED_SHIFT
            if full { v |= E1000PHYSpecificStatus.FULL_DUPLEX.rawValue }
            return v
        case .PHY_INT_STATUS, .PHY_RX_ERR_CNTR: return 0
        default: return regs[Int(reg)]
        }
    }

    /// What a register write asks of the device.
    enum Effect { case none, restartNegotiation, powerDown }

    /// A register write through MDIC.
    mutating func write(_ reg: UInt32, _ value: UInt16) -> Effect {
        let i = Int(reg & 31)
        switch E1000PHYRegister(rawValue: reg) {
        case .PHY_CTRL?:
            let c = E1000PHYControl(rawValue: value)
            let wasDown = control.contains(.POWER_DOWN)
            // RESET and RESTART_AN self-clear (IEEE 802.3 §22.2.4.1.1, §22.2.4.1.7); a soft reset
            // keeps the configuration written with it and renegotiates (SDM §11.1.3).
            regs[0] = value & ~(E1000PHYControl.RESET.rawValue | E1000PHYControl.RESTART_AN.rawValue)
            if c.contains(.POWER_DOWN) { return .powerDown }
            if c.contains(.RESET) || c.contains(.RESTART_AN) || wasDown { return .restartNegotiation }
            return .none
        case .PHY_STATUS?, .PHY_ID1?, .PHY_ID2?, .PHY_LP_ABILITY?, .PHY_AUTONEG_EXP?, .PHY_1000T_STATUS?,
             .PHY_EXT_STATUS?, .PHY_SPEC_STATUS?, .PHY_INT_STATUS?, .PHY_RX_ERR_CNTR?:
            return .none   // read-only
        default:
            regs[i] = value
            return .none
        }
    }
}
