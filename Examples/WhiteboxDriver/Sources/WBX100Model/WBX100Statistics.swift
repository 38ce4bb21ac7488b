import BoxlessDeviceKit

/// The WBX-100's statistics registers (§5): running totals since power-on, never cleared.
struct WBX100Statistics {
    var mpc: UInt64 = 0
    var roc: UInt64 = 0
    var crcerrs: UInt64 = 0
    var gprc: UInt64 = 0
    var gptc: UInt64 = 0
    /// Frames that arrived while the receiver was off or the link down (no register counts them).
    var ignored: UInt64 = 0

    /// The counters by name, in the datasheet's order.
    var named: [(name: String, value: UInt64)] {
        [("MPC", mpc), ("ROC", roc), ("CRCERRS", crcerrs), ("GPRC", gprc), ("GPTC", gptc)]
    }

    /// Which counters count dropped frames, and why.
    static let dropCounters = [
        CounterInfo("MPC", drop: .missed), CounterInfo("ROC", drop: .oversize), CounterInfo("CRCERRS", drop: .badFCS),
        CounterInfo("GPRC"), CounterInfo("GPTC"),
    ]
}
