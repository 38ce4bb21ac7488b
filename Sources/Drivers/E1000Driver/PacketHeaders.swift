/// Where the headers of a frame handed for checksum offload or TSO are (IEEE 802.3 / 802.1Q,
/// RFC 791 IPv4, RFC 8200 IPv6, RFC 9293 TCP, RFC 768 UDP): what the context descriptor needs.
struct PacketHeaders {
    enum L4Kind { case none, tcp, udp }

    /// Offset of the EtherType (after two addresses).
    static let etherTypeOffset = 12
    /// EtherType IPv4.
    static let etherTypeIPv4: UInt16 = 0x0800
    /// EtherType IPv6.
    static let etherTypeIPv6: UInt16 = 0x86DD
    /// IPv4 header checksum field, from the start of the IPv4 header.
    static let ipv4ChecksumOffset = 10
    /// IPv4 total length field.
    static let ipv4TotalLengthOffset = 2
    /// IPv4 protocol field.
    static let ipv4ProtocolOffset = 9
    /// IPv4 source address (destination follows).
    static let ipv4SourceOffset = 12
    /// Shortest IPv4 header (IHL = 5).
    static let ipv4MinimumHeader = 20
    /// IPv6 fixed header length.
    static let ipv6Header = 40
    /// IPv6 payload length field.
    static let ipv6PayloadLengthOffset = 4
    /// IPv6 next header field.
    static let ipv6NextHeaderOffset = 6
    /// IPv6 source address (destination follows).
    static let ipv6SourceOffset = 8
    /// IP protocol numbers.
    static let protocolTCP: UInt8 = 6, protocolUDP: UInt8 = 17
    /// TCP checksum field, from the start of the TCP header; the data offset is in byte 12, bits 7:4.
    static let tcpChecksumOffset = 16, tcpDataOffsetByte = 12, tcpMinimumHeader = 20
    /// UDP checksum field; the UDP header is 8 bytes.
    static let udpChecksumOffset = 6, udpHeader = 8

    /// Start of the IP header.
    var l3: Int
    /// IPv4 (true) or IPv6.
    var ipv4: Bool
    /// Start of the TCP/UDP header.
    var l4: Int
    /// TCP, UDP or neither.
    var l4Kind: L4Kind
    /// TCP header length (data offset × 4) or 8 for UDP.
    var l4HeaderLength: Int
    /// IP protocol / next header value.
    var protocolNumber: UInt8
    /// Bytes of L4 header plus payload, from the IP header's length field.
    var l4Length: Int

    /// Whether `frame` starts with an 802.1Q tag.
    static func isTagged(_ frame: UnsafeRawBufferPointer) -> Bool {
        frame.count >= etherTypeOffset + 2 && be16(frame, etherTypeOffset) == VLAN.tagProtocolIdentifier
    }

    /// Parses `frame`; nil when it is not IPv4/IPv6 or is truncated.
    init?(_ frame: UnsafeRawBufferPointer) {
        var typeOffset = Self.etherTypeOffset
        if Self.isTagged(frame) { typeOffset += 4 }
        guard frame.count >= typeOffset + 2 else { return nil }
        let type = Self.be16(frame, typeOffset)
        l3 = typeOffset + 2
        switch type {
        case Self.etherTypeIPv4:
            guard frame.count >= l3 + Self.ipv4MinimumHeader, frame[l3] >> 4 == 4 else { return nil }
            let ihl = Int(frame[l3] & 0x0F) * 4
            guard ihl >= Self.ipv4MinimumHeader, frame.count >= l3 + ihl else { return nil }
            ipv4 = true
            l4 = l3 + ihl
            protocolNumber = frame[l3 + Self.ipv4ProtocolOffset]
            l4Length = Int(Self.be16(frame, l3 + Self.ipv4TotalLengthOffset)) - ihl
        case Self.etherTypeIPv6:
            guard frame.count >= l3 + Self.ipv6Header, frame[l3] >> 4 == 6 else { return nil }
            ipv4 = false
            l4 = l3 + Self.ipv6Header
            protocolNumber = frame[l3 + Self.ipv6NextHeaderOffset]
            l4Length = Int(Self.be16(frame, l3 + Self.ipv6PayloadLengthOffset))
        default:
            return nil
        }
        switch protocolNumber {
        case Self.protocolTCP where frame.count >= l4 + Self.tcpMinimumHeader:
            l4Kind = .tcp
            l4HeaderLength = Int(frame[l4 + Self.tcpDataOffsetByte] >> 4) * 4
            guard l4HeaderLength >= Self.tcpMinimumHeader, frame.count >= l4 + l4HeaderLength else { return nil }
        case Self.protocolUDP where frame.count >= l4 + Self.udpHeader:
            l4Kind = .udp
            l4HeaderLength = Self.udpHeader
        default:
            l4Kind = .none
            l4HeaderLength = 0
        }
    }

    /// The same headers `shift` bytes further on (after a tag inserted before the EtherType).
    func shifted(by shift: Int) -> PacketHeaders {
        var h = self
        h.l3 += shift
        h.l4 += shift
        return h
    }

    /// Offset of the TCP/UDP checksum within the L4 header.
    var l4ChecksumOffset: Int { l4Kind == .tcp ? Self.tcpChecksumOffset : Self.udpChecksumOffset }

    /// The folded, uncomplemented one's-complement sum of the pseudo-header (RFC 9293 §3.1,
    /// RFC 8200 §8.1), the value the checksum field holds before the device sums the segment into
    /// it (SDM §3.3.6: TUCSO). For TSO the length is left out: the device adds each segment's.
    /// `self` may be shifted; `frame` is the original, so offsets are taken back by `shift`.
    func pseudoHeaderSum(_ frame: UnsafeRawBufferPointer, shift: Int, includeLength: Bool) -> UInt16 {
        let l3 = self.l3 - shift
        var sum: UInt32 = 0
        let (source, words) = ipv4 ? (l3 + Self.ipv4SourceOffset, 4) : (l3 + Self.ipv6SourceOffset, 16)
        for w in 0..<words { sum += UInt32(Self.be16(frame, source + 2 * w)) }
        sum += UInt32(protocolNumber)
        if includeLength { sum += UInt32(max(0, l4Length)) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return UInt16(sum)
    }

    /// Big-endian 16 bits at `offset`.
    @inline(__always)
    static func be16(_ frame: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
    }
}
