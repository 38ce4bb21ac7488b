/// A replay's verdict as a value: the runner's `ReplaySummary` (every count of `boxless replay
/// --json`), and the event log when it was asked for.
public struct ReplayResult: RunVerdict {
    /// Everything `boxless replay --json` reports.
    public let summary: ReplaySummary
    /// The canonical event log as JSON Lines, one record per line (empty unless the run was asked
    /// to record it; see ``Replay/run(_:adding:recordEventLog:source:)``).
    public let eventLog: [String]

    /// Wraps a summary and its event log.
    public init(summary: ReplaySummary, eventLog: [String] = []) {
        self.summary = summary; self.eventLog = eventLog
    }

    /// Whether every check passed.
    public var passed: Bool { summary.passed }
    /// Why not.
    public var failures: [String] { summary.failures }
    /// Findings, one line each.
    public var findings: [String] { summary.findings }
    /// The event-log digest.
    public var digest: String { summary.digest }
    /// `replay (rx) of TRACE through DEVICE + DRIVER: N in, N delivered, N dropped`.
    public var what: String {
        "replay (\(summary.direction)) of \(summary.trace) through \(summary.device) + \(summary.driver): "
            + "\(summary.packets_in) in, \(summary.delivered) delivered, \(summary.dropped.total) dropped, \(summary.mismatched) mismatched"
    }
    /// Frames dropped by the device, by its counter names (only counters that counted something).
    public var drops: [String: UInt64] {
        Dictionary(summary.dropped.reasons.filter { $0.count > 0 }.map { ($0.counter, $0.count) }, uniquingKeysWith: +)
    }
}
