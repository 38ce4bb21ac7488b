import BoxlessPlatform
import NICCore

/// State faults the fault layer pushes onto the chip (DESIGN.md "Faults"; the frame, transmit and
/// write-back hooks are asked where the chip meets them: `RTL8139Device+Receive.swift`,
/// `RTL8139Device+Transmit.swift`). Link faults act on the PHY as a partner would: carrier gone
/// (BMSR.Link_Status latches low, MSR.LINKB, ISR.PUN/LinkChg), or a partner that never completes
/// auto-negotiation. A hung transmitter sends nothing more until CR.RST.
extension RTL8139Device: DeviceStateFaultTarget, LinkFaultTarget {
    /// Applies `fault`: link down and auto-negotiation failure (the NIC core's schedule; each
    /// without a duration lasts for the rest of the run), link flap (this chip's own: the partner
    /// comes back already trained) and transmit hang; anything else is not the chip's (false).
    public func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        switch fault {
        case let .linkFlap(count, period):
            guard count > 0 else { return true }
            faultFlapsLeft = count
            faultFlapPeriod = period
            flapDown()
            return true
        case .txHang:
            hangTransmitter()
            return true
        default:
            return applyLinkFault(fault)
        }
    }

    public var linkFaultFunction: PCIFunction { function }

    /// The partner's carrier gone (the link drops: no partner to negotiate with) or back.
    public func holdCarrier(down: Bool) {
        faultCarrierDown = down
        startNegotiation()
        if down { function.note("fault: link down") }
    }

    /// A partner that never completes auto-negotiation, or one that does again.
    public func failNegotiation(_ failing: Bool) {
        faultAutonegFailing = failing
        startNegotiation()
        if failing { function.note("fault: auto-negotiation fails") }
    }

    /// One flap: the link down for the period, then up at once (a partner that comes back already
    /// trained) for the period, `faultFlapsLeft` times.
    private func flapDown() {
        cancelNegotiation()
        setLink(false)
        function.schedule(after: faultFlapPeriod) { [unowned(unsafe) self] in
            if self.partnerPresent && !self.phy.poweredDown { self.setLink(true) }
            self.faultFlapsLeft -= 1
            guard self.faultFlapsLeft > 0 else { return }
            self.function.schedule(after: self.faultFlapPeriod) { [unowned(unsafe) self] in self.flapDown() }
        }
    }
}
