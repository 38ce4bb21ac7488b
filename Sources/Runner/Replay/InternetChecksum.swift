/// The Internet checksum (RFC 1071): the one's-complement of the one's-complement sum of the data
/// as big-endian 16-bit words (an odd last byte is padded with zero). Over data that carries its
/// own correct checksum it is 0. IPv4 headers, UDP, TCP and ICMP use it (RFC 791, 768, 793, 792).
public enum InternetChecksum {
    /// The checksum of `bytes`.
    public static func of<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt32 = 0
        var it = bytes.makeIterator()
        while let hi = it.next() {
            let lo = it.next() ?? 0
            sum += UInt32(hi) << 8 | UInt32(lo)
            if sum > 0xFFFF_0000 { sum = (sum & 0xFFFF) + (sum >> 16) }
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
