import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a classic pcap file with nanosecond timestamps through libpcap
/// (`pcap_open_dead_with_tstamp_precision` + `pcap_dump_open` + `pcap_dump`).
///
/// Files it writes are ordinary nanosecond pcap files (magic `0xa1b23c4d`) that tcpdump, tshark and
/// ``PcapReader`` read. Call ``close()`` to flush and find out about late write errors; deinit closes too
/// but can only drop such errors. Not `Sendable`: it owns libpcap handles.
public final class PcapWriter {
    /// The snap length written when none is given: libpcap's maximum for Ethernet, 262144 bytes.
    public static let defaultSnapLength = 262_144

    /// The path as passed to ``init(path:linkType:snapLength:)``; errors name the file with it.
    public let path: String

    /// The `DLT_*` link type written in the file header.
    public let linkType: Int32

    /// The snap length written in the file header; no frame may capture more bytes than this.
    public let snapLength: Int

    /// How many frames have been written.
    public private(set) var framesWritten = 0

    /// The dead libpcap handle that fixes link type, snap length and precision; nil once closed.
    private var handle: OpaquePointer?

    /// The libpcap dumper writing the file; nil once closed.
    private var dumper: OpaquePointer?

    /// Creates (or truncates) the file at `path` and writes the pcap file header.
    /// - Parameters:
    ///   - path: where to write. `"-"` (which libpcap would take as standard output) is refused.
    ///   - linkType: the `DLT_*` link type of the frames; Ethernet by default.
    ///   - snapLength: the header's snap length, 1 through 262144 (the default).
    /// - Throws: ``PcapError/cannotCreate(file:message:)`` with libpcap's message.
    public init(
        path: String, linkType: Int32 = PcapLinkType.ethernet, snapLength: Int = PcapWriter.defaultSnapLength
    ) throws(PcapError) {
        self.path = path
        self.linkType = linkType
        self.snapLength = snapLength
        guard path != "-" else {
            throw .cannotCreate(file: path, message: "\"-\" means standard output to libpcap; refused")
        }
        guard (1...Self.defaultSnapLength).contains(snapLength) else {
            throw .cannotCreate(file: path, message: "snap length \(snapLength) is outside 1...\(Self.defaultSnapLength)")
        }
        guard let dead = pcap_open_dead_with_tstamp_precision(
            linkType, Int32(snapLength), UInt32(PCAP_TSTAMP_PRECISION_NANO))
        else {
            throw .cannotCreate(file: path, message: "pcap_open_dead_with_tstamp_precision failed")
        }
        guard let opened = pcap_dump_open(dead, path) else {
            let message = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw .cannotCreate(file: path, message: message)
        }
        handle = dead
        dumper = opened
    }

    deinit {
        try? close()
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { dumper == nil }

    /// Appends one frame.
    /// - Parameters:
    ///   - timestampNanoseconds: capture time in nanoseconds since the Unix epoch; classic pcap holds
    ///     32-bit seconds, so it must be before 2106-02-07T06:28:16Z.
    ///   - bytes: the captured bytes, at most ``snapLength`` of them.
    ///   - wireLength: the length on the wire, at least `bytes.count`; `nil` means `bytes.count`.
    /// - Throws: ``PcapError/writeFailed(file:message:)`` for a frame the file cannot hold, a closed
    ///   writer, or an I/O error.
    public func write(timestampNanoseconds: UInt64, bytes: [UInt8], wireLength: Int? = nil) throws(PcapError) {
        guard let dumper else { throw .writeFailed(file: path, message: "writer is closed") }
        let wire = wireLength ?? bytes.count
        guard bytes.count <= snapLength else {
            throw .writeFailed(file: path, message: "frame \(framesWritten): \(bytes.count) captured bytes exceed the snap length \(snapLength)")
        }
        guard wire >= bytes.count, wire <= Int(UInt32.max) else {
            throw .writeFailed(file: path, message: "frame \(framesWritten): wire length \(wire) is not in \(bytes.count)...\(UInt32.max)")
        }
        let seconds = timestampNanoseconds / 1_000_000_000
        guard seconds <= UInt64(UInt32.max) else {
            throw .writeFailed(file: path, message: "frame \(framesWritten): timestamp \(timestampNanoseconds) ns is past what classic pcap holds (32-bit seconds)")
        }
        var header = pcap_pkthdr()
        header.ts.tv_sec = .init(seconds)
        header.ts.tv_usec = .init(timestampNanoseconds % 1_000_000_000)  // nanoseconds: the handle is nano precision
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(wire)
        let user = UnsafeMutablePointer<UInt8>(dumper)
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                pcap_dump(user, &header, base)
            } else {
                var empty: UInt8 = 0  // no bytes to copy, but libpcap wants a pointer
                withUnsafePointer(to: &empty) { pcap_dump(user, &header, $0) }
            }
        }
        if ferror(pcap_dump_file(dumper)) != 0 {
            throw .writeFailed(file: path, message: "I/O error writing frame \(framesWritten)")
        }
        framesWritten += 1
    }

    /// Appends `frame` (its timestamp, bytes and wire length; its index is ignored).
    public func write(_ frame: CapturedFrame) throws(PcapError) {
        try write(timestampNanoseconds: frame.timestampNanoseconds, bytes: frame.bytes, wireLength: frame.wireLength)
    }

    /// Pushes buffered frames to the file (`pcap_dump_flush`).
    public func flush() throws(PcapError) {
        guard let dumper else { throw .writeFailed(file: path, message: "writer is closed") }
        if pcap_dump_flush(dumper) != 0 {
            throw .writeFailed(file: path, message: "pcap_dump_flush failed")
        }
    }

    /// Flushes and closes the file (`pcap_dump_flush`, `pcap_dump_close`, `pcap_close`). Idempotent:
    /// later calls do nothing. The handles are released even when flushing fails.
    /// - Throws: ``PcapError/writeFailed(file:message:)`` when buffered frames could not be written.
    public func close() throws(PcapError) {
        guard let dumper, let handle else { return }
        self.dumper = nil
        self.handle = nil
        let flushed = pcap_dump_flush(dumper) == 0
        pcap_dump_close(dumper)
        pcap_close(handle)
        if !flushed {
            throw .writeFailed(file: path, message: "pcap_dump_flush failed while closing")
        }
    }
}
