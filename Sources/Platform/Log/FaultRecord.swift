/// One injected fault, as the event log records it: which rule of the plan fired, on what trigger,
/// what it did and to what (DESIGN.md, "Checks": every injected fault is an event in the log).
///
/// Canonical binary form (``EventLog``, kind 11): `kind:u8 time_ps:u64 bdf:u32 rule:u32 fault
/// trigger target`, strings as `len:u32` + UTF-8, `bdf` `0xFFFFFFFF` when the fault has no function
/// (a link impairment).
public struct FaultRecord: Hashable, Sendable, CustomStringConvertible {
    /// The function the fault hit, if it hit one.
    public var device: PCIAddress?
    /// Index of the plan entry that fired (0-based, in file order).
    public var rule: UInt32
    /// The fault kind's plan name, e.g. `all-ones`.
    public var fault: String
    /// What fired it, e.g. `mmio-read #200` or `at 20000000ns`.
    public var trigger: String
    /// What it touched, e.g. `BAR0+0x8 read32` or `DMA write 64 bytes at 0x1000`.
    public var target: String

    /// Creates a record.
    public init(device: PCIAddress?, rule: UInt32, fault: String, trigger: String, target: String) {
        self.device = device; self.rule = rule; self.fault = fault; self.trigger = trigger; self.target = target
    }

    /// `rule 3 all-ones on 0000:00:03.0 (mmio-read #200): BAR0+0x8 read32`.
    public var description: String {
        "rule \(rule) \(fault)\(device.map { " on \($0)" } ?? "") (\(trigger)): \(target)"
    }
}
