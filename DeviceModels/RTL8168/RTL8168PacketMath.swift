/// Packet arithmetic the model needs for its offloads and filter: the Ethernet CRC for the multicast
/// hash (IEEE 802.3 §3.2.9), RFC 1071 checksums, and header parsing.
///
/// Interim: NICCore (`EthernetCRC`, `InternetChecksum`, `ChecksumOffload`, `TCPSegmenter`) replaces
/// this file once it lands on main; nothing here is Realtek-specific.
enum RTL8168PacketMath {
    /// The big-endian (non-reflected) CRC-32 over `bytes`, as Linux's `ether_crc` computes it for
    /// Realtek multicast hashes: the top 6 bits index the 64-bit MAR.
    static func etherCRC(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for var octet in bytes {
            for _ in 0..<8 {
                let bit = (crc >> 31) ^ UInt32(octet & 1)
                crc <<= 1
                if bit != 0 { crc ^= 0x04C1_1DB7 }
                octet >>= 1
            }
        }
        return crc
    }

    /// One's-complement sum of big-endian 16-bit words (RFC 1071), not folded.
    static func sum(_ p: UnsafeRawBufferPointer, _ start: Int, _ count: Int, initial: UInt32 = 0) -> UInt32 {
        var s = UInt64(initial)
        var i = start
        let end = start + count
        while i + 1 < end { s += UInt64(p[i]) << 8 | UInt64(p[i + 1]); i += 2 }
        if i < end { s += UInt64(p[i]) << 8 }
        while s > 0xFFFF_FFFF { s = (s & 0xFFFF_FFFF) + (s >> 32) }
        return UInt32(s)
    }

    /// Folds a sum to 16 bits.
    static func fold(_ s: UInt32) -> UInt16 {
        var v = s
        while v > 0xFFFF { v = (v & 0xFFFF) + (v >> 16) }
        return UInt16(v)
    }

    static func be16(_ p: UnsafeRawBufferPointer, _ o: Int) -> UInt16 { UInt16(p[o]) << 8 | UInt16(p[o + 1]) }
    static func be32(_ p: UnsafeRawBufferPointer, _ o: Int) -> UInt32 { UInt32(be16(p, o)) << 16 | UInt32(be16(p, o + 2)) }
    static func setBE16(_ a: inout [UInt8], _ o: Int, _ v: UInt16) { a[o] = UInt8(v >> 8); a[o + 1] = UInt8(v & 0xFF) }
    static func setBE32(_ a: inout [UInt8], _ o: Int, _ v: UInt32) { setBE16(&a, o, UInt16(v >> 16)); setBE16(&a, o + 2, UInt16(v & 0xFFFF)) }

    /// Where a frame's L3 header starts (after an optional 802.1Q tag) and its EtherType.
    static func l3(_ f: UnsafeRawBufferPointer) -> (offset: Int, type: UInt16)? {
        guard f.count >= 14 else { return nil }
        var o = 12
        var t = be16(f, o)
        if t == 0x8100 { guard f.count >= 18 else { return nil }; o += 4; t = be16(f, o) }
        return (o + 2, t)
    }

    /// IPv4 header facts: header length, total length, protocol, whether a fragment.
    static func ipv4(_ f: UnsafeRawBufferPointer, at l3: Int) -> (ihl: Int, total: Int, proto: UInt8, fragment: Bool)? {
        guard f.count >= l3 + 20, f[l3] >> 4 == 4 else { return nil }
        let ihl = Int(f[l3] & 0xF) * 4
        let total = Int(be16(f, l3 + 2))
        guard ihl >= 20, f.count >= l3 + ihl, total >= ihl, l3 + total <= f.count else { return nil }
        let frag = be16(f, l3 + 6) & 0x3FFF != 0
        return (ihl, total, f[l3 + 9], frag)
    }

    /// The L4 checksum over `[l4, end)` with the IPv4 or IPv6 pseudo header.
    static func l4Sum(_ f: UnsafeRawBufferPointer, l3: Int, ipv6: Bool, l4: Int, end: Int, proto: UInt8) -> UInt32 {
        var s: UInt32 = ipv6 ? sum(f, l3 + 8, 32) : sum(f, l3 + 12, 8)
        s &+= UInt32(proto) &+ UInt32(end - l4)
        return sum(f, l4, end - l4, initial: s)
    }
}
