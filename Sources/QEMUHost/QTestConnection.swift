import Foundation
import NativeDriverKit
#if canImport(Glibc)
import Glibc
#endif

/// An interrupt line change QEMU reported asynchronously (`IRQ raise N` / `IRQ lower N`), for a
/// line intercepted with `irq_intercept_in`.
public struct QTestIRQEvent: Hashable, Sendable {
    /// The intercepted input line (for `ioapic`: the GSI).
    public var line: Int
    /// Raised (true) or lowered (false).
    public var raised: Bool
    /// Creates an event.
    public init(line: Int, raised: Bool) { self.line = line; self.raised = raised }
}

/// The client side of QEMU's qtest protocol: one text command per line, answered by one line
/// `OK [value]` or `FAIL message`; `IRQ raise N` / `IRQ lower N` lines may arrive before any reply
/// (and between replies) and are set aside as ``QTestIRQEvent``s.
///
/// Synchronous and single-threaded: each command waits for its reply. After the connection breaks
/// every command fails at once with the same error.
public final class QTestConnection {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var events: [QTestIRQEvent] = []
    /// Set once the connection broke; every later command throws it.
    public private(set) var failure: QEMUHostError?
    /// Called for a description of why the peer went away (e.g. QEMU's stderr).
    var diagnostics: () -> String = { "" }
    /// Commands sent so far (for statistics).
    public private(set) var commandCount = 0

