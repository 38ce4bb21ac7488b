/// C+ mode descriptors (C+ datasheet §9 "Transmit and Receive Descriptors"; the layout the RTL8169
/// datasheet rev 1.21 §8 repeats; Linux 8139cp names in the doc comments). 16 bytes each:
/// opts1 at 0, opts2 at 4, buffer address low at 8, high at 12.
public enum RTL8139Descriptor {
    /// Bytes per descriptor.
    public static let size = 16
    /// Ring base alignment (C+ §6.2, §6.6: TNPDS / RDSAR must be 256-byte aligned).
    public static let ringAlignment: UInt64 = 256
    /// Most descriptors the C+ rings hold (C+ §9: up to 64 per ring).
    public static let maximumRingCount = 64

    /// OWN (opts1 bit 31): the chip owns the descriptor.
    public static let OWN: UInt32 = 1 << 31
    /// EOR (bit 30): end of ring; the chip returns to the ring base after it.
    public static let EOR: UInt32 = 1 << 30
    /// FS (bit 29): first segment of a frame.
    public static let FS: UInt32 = 1 << 29
    /// LS (bit 28): last segment of a frame.
    public static let LS: UInt32 = 1 << 28
    /// The status byte a hostile write-back replaces (fault layer ``badStatus``): opts1 bits
    /// 23:16 — receive BOVF, FOVF, RWT, RES, RUNT, CRC, PID; transmit UNF, ES, OWC, LNKF, EXC.
    public static let statusByteShift: UInt32 = 16
    /// Mask of that byte.
    public static let statusByteMask: UInt32 = 0xFF << 16
}

/// Transmit descriptor fields (C+ §9.1).
public enum RTL8139TxDesc {
    /// LGSEN (opts1 bit 27): large send (TCP segmentation).
    public static let LGSEN: UInt32 = 1 << 27
    /// MSS (bits 26:16 with LGSEN): maximum segment size.
    public static let MSS_SHIFT: UInt32 = 16
    /// MSS field mask (11 bits).
    public static let MSS_MASK: UInt32 = 0x7FF
    /// IPCS (bit 18, LGSEN = 0): insert the IPv4 header checksum.
    public static let IPCS: UInt32 = 1 << 18
    /// UDPCS (bit 17): insert the UDP checksum.
    public static let UDPCS: UInt32 = 1 << 17
    /// TCPCS (bit 16): insert the TCP checksum.
    public static let TCPCS: UInt32 = 1 << 16
    /// Frame_Length: bytes in this descriptor's buffer (bits 15:0; the chip uses 12:0).
    public static let LENGTH_MASK: UInt32 = 0xFFFF
    /// TAGC (opts2 bit 17): insert an 802.1Q tag from VLAN_TAG.
    public static let TAGC: UInt32 = 1 << 17
    /// VLAN_TAG (opts2 15:0), stored byte-swapped (the TCI in network order in memory).
    public static let VLAN_MASK: UInt32 = 0xFFFF
    /// Status after transmission: TxError summary ("ES", bit 23).
    public static let ES: UInt32 = 1 << 23
    /// Status: FIFO underrun (bit 25).
    public static let UNF: UInt32 = 1 << 25
    /// Status: out-of-window collision (bit 22).
    public static let OWC: UInt32 = 1 << 22
    /// Status: link failed during the frame (bit 21).
    public static let LNKF: UInt32 = 1 << 21
    /// Status: excessive collisions (bit 20).
    public static let EXC: UInt32 = 1 << 20
}

/// Receive descriptor fields (C+ §9.2).
public enum RTL8139RxDesc {
    /// FAE (bit 27): frame alignment error.
    public static let FAE: UInt32 = 1 << 27
    /// MAR (bit 26): multicast frame.
    public static let MAR: UInt32 = 1 << 26
    /// PAM (bit 25): physical address matched.
    public static let PAM: UInt32 = 1 << 25
    /// BAR (bit 24): broadcast frame.
    public static let BAR: UInt32 = 1 << 24
    /// BOVF (bit 23): receive buffer overflow.
    public static let BOVF: UInt32 = 1 << 23
    /// FOVF (bit 22): FIFO overflow.
    public static let FOVF: UInt32 = 1 << 22
    /// RWT (bit 21): watchdog timer expired (frame longer than 4 KiB; 8139cp: RxErrLong).
    public static let RWT: UInt32 = 1 << 21
    /// RES (bit 20): receive error summary.
    public static let RES: UInt32 = 1 << 20
    /// RUNT (bit 19): frame shorter than 64 bytes.
    public static let RUNT: UInt32 = 1 << 19
    /// CRC (bit 18): CRC error.
    public static let CRC: UInt32 = 1 << 18
    /// PID1:0 (bits 17:16): 00 non-IP, 01 TCP/IP, 10 UDP/IP, 11 IP.
    public static let PID_SHIFT: UInt32 = 16
    /// PID field mask.
    public static let PID_MASK: UInt32 = 3 << 16
    /// PID = TCP/IP.
    public static let PID_TCP: UInt32 = 1 << 16
    /// PID = UDP/IP.
    public static let PID_UDP: UInt32 = 2 << 16
    /// PID = IP (other protocol).
    public static let PID_IP: UInt32 = 3 << 16
    /// IPF (bit 15): IPv4 header checksum failed.
    public static let IPF: UInt32 = 1 << 15
    /// UDPF (bit 14): UDP checksum failed.
    public static let UDPF: UInt32 = 1 << 14
    /// TCPF (bit 13): TCP checksum failed.
    public static let TCPF: UInt32 = 1 << 13
    /// Buffer size given to the chip / frame length written back (with CRC), bits 12:0.
    public static let LENGTH_MASK: UInt32 = 0x1FFF
    /// TAVA (opts2 bit 16): a VLAN tag was stripped into VLAN_TAG.
    public static let TAVA: UInt32 = 1 << 16
}

/// The 64-byte tally counter block the chip writes on DTCCR.Cmd (C+ datasheet §6.1 table; the
/// same layout 8139cp's `struct cp_dma_stats` and QEMU's `RTL8139TallyCounters` use).
public enum RTL8139Tally {
    /// Field name, byte offset, width in bytes, in the block's order.
    public static let fields: [(name: String, offset: Int, bytes: Int)] = [
        ("TxOk", 0, 8), ("RxOk", 8, 8), ("TxErr", 16, 8), ("RxErr", 24, 4), ("MissPkt", 28, 2),
        ("FAE", 30, 2), ("Tx1Col", 32, 4), ("TxMCol", 36, 4), ("RxOkPhy", 40, 8), ("RxOkBrd", 48, 8),
        ("RxOkMul", 56, 4), ("TxAbt", 60, 2), ("TxUndrn", 62, 2),
    ]
    /// Bytes of the block.
    public static let size = 64
}
