import BoxlessPlatform

/// What a run records to beside its summary: the event log as JSON Lines (`--event-log`) and the
/// Chrome/Perfetto trace-event file (`--trace-out`), both fed from the machine's one event log
/// (teed when both are asked for). Every run kind opens them the same way.
struct RunRecording {
    /// The event-log file, if asked for.
    let eventFile: EventLogFile?
    /// The trace-event file, if asked for.
    let trace: TraceEventFile?

    /// Opens the files asked for and makes them `machine`'s log sink; `process` names the run in
    /// the trace viewer. A file that cannot be created is one error line naming it.
    init(machine: Machine, eventLog: String?, traceOut: String?, process: String) throws {
        let e = try eventLog.map { try EventLogFile(path: $0) }
        let t = try traceOut.map { p throws(RunnerError) in try TraceEventFile(path: p, process: process) }
        switch (e, t) {
        case let (e?, t?): machine.log.sink = EventSinks([e, t])
        case let (e?, nil): machine.log.sink = e
        case let (nil, t?): machine.log.sink = t
        case (nil, nil): break
        }
        eventFile = e; trace = t
    }
}
