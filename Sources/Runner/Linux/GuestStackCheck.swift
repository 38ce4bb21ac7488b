/// Checks the traffic the guest's own network stack sent (Linux host, TX): UDP datagrams from the
/// agent and ICMP echo requests from busybox `ping`, read back from the wire.
///
/// Nothing here is compared with stored bytes — the guest's kernel built these frames — so each is
/// checked for what a correct NIC must have put on the wire: the Ethernet addresses; the IPv4 header
/// (version, length, header checksum — RFC 791 §3.1, addresses); IPv4 fragments reassembled (RFC 791
/// §3.2); the UDP length and checksum over the pseudo-header (RFC 768) — on Linux's e1000/e1000e the
/// NIC inserts it from a TCP/IP context descriptor (8254x SDM §3.3.6, 82574 §7.2.5), so a model that
/// gets checksum offload wrong fails here; the datagram's payload pattern (Guest/boxless-agent.c);
/// the ICMP checksum and type (RFC 792); and that short frames were padded with zeros.
public struct GuestStackCheck: Sendable {
    /// The guest's address, the peer's address and MAC, the UDP ports.
    public static let guestAddress: [UInt8] = [10, 0, 2, 15]
    public static let peerAddress: [UInt8] = [10, 0, 2, 2]
    public static let peerMAC: [UInt8] = [0x02, 0x42, 0x0A, 0x00, 0x02, 0x02]
    public static let sourcePort: UInt16 = 40000, destinationPort: UInt16 = 9
    /// The datagram sizes the agent sends: empty, tiny (padded frames), around the checksum's odd
    /// byte, a full 1500-byte MTU (1472), and two that IP fragments.
    public static let udpSizes = [0, 1, 17, 18, 64, 333, 1000, 1472, 1473, 4000]
    /// Echo requests `ping` sends.
    public static let pings = 3

    /// The NIC's MAC as the guest reports it (frames must come from it).
    public var nicMAC: [UInt8]?
    /// UDP datagram sizes found intact, in wire order.
    public private(set) var udpReceived: [Int] = []
    /// ICMP echo request sequence numbers found intact.
    public private(set) var echoSequences: [UInt16] = []
    /// What was wrong, one line per frame or datagram.
    public private(set) var problems: [String] = []
    /// Frames seen.
    public private(set) var frames = 0
    private var fragments: [UInt16: [(offset: Int, more: Bool, bytes: [UInt8])]] = [:]
    private var fragmentOrder: [UInt16] = []

    public init() {}

    /// Reads one frame from the wire.
    public mutating func wireFrame(_ f: [UInt8]) {
        frames += 1
        let n = frames
        func bad(_ why: String) { problems.append("guest frame \(n): \(why)") }
        guard f.count >= 34, f[12] == 0x08, f[13] == 0x00 else {
            return bad("not IPv4 (EtherType \(f.count >= 14 ? String(UInt16(f[12]) << 8 | UInt16(f[13]), radix: 16) : "?"), \(f.count) bytes)")
        }
        if Array(f[0..<6]) != Self.peerMAC { bad("destination MAC \(Self.mac(f[0..<6])), not the peer's") }
        if let m = nicMAC, Array(f[6..<12]) != m { bad("source MAC \(Self.mac(f[6..<12])), not the NIC's \(Self.mac(m[...]))") }
        let ip = Array(f[14...])
        let ihl = Int(ip[0] & 0x0F) * 4
        guard ip[0] >> 4 == 4, ihl >= 20, ip.count >= ihl else { return bad("IPv4 header version/length \(ip[0])") }
        let total = Int(ip[2]) << 8 | Int(ip[3])
        guard total >= ihl, total <= ip.count else { return bad("IPv4 total length \(total) but \(ip.count) bytes follow the Ethernet header") }
        if total < ip.count {
            if f.count > 60 { bad("\(ip.count - total) bytes after the IPv4 datagram in a frame of \(f.count) bytes") }
            else if ip[total...].contains(where: { $0 != 0 }) { bad("short frame padded with non-zero bytes") }
        }
        if InternetChecksum.of(ip[0..<ihl]) != 0 { bad("IPv4 header checksum wrong") }
        if Array(ip[12..<16]) != Self.guestAddress || Array(ip[16..<20]) != Self.peerAddress {
            bad("IPv4 addresses \(ip[12..<16].map(String.init).joined(separator: ".")) → \(ip[16..<20].map(String.init).joined(separator: "."))")
        }
        let flags = Int(ip[6]) << 8 | Int(ip[7])
        let more = flags & 0x2000 != 0, offset = (flags & 0x1FFF) * 8
        let payload = Array(ip[ihl..<total])
        if !more && offset == 0 { return datagram(protocol: ip[9], payload, frame: n) }
        // A fragment: keep it until the datagram is whole.
        let id = UInt16(ip[4]) << 8 | UInt16(ip[5])
        if fragments[id] == nil { fragmentOrder.append(id) }
        fragments[id, default: []].append((offset, more, payload))
        let parts = fragments[id]!.sorted { $0.offset < $1.offset }
        var whole: [UInt8] = []
        for p in parts {
            guard p.offset == whole.count else { return }
            whole += p.bytes
        }
        guard parts.last?.more == false else { return }
        fragments[id] = nil
        fragmentOrder.removeAll { $0 == id }
        datagram(protocol: ip[9], whole, frame: n)
    }

