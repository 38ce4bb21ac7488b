import Glibc

/// Writes a pcapng file (the IETF draft "PCAP Next Generation Dump File Format",
/// draft-ietf-opsawg-pcapng): a Section Header Block, one Interface Description Block (Ethernet,
/// nanosecond timestamps) and an Enhanced Packet Block per frame, each frame with an optional
/// comment (`opt_comment`) — what a fault plan did to it, which Wireshark shows as `frame.comment`.
/// libpcap reads pcapng but writes only classic pcap, so the blocks are written here, per the
/// specification; every write error is reported (``PcapError/writeFailed(file:message:)``).
public final class PcapngWriter {
    /// The file.
    public let path: String
    /// Frames written.
    public private(set) var framesWritten = 0
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []

    /// Block types (§4).
    enum Block {
        static let sectionHeader: UInt32 = 0x0A0D_0D0A
        static let interfaceDescription: UInt32 = 0x0000_0001
        static let enhancedPacket: UInt32 = 0x0000_0006
    }
    /// Option codes (§3.5, §4.2).
    enum Option {
        static let endOfOptions: UInt16 = 0
        static let comment: UInt16 = 1
        static let interfaceTimestampResolution: UInt16 = 9
    }
    /// LINKTYPE_ETHERNET.
    static let ethernet: UInt16 = 1
    /// Largest captured frame written.
    public static let snapLength: UInt32 = 262_144

    /// Creates (or truncates) `path` and writes the section header and the interface description.
    public init(path: String) throws(PcapError) {
        self.path = path
        guard let f = fopen(path, "wb") else {
            throw .cannotOpen(file: path, message: String(cString: strerror(errno)))
        }
        file = f
        // Section Header Block (§4.1): byte-order magic, version 1.0, section length unknown (-1).
        var shb: [UInt8] = []
        Self.put32(&shb, 0x1A2B_3C4D); Self.put16(&shb, 1); Self.put16(&shb, 0)
        Self.put64(&shb, UInt64.max)
        try emit(Block.sectionHeader, body: shb, options: [])
        // Interface Description Block (§4.2): Ethernet, snap length, if_tsresol = 10^-9.
        var idb: [UInt8] = []
        Self.put16(&idb, Self.ethernet); Self.put16(&idb, 0); Self.put32(&idb, Self.snapLength)
        try emit(Block.interfaceDescription, body: idb, options: [(Option.interfaceTimestampResolution, [9])])
    }

    deinit { if let file { fclose(file) } }

    /// Writes one frame captured at `timestampNanoseconds` (its wire length is its length), with
    /// `comment` attached when given.
    public func write(timestampNanoseconds t: UInt64, bytes: UnsafeRawBufferPointer, comment: String? = nil) throws(PcapError) {
        guard bytes.count <= Int(Self.snapLength) else {
            throw .writeFailed(file: path, message: "frame \(framesWritten): \(bytes.count) bytes exceed the snap length \(Self.snapLength)")
        }
        // Enhanced Packet Block (§4.3): interface 0, timestamp high/low, captured and original length.
        var epb: [UInt8] = []
        epb.reserveCapacity(20 + bytes.count + 3)
        Self.put32(&epb, 0)
        Self.put32(&epb, UInt32(truncatingIfNeeded: t >> 32)); Self.put32(&epb, UInt32(truncatingIfNeeded: t))
        Self.put32(&epb, UInt32(bytes.count)); Self.put32(&epb, UInt32(bytes.count))
        epb.append(contentsOf: bytes)
        while epb.count % 4 != 0 { epb.append(0) }
        try emit(Block.enhancedPacket, body: epb, options: comment.map { [(Option.comment, Array($0.utf8))] } ?? [])
        framesWritten += 1
    }

    /// Flushes and closes the file.
    public func close() throws(PcapError) {
        guard let f = file else { return }
        file = nil
        if fclose(f) != 0 { throw .writeFailed(file: path, message: "close failed: \(String(cString: strerror(errno)))") }
    }

    /// One block: type, total length, body, options (each padded to 32 bits, then opt_endofopt), total length.
    private func emit(_ type: UInt32, body: [UInt8], options: [(UInt16, [UInt8])]) throws(PcapError) {
        var opts: [UInt8] = []
        if !options.isEmpty {
            for (code, value) in options {
                Self.put16(&opts, code); Self.put16(&opts, UInt16(value.count))
                opts.append(contentsOf: value)
                while opts.count % 4 != 0 { opts.append(0) }
            }
            Self.put16(&opts, Option.endOfOptions); Self.put16(&opts, 0)
        }
        let total = UInt32(12 + body.count + opts.count)
        buffer.removeAll(keepingCapacity: true)
        Self.put32(&buffer, type); Self.put32(&buffer, total)
        buffer.append(contentsOf: body); buffer.append(contentsOf: opts)
        Self.put32(&buffer, total)
        guard let f = file else { throw .writeFailed(file: path, message: "writer is closed") }
        let n = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        guard n == buffer.count else { throw .writeFailed(file: path, message: "write failed: \(String(cString: strerror(errno)))") }
    }

    static func put16(_ b: inout [UInt8], _ v: UInt16) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8)) }
    static func put32(_ b: inout [UInt8], _ v: UInt32) { for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    static func put64(_ b: inout [UInt8], _ v: UInt64) { for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
}
