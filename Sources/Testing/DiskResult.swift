/// A disk workload's verdict as a value: the runner's `DiskSummary` (every count of `boxless
/// disk --json`), and the event log when it was asked for.
public struct DiskResult: RunVerdict {
    /// Everything `boxless disk --json` reports.
    public let summary: DiskSummary
    /// The canonical event log as JSON Lines (empty unless asked for).
    public let eventLog: [String]

    /// Wraps a summary and its event log.
    public init(summary: DiskSummary, eventLog: [String] = []) {
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
    /// `verify on DEVICE + DRIVER: N ops, N errors, N mismatches`.
    public var what: String {
        "\(summary.workload) on \(summary.device) + \(summary.driver): \(summary.operations) ops, \(summary.errors) errors, \(summary.mismatches) mismatches"
    }
}
