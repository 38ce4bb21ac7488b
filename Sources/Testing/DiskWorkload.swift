import BoxlessRunner

/// Drives the block path with a seeded workload and checks it — `boxless disk` as a function
/// (the runner's one block workload, not a copy).
public enum DiskWorkload {
    /// Runs the workload `options` describe (controller, image or size, workload kind, queue
    /// depth, operations, seed, strict mode, driver parameters, fault plan) and returns its verdict.
    ///
    /// - Parameter recordEventLog: also return the canonical event log, as JSON Lines.
    /// - Throws: `RunnerError` for bad input (a missing image, a bad size or plan). A run whose
    ///   checks fail does not throw: its result says why.
    public static func run(_ options: DiskOptions, recordEventLog: Bool = false) throws -> DiskResult {
        var o = options
        let logPath = recordEventLog ? (o.eventLog ?? EventLogCapture.path()) : nil
        if let logPath { o.eventLog = logPath }
        let summary = try DiskRun.run(o)
        let lines = logPath.map { options.eventLog == nil ? EventLogCapture.take($0) : EventLogCapture.read($0) } ?? []
        return DiskResult(summary: summary, eventLog: lines)
    }
}