    /// Speaks qtest over `fileDescriptor` (a connected stream socket); closes it on deinit if owned.
    public init(fileDescriptor: Int32, ownsDescriptor: Bool = true) {
        self.fd = fileDescriptor; self.ownsDescriptor = ownsDescriptor
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Sends `line` and returns the reply's text after `OK` (empty for a bare `OK`).
    @discardableResult
    public func command(_ line: String) throws(QEMUHostError) -> String {
        if let failure { throw failure }
        commandCount += 1
        try send(line + "\n")
        while true {
            let reply = try readLine(timeoutMilliseconds: -1)!
            if parseIRQ(reply) { continue }
            if reply == "OK" { return "" }
            if reply.hasPrefix("OK ") { return String(reply.dropFirst(3)) }
            if reply.hasPrefix("FAIL") { throw .commandFailed(command: line, reply: reply) }
            throw .malformedReply(command: line, reply: reply)
        }
    }

    /// Sends `line` and parses the `OK 0x…` reply as an integer.
    public func value(_ line: String) throws(QEMUHostError) -> UInt64 {
        let r = try command(line)
        guard let v = Self.parseHex(r) else { throw .malformedReply(command: line, reply: "OK " + r) }
        return v
    }

    /// IRQ events received so far, oldest first; clears them.
    public func takeIRQEvents() -> [QTestIRQEvent] {
        defer { events.removeAll() }
        return events
    }

    /// Whether IRQ events are waiting in ``takeIRQEvents()``.
    public var hasIRQEvents: Bool { !events.isEmpty }

    /// Waits up to `timeout` for an asynchronous IRQ line (returns at once if one is waiting).
    /// Returns whether any IRQ event is waiting.
    @discardableResult
    public func waitForIRQ(timeout: Duration) throws(QEMUHostError) -> Bool {
        if let failure { throw failure }
        if !events.isEmpty { return true }
        let us = max(0, Instant.picoseconds(of: timeout) / 1_000_000)
        var ms = Int32(clamping: us / 1000)
        if ms == 0 && us > 0 {
            // poll(2) counts milliseconds: sleep a sub-millisecond wait, then look without blocking.
            usleep(UInt32(us))
            ms = 0
        }
        guard let line = try readLine(timeoutMilliseconds: ms) else { return false }
        guard parseIRQ(line) else { return fail(.malformedReply(command: "(none)", reply: line)) }
        while let more = try readLine(timeoutMilliseconds: 0) {
            guard parseIRQ(more) else { return fail(.malformedReply(command: "(none)", reply: more)) }
        }
        return true
    }

    private func fail(_ e: QEMUHostError) -> Bool { failure = e; return !events.isEmpty }

    private func parseIRQ(_ line: String) -> Bool {
        guard line.hasPrefix("IRQ ") else { return false }
        let w = line.split(separator: " ")
        guard w.count == 3, let n = Int(w[2]), w[1] == "raise" || w[1] == "lower" else { return false }
        events.append(QTestIRQEvent(line: n, raised: w[1] == "raise"))
        return true
    }

    private func send(_ s: String) throws(QEMUHostError) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw broken("send failed: \(String(cString: strerror(errno)))")
            }
            off += n
        }
        bytes.removeAll()
    }

    private func broken(_ why: String) -> QEMUHostError {
        let d = diagnostics()
        let e = QEMUHostError.connectionLost(why + (d.isEmpty ? "" : " — QEMU said: " + d.trimmingTrailingNewlines))
        failure = e
        return e
    }

    /// Reads one line (without its newline). `timeoutMilliseconds` < 0 waits for ever; returns nil
    /// on timeout.
    private func readLine(timeoutMilliseconds: Int32) throws(QEMUHostError) -> String? {
        while true {
            if let nl = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<nl], as: UTF8.self)
                start = nl + 1
                if start > 65536 || start == buffer.count { buffer.removeFirst(start); start = 0 }
                return line.trimmingTrailingNewlines
            }
            if timeoutMilliseconds >= 0 {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let r = poll(&p, 1, timeoutMilliseconds)
                if r < 0 && errno == EINTR { continue }
                if r == 0 { return nil }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw broken("receive failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw broken("QEMU closed the qtest socket") }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Parses `0x…` (or bare hex).
    static func parseHex(_ s: String) -> UInt64? {
        let t = s.split(separator: " ").first.map(String.init) ?? ""
        let digits = t.hasPrefix("0x") || t.hasPrefix("0X") ? String(t.dropFirst(2)) : t
        return UInt64(digits, radix: 16)
    }

    /// Parses a `read` reply (`0x` + two hex digits per byte, memory order).
    static func parseHexBytes(_ s: String, count: Int) -> [UInt8]? {
        var u = Array((s.hasPrefix("0x") ? s.dropFirst(2) : Substring(s)).utf8)
        guard u.count == 2 * count else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        func nib(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        for i in 0..<count {
            guard let h = nib(u[2 * i]), let l = nib(u[2 * i + 1]) else { return nil }
            out[i] = h << 4 | l
        }
        u.removeAll()
        return out
    }

    static func hexBytes(_ b: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s = [UInt8](repeating: 0, count: 2 + 2 * b.count)
        s[0] = UInt8(ascii: "0"); s[1] = UInt8(ascii: "x")
        for (i, v) in b.enumerated() { s[2 + 2 * i] = digits[Int(v >> 4)]; s[3 + 2 * i] = digits[Int(v & 15)] }
        return String(decoding: s, as: UTF8.self)
    }
}

// MARK: typed commands

extension QTestConnection {
    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    private static func suffix(_ w: RegisterWidthBytes) -> String { ["b", "w", "l", "q"][w.index] }

    /// Reads guest-physical memory (MMIO or RAM) with one access of `bytes` (1, 2, 4 or 8).
    func memoryRead(_ address: UInt64, bytes: Int) throws(QEMUHostError) -> UInt64 {
        try value("read\(Self.suffix(RegisterWidthBytes(bytes))) \(Self.hex(address))")
    }
    /// Writes guest-physical memory with one access.
    func memoryWrite(_ address: UInt64, bytes: Int, value: UInt64) throws(QEMUHostError) {
        try command("write\(Self.suffix(RegisterWidthBytes(bytes))) \(Self.hex(address)) \(Self.hex(value))")
    }
    /// Reads an I/O port with one access of `bytes` (1, 2 or 4).
    func portRead(_ port: UInt64, bytes: Int) throws(QEMUHostError) -> UInt64 {
        try value("in\(Self.suffix(RegisterWidthBytes(bytes))) \(Self.hex(port))")
    }
    /// Writes an I/O port.
    func portWrite(_ port: UInt64, bytes: Int, value: UInt64) throws(QEMUHostError) {
        try command("out\(Self.suffix(RegisterWidthBytes(bytes))) \(Self.hex(port)) \(Self.hex(value))")
    }

    /// Reads `into.count` bytes of guest memory (hex for small reads, base64 for bulk).
    func readBytes(_ address: UInt64, into dst: UnsafeMutableRawBufferPointer) throws(QEMUHostError) {
        guard dst.count > 0 else { return }
        if dst.count <= 64 {
            let cmd = "read \(Self.hex(address)) \(dst.count)"
            let r = try command(cmd)
            guard let b = Self.parseHexBytes(r, count: dst.count) else { throw .malformedReply(command: cmd, reply: r) }
            b.withUnsafeBytes { dst.copyMemory(from: $0) }
        } else {
            let cmd = "b64read \(Self.hex(address)) \(dst.count)"
            let r = try command(cmd)
            guard let d = Data(base64Encoded: r), d.count == dst.count else { throw .malformedReply(command: cmd, reply: String(r.prefix(80))) }
            d.withUnsafeBytes { dst.copyMemory(from: $0) }
        }
    }

    /// Writes bytes to guest memory.
    func writeBytes(_ address: UInt64, from src: UnsafeRawBufferPointer) throws(QEMUHostError) {
        guard src.count > 0 else { return }
        if src.count <= 64 {
            try command("write \(Self.hex(address)) \(src.count) \(Self.hexBytes(src))")
        } else {
            let b64 = Data(bytes: src.baseAddress!, count: src.count).base64EncodedString()
            try command("b64write \(Self.hex(address)) \(src.count) \(b64)")
        }
    }

    /// Fills guest memory.
    func fill(_ address: UInt64, count: Int, value: UInt8) throws(QEMUHostError) {
        guard count > 0 else { return }
        try command("memset \(Self.hex(address)) \(count) \(Self.hex(UInt64(value)))")
    }
}

/// 1, 2, 4 or 8 bytes, as an index into the qtest command suffixes `b w l q`.
struct RegisterWidthBytes {
    let index: Int
    init(_ bytes: Int) {
        switch bytes {
        case 1: index = 0
        case 2: index = 1
        case 4: index = 2
        default: precondition(bytes == 8, "access width must be 1, 2, 4 or 8 bytes"); index = 3
        }
    }
}
