import NativeDriverKit

/// Descriptor layout (DS §8: 16 bytes — opts1, opts2, buffer address low/high) and bits.
enum Desc {
    static let size = 16
    /// Ring alignment (DS §7 TNPDS/RDSAR: 256 bytes).
    static let ringAlignment = 256
    static let OWN: UInt32 = 1 << 31, EOR: UInt32 = 1 << 30, FS: UInt32 = 1 << 29, LS: UInt32 = 1 << 28
}

/// Transmit descriptor fields, the v2 layout of the 8168C (DS §8.1; r8169 `rtl_tx_desc_bit_1`).
enum TxDesc {
    /// opts1: giant send IPv4 / IPv6, TCP header offset (GTTCPHO, bits 24:18, at most 127).
    static let GTSENV4: UInt32 = 1 << 26, GTSENV6: UInt32 = 1 << 25
    static let GTTCPHOShift: UInt32 = 18, GTTCPHOMax = 0x7F
    /// opts2: checksum requests, MSS (bits 28:18) or TCPHO (bits 27:18), VLAN tag insertion.
    static let UDPCS: UInt32 = 1 << 31, TCPCS: UInt32 = 1 << 30, IPV4CS: UInt32 = 1 << 29, IPV6CS: UInt32 = 1 << 28
    static let MSSShift: UInt32 = 18, MSSMax = 0x7FF
    static let TCPHOShift: UInt32 = 18, TCPHOMax = 0x3FF
    static let TAGC: UInt32 = 1 << 17
}

/// Receive descriptor fields (DS §8.2; r8169 `rtl_rx_desc_bit`).
enum RxDesc {
    static let RES: UInt32 = 1 << 21, CRC: UInt32 = 1 << 19, RUNT: UInt32 = 1 << 20, RWT: UInt32 = 1 << 22
    static let PID1: UInt32 = 1 << 18, PID0: UInt32 = 1 << 17
    static let IPF: UInt32 = 1 << 16, UDPF: UInt32 = 1 << 15, TCPF: UInt32 = 1 << 14
    static let lengthMask: UInt32 = 0x3FFF
    /// opts2: a tag was stripped; the TCI is in bits 15:0, byte-swapped.
    static let TAVA: UInt32 = 1 << 16
    /// opts2 (RTL8168C/8111C and later): an IPv6 packet; PID1:0 and TCPF/UDPF report its TCP/UDP checksum.
    static let V6F: UInt32 = 1 << 31
    /// opts2: an IPv4 packet; IPF reports its header checksum.
    static let V4F: UInt32 = 1 << 30
}
