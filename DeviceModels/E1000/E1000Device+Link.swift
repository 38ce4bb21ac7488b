import BoxlessPlatform

// PHY access through MDIC (SDM §8.6.2.4, §13.4.7) and the link: auto-negotiation after PHY reset,
// power-on, BMCR reset/restart or carrier coming back (SDM §11.1; IEEE 802.3 clause 28), then
// STATUS.LU, the PHY's link bits and ICR.LSC.

extension E1000Device {
    /// The link partner is there unless the connected peer has dropped its carrier.
    var partnerPresent: Bool { !faultCarrierDown && !faultAutonegFailing && (port?.peer?.carrier ?? true) }

    /// MDIC write: the access completes ``E1000ModelTiming/mdioAccess`` later, then sets R (and
    /// raises MDAC when I is set); a PHY address other than 1 completes with E set.
    func writeMDIC(_ value: UInt32) {
        if mdicBusy {
            function.strictFinding(E1000Rule.mdicBusy, "MDIC = 0x\(hexString(UInt64(value)))")
            return
        }
        mdicBusy = true
        mdicValue = value & ~(E1000MDIC.R | E1000MDIC.E)
        function.schedule(after: E1000ModelTiming.mdioAccess) { [unowned self] in self.completeMDIC() }
    }

    private func completeMDIC() {
        guard mdicBusy else { return }
        mdicBusy = false
        var v = mdicValue
        let reg = E1000MDIC.regadd(v)
        if E1000MDIC.phyadd(v) != E1000MDIC.internalPHYAddress || phyHeldInReset {
            v |= E1000MDIC.E
        } else if v & E1000MDIC.OP_MASK == E1000MDIC.OP_READ {
            v = v & ~E1000MDIC.DATA_MASK | UInt32(phy.read(reg))
        } else if v & E1000MDIC.OP_MASK == E1000MDIC.OP_WRITE {
            switch phy.write(reg, E1000MDIC.data(v)) {
            case .none: break
            case .restartNegotiation: startNegotiation()
            case .powerDown: cancelNegotiation(); linkLost()
            }
        }
        mdicValue = v | E1000MDIC.R
        if v & E1000MDIC.I != 0 { raise(E1000Interrupt.MDAC.rawValue) }
    }

    /// Starts (or restarts) auto-negotiation: the link drops and comes back ``autoNegotiationTime`` later.
    func startNegotiation() {
        cancelNegotiation()
        linkLost()
        guard !phyHeldInReset, !phy.control.contains(.POWER_DOWN) else { return }
        negotiationStart = function.now
        negotiationEvent = function.schedule(after: autoNegotiationTime) { [unowned self] in self.completeNegotiation() }
    }

    func cancelNegotiation() {
        if let e = negotiationEvent { function.cancel(e); negotiationEvent = nil }
    }

    func rescheduleNegotiation() {
        guard negotiationEvent != nil, let function else { return }
        cancelNegotiation()
        negotiationEvent = function.schedule(at: negotiationStart + autoNegotiationTime) { [unowned self] in self.completeNegotiation() }
    }

    private func completeNegotiation() {
        negotiationEvent = nil
        guard partnerPresent, !phyHeldInReset else { return }
        phy.core.linkEstablished()
        linkUp = true
        function.note("link up")
        raise(E1000Interrupt.LSC.rawValue)
        kickEngines()
    }

    /// The link went down (PHY reset, power down, renegotiation, carrier lost).
    func linkLost() {
        phy.core.linkLost()
        guard linkUp else { return }
        linkUp = false
        function.note("link down")
        raise(E1000Interrupt.LSC.rawValue)
    }
}
