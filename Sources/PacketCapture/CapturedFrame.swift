/// One packet read from a capture file (or to be written to one).
///
/// Values come straight from libpcap's per-packet header: `wireLength` is the header's `len`, `bytes` are
/// the header's `caplen` captured bytes, and the timestamp is in nanoseconds since the Unix epoch whatever
/// the file's own resolution (microsecond files are scaled by libpcap).
public struct CapturedFrame: Sendable, Hashable {
    /// 0-based position of the packet in its file. It counts every packet record in the file, including
    /// packets skipped by a BPF filter, so it always names the same record whatever filter is set.
    public var index: Int

    /// Capture time in nanoseconds since 1970-01-01T00:00:00Z: `seconds * 1_000_000_000 + nanoseconds`
    /// as libpcap reports them for the record (classic pcap's 32-bit fields read unsigned, as the format
    /// defines and Wireshark shows them; libpcap itself sign-extends them).
    public var timestampNanoseconds: UInt64

    /// Length of the frame on the wire, in bytes (libpcap's `len`). Larger than `bytes.count` when the
    /// snap length cut the frame short. libpcap does not check it: a damaged record may state a wire
    /// length below `bytes.count`, and it is passed through as is.
    public var wireLength: Int

    /// The captured bytes (libpcap's `caplen` bytes), starting with the link-layer header. libpcap cuts
    /// a record holding more bytes than the file's snap length down to that length.
    public var bytes: [UInt8]

    /// Creates a frame.
    /// - Parameters:
    ///   - index: 0-based position in the file (see ``index``).
    ///   - timestampNanoseconds: capture time in nanoseconds since the Unix epoch.
    ///   - wireLength: original length on the wire; defaults to `bytes.count` (nothing cut off).
    ///   - bytes: the captured bytes.
    public init(index: Int = 0, timestampNanoseconds: UInt64, wireLength: Int? = nil, bytes: [UInt8]) {
        self.index = index
        self.timestampNanoseconds = timestampNanoseconds
        self.wireLength = wireLength ?? bytes.count
        self.bytes = bytes
    }

    /// `true` when the capture holds fewer bytes than were on the wire (cut by the snap length).
    public var isTruncated: Bool { bytes.count < wireLength }
}
