/// Where a transmit offload finds its fields in a frame: the offsets a descriptor or context gives
/// (Intel's IPCSS/IPCSO/TUCSS/TUCSO/HDRLEN, SDM §3.3.6, §3.5) or that a chip derives by parsing
/// (Realtek's large send and checksum offload, RTL8139C+ / RTL8169 datasheets "Transmit
/// Descriptor"). One description serves checksum insertion and TCP segmentation.
public struct TransmitOffloadLayout: Sendable, Equatable {
    /// Start of the IP header.
    public var l3Offset: Int
    /// Where the IPv4 header checksum goes (nil: no IPv4 checksum to insert).
    public var ipv4ChecksumOffset: Int?
    /// End (exclusive) of the bytes the IPv4 checksum covers (normally l3Offset + IHL).
    public var ipv4ChecksumEnd: Int
    /// Start of the TCP/UDP header.
    public var l4Offset: Int
    /// Where the TCP/UDP checksum goes (nil: no L4 checksum to insert).
    public var l4ChecksumOffset: Int?
    /// IPv4 (true) or IPv6 (false) under the L4 header.
    public var ipv4: Bool
    /// TCP (true) or UDP (false).
    public var tcp: Bool
    /// What the L4 checksum field holds before insertion.
    public var seed: Seed

    /// The L4 checksum field's content when the frame is handed to the device.
    public enum Seed: Sendable, Equatable {
        /// The pseudo-header sum without the length (what Intel's drivers leave for TSO and
        /// checksum offload, SDM §3.5.1): the device adds the segment's L4 length.
        case pseudoHeaderWithoutLength
        /// The pseudo-header sum with the length (Linux's CHECKSUM_PARTIAL for checksum offload):
        /// used as is.
        case pseudoHeader
        /// Anything: the device computes the whole pseudo-header itself (Realtek).
        case none
    }

    /// Creates a layout.
    public init(l3Offset: Int, ipv4ChecksumOffset: Int?, ipv4ChecksumEnd: Int, l4Offset: Int, l4ChecksumOffset: Int?,
                ipv4: Bool, tcp: Bool, seed: Seed) {
        self.l3Offset = l3Offset; self.ipv4ChecksumOffset = ipv4ChecksumOffset; self.ipv4ChecksumEnd = ipv4ChecksumEnd
        self.l4Offset = l4Offset; self.l4ChecksumOffset = l4ChecksumOffset; self.ipv4 = ipv4; self.tcp = tcp; self.seed = seed
    }

    /// The layout of a parsed frame (IPv4 or IPv6, TCP or UDP), inserting both checksums.
    public init?(_ h: FrameHeaders, seed: Seed) {
        guard let l4 = h.l4Offset, h.ipVersion == 4 || h.ipVersion == 6 else { return nil }
        self.init(l3Offset: h.l3Offset, ipv4ChecksumOffset: h.ipv4ChecksumOffset, ipv4ChecksumEnd: h.l3Offset + h.l3Length,
                  l4Offset: l4, l4ChecksumOffset: l4 + (h.isTCP ? 16 : 6), ipv4: h.ipVersion == 4, tcp: h.isTCP, seed: seed)
    }
}

/// Why an offload could not be done as asked (the model reports it as a strict finding with its
/// own datasheet's section, and sends or drops the frame as its chip does).
public enum TransmitOffloadError: Error, Sendable, Equatable {
    /// A checksum's range or field does not fit the frame.
    case offsetsOutsideFrame(start: Int, end: Int, field: Int, length: Int)
    /// Segmentation needs an MSS, a header shorter than the frame and an L4 header inside it.
    case unusableSegmentation(header: Int, mss: Int, length: Int)
}

/// Checksum insertion and TCP segmentation (TSO / large send) on frames in memory. No allocation
/// beyond a scratch buffer that grows to the largest segment and is kept.
public enum TransmitOffload {
    /// Inserts the IPv4 header checksum and the TCP/UDP checksum of the `length`-byte frame at `p`
    /// as `layout` says (RFC 791 §3.1, RFC 793 §3.1, RFC 768; a computed UDP zero is sent as all ones).
    public static func insertChecksums(_ p: UnsafeMutableRawPointer, _ length: Int, _ layout: TransmitOffloadLayout) throws(TransmitOffloadError) {
        if let at = layout.ipv4ChecksumOffset {
            try checkFits(start: layout.l3Offset, end: layout.ipv4ChecksumEnd, field: at, length: length)
            NetworkOrder.store16(p, at, 0)
            NetworkOrder.store16(p, at, ~InternetChecksum.sum(p + layout.l3Offset, layout.ipv4ChecksumEnd - layout.l3Offset))
        }
        if let at = layout.l4ChecksumOffset {
            try checkFits(start: layout.l4Offset, end: length, field: at, length: length)
            insertL4(p, length, layout, at: at)
        }
    }

