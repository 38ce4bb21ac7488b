import BoxlessFaults
import BoxlessPlatform

/// How frame times are derived from the capture.
public enum ReplayTiming: Sendable, Equatable, CustomStringConvertible {
    /// The capture's own inter-frame times (never faster than the wire allows).
    case original
    /// Back to back at line rate.
    case lineRate
    /// The capture's times divided by a factor (2 = twice as fast).
    case scale(Double)

    /// Parses `original`, `line-rate` or `scale:X` (X > 0).
    public init?(argument: String) {
        switch argument {
        case "original": self = .original
        case "line-rate": self = .lineRate
        default:
            guard argument.hasPrefix("scale:"), let x = Double(argument.dropFirst(6)), x > 0, x.isFinite else { return nil }
            self = .scale(x)
        }
    }
    public var description: String {
        switch self {
        case .original: return "original"
        case .lineRate: return "line-rate"
        case .scale(let x): return "scale:\(x)"
        }
    }
}

/// Which way a replay goes through the driver.
public enum ReplayDirection: String, Sendable {
    /// Trace → wire → device → driver → client.
    case rx
    /// Trace → client → driver → device → wire.
    case tx
}

/// Everything a replay run takes (the `boxless replay` options).
public struct ReplayOptions: Sendable {
    /// The trace file.
    public var trace: String
    /// NIC model name (`e1000`, `e1000e`).
    public var nic: String
    /// `rx` or `tx`.
    public var direction: ReplayDirection = .rx
    /// The run's seed.
    public var seed: UInt64 = 1
    /// A BPF expression, compiled by libpcap.
    public var filter: String?
    /// Where to write what the driver delivered (pcap).
    public var captureRX: String?
    /// Where to write what went on the wire (pcap).
    public var captureTX: String?
    /// Frame timing.
    public var timing: ReplayTiming = .original
    /// Truncated-frame policy.
    public var truncated: TruncatedPolicy = .pad
    /// Strict mode for the device model.
    public var strict: Bool = true
    /// Driver parameters.
    public var driverParameters: [String: String] = [:]
    /// JSON Lines event log, if wanted.
    public var eventLog: String?
    /// With `original` or `scale` timing, a gap between two frames longer than this (after scaling)
    /// is shortened to it, so a capture with hours or years between packets replays in bounded
    /// virtual time (the summary counts the gaps shortened). Default 1 s.
    public var maximumGap: VirtualDuration = .seconds(1)
    /// A Chrome/Perfetto trace-event file to write (`--trace-out`).
    public var traceOut: String?
    /// A fault plan to apply (`--faults PLAN.yaml`, loaded with ``loadFaults(_:)``).
    public var faults: FaultPlan?
    /// The watchdog: a run in which no frame moves (taken from the trace, delivered, or put on the
    /// wire) for this much virtual time while frames are pending fails, saying where it was stuck.
    public var watchdog: VirtualDuration = .seconds(5)
    /// The wall-clock bound of one run (the watchdog's last resort).
    public var wallLimit: Duration = .seconds(3600)
    /// Creates options.
    public init(trace: String, nic: String) { self.trace = trace; self.nic = nic }

    /// Loads the fault plan at `path` into ``faults`` (one-line error naming the file, line and key).
    public mutating func loadFaults(_ path: String) throws(RunnerError) { faults = try RunFaults.load(path: path) }
}
