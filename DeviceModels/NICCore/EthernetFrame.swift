import BoxlessPlatform

/// Ethernet frame sizes (IEEE 802.3 §3.1.1, §3.5, §4.4.2). Wire timing (preamble, inter-frame gap)
/// lives with the link in the platform's `EthernetTiming`; these are the frame's own sizes, once
/// for every NIC model.
public enum EthernetFrame {
    /// Destination, source, EtherType/length: 14 bytes.
    public static let headerBytes = 14
    /// An 802.1Q tag (TPID + TCI): 4 bytes (IEEE 802.1Q §9.6).
    public static let vlanTagBytes = 4
    /// Frame check sequence: 4 bytes (`EthernetTiming.fcsBytes`).
    public static let fcsBytes = EthernetTiming.fcsBytes
    /// Minimum frame with FCS: 64 bytes (512 bits, §4.4.2).
    public static let minimumBytes = EthernetTiming.minimumFrameBytes
    /// Minimum frame without FCS: 60 bytes — what a transmitter pads short frames to.
    public static let minimumBytesWithoutFCS = minimumBytes - fcsBytes
    /// Maximum untagged frame with FCS: 1518 bytes (§4.4.2 maxUntaggedFrameSize).
    public static let maximumUntaggedBytes = 1518
    /// Maximum 802.1Q-tagged frame with FCS: 1522 bytes (§3.5).
    public static let maximumTaggedBytes = 1522
    /// The 802.1Q Tag Protocol Identifier.
    public static let vlanTPID: UInt16 = 0x8100
    /// EtherType of IPv4.
    public static let etherTypeIPv4: UInt16 = 0x0800
    /// EtherType of IPv6.
    public static let etherTypeIPv6: UInt16 = 0x86DD
}

/// What a destination address is (IEEE 802.3 §3.2.3: the first bit transmitted, bit 0 of the first
/// byte, marks a group address; all ones is broadcast).
public enum DestinationKind: UInt8, Sendable {
    /// An individual address.
    case unicast
    /// A group address other than broadcast.
    case multicast
    /// FF:FF:FF:FF:FF:FF.
    case broadcast

    /// The kind of the destination address at `p` (six readable bytes).
    @inlinable
    public init(destination p: UnsafeRawPointer) {
        if p.load(as: UInt8.self) & 1 == 0 { self = .unicast; return }
        let broadcast = p.loadUnaligned(as: UInt32.self) == .max && p.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == .max
        self = broadcast ? .broadcast : .multicast
    }
}

/// The 48-bit destination address of a frame as an integer (first byte in the low bits), for
/// comparison with a station or perfect-filter address.
@inlinable
public func destinationAddress(_ p: UnsafeRawPointer) -> UInt64 {
    UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: 4, as: UInt16.self)) << 32
}

/// A parsed view of one frame's headers, as offload engines see them: the VLAN tag, the network
/// header (IPv4 or IPv6 without extension headers) and the TCP/UDP header. No allocation; offsets
/// are into the frame. Built by ``FrameHeaders/parse(_:_:vlanTPID:)``.
public struct FrameHeaders: Sendable, Equatable {
    /// The 802.1Q TCI, when the frame carries a tag with the given TPID.
    public var vlanTCI: UInt16?
    /// The EtherType after any tag.
    public var etherType: UInt16 = 0
    /// Offset of the network header.
    public var l3Offset = EthernetFrame.headerBytes
    /// IPv4 (4) or IPv6 (6), 0 for anything else.
    public var ipVersion: UInt8 = 0
    /// IPv4 header length in bytes (20–60), 40 for IPv6.
    public var l3Length = 0
    /// The IPv4 header checksum field's offset.
    public var ipv4ChecksumOffset: Int? { ipVersion == 4 ? l3Offset + 10 : nil }
    /// IPv4 "more fragments" or a non-zero fragment offset (the L4 checksum cannot be checked).
    public var isFragment = false
    /// IP protocol / IPv6 next header (6 TCP, 17 UDP).
    public var l4Protocol: UInt8 = 0
    /// Offset of the TCP/UDP header, when the frame holds all of it and is not a fragment.
    public var l4Offset: Int?
    /// TCP/UDP length (header + payload) from the IP length fields.
    public var l4Length = 0
    /// The pseudo-header sum (RFC 793 §3.1, RFC 768, RFC 8200 §8.1) for the L4 checksum.
    public var pseudoHeaderSum: UInt16 = 0

    /// TCP.
    public var isTCP: Bool { l4Offset != nil && l4Protocol == 6 }
    /// UDP.
    public var isUDP: Bool { l4Offset != nil && l4Protocol == 17 }

    /// Creates an empty view.
    public init() {}

    /// Parses the `length`-byte frame at `p`. A header that does not fit, or a version or IHL
    /// that is not valid, leaves the fields past it unset.
    @inlinable
    public static func parse(_ p: UnsafeRawPointer, _ length: Int, vlanTPID: UInt16 = EthernetFrame.vlanTPID) -> FrameHeaders {
        var h = FrameHeaders()
        guard length >= EthernetFrame.headerBytes else { return h }
        var l3 = EthernetFrame.headerBytes
        var type = NetworkOrder.load16(p, 12)
        if type == vlanTPID, length >= 18 {
            h.vlanTCI = NetworkOrder.load16(p, 14)
            type = NetworkOrder.load16(p, 16)
            l3 = 18
        }
        h.etherType = type
        h.l3Offset = l3
        if type == EthernetFrame.etherTypeIPv4, length >= l3 + 20 {
            let vihl = p.load(fromByteOffset: l3, as: UInt8.self)
            let ihl = Int(vihl & 0xF) * 4
            guard vihl >> 4 == 4, ihl >= 20, l3 + ihl <= length else { return h }
            h.ipVersion = 4; h.l3Length = ihl
            let total = Int(NetworkOrder.load16(p, l3 + 2))
            h.isFragment = NetworkOrder.load16(p, l3 + 6) & 0x3FFF != 0
            h.l4Protocol = p.load(fromByteOffset: l3 + 9, as: UInt8.self)
            if !h.isFragment, total >= ihl, l3 + total <= length {
                h.l4Length = total - ihl
                h.pseudoHeaderSum = InternetChecksum.sum(p + l3 + 12, 8, initial: UInt32(h.l4Protocol) + UInt32(h.l4Length))
                if h.fitsL4Header { h.l4Offset = l3 + ihl }
            }
        } else if type == EthernetFrame.etherTypeIPv6, length >= l3 + 40 {
            // Parsed by EtherType, as NIC parsers do; the version nibble is not checked.
            h.ipVersion = 6; h.l3Length = 40
            h.l4Protocol = p.load(fromByteOffset: l3 + 6, as: UInt8.self)
            let payload = Int(NetworkOrder.load16(p, l3 + 4))
            if l3 + 40 + payload <= length {
                h.l4Length = payload
                h.pseudoHeaderSum = InternetChecksum.sum(p + l3 + 8, 32, initial: UInt32(h.l4Protocol) + UInt32(h.l4Length))
                if h.fitsL4Header { h.l4Offset = l3 + 40 }
            }
        }
        return h
    }

    /// Whether the L4 length covers a whole TCP (20) or UDP (8) header.
    @usableFromInline
    var fitsL4Header: Bool { (l4Protocol == 6 && l4Length >= 20) || (l4Protocol == 17 && l4Length >= 8) }
}
