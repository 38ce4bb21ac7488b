import BoxlessPlatform
import Foundation

/// Writes the event log as JSON Lines (one object per record; see ``EventRecord/jsonLine(time:index:)``).
public final class EventLogFile: EventSink {
    private let handle: FileHandle
    private var pending = Data()
    /// The path written.
    public let path: String

    /// Creates (or truncates) `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RunnerError.cannotWrite(path, "cannot create file")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw RunnerError.cannotWrite(path, "cannot open for writing") }
        handle = h
        self.path = path
    }

    public func record(_ event: EventRecord, at time: VirtualTime, index: UInt64) {
        pending.append(contentsOf: Array(event.jsonLine(time: time, index: index).utf8))
        pending.append(0x0A)
        if pending.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        guard !pending.isEmpty else { return }
        handle.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes.
    public func close() {
        flush()
        try? handle.close()
    }
}

/// Errors of the runner that concern the user's files and options.
public enum RunnerError: Error, CustomStringConvertible, Equatable {
    /// A file could not be written.
    case cannotWrite(String, String)
    /// A file could not be read.
    case cannotRead(String, String)
    /// An option is invalid.
    case badOption(String)
    /// One line.
    public var description: String {
        switch self {
        case let .cannotWrite(p, m): return "\(p): \(m)"
        case let .cannotRead(p, m): return "\(p): \(m)"
        case let .badOption(m): return m
        }
    }
}
