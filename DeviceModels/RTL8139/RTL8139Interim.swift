// Frame helpers the shared NIC core does not have yet (NICCore has no checksum-offload or TCP
// segmentation piece as of its first commit): IPv4 layout, checksum insertion, RFC 1071 sums.
// Move them to NICCore (ChecksumOffload / TCPSegmenter) when it gains them.

enum RTL8139Interim {
    /// One's-complement sum of `count` bytes at `offset` as big-endian words, folded, added to `initial`.
    static func sum(_ p: [UInt8], _ offset: Int, _ count: Int, initial: UInt32 = 0) -> UInt32 {
        var s = initial
        var i = offset
        let end = offset + count
        while i + 1 < end { s &+= UInt32(p[i]) << 8 | UInt32(p[i + 1]); i += 2 }
        if i < end { s &+= UInt32(p[i]) << 8 }
        while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
        return s
    }

    static func be16(_ p: [UInt8], _ o: Int) -> UInt16 { UInt16(p[o]) << 8 | UInt16(p[o + 1]) }
    static func setBE16(_ p: inout [UInt8], _ o: Int, _ v: UInt16) { p[o] = UInt8(v >> 8); p[o + 1] = UInt8(v & 0xFF) }
    static func be32(_ p: [UInt8], _ o: Int) -> UInt32 { UInt32(be16(p, o)) << 16 | UInt32(be16(p, o + 2)) }
    static func setBE32(_ p: inout [UInt8], _ o: Int, _ v: UInt32) { setBE16(&p, o, UInt16(v >> 16)); setBE16(&p, o + 2, UInt16(v & 0xFFFF)) }

    /// An IPv4 frame's layout: L3 offset, header length, protocol, L4 offset and length, and
    /// whether it is a fragment. Nil for anything else.
    struct IPv4Layout { var l3: Int; var ihl: Int; var proto: UInt8; var l4: Int; var l4Length: Int; var fragment: Bool }

    static func ipv4(_ f: [UInt8]) -> IPv4Layout? {
        guard f.count >= 34, be16(f, 12) == 0x0800, f[14] >> 4 == 4 else { return nil }
        let ihl = Int(f[14] & 0x0F) * 4
        let total = Int(be16(f, 16))
        guard ihl >= 20, total >= ihl, 14 + total <= f.count else { return nil }
        let frag = be16(f, 20) & 0x3FFF != 0
        return IPv4Layout(l3: 14, ihl: ihl, proto: f[23], l4: 14 + ihl, l4Length: total - ihl, fragment: frag)
    }

    /// The TCP/UDP pseudo-header sum of an IPv4 datagram.
    static func pseudoHeader(_ f: [UInt8], _ ip: IPv4Layout) -> UInt32 {
        sum(f, ip.l3 + 12, 8, initial: UInt32(ip.proto) + UInt32(ip.l4Length))
    }

    /// Inserts the IPv4 header checksum.
    static func insertIPv4Checksum(_ f: inout [UInt8], _ ip: IPv4Layout) {
        setBE16(&f, ip.l3 + 10, 0)
        setBE16(&f, ip.l3 + 10, ~UInt16(sum(f, ip.l3, ip.ihl)))
    }

    /// Inserts the TCP (16) or UDP (6) checksum at `field` bytes into L4.
    static func insertL4Checksum(_ f: inout [UInt8], _ ip: IPv4Layout, field: Int) {
        guard ip.l4 + field + 2 <= f.count else { return }
        setBE16(&f, ip.l4 + field, 0)
        var c = ~UInt16(sum(f, ip.l4, ip.l4Length, initial: pseudoHeader(f, ip)))
        if c == 0 && ip.proto == 17 { c = 0xFFFF }
        setBE16(&f, ip.l4 + field, c)
    }
}
