import Foundation
import Synchronization

/// Where a run writes its event log when a test asks for it: a file of its own in the temporary
/// directory, read back as lines and removed.
enum EventLogCapture {
    /// A fresh path (unique per call: the process id and a counter, no clock or randomness).
    static func path() -> String {
        let n = counter.add(1)
        return FileManager.default.temporaryDirectory
            .appendingPathComponent("boxless-testing-\(ProcessInfo.processInfo.processIdentifier)-\(n).jsonl").path
    }

    /// Reads and removes `path`: one string per record.
    static func take(_ path: String) -> [String] {
        defer { try? FileManager.default.removeItem(atPath: path) }
        return read(path)
    }

    /// Reads `path`: one string per record.
    static func read(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private static let counter = Counter()

    /// A thread-safe counter.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func add(_ n: Int) -> Int { value.withLock { $0 += n; return $0 } }
    }
}
