import BoxlessRunner

/// Replays a trace through a NIC model and its driver and checks every frame — `boxless replay`
/// as a function (the runner's one replay loop, not a copy).
public enum Replay {
    /// Runs the replay `options` describe (trace, `nic`, direction, seed, filter, captures, timing,
    /// truncation policy, strict mode, driver parameters, fault plan, watchdog) after adding
    /// `entries` to the catalog (``DeviceCatalog/include(_:)``), and returns its verdict.
    ///
    /// - Parameters:
    ///   - recordEventLog: also return the canonical event log, as JSON Lines (``ReplayResult/eventLog``).
    ///     When `options.eventLog` names a file, that file is written and read back.
    ///   - source: frames to replay instead of `options.trace` (a `FrameSource`).
    /// - Throws: `RunnerError` or `MachineError` for bad input (an unreadable trace, an unknown
    ///   model, a bad plan), one line naming the file or option and the problem. A run whose checks
    ///   fail does not throw: its result says why.
    public static func run(_ options: ReplayOptions, adding entries: [CatalogEntry] = [], recordEventLog: Bool = false,
                           source: (any FrameSource)? = nil) throws -> ReplayResult {
        DeviceCatalog.include(entries)
        var o = options
        let logPath = recordEventLog ? (o.eventLog ?? EventLogCapture.path()) : nil
        if let logPath { o.eventLog = logPath }
        let summary = try ReplayRun(o, source: source).run()
        let lines = logPath.map { options.eventLog == nil ? EventLogCapture.take($0) : EventLogCapture.read($0) } ?? []
        return ReplayResult(summary: summary, eventLog: lines)
    }
}
