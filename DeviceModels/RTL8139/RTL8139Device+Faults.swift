import BoxlessPlatform
import NICCore

/// State faults the fault layer pushes onto the chip (DESIGN.md "Faults"; the frame, transmit and
/// write-back hooks are asked where the chip meets them: `RTL8139Device+Receive.swift`,
/// `RTL8139Device+Transmit.swift`). Link faults act on the PHY as a partner would: carrier gone
/// (BMSR.Link_Status latches low, MSR.LINKB, ISR.PUN/LinkChg), or a partner that never completes
/// auto-negotiation. A hung transmitter sends nothing more until CR.RST.
extension RTL8139Device: DeviceStateFaultTarget {
    /// Applies `fault`: link down, link flap, auto-negotiation failure (each without a duration
    /// lasts for the rest of the run) and transmit hang; anything else is not the chip's (false).
    public func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        switch fault {
        case .linkDown(let duration):
            faultCarrierDown = true
            startNegotiation()                        // drops the link; no partner to negotiate with
            function.note("fault: link down")
            if let d = duration {
                function.schedule(after: d) { [unowned(unsafe) self] in
                    self.faultCarrierDown = false
                    self.startNegotiation()
                }
            }
            return true
        case let .linkFlap(count, period):
            guard count > 0 else { return true }
            faultFlapsLeft = count
            faultFlapPeriod = period
            flapDown()
            return true
        case .autonegFail(let duration):
            faultAutonegFailing = true
            startNegotiation()
            function.note("fault: auto-negotiation fails")
            if let d = duration {
                function.schedule(after: d) { [unowned(unsafe) self] in
                    self.faultAutonegFailing = false
                    self.startNegotiation()
                }
            }
            return true
        case .txHang:
            hangTransmitter()
            return true
        default:
            return false
        }
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
