import BoxlessPlatform

/// The internal PHY as the register file shows it (RTL8139C(L) datasheet §5.18–5.22: BMCR, BMSR,
/// ANAR, ANLPAR, ANER at 62h–6Bh; Linux maps MII registers 0, 1, 4, 5, 6 of PHY 32 onto them).
/// The link partner advertises 10/100 half and full duplex; the link comes up at 100 Mb/s full
/// duplex ``autoNegotiationTime`` after power-on, BMCR.Reset, BMCR.Restart_AN or carrier return.
extension RTL8139Device {
    /// BMSR: abilities, link status and AN complete (§5.19).
    var bmsr: UInt16 {
        RTL8139MII.BMSR_abilities | (linkUp ? RTL8139MII.BMSR_Link : 0) | (negotiated ? RTL8139MII.BMSR_ANComplete : 0)
    }
    /// ANLPAR: the partner's base page once negotiated (§5.21).
    var anlpar: UInt16 { negotiated ? RTL8139MII.ANLPAR_ACK | RTL8139MII.ANAR_default : 0 }
    /// ANER: the partner is auto-negotiation able (§5.22).
    var aner: UInt16 { negotiated ? RTL8139MII.ANER_LP_NW_ABLE : 0 }

    /// BMCR (§5.18): Reset and Restart_AN self-clear and start a negotiation; bits 13, 12 and 8
    /// change only with the 9346CR unlock.
    func writeBMCR(_ value: UInt16, changedMask: UInt16) {
        var v = value
        let locked = RTL8139MII.BMCR_configLocked
        if !configUnlocked && (v ^ bmcr) & locked != 0 {
            breach(.configWriteLocked, "BMCR bits 13/12/8 = \(hex(v & locked))")
            v = v & ~locked | bmcr & locked
        }
        if v & RTL8139MII.BMCR_Reset != 0 {
            bmcr = RTL8139MII.BMCR_ANE | RTL8139MII.BMCR_Spd_Set | RTL8139MII.BMCR_Duplex_Mode
            anar = RTL8139MII.ANAR_default
            startNegotiation()
            return
        }
        let restart = v & RTL8139MII.BMCR_Restart_AN != 0 || (v ^ bmcr) & RTL8139MII.BMCR_ANE != 0
        bmcr = v & ~(RTL8139MII.BMCR_Reset | RTL8139MII.BMCR_Restart_AN)
        if restart { startNegotiation() }
    }

    /// Drops the link and negotiates again (or forces the link at once with BMCR.ANE clear).
    func startNegotiation() {
        if let e = negotiationEvent { function.cancel(e); negotiationEvent = nil }
        setLink(false)
        negotiated = false
        guard port?.peer?.carrier ?? true else { return }
        guard bmcr & RTL8139MII.BMCR_ANE != 0 else {
            setLink(true)
            return
        }
        negotiationEvent = function.schedule(after: autoNegotiationTime) { [unowned(unsafe) self] in
            self.negotiationEvent = nil
            self.negotiated = true
            self.setLink(true)
        }
    }

    /// Link status changes raise ISR.PUN/LinkChg (§5.8).
    func setLink(_ up: Bool) {
        guard up != linkUp else { return }
        linkUp = up
        if !up { negotiated = false }
        function.note(up ? "link up 100/full" : "link down")
        raise(RTL8139Interrupt.PUN_LinkChg)
        if up { receiveKick(); transmitKick() }
    }
}
