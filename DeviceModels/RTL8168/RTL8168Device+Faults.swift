import BoxlessPlatform

/// State faults a fault plan pushes onto the chip (DESIGN.md "Faults"; the platform's
/// ``DeviceStateFault``): the link partner's carrier lost for a while or flapping, auto-negotiation
/// failing, and the transmitter hanging until the driver resets the MAC (ChipCmd.RST). Each shows
/// the driver what the real event does: PHYstatus and BMSR lose the link and ISR.LinkChg is raised,
/// or transmit descriptors stay owned by the chip.
extension RTL8168Device: DeviceStateFaultTarget {
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
            // No link partner ability is received: the link drops and negotiation does not complete.
            negotiationFailing = true
            cancelNegotiation()
            setLink(up: false)
            function.note("fault: auto-negotiation failing")
            if let d = duration {
                function.schedule(after: d) { [unowned(unsafe) self] in
                    self.negotiationFailing = false
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

    /// Carrier held down by a fault (or released): the link drops at once, and comes back after a
    /// new auto-negotiation.
    func holdCarrier(down: Bool) {
        faultCarrierDown = down
        function.note(down ? "fault: carrier lost" : "fault: carrier back")
        if effectiveCarrier { startNegotiation() } else { cancelNegotiation(); setLink(up: false) }
    }
}
