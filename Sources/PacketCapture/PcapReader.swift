import CPcap

/// Reads the packets of a pcap or pcapng file, in file order, through libpcap.
///
/// The file is opened with `pcap_open_offline_with_tstamp_precision(…, PCAP_TSTAMP_PRECISION_NANO, …)`, so
/// every timestamp is in nanoseconds whatever the file's resolution, and packets come from `pcap_next_ex`.
/// libpcap itself decides what is a valid capture; this type never parses capture bytes.
///
/// pcapng files are read as libpcap reads them: all interfaces must share one link type (libpcap's rule;
/// a file that mixes them fails with ``PcapError/mixedLinkTypes(file:packetIndex:message:)`` at the
/// interface block that differs).
///
/// After ``next()`` has thrown, the reader is stuck at that error: every later call throws it again
/// (libpcap's position in the file is undefined after a failed read). After the end of the file,
/// ``next()`` keeps returning `nil`.
///
/// Not `Sendable`: it owns a libpcap handle, closed on deinit.
public final class PcapReader {
    /// The path as passed to ``init(path:requireEthernet:)``; errors name the file with it.
    public let path: String

    /// The capture's `DLT_*` link type (`pcap_datalink`); for pcapng, the first interface's.
    public let linkType: Int32

    /// The most bytes a frame of this capture can hold: the file's snap length as libpcap reports it
    /// (`pcap_snapshot`), capped for Ethernet at libpcap's maximum, 262144.
    ///
    /// libpcap replaces a zero snap length, or one above `Int32.max`, by 262144 itself, but passes
    /// exactly `0x7fffffff` through (see ``declaredSnapLength``) while still refusing records longer
    /// than 262144. libpcap also cuts every record to this length: a damaged file whose records hold
    /// more bytes than its header's snap length yields frames of `snapLength` bytes (Wireshark keeps
    /// them whole).
    public let snapLength: Int

    /// The snap length exactly as libpcap reports it (`pcap_snapshot`), before the Ethernet cap.
    public let declaredSnapLength: Int

    /// The most bytes libpcap's reader returns per Ethernet record (its `MAXIMUM_SNAPLEN`).
    public static let maximumEthernetSnapLength = 262_144

    /// Whether the file is classic pcap (libpcap reports file version 2.x; pcapng reports 1.x).
    let isClassicPcap: Bool

    /// How many packet records have been read from the file so far, including those a filter skipped:
    /// the ``CapturedFrame/index`` the next record will get.
    public private(set) var packetsRead = 0

    /// The libpcap handle (`pcap_t *`), closed on deinit.
    private let handle: OpaquePointer

    /// The active filter, if any.
    private var filter: BPFFilter?

    /// Where the reader stands in the file.
    private enum State {
        /// More records may follow.
        case reading
        /// libpcap reported the end of the file.
        case ended
        /// A read failed; every later read repeats the error.
        case failed(PcapError)
    }

    /// Where the reader stands in the file.
    private var state = State.reading