    private mutating func datagram(protocol p: UInt8, _ d: [UInt8], frame n: Int) {
        func bad(_ why: String) { problems.append("guest frame \(n): \(why)") }
        switch p {
        case 17:
            guard d.count >= 8 else { return bad("UDP datagram of \(d.count) bytes") }
            let len = Int(d[4]) << 8 | Int(d[5])
            guard len == d.count else { return bad("UDP length \(len) in an IP payload of \(d.count) bytes") }
            let sport = UInt16(d[0]) << 8 | UInt16(d[1]), dport = UInt16(d[2]) << 8 | UInt16(d[3])
            guard sport == Self.sourcePort, dport == Self.destinationPort else { return bad("UDP ports \(sport) → \(dport)") }
            let pseudo = Self.guestAddress + Self.peerAddress + [0, 17, UInt8(len >> 8), UInt8(len & 0xFF)]
            if d[6] == 0 && d[7] == 0 { return bad("UDP checksum missing (0) on a \(len - 8)-byte datagram") }
            guard InternetChecksum.of(pseudo + d) == 0 else { return bad("UDP checksum wrong on a \(len - 8)-byte datagram") }
            let size = len - 8
            for i in 0..<size where d[8 + i] != UInt8(truncatingIfNeeded: 31 * size + 7 * i) {
                return bad("UDP payload of \(size) bytes differs at byte \(i)")
            }
            udpReceived.append(size)
        case 1:
            guard d.count >= 8 else { return bad("ICMP message of \(d.count) bytes") }
            guard d[0] == 8, d[1] == 0 else { return bad("ICMP type \(d[0]) code \(d[1]), not an echo request") }
            guard InternetChecksum.of(d) == 0 else { return bad("ICMP checksum wrong") }
            echoSequences.append(UInt16(d[6]) << 8 | UInt16(d[7]))
        default:
            bad("IPv4 protocol \(p)")
        }
    }

    /// Ends the check: datagrams still in pieces and anything missing become problems.
    public mutating func finish() {
        for id in fragmentOrder { problems.append("IPv4 datagram \(id): fragments never completed") }
        fragmentOrder.removeAll(); fragments.removeAll()
        var expected = Self.udpSizes
        for s in udpReceived {
            if let i = expected.firstIndex(of: s) { expected.remove(at: i) } else { problems.append("UDP datagram of \(s) bytes not sent by the agent") }
        }
        if !expected.isEmpty { problems.append("UDP datagrams missing from the wire: sizes \(expected.map(String.init).joined(separator: ", "))") }
        if echoSequences.count != Self.pings { problems.append("\(echoSequences.count) ICMP echo requests on the wire, expected \(Self.pings)") }
    }

    static func mac(_ b: ArraySlice<UInt8>) -> String {
        b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
    }
}
