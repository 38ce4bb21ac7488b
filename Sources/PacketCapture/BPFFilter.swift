import CPcap

/// A BPF filter expression (tcpdump syntax, e.g. `"arp"`, `"tcp port 80"`) compiled by libpcap
/// (`pcap_compile`, optimised, netmask unknown) and run by libpcap's BPF interpreter
/// (`pcap_offline_filter`).
///
/// ``PcapReader/setFilter(_:)`` uses one internally; a stand-alone one filters frames from any source,
/// e.g. frames a replay produced. Not `Sendable`: it owns a C program freed on deinit.
public final class BPFFilter {
    /// The expression as given.
    public let expression: String

    /// The `DLT_*` link type the expression was compiled for; frames must start with that header.
    public let linkType: Int32

    /// The compiled program; freed with `pcap_freecode` on deinit.
    private var program: bpf_program

    /// Compiles `expression` for frames of `linkType`.
    /// - Throws: ``PcapError/badFilter(file:expression:message:)`` (with `file` nil) carrying libpcap's
    ///   message when the expression does not compile.
    public convenience init(
        _ expression: String, linkType: Int32 = PcapLinkType.ethernet,
        snapLength: Int = PcapWriter.defaultSnapLength
    ) throws(PcapError) {
        guard let dead = pcap_open_dead(linkType, Int32(clamping: snapLength)) else {
            throw .badFilter(file: nil, expression: expression, message: "pcap_open_dead failed")
        }
        defer { pcap_close(dead) }
        try self.init(handle: dead, expression: expression, file: nil)
    }

    /// Compiles `expression` for the link type of the libpcap handle `handle`; errors name `file`.
    init(handle: OpaquePointer, expression: String, file: String?) throws(PcapError) {
        var compiled = bpf_program()
        guard pcap_compile(handle, &compiled, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .badFilter(file: file, expression: expression, message: String(cString: pcap_geterr(handle)))
        }
        program = compiled
        self.expression = expression
        linkType = pcap_datalink(handle)
    }

    deinit {
        pcap_freecode(&program)
    }

    /// Whether `frame` passes the filter (its `bytes` as captured, its `wireLength` as the wire length).
    public func matches(_ frame: CapturedFrame) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(clamping: frame.bytes.count)
        header.len = UInt32(clamping: frame.wireLength)
        return frame.bytes.withUnsafeBufferPointer { buffer in
            matches(header: &header, data: buffer.baseAddress)
        }
    }

    /// Whether the packet libpcap just returned passes the filter.
    func matches(header: UnsafePointer<pcap_pkthdr>, data: UnsafePointer<UInt8>?) -> Bool {
        // An empty capture may come without a buffer; BPF checks every load against `caplen`, so a
        // dummy byte is never read but keeps the pointer non-null.
        guard let data else {
            var dummy: UInt8 = 0
            return pcap_offline_filter(&program, header, &dummy) != 0
        }
        return pcap_offline_filter(&program, header, data) != 0
    }
}