    /// Opens `path` for reading.
    /// - Parameters:
    ///   - path: a classic pcap (micro- or nanosecond, either byte order) or pcapng file. `"-"` (which
    ///     libpcap would take as standard input) is refused; write `"./-"` for a file of that name.
    ///   - requireEthernet: when `true` (the default), a capture whose link type is not Ethernet
    ///     (`DLT_EN10MB`) is refused with ``PcapError/unsupportedLinkType(file:linkType:name:)``.
    /// - Throws: ``PcapError/cannotOpen(file:message:)`` with libpcap's message (missing file, empty file,
    ///   unknown magic, …), or ``PcapError/unsupportedLinkType(file:linkType:name:)``.
    public init(path: String, requireEthernet: Bool = true) throws(PcapError) {
        guard path != "-" else {
            throw .cannotOpen(file: path, message: "\"-\" means standard input to libpcap; refused")
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let opened = pcap_open_offline_with_tstamp_precision(
            path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        guard let opened else {
            throw .cannotOpen(file: path, message: Self.string(fromErrorBuffer: errorBuffer))
        }
        let linkType = pcap_datalink(opened)
        if requireEthernet && linkType != PcapLinkType.ethernet {
            pcap_close(opened)
            throw .unsupportedLinkType(file: path, linkType: linkType, name: PcapLinkType.name(of: linkType))
        }
        self.path = path
        self.handle = opened
        self.linkType = linkType
        let declared = Int(pcap_snapshot(opened))
        self.declaredSnapLength = declared
        self.snapLength = linkType == PcapLinkType.ethernet ? min(declared, Self.maximumEthernetSnapLength) : declared
        self.isClassicPcap = pcap_major_version(opened) == PCAP_VERSION_MAJOR
    }

    deinit {
        pcap_close(handle)
    }

    /// libpcap's short name for ``linkType`` (`pcap_datalink_val_to_name`), e.g. `"EN10MB"`.
    public var linkTypeName: String { PcapLinkType.name(of: linkType) }

    /// The expression of the active BPF filter, or `nil` when every packet is returned.
    public var filterExpression: String? { filter?.expression }

    /// Restricts ``next()`` to packets matching the BPF `expression` (tcpdump syntax, e.g. `"arp"`),
    /// compiled by libpcap for this capture's link type (`pcap_compile`, optimised,
    /// `PCAP_NETMASK_UNKNOWN`). Applies from the next packet read; replaces any earlier filter.
    ///
    /// Skipped packets still count: ``CapturedFrame/index`` is always the packet's position among
    /// *all* records of the file, so indices of filtered frames have gaps. (That is why the filter is
    /// run with `pcap_offline_filter` on each record rather than installed with `pcap_setfilter`, which
    /// would make libpcap skip records unseen; both run the same compiled program in the same
    /// interpreter.)
    /// - Throws: ``PcapError/badFilter(file:expression:message:)`` with libpcap's message; the earlier
    ///   filter, if any, stays active.
    public func setFilter(_ expression: String) throws(PcapError) {
        filter = try BPFFilter(handle: handle, expression: expression, file: path)
    }

    /// Removes the filter: ``next()`` returns every packet again.
    public func clearFilter() {
        filter = nil
    }

    /// The next packet (matching the filter, if one is set), or `nil` at the end of the file.
    /// - Throws: ``PcapError/readFailed(file:packetIndex:message:)`` naming the 0-based index of the
    ///   record libpcap could not read (cut off, impossible length, I/O error),
    ///   ``PcapError/mixedLinkTypes(file:packetIndex:message:)``, or
    ///   ``PcapError/timestampOutOfRange(file:packetIndex:seconds:subsecondNanoseconds:)``.
    public func next() throws(PcapError) -> CapturedFrame? {
        while true {
            switch state {
            case .reading: break
            case .ended: return nil
            case .failed(let error): throw error
            }
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let status = pcap_next_ex(handle, &header, &data)
            let index = packetsRead
            switch status {
            case 1:
                packetsRead += 1
                guard let header else {
                    try fail(.readFailed(file: path, packetIndex: index, message: "pcap_next_ex gave no header"))
                }
                if let filter, !filter.matches(header: header, data: data) { continue }
                return try frame(index: index, header: header.pointee, data: data)
            case PCAP_ERROR_BREAK:  // -2: no more packets in the file
                state = .ended
                return nil
            default:  // -1 (PCAP_ERROR) or anything a savefile should never return
                let message = String(cString: pcap_geterr(handle))
                if message.contains("different from the type of the first interface") {
                    try fail(.mixedLinkTypes(file: path, packetIndex: index, message: message))
                }
                let text = status == PCAP_ERROR ? message : "pcap_next_ex returned \(status): \(message)"
                try fail(.readFailed(file: path, packetIndex: index, message: text))
            }
        }
    }

    /// Reads every remaining packet (matching the filter, if one is set).
    public func readAll() throws(PcapError) -> [CapturedFrame] {
        var frames: [CapturedFrame] = []
        while let frame = try next() { frames.append(frame) }
        return frames
    }

    /// Records `error` as the reader's final state and throws it.
    private func fail(_ error: PcapError) throws(PcapError) -> Never {
        state = .failed(error)
        throw error
    }

    /// Builds the frame for the record libpcap just returned.
    private func frame(index: Int, header: pcap_pkthdr, data: UnsafePointer<UInt8>?) throws(PcapError) -> CapturedFrame {
        // With nanosecond precision libpcap puts nanoseconds in `tv_usec`.
        let seconds = Int64(header.ts.tv_sec), fraction = Int64(header.ts.tv_usec)
        guard let timestamp = PcapTimestamp.nanoseconds(seconds: seconds, fraction: fraction, classicPcap: isClassicPcap) else {
            try fail(.timestampOutOfRange(file: path, packetIndex: index, seconds: Int(seconds), subsecondNanoseconds: Int(fraction)))
        }
        let count = Int(header.caplen)
        let bytes: [UInt8] = if let data, count > 0 { Array(UnsafeBufferPointer(start: data, count: count)) } else { [] }
        return CapturedFrame(index: index, timestampNanoseconds: timestamp, wireLength: Int(header.len), bytes: bytes)
    }

    /// The NUL-terminated message libpcap left in `buffer`.
    private static func string(fromErrorBuffer buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
