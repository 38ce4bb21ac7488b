import BoxlessPlatform
import NICCore

/// State faults a fault plan pushes onto the chip (DESIGN.md "Faults"; the platform's
/// ``DeviceStateFault``): the link partner's carrier lost for a while or flapping, auto-negotiation
/// failing, and the transmitter hanging until the driver resets the MAC (ChipCmd.RST). Each shows
/// the driver what the real event does: PHYstatus and BMSR lose the link and ISR.LinkChg is raised,
/// or transmit descriptors stay owned by the chip.
extension RTL8168Device: DeviceStateFaultTarget, LinkFaultTarget {
    public func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        if case .txHang = fault { hangTransmitter(); return true }
        return applyLinkFault(fault)
    }

    public var linkFaultFunction: PCIFunction { function }

    /// Carrier held down by a fault (or released): the link drops at once, and comes back after a
    /// new auto-negotiation.
    public func holdCarrier(down: Bool) {
        faultCarrierDown = down
        function.note(down ? "fault: carrier lost" : "fault: carrier back")
        if effectiveCarrier { startNegotiation() } else { cancelNegotiation(); setLink(up: false) }
    }

    /// No link partner ability is received: the link drops and negotiation does not complete
    /// (until `failing` is false again: negotiation restarts).
    public func failNegotiation(_ failing: Bool) {
        negotiationFailing = failing
        if failing {
            cancelNegotiation()
            setLink(up: false)
            function.note("fault: auto-negotiation failing")
        } else {
            startNegotiation()
        }
    }
}
