import BoxlessPlatform
import Foundation

/// A run as a Chrome / Perfetto trace-event file (`--trace-out FILE.json`; the JSON "Trace Event
/// Format" that ui.perfetto.dev and chrome://tracing open): one process, a track per kind of
/// activity — config and register accesses, DMA, interrupts, frames, disk commands, faults, notes
/// and driver log lines, findings — with every event at its virtual time (microseconds, to the
/// picosecond). It is an ``EventSink`` of the machine's log plus what the runner adds (frames and
/// disk commands, which the log does not carry). Written as it goes; a write error is kept and
/// reported by ``close()``.
public final class TraceEventFile: EventSink {
    /// The tracks (`tid`s), in display order.
    public enum Track: Int, CaseIterable, Sendable {
        case registers = 1, dma, interrupts, frames, disk, faults, notes, findings
        /// The track's name in the UI.
        public var name: String {
            switch self {
            case .registers: return "MMIO / I/O / config"
            case .dma: return "DMA"
            case .interrupts: return "interrupts"
            case .frames: return "frames"
            case .disk: return "disk commands"
            case .faults: return "faults"
            case .notes: return "notes and driver log"
            case .findings: return "findings"
            }
        }
    }

    /// The file.
    public let path: String
    private let handle: FileHandle
    private var pending = Data()
    private var first = true
    private var writeError: String?

    /// Creates (or truncates) `path` and names the process `process` and its tracks.
    public init(path: String, process: String) throws(RunnerError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw .cannotWrite(path, "cannot create file")
        }
        handle = h
        self.path = path
        append("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")
        event("{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\(jsonString(process))}}")
        for t in Track.allCases {
            event("{\"ph\":\"M\",\"pid\":1,\"tid\":\(t.rawValue),\"name\":\"thread_name\",\"args\":{\"name\":\(jsonString(t.name))}}")
            event("{\"ph\":\"M\",\"pid\":1,\"tid\":\(t.rawValue),\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":\(t.rawValue)}}")
        }
    }

    /// Microseconds of a virtual time, exact to the picosecond.
    static func ts(_ t: VirtualTime) -> String {
        let ps = t.rawValue
        let frac = String(ps % 1_000_000)
        return "\(ps / 1_000_000).\(String(repeating: "0", count: 6 - frac.count))\(frac)"
    }

    /// An instant event on `track`.
    public func instant(_ name: String, track: Track, at t: VirtualTime, args: [(String, String)] = []) {
        let a = args.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",")
        event("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":\(track.rawValue),\"ts\":\(Self.ts(t)),\"name\":\(jsonString(name)),\"args\":{\(a)}}")
    }

    /// A span from `start` to `end` on `track` (a disk command from submission to completion).
    public func span(_ name: String, track: Track, from start: VirtualTime, to end: VirtualTime, args: [(String, String)] = []) {
        let a = args.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",")
        let dur = TraceEventFile.ts(VirtualTime(rawValue: end.rawValue &- min(start.rawValue, end.rawValue)))
        event("{\"ph\":\"X\",\"pid\":1,\"tid\":\(track.rawValue),\"ts\":\(Self.ts(start)),\"dur\":\(dur),\"name\":\(jsonString(name)),\"args\":{\(a)}}")
    }

    public func record(_ e: EventRecord, at t: VirtualTime, index: UInt64) {
        switch e {
        case let .configRead(_, off, w, v):
            instant("config read\(w) 0x\(String(off, radix: 16))", track: .registers, at: t, args: [("value", "0x" + String(v, radix: 16))])
        case let .configWrite(_, off, w, v):
            instant("config write\(w) 0x\(String(off, radix: 16))", track: .registers, at: t, args: [("value", "0x" + String(v, radix: 16))])
        case let .registerRead(_, space, bar, off, w, v):
            instant("\(space == .io ? "in" : "read")\(w) BAR\(bar)+0x\(String(off, radix: 16))", track: .registers, at: t,
                    args: [("value", "0x" + String(v, radix: 16))])
        case let .registerWrite(_, space, bar, off, w, v):
            instant("\(space == .io ? "out" : "write")\(w) BAR\(bar)+0x\(String(off, radix: 16))", track: .registers, at: t,
                    args: [("value", "0x" + String(v, radix: 16))])
        case let .dmaRead(_, a, len, st), let .dmaWrite(_, a, len, st):
            let write: Bool
            if case .dmaWrite = e { write = true } else { write = false }
            instant("DMA \(write ? "write" : "read") \(len) B", track: .dma, at: t,
                    args: [("address", "0x" + String(a.rawValue, radix: 16)), ("status", "\(st)")])
        case let .interrupt(_, kind, vector, asserted, outcome):
            instant("\(kind) \(vector)\(kind == .intx ? (asserted ? " assert" : " deassert") : "")", track: .interrupts, at: t,
                    args: [("outcome", "\(outcome)")])
        case let .finding(f):
            instant(f.rule ?? f.code.rawValue, track: .findings, at: t, args: [("message", f.message), ("reference", f.reference ?? "")])
        case let .note(source, text):
            instant(text, track: .notes, at: t, args: [("source", source)])
        case .barrier:
            break
        case let .fault(f):
            instant(f.fault, track: .faults, at: t, args: [("rule", String(f.rule)), ("trigger", f.trigger), ("target", f.target)])
        }
    }

    /// Ends the JSON and closes the file; throws the first write error.
    public func close() throws(RunnerError) {
        append("]}\n")
        flush()
        do { try handle.close() } catch { if writeError == nil { writeError = "\(error)" } }
        if let w = writeError { throw .cannotWrite(path, w) }
    }

    private func event(_ json: String) {
        if !first { pending.append(0x2C) }
        first = false
        pending.append(0x0A)
        append(json)
    }

    private func append(_ s: String) {
        pending.append(contentsOf: Array(s.utf8))
        if pending.count >= 1 << 16 { flush() }
    }

    private func flush() {
        guard !pending.isEmpty, writeError == nil else { pending.removeAll(keepingCapacity: true); return }
        do { try handle.write(contentsOf: pending) } catch { writeError = "\(error)" }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Several sinks for one log (the JSON Lines event log and the trace-event file), in order.
public final class EventSinks: EventSink {
    private let sinks: [any EventSink]
    /// Creates a tee of `sinks`.
    public init(_ sinks: [any EventSink]) { self.sinks = sinks }
    public func record(_ event: EventRecord, at time: VirtualTime, index: UInt64) {
        for s in sinks { s.record(event, at: time, index: index) }
    }
}
