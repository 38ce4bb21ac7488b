import CPcap

/// Data-link types (libpcap `DLT_*` values, as returned by `pcap_datalink`) that Boxless names, plus
/// libpcap's name lookup.
public enum PcapLinkType {
    /// `DLT_EN10MB`: Ethernet (all speeds). The only link type replays accept by default.
    public static let ethernet: Int32 = DLT_EN10MB
    /// `DLT_RAW`: raw IPv4/IPv6 packets with no link-layer header.
    public static let raw: Int32 = DLT_RAW
    /// `DLT_LINUX_SLL`: Linux "cooked" capture (`tcpdump -i any`).
    public static let linuxCooked: Int32 = DLT_LINUX_SLL

    /// libpcap's short name for a `DLT_*` value (`pcap_datalink_val_to_name`), e.g. `"EN10MB"`,
    /// or `"DLT <n>"` when libpcap has no name for it.
    public static func name(of linkType: Int32) -> String {
        guard let name = pcap_datalink_val_to_name(linkType) else { return "DLT \(linkType)" }
        return String(cString: name)
    }
}
