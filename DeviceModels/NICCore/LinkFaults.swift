import BoxlessPlatform

/// A NIC model whose link a fault plan can break (DESIGN.md "Faults"; the platform's
/// ``DeviceStateFault``). The model says how its partner's carrier is held down and how
/// auto-negotiation is made to fail — what its PHY then shows the driver is the model's own (link
/// bits, a link-change interrupt); the schedule of a transient link-down, a flap or a negotiation
/// failing for a while is the same for every family and written once, here.
public protocol LinkFaultTarget: AnyObject {
    /// The function the fault's later steps are scheduled on (the model's own).
    var linkFaultFunction: PCIFunction { get }
    /// Holds the link partner's carrier down (`true`) or lets it come back (`false`, after a new
    /// auto-negotiation).
    func holdCarrier(down: Bool)
    /// Makes auto-negotiation fail (`true`: no link partner ability; the link drops) or work again
    /// (`false`: negotiation restarts).
    func failNegotiation(_ failing: Bool)
}

extension LinkFaultTarget {
    /// Applies `.linkDown` (for `duration`, or for good), `.linkFlap` (`count` times down and up,
    /// each state lasting `period`) and `.autonegFail` (for `duration`, or for good); false for
    /// any other fault.
    public func applyLinkFault(_ fault: DeviceStateFault) -> Bool {
        switch fault {
        case .linkDown(let duration):
            holdCarrier(down: true)
            if let d = duration {
                linkFaultFunction.schedule(after: d) { [unowned(unsafe) self] in self.holdCarrier(down: false) }
            }
        case let .linkFlap(count, period):
            for k in 0..<max(count, 0) {
                linkFaultFunction.schedule(after: period * UInt64(2 * k)) { [unowned(unsafe) self] in self.holdCarrier(down: true) }
                linkFaultFunction.schedule(after: period * UInt64(2 * k + 1)) { [unowned(unsafe) self] in self.holdCarrier(down: false) }
            }
        case .autonegFail(let duration):
            failNegotiation(true)
            if let d = duration {
                linkFaultFunction.schedule(after: d) { [unowned(unsafe) self] in self.failNegotiation(false) }
            }
        default:
            return false
        }
        return true
    }
}
