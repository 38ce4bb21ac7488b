import PacketCapture

/// Builds synthetic but well-formed Ethernet traffic for the project's own traces (`Traces/`) and
/// benchmarks: ARP, IPv4/IPv6 TCP and UDP with correct checksums, ICMPv6, 802.1Q VLAN, runts as the
/// sender captured them (unpadded), jumbo frames, and frames cut short by a snap length.
public struct TraceGenerator {
    /// What kind of trace.
    public enum Kind: String, CaseIterable, Sendable {
        /// A seeded mix of every frame kind, 10–20 µs apart.
        case mixed
        /// Minimum-size frames (60 bytes + FCS = 64 on the wire), back to back at 1 Gb/s.
        case min
        /// Maximum-size frames (1514 bytes + FCS), back to back at 1 Gb/s.
        case max
    }

    /// One generated frame: the captured bytes and the length on the wire.
    public struct Frame: Sendable {
        /// Capture timestamp.
        public var timestampNanoseconds: UInt64
        /// Captured bytes.
        public var bytes: [UInt8]
        /// Length on the wire (≥ bytes.count; larger for a truncated capture).
        public var wireLength: Int
    }

    private var rng: SplitMix
    /// The kind.
    public let kind: Kind
    private var time: UInt64 = 1_700_000_000_000_000_000
    private var n = 0

    /// Creates a generator.
    public init(kind: Kind, seed: UInt64) { self.kind = kind; rng = SplitMix(seed) }

    /// The next frame.
    public mutating func next() -> Frame {
        defer { n += 1 }
        switch kind {
        case .min:
            let f = Frame(timestampNanoseconds: time, bytes: udp4(payload: 18, seq: n), wireLength: 60)
            time += 672          // (60 + 4 FCS + 8 preamble + 12 IFG) bytes × 8 ns
            return f
        case .max:
            let f = Frame(timestampNanoseconds: time, bytes: udp4(payload: 1472, seq: n), wireLength: 1514)
            time += 12_304       // (1514 + 4 + 8 + 12) × 8 ns
            return f
        case .mixed:
            time += 10_000 + rng.next() % 10_000
            var bytes: [UInt8]
            switch n % 10 {
            case 0: bytes = arp(request: true)                       // 42 bytes: a runt as the sender captured it
            case 1: bytes = udp4(payload: Int(rng.next() % 512), seq: n)
            case 2: bytes = tcp4(payload: Int(rng.next() % 1460), seq: n)
            case 3: bytes = udp6(payload: Int(rng.next() % 1000), seq: n)
            case 4: bytes = tcp6(payload: Int(rng.next() % 1440), seq: n)
            case 5: bytes = vlan(tag: UInt16(100 + n % 7), inner: udp4(payload: 200, seq: n))
            case 6: bytes = icmp6Echo(seq: n)
            case 7: bytes = udp4(payload: 8972, seq: n)              // a 9014-byte jumbo frame
            case 8:
                let full = tcp4(payload: 1400, seq: n)               // cut to 96 bytes by the snap length
                return Frame(timestampNanoseconds: time, bytes: Array(full.prefix(96)), wireLength: full.count)
            default: bytes = arp(request: false)
            }
            return Frame(timestampNanoseconds: time, bytes: bytes, wireLength: bytes.count)
        }
    }

    /// Writes `count` frames to a pcap file through libpcap.
    public static func write(kind: Kind, count: Int, seed: UInt64, to path: String) throws {
        let w = try PcapWriter(path: path)
        var g = TraceGenerator(kind: kind, seed: seed)
        for _ in 0..<count {
            let f = g.next()
            try w.write(timestampNanoseconds: f.timestampNanoseconds, bytes: f.bytes, wireLength: f.wireLength)
        }
        try w.close()
    }

    // MARK: frame builders

