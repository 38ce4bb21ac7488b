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

    /// The first write error (the rest of the log is not written after it).
    public private(set) var writeError: String?

    /// Writes what is buffered.
    public func flush() {
        guard !pending.isEmpty, writeError == nil else { pending.removeAll(keepingCapacity: true); return }
        do { try handle.write(contentsOf: pending) } catch { writeError = "write failed: \(error)" }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes; throws the first write error, naming the file.
    public func close() throws(RunnerError) {
        flush()
        do { try handle.close() } catch { if writeError == nil { writeError = "close failed: \(error)" } }
        if let w = writeError { throw .cannotWrite(path, w) }
    }
}

/// Errors of the runner that concern the user's files and options.
public enum RunnerError: Error, CustomStringConvertible, Equatable {
    /// A file could not be written (path, why).
    case cannotWrite(String, String)
    /// A file could not be read, or is not what it must be (path, why).
    case cannotRead(String, String)
    /// An option or a combination of options is invalid.
    case badOption(String)
    /// The driver did not bind, or its interface or device did not come up.
    case probeFailed(String)
    /// A host (QEMU, the Linux guest) failed or could not be started.
    case hostFailed(String)
    /// One line.
    public var description: String {
        switch self {
        case let .cannotWrite(p, m), let .cannotRead(p, m): return m.hasPrefix(p + ":") ? m : "\(p): \(m)"
        case let .badOption(m), let .probeFailed(m), let .hostFailed(m): return m
        }
    }
}
