import BoxlessRunner
import Testing

/// The checks on the guest's own stack traffic, on frames built here (fast; no guest).
@Suite struct GuestStackCheckTests {
    static let nic: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]

    static func sum(_ b: [UInt8]) -> UInt16 { InternetChecksum.of(b) }

    /// Ethernet + IPv4 frame(s) carrying `payload` of protocol `proto`, fragmented at `mtu`.
    static func frames(proto: UInt8, _ payload: [UInt8], id: UInt16 = 7, mtu: Int = 1500) -> [[UInt8]] {
        var out: [[UInt8]] = []
        let chunk = (mtu - 20) / 8 * 8
        var off = 0
        repeat {
            let part = Array(payload[off..<min(payload.count, off + chunk)])
            let more = off + part.count < payload.count
            let total = 20 + part.count
            let flags = (more ? 0x2000 : 0) | off / 8
            var ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(id >> 8), UInt8(id & 0xFF),
                               UInt8(flags >> 8), UInt8(flags & 0xFF), 64, proto, 0, 0]
            ip += GuestStackCheck.guestAddress + GuestStackCheck.peerAddress
            let c = sum(ip)
            ip[10] = UInt8(c >> 8); ip[11] = UInt8(c & 0xFF)
            var f = GuestStackCheck.peerMAC + nic + [0x08, 0x00] + ip + part
            while f.count < 60 { f.append(0) }
            out.append(f)
            off += part.count
        } while off < payload.count
        return out
    }

    static func udp(_ size: Int, corruptAt: Int? = nil) -> [UInt8] {
        let len = 8 + size
        var d: [UInt8] = [0x9C, 0x40, 0x00, 0x09, UInt8(len >> 8), UInt8(len & 0xFF), 0, 0]
        d += (0..<size).map { UInt8(truncatingIfNeeded: 31 * size + 7 * $0) }
        let c = sum(GuestStackCheck.guestAddress + GuestStackCheck.peerAddress + [0, 17, UInt8(len >> 8), UInt8(len & 0xFF)] + d)
        d[6] = UInt8(c >> 8); d[7] = UInt8(c & 0xFF)
        if let i = corruptAt { d[i] ^= 0x40 }
        return d
    }

    static func echo(_ seq: UInt16) -> [UInt8] {
        var d: [UInt8] = [8, 0, 0, 0, 0x12, 0x34, UInt8(seq >> 8), UInt8(seq & 0xFF)] + [UInt8](repeating: 0xA5, count: 56)
        let c = sum(d)
        d[2] = UInt8(c >> 8); d[3] = UInt8(c & 0xFF)
        return d
    }

    static func everything() -> [[UInt8]] {
        GuestStackCheck.udpSizes.enumerated().flatMap { frames(proto: 17, udp($1), id: UInt16($0)) }
            + (0..<UInt16(GuestStackCheck.pings)).flatMap { frames(proto: 1, echo($0), id: 100 + $0) }
    }

    @Test("the Internet checksum on known data: RFC 1071 §3's example, a real IPv4 header (0 over itself), odd length")
    func internetChecksum() {
        #expect(InternetChecksum.of([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]) == ~UInt16(0xDDF2))
        let header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61,
                               0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7]
        #expect(InternetChecksum.of(header) == 0)
        #expect(InternetChecksum.of([0x01]) == ~UInt16(0x0100))
        #expect(InternetChecksum.of([UInt8](repeating: 0xFF, count: 100_001)) == ~UInt16(0xFF00))
    }

    @Test("what a correct NIC sends passes: every datagram (fragments reassembled out of order too) and echo request")
    func intactTrafficPasses() {
        var c = GuestStackCheck()
        c.nicMAC = Self.nic
        var all = Self.everything()
        let first = all.firstIndex { $0[20] & 0x20 != 0 }!   // swap two fragments of one datagram
        all.swapAt(first, first + 1)
        for f in all { c.wireFrame(f) }
        c.finish()
        #expect(c.problems == [])
        #expect(c.udpReceived.sorted() == GuestStackCheck.udpSizes.sorted())
        #expect(c.echoSequences == [0, 1, 2])
    }

    @Test("a wrong UDP checksum, a changed payload, a bad IP header checksum, non-zero padding and a foreign MAC are each found")
    func damageIsFound() {
        var udpSum = GuestStackCheck(), payload = GuestStackCheck(), header = GuestStackCheck(), pad = GuestStackCheck(), mac = GuestStackCheck()
        udpSum.wireFrame(Self.frames(proto: 17, Self.udp(64, corruptAt: 6))[0])
        payload.wireFrame(Self.frames(proto: 17, Self.udp(64, corruptAt: 20))[0])
        var h = Self.frames(proto: 17, Self.udp(64))[0]
        h[14 + 8] = 63   // TTL changed, header checksum not
        header.wireFrame(h)
        var p = Self.frames(proto: 17, Self.udp(1))[0]
        p[59] = 0xEE
        pad.wireFrame(p)
        mac.nicMAC = [2, 0, 0, 0, 0, 9]
        mac.wireFrame(Self.frames(proto: 17, Self.udp(1))[0])
        #expect(udpSum.problems.first?.contains("UDP checksum wrong") == true)
        #expect(payload.problems.first?.contains("UDP checksum wrong") == true)   // the checksum covers the payload
        #expect(header.problems.first?.contains("IPv4 header checksum wrong") == true)
        #expect(pad.problems.first?.contains("padded with non-zero bytes") == true)
        #expect(mac.problems.first?.contains("source MAC") == true)
    }

    @Test("a missing datagram, a lost fragment and a missing echo request fail at the end")
    func missingTrafficFails() {
        var c = GuestStackCheck()
        var all = Self.everything()
        all.remove(at: all.firstIndex { $0[20] & 0x20 != 0 }!)    // first fragment of 1473
        all.removeLast()                                          // last echo request
        all.remove(at: 0)                                         // the empty datagram
        for f in all { c.wireFrame(f) }
        c.finish()
        #expect(c.problems.contains { $0.contains("fragments never completed") })
        #expect(c.problems.contains { $0.contains("missing from the wire: sizes 0, 1473") })
        #expect(c.problems.contains { $0.contains("2 ICMP echo requests") })
    }
}