    /// The L4 checksum over l4Offset..<length, seeded as the layout says.
    static func insertL4(_ p: UnsafeMutableRawPointer, _ length: Int, _ layout: TransmitOffloadLayout, at: Int) {
        let l4Length = length - layout.l4Offset
        let initial: UInt32
        switch layout.seed {
        case .pseudoHeaderWithoutLength: initial = UInt32(l4Length)
        case .pseudoHeader: initial = 0
        case .none:
            NetworkOrder.store16(p, at, 0)
            let proto = UInt32(layout.tcp ? 6 : 17) + UInt32(l4Length)
            initial = UInt32(layout.ipv4 ? InternetChecksum.sum(p + layout.l3Offset + 12, 8, initial: proto)
                                         : InternetChecksum.sum(p + layout.l3Offset + 8, 32, initial: proto))
        }
        var v = ~InternetChecksum.sum(p + layout.l4Offset, l4Length, initial: initial)
        if !layout.tcp && v == 0 { v = 0xFFFF }
        NetworkOrder.store16(p, at, v)
    }

    @inline(__always)
    static func checkFits(start: Int, end: Int, field: Int, length: Int) throws(TransmitOffloadError) {
        guard start < end, end <= length, field >= 0, field + 2 <= length else {
            throw .offsetsOutsideFrame(start: start, end: end, field: field, length: length)
        }
    }
}

/// TCP segmentation (Intel SDM §3.5, Realtek "large send"): cuts a super-frame of `header` bytes of
/// headers and a payload into segments of at most `mss` payload bytes, each with the headers
/// copied and fixed — IPv4 total length and identification + n, or the IPv6 payload length; the
/// TCP sequence number advanced, PSH and FIN only on the last segment (or the UDP length) — and
/// the checksums inserted as the layout says.
public struct TCPSegmenter {
    /// The segment being built (grown to the largest segment, never shrunk).
    public private(set) var buffer: UnsafeMutableRawPointer
    /// Bytes ``buffer`` holds.
    public private(set) var capacity: Int

    /// A segmenter with room for `capacity` bytes to start with.
    public init(capacity: Int = 2048) {
        self.capacity = capacity
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    /// Frees the buffer (call from the owning model's deinit).
    public func deallocate() { buffer.deallocate() }

    /// Makes ``buffer`` hold at least `n` bytes (contents are not kept).
    public mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        buffer.deallocate()
        buffer = .allocate(byteCount: n, alignment: 16)
        capacity = n
    }

    /// Segments the `length`-byte super-frame at `frame`; `emit` gets each segment (valid during the
    /// call) and its length, in order. Returns the number of segments.
    @discardableResult
    public mutating func segment(_ frame: UnsafeRawPointer, length: Int, header: Int, mss: Int, layout: TransmitOffloadLayout,
                                 emit: (UnsafeMutableRawPointer, Int) -> Void) throws(TransmitOffloadError) -> Int {
        guard mss > 0, header > 0, header < length, layout.l4Offset + (layout.tcp ? 20 : 8) <= header,
              layout.l3Offset + (layout.ipv4 ? 20 : 40) <= header else {
            throw .unusableSegmentation(header: header, mss: mss, length: length)
        }
        if let at = layout.ipv4ChecksumOffset {
            try TransmitOffload.checkFits(start: layout.l3Offset, end: layout.ipv4ChecksumEnd, field: at, length: header)
        }
        if let at = layout.l4ChecksumOffset { try TransmitOffload.checkFits(start: layout.l4Offset, end: header, field: at, length: header) }
        reserve(header + mss)
        let l3 = layout.l3Offset, l4 = layout.l4Offset
        let ipID = layout.ipv4 ? NetworkOrder.load16(frame, l3 + 4) : 0
        let sequence = layout.tcp ? NetworkOrder.load32(frame, l4 + 4) : 0
        var offset = header, index: UInt16 = 0
        while offset < length {
            let chunk = min(mss, length - offset)
            let n = header + chunk
            let last = offset + chunk == length
            let s = buffer
            s.copyMemory(from: frame, byteCount: header)
            (s + header).copyMemory(from: frame + offset, byteCount: chunk)
            if layout.ipv4 {
                NetworkOrder.store16(s, l3 + 2, UInt16(truncatingIfNeeded: n - l3))
                NetworkOrder.store16(s, l3 + 4, ipID &+ index)
            } else {
                NetworkOrder.store16(s, l3 + 4, UInt16(truncatingIfNeeded: n - l3 - 40))
            }
            if layout.tcp {
                NetworkOrder.store32(s, l4 + 4, sequence &+ UInt32(truncatingIfNeeded: offset - header))
                if !last {
                    let flags = s.load(fromByteOffset: l4 + 13, as: UInt8.self) & ~0x09   // clear PSH, FIN
                    s.storeBytes(of: flags, toByteOffset: l4 + 13, as: UInt8.self)
                }
            } else {
                NetworkOrder.store16(s, l4 + 4, UInt16(truncatingIfNeeded: n - l4))
            }
            if let at = layout.ipv4ChecksumOffset {
                NetworkOrder.store16(s, at, 0)
                NetworkOrder.store16(s, at, ~InternetChecksum.sum(s + l3, layout.ipv4ChecksumEnd - l3))
            }
            if let at = layout.l4ChecksumOffset { TransmitOffload.insertL4(s, n, layout, at: at) }
            emit(s, n)
            offset += chunk
            index &+= 1
        }
        return Int(index)
    }
}
