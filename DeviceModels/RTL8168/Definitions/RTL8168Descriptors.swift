/// The 16-byte descriptor shared by the TX and RX rings (RTL8111C/8168C datasheet §8 "Transmit and
/// Receive Descriptors"; r8169 `struct TxDesc`/`struct RxDesc`): opts1 (status and length),
/// opts2 (VLAN and offloads), then the 64-bit buffer address.
public struct RTL8168Descriptor: Sendable, Equatable {
    /// Command/status and length.
    public var opts1: UInt32
    /// VLAN tag and offload fields.
    public var opts2: UInt32
    /// Buffer bus address.
    public var address: UInt64
    /// Descriptor size in bytes.
    public static let size = 16
    /// Ring alignment (datasheet: descriptor start addresses are 256-byte aligned).
    public static let ringAlignment: UInt64 = 256
    /// Largest ring (datasheet: up to 1024 descriptors per ring).
    public static let maximumCount = 1024

    /// Creates a descriptor.
    public init(opts1: UInt32, opts2: UInt32, address: UInt64) { self.opts1 = opts1; self.opts2 = opts2; self.address = address }

    /// Whether the chip owns it.
    public var own: Bool { opts1 & RTL8168DescriptorBits.OWN != 0 }
    /// Whether it ends the ring.
    public var eor: Bool { opts1 & RTL8168DescriptorBits.EOR != 0 }
}

/// Bits common to both rings (r8169 `enum rtl_desc_bit`).
public enum RTL8168DescriptorBits {
    /// OWN: the chip owns the descriptor.
    public static let OWN: UInt32 = 1 << 31
    /// EOR: end of ring; the next descriptor is the ring's first.
    public static let EOR: UInt32 = 1 << 30
    /// FS: first segment of a packet.
    public static let FS: UInt32 = 1 << 29
    /// LS: last segment of a packet.
    public static let LS: UInt32 = 1 << 28
}

/// Transmit descriptor fields (datasheet §8.1; r8169 `rtl_tx_desc_bit`, `rtl_tx_desc_bit_1` — the
/// "v2" layout of the 8102E, 8168C and later).
public enum RTL8168TxBits {
    /// opts1 LGSEN: large send (TSO) of the generic layout; the 8168C uses GTSENV4/6 instead.
    public static let LGSEN: UInt32 = 1 << 27
    /// opts1 GTSENV4: giant send for IPv4.
    public static let GTSENV4: UInt32 = 1 << 26
    /// opts1 GTSENV6: giant send for IPv6.
    public static let GTSENV6: UInt32 = 1 << 25
    /// opts1 GTTCPHO: TCP header offset for giant send (bits 24:18).
    public static let GTTCPHOShift: UInt32 = 18
    /// GTTCPHO field mask after the shift.
    public static let GTTCPHOMask: UInt32 = 0x7F
    /// opts1 frame (buffer) length, bits 15:0.
    public static let lengthMask: UInt32 = 0xFFFF
    /// opts2 UDPCS: insert the UDP checksum.
    public static let UDPCS: UInt32 = 1 << 31
    /// opts2 TCPCS: insert the TCP checksum.
    public static let TCPCS: UInt32 = 1 << 30
    /// opts2 IPCS: insert the IPv4 header checksum.
    public static let IPV4CS: UInt32 = 1 << 29
    /// opts2 IPV6CS: an IPv6 packet for checksum offload.
    public static let IPV6CS: UInt32 = 1 << 28
    /// opts2 MSS (bits 28:18) with giant send; TCPHO (transport header offset, bits 27:18) with checksum offload.
    public static let MSSShift: UInt32 = 18
    /// MSS field mask after the shift (11 bits).
    public static let MSSMask: UInt32 = 0x7FF
    /// TCPHO field mask after the shift (10 bits).
    public static let TCPHOMask: UInt32 = 0x3FF
    /// opts2 TAGC: insert the VLAN tag in bits 15:0 (byte-swapped TCI).
    public static let TAGC: UInt32 = 1 << 17
}

/// Receive descriptor fields (datasheet §8.2; r8169 `rtl_rx_desc_bit`).
public enum RTL8168RxBits {
    /// opts1 MAR: multicast packet.
    public static let MAR: UInt32 = 1 << 27
    /// opts1 PAM: physical address matched.
    public static let PAM: UInt32 = 1 << 26
    /// opts1 BAR: broadcast packet.
    public static let BAR: UInt32 = 1 << 25
    /// opts1 RWT: receive watchdog timer expired (packet longer than 8 KiB).
    public static let RWT: UInt32 = 1 << 22
    /// opts1 RES: receive error summary.
    public static let RES: UInt32 = 1 << 21
    /// opts1 RUNT: runt packet.
    public static let RUNT: UInt32 = 1 << 20
    /// opts1 CRC: CRC error.
    public static let CRC: UInt32 = 1 << 19
    /// opts1 PID1:0 protocol (bits 18:17): 01 TCP, 10 UDP, 11 IP.
    public static let PID1: UInt32 = 1 << 18
    /// PID0.
    public static let PID0: UInt32 = 1 << 17
    /// opts1 IPF: IP checksum failed.
    public static let IPF: UInt32 = 1 << 16
    /// opts1 UDPF: UDP checksum failed.
    public static let UDPF: UInt32 = 1 << 15
    /// opts1 TCPF: TCP checksum failed.
    public static let TCPF: UInt32 = 1 << 14
    /// opts1 frame length (including FCS) on the last descriptor, buffer size when posted (bits 13:0).
    public static let lengthMask: UInt32 = 0x3FFF
    /// opts2 TAVA: a VLAN tag was stripped; TCI in bits 15:0, byte-swapped.
    public static let TAVA: UInt32 = 1 << 16
    /// opts2 V6F: an IPv6 packet (RTL8168C/8111C and later; FreeBSD re(4) `RL_RDESC_IPV6`): PID1:0
    /// and TCPF/UDPF report its TCP/UDP checksum.
    public static let V6F: UInt32 = 1 << 31
    /// opts2 V4F: an IPv4 packet (`RL_RDESC_IPV4`): IPF reports its header checksum.
    public static let V4F: UInt32 = 1 << 30
}
