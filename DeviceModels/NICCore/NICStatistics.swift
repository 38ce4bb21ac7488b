/// Why a device did not hand a received frame to the host. The replay check accepts a frame
/// missing from the driver's deliveries only when a counter of one of these reasons accounts for it
/// (DESIGN.md, "Checks").
public enum DropReason: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The receive FIFO overflowed or no host buffer was free in time (missed packet).
    case missed
    /// Longer than the configured maximum (oversize / jabber).
    case oversize
    /// Shorter than the minimum (runt / undersize / fragment).
    case undersize
    /// Bad frame check sequence.
    case badFCS
    /// Alignment or symbol errors.
    case alignment
    /// Other receive errors the device counts.
    case receiveError
    /// The address filter or VLAN filter refused it.
    case filtered
    /// The receiver was off or the link down.
    case disabled
    public var description: String { rawValue }
}

/// A counter a NIC model keeps, by the datasheet's name, and what it counts when it is a drop.
public struct CounterInfo: Sendable, Equatable {
    /// The datasheet's name (`MPC`, `ROC`, `MissPkt`).
    public var name: String
    /// The drop reason it counts, or nil for a counter of delivered/sent traffic.
    public var drop: DropReason?
    /// Creates counter info.
    public init(_ name: String, drop: DropReason? = nil) { self.name = name; self.drop = drop }
}

/// What every NIC model tells the runner about its statistics: running totals since power-on
/// (never cleared by a driver's reads, so a check can compare them with what the driver reported)
/// by name, and which of them count dropped frames.
public protocol NICStatisticsSource {
    /// Every counter with its total since power-on, in the datasheet's order.
    var counters: [(name: String, value: UInt64)] { get }
    /// The counters that count received frames the device dropped, with their reasons.
    var dropCounters: [CounterInfo] { get }
    /// Frames that arrived while the receiver was off or the link down (counted by no register).
    var framesIgnoredWhileDisabled: UInt64 { get }
}

extension NICStatisticsSource {
    /// The total of the counter called `name`, if the model has one.
    public func counter(named name: String) -> UInt64? { counters.first { $0.name == name }?.value }

    /// Frames dropped by the device, by counter name, reason and count, in ``dropCounters`` order.
    public var drops: [(counter: String, reason: DropReason, count: UInt64)] {
        let all = counters
        return dropCounters.compactMap { c in
            guard let reason = c.drop else { return nil }
            return (c.name, reason, all.first { $0.name == c.name }?.value ?? 0)
        }
    }

    /// Every received frame the device did not hand to the host, counted once.
    public var droppedTotal: UInt64 { drops.reduce(framesIgnoredWhileDisabled) { $0 &+ $1.count } }
}
