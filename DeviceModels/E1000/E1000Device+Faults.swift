import BoxlessPlatform

// State faults a fault plan pushes onto the controller (DESIGN.md "Faults"; the platform's
// ``DeviceStateFault``): the link partner's carrier lost for a while or flapping, auto-negotiation
// failing, and the transmitter hanging until the driver resets the MAC (CTRL.RST, SDM §13.4.1).
// Each shows the driver what the real event does: STATUS.LU and the PHY's link bits drop and
// ICR.LSC is raised (SDM §11.1), or transmit descriptors stay owned by the hardware. The frame and
// write-back hooks are asked in `+Receive`, `+ReceiveDMA` and `+Transmit`.

extension E1000Device: DeviceStateFaultTarget {
    public func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        switch fault {
        case .linkDown(let duration):
            holdCarrier(down: true)
            if let d = duration {
                function.schedule(after: d) { [unowned(unsafe) self] in self.holdCarrier(down: false) }
            }
            return true
        case let .linkFlap(count, period):
            for k in 0..<max(count, 0) {
                function.schedule(after: period * UInt64(2 * k)) { [unowned(unsafe) self] in self.holdCarrier(down: true) }
                function.schedule(after: period * UInt64(2 * k + 1)) { [unowned(unsafe) self] in self.holdCarrier(down: false) }
            }
            return true
        case .autonegFail(let duration):
            // No link partner ability arrives: the link drops and negotiation does not complete.
            faultAutonegFailing = true
            cancelNegotiation()
            linkLost()
            function.note("fault: auto-negotiation failing")
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

    /// Carrier held down by a fault (or released): the link drops at once and comes back after a
    /// new auto-negotiation.
    func holdCarrier(down: Bool) {
        faultCarrierDown = down
        function.note(down ? "fault: carrier lost" : "fault: carrier back")
        if partnerPresent { startNegotiation() } else { cancelNegotiation(); linkLost() }
    }

    /// The transmitter stops: nothing more leaves and no descriptor is fetched or written back
    /// until CTRL.RST (``macReset()``).
    func hangTransmitter() {
        guard !txHung else { return }
        txHung = true
        function.note("transmitter hung (fault) until CTRL.RST")
    }
}
