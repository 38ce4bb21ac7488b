import BoxlessPlatform
import NICCore

// State faults a fault plan pushes onto the controller (DESIGN.md "Faults"; the platform's
// ``DeviceStateFault``): the link faults through the NIC core's ``LinkFaultTarget`` schedule, and
// the transmitter hanging until the driver resets the MAC (CTRL.RST, SDM §13.4.1). The link faults
// show the driver what the real event does: STATUS.LU and the PHY's link bits drop and ICR.LSC is
// raised (SDM §11.1). The frame and write-back hooks are asked in `+Receive`, `+ReceiveDMA` and
// `+Transmit`.

extension E1000Device: DeviceStateFaultTarget, LinkFaultTarget {
    public func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        if case .txHang = fault { hangTransmitter(); return true }
        return applyLinkFault(fault)
    }

    public var linkFaultFunction: PCIFunction { function }

    /// Carrier held down by a fault (or released): the link drops at once and comes back after a
    /// new auto-negotiation.
    public func holdCarrier(down: Bool) {
        faultCarrierDown = down
        function.note(down ? "fault: carrier lost" : "fault: carrier back")
        if partnerPresent { startNegotiation() } else { cancelNegotiation(); linkLost() }
    }

    /// No link partner ability arrives (the link drops and negotiation does not complete), or it
    /// does again (negotiation restarts).
    public func failNegotiation(_ failing: Bool) {
        faultAutonegFailing = failing
        if failing {
            cancelNegotiation()
            linkLost()
            function.note("fault: auto-negotiation failing")
        } else {
            startNegotiation()
        }
    }

    /// The transmitter stops: nothing more leaves and no descriptor is fetched or written back
    /// until CTRL.RST (``macReset()``).
    func hangTransmitter() {
        guard !txHung else { return }
        txHung = true
        function.note("transmitter hung (fault) until CTRL.RST")
    }
}
