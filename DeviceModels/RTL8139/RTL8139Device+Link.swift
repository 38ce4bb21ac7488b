import BoxlessPlatform
import NICCore

/// The internal PHY as the register file shows it (RTL8139C(L) datasheet §5.18–5.22: BMCR, BMSR,
/// ANAR, ANLPAR, ANER at 62h–6Bh; Linux maps MII registers 0, 1, 4, 5, 6 of PHY 32 onto them), on
/// the NIC core's ``MIIPHY``: BMSR.Link_Status latches low until read (IEEE 802.3 §22.2.4.2.13).
/// The link partner advertises every mode; the link comes up ``autoNegotiationTime`` after
/// power-on, BMCR.Reset, BMCR.Restart_AN, an ANE change or carrier return.
extension RTL8139Device {
    /// The byte at `o` (62h–6Bh) of the PHY word it belongs to; the MII register is read once per
    /// register access (``miiRead``), so a word read of BMSR clears its latch once.
    func miiByte(_ o: UInt32) -> UInt8 {
        let index = Int(o - R.BMCR) / 2
        if miiRead.index != index { miiRead = (index, phy.read(RTL8139MIIMap.registers[index])) }
        return UInt8(truncatingIfNeeded: miiRead.value >> (8 * ((o - R.BMCR) & 1)))
    }

    /// BMCR as last written (the PHY's control register).
    var bmcr: UInt16 { phy.control }

    /// BMCR (§5.18): Reset returns the PHY to its defaults and negotiates; Restart_AN (and an ANE
    /// change) negotiates again; bits 13, 12 and 8 change only with the 9346CR unlock.
    func writeBMCR(_ value: UInt16) {
        var v = value
        let locked = RTL8139MII.BMCR_configLocked
        if !configUnlocked && (v ^ bmcr) & locked != 0 {
            breach(.configWriteLocked, "BMCR bits 13/12/8 = \(hex(v & locked))")
            v = v & ~locked | bmcr & locked
        }
        if v & RTL8139MII.BMCR_Reset != 0 {
            phy.powerOn()                           // §22.2.4.1.1: registers to their defaults
            startNegotiation()
            return
        }
        let aneChanged = (v ^ bmcr) & RTL8139MII.BMCR_ANE != 0
        switch phy.write(MIIRegister.BMCR, v) {
        case .powerDown:
            cancelNegotiation()
            setLink(false)
        case .restartNegotiation: startNegotiation()
        case .none: if aneChanged { startNegotiation() }
        }
    }

    /// ANAR (§5.20): kept by the PHY, used at the next negotiation.
    func writeANAR(_ value: UInt16) { _ = phy.write(MIIRegister.ANAR, value) }

    /// Whether a partner is there to negotiate with (cable, and no injected link-down).
    var partnerPresent: Bool { (port?.peer?.carrier ?? true) && !faultCarrierDown }

    func cancelNegotiation() {
        if let e = negotiationEvent { function.cancel(e); negotiationEvent = nil }
    }

    /// Drops the link and negotiates again (or forces the link at once with BMCR.ANE clear). An
    /// injected auto-negotiation failure leaves the link down.
    func startNegotiation() {
        cancelNegotiation()
        setLink(false)
        guard partnerPresent, !phy.poweredDown else { return }
        guard phy.autoNegotiation else {
            setLink(true)
            return
        }
        guard !faultAutonegFailing else { return }
        negotiationEvent = function.schedule(after: autoNegotiationTime) { [unowned(unsafe) self] in
            self.negotiationEvent = nil
            self.setLink(true)
        }
    }

    /// Link status changes raise ISR.PUN/LinkChg (§5.8).
    func setLink(_ up: Bool) {
        guard up != linkUp else { return }
        if up { phy.linkEstablished() } else { phy.linkLost() }
        let (speed, full) = phy.resolved
        function.note(up ? "link up \(speed.rawValue)/\(full ? "full" : "half")" : "link down")
        raise(RTL8139Interrupt.PUN_LinkChg)
        if up { receiveKick(); transmitKick() }
    }
}