    private static let hostA: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0A]
    private static let hostB: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]

    private func ether(_ type: UInt16, dst: [UInt8] = hostB) -> [UInt8] {
        dst + Self.hostA + [UInt8(type >> 8), UInt8(type & 0xFF)]
    }

    private func arp(request: Bool) -> [UInt8] {
        // RFC 826: Ethernet/IPv4, opcode 1 request or 2 reply.
        var f = ether(0x0806, dst: request ? [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] : Self.hostB)
        f += [0, 1, 0x08, 0, 6, 4, 0, request ? 1 : 2] + Self.hostA + [10, 0, 0, 1]
        f += (request ? [0, 0, 0, 0, 0, 0] : Self.hostB) + [10, 0, 0, 2]
        return f
    }

    private func ipv4(proto: UInt8, payload: [UInt8], id: Int) -> [UInt8] {
        let total = 20 + payload.count
        var h: [UInt8] = [0x45, 0, UInt8(total >> 8 & 0xFF), UInt8(total & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF),
                          0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        let c = Self.checksum(h)
        h[10] = UInt8(c >> 8); h[11] = UInt8(c & 0xFF)
        return h + payload
    }

    private func l4(_ proto: UInt8, header: [UInt8], payload: [UInt8], pseudo: [UInt8], checksumAt: Int) -> [UInt8] {
        var seg = header + payload
        let len = seg.count
        let c = Self.checksum(pseudo + [0, proto, UInt8(len >> 8 & 0xFF), UInt8(len & 0xFF)] + seg)
        seg[checksumAt] = UInt8(c >> 8); seg[checksumAt + 1] = UInt8(c & 0xFF)
        if proto == 17 && c == 0 { seg[checksumAt] = 0xFF; seg[checksumAt + 1] = 0xFF }   // RFC 768
        return seg
    }

    private mutating func payload(_ n: Int, seq: Int) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: n)
        for i in 0..<n { p[i] = UInt8(truncatingIfNeeded: i &+ seq &* 31) }
        if n >= 4 { for i in 0..<4 { p[i] = UInt8(truncatingIfNeeded: seq >> (8 * i)) } }
        return p
    }

    private static let v4pseudo: [UInt8] = [10, 0, 0, 1, 10, 0, 0, 2]
    private static let v6src: [UInt8] = [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [1]
    private static let v6dst: [UInt8] = [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [2]

    private mutating func udp4(payload n: Int, seq: Int) -> [UInt8] {
        let p = payload(n, seq: seq)
        let len = 8 + n
        let seg = l4(17, header: [0x30, 0x39, 0x00, 0x09, UInt8(len >> 8), UInt8(len & 0xFF), 0, 0], payload: p, pseudo: Self.v4pseudo, checksumAt: 6)
        return ether(0x0800) + ipv4(proto: 17, payload: seg, id: seq)
    }

    private mutating func tcp4(payload n: Int, seq: Int) -> [UInt8] {
        let p = payload(n, seq: seq)
        let s = UInt32(truncatingIfNeeded: seq &* 1460)
        let hdr: [UInt8] = [0xC0, 0x01, 0x00, 0x50, UInt8(s >> 24), UInt8(s >> 16 & 0xFF), UInt8(s >> 8 & 0xFF), UInt8(s & 0xFF),
                            0, 0, 0, 1, 0x50, 0x18, 0xFA, 0xF0, 0, 0, 0, 0]
        let seg = l4(6, header: hdr, payload: p, pseudo: Self.v4pseudo, checksumAt: 16)
        return ether(0x0800) + ipv4(proto: 6, payload: seg, id: seq)
    }

    private func ipv6(next: UInt8, payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF), next, 64] + Self.v6src + Self.v6dst + payload
    }

    private mutating func udp6(payload n: Int, seq: Int) -> [UInt8] {
        let len = 8 + n
        let seg = l4(17, header: [0x30, 0x39, 0x00, 0x09, UInt8(len >> 8), UInt8(len & 0xFF), 0, 0], payload: payload(n, seq: seq),
                     pseudo: Self.v6src + Self.v6dst + [0, 0], checksumAt: 6)
        return ether(0x86DD) + ipv6(next: 17, payload: seg)
    }

    private mutating func tcp6(payload n: Int, seq: Int) -> [UInt8] {
        let hdr: [UInt8] = [0xC0, 0x02, 0x01, 0xBB, 0, 0, UInt8(seq >> 8 & 0xFF), UInt8(seq & 0xFF), 0, 0, 0, 1, 0x50, 0x10, 0xFA, 0xF0, 0, 0, 0, 0]
        let seg = l4(6, header: hdr, payload: payload(n, seq: seq), pseudo: Self.v6src + Self.v6dst + [0, 0], checksumAt: 16)
        return ether(0x86DD) + ipv6(next: 6, payload: seg)
    }

    private mutating func icmp6Echo(seq: Int) -> [UInt8] {
        let body: [UInt8] = [128, 0, 0, 0, 0x12, 0x34, UInt8(seq >> 8 & 0xFF), UInt8(seq & 0xFF)] + payload(56, seq: seq)
        let seg = l4(58, header: [], payload: body, pseudo: Self.v6src + Self.v6dst + [0, 0], checksumAt: 2)
        return ether(0x86DD) + ipv6(next: 58, payload: seg)
    }

    private func vlan(tag: UInt16, inner: [UInt8]) -> [UInt8] {
        Array(inner[0..<12]) + [0x81, 0x00, UInt8(tag >> 8), UInt8(tag & 0xFF)] + Array(inner[12...])
    }

    /// The Internet checksum (RFC 1071).
    static func checksum(_ b: [UInt8]) -> UInt16 { InternetChecksum.of(b) }
}

/// SplitMix64, for the generator's own variety (seeded).
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
