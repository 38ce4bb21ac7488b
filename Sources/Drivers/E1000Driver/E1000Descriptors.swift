// Descriptor layouts (16 bytes, little-endian), as values: the hot paths build and read them
// without allocating. Legacy receive: SDM §3.2.3 Table 3-1. Legacy transmit: SDM §3.3.3 Table 3-8.
// TCP/IP context: SDM §3.3.6 Table 3-13. TCP/IP data: SDM §3.3.7 Table 3-17.

/// Bytes per descriptor, every kind (SDM §3.2.3, §3.3).
let descriptorSize = 16

/// Legacy receive descriptor (SDM §3.2.3 Table 3-1): bytes 0–7 buffer address (software), then the
/// write-back the device fills in: 8–9 length, 10–11 packet checksum, 12 status, 13 errors,
/// 14–15 special (stripped VLAN tag).
enum RxDescriptor {
    /// Offset of the buffer address.
    static let bufferAddress = 0
    /// Offset of the write-back quadword (length … special).
    static let writeBack = 8
    /// Offset of the length.
    static let length = 8
    /// Offset of the status byte.
    static let status = 12
    /// Offset of the errors byte.
    static let errors = 13
    /// Offset of the special field.
    static let special = 14

    /// STATUS.DD — Descriptor Done (SDM §3.2.3.1).
    static let DD: UInt8 = 1 << 0
    /// STATUS.EOP — End of Packet.
    static let EOP: UInt8 = 1 << 1
    /// STATUS.IXSM — Ignore Checksum Indication.
    static let IXSM: UInt8 = 1 << 2
    /// STATUS.VP — 802.1Q packet, tag stripped into `special`.
    static let VP: UInt8 = 1 << 3
    /// STATUS.UDPCS — UDP checksum calculated (82574).
    static let UDPCS: UInt8 = 1 << 4
    /// STATUS.TCPCS — TCP (or UDP) checksum calculated.
    static let TCPCS: UInt8 = 1 << 5
    /// STATUS.IPCS — IPv4 header checksum calculated.
    static let IPCS: UInt8 = 1 << 6

    /// ERRORS.CE — CRC or alignment error (SDM §3.2.3.2).
    static let CE: UInt8 = 1 << 0
    /// ERRORS.SE — symbol error.
    static let SE: UInt8 = 1 << 1
    /// ERRORS.SEQ — sequence error.
    static let SEQ: UInt8 = 1 << 2
    /// ERRORS.CXE — carrier extension error.
    static let CXE: UInt8 = 1 << 4
    /// ERRORS.TCPE — TCP/UDP checksum error (the frame is still good).
    static let TCPE: UInt8 = 1 << 5
    /// ERRORS.IPE — IP checksum error (the frame is still good).
    static let IPE: UInt8 = 1 << 6
    /// ERRORS.RXE — receive data error.
    static let RXE: UInt8 = 1 << 7
    /// Errors that make a frame unusable: it is counted, not delivered.
    static let frameErrors: UInt8 = CE | SE | SEQ | CXE | RXE
}

/// TDESC.STA bits, written back when RS is set (SDM Table 3-11).
enum TxStatus {
    /// DD — Descriptor Done.
    static let DD: UInt8 = 1 << 0
    /// EC — Excess Collisions.
    static let EC: UInt8 = 1 << 1
    /// LC — Late Collision.
    static let LC: UInt8 = 1 << 2
    /// Offset of the STA byte in every transmit descriptor.
    static let offset = 12
}

/// A legacy transmit descriptor (SDM §3.3.3 Table 3-8): 0–7 address, 8–9 length, 10 CSO, 11 CMD,
/// 12 STA, 13 CSS, 14–15 special.
struct LegacyTxDescriptor {
    /// CMD.EOP — End of Packet (SDM §3.3.3.1 Table 3-10).
    static let EOP: UInt8 = 1 << 0
    /// CMD.IFCS — Insert FCS.
    static let IFCS: UInt8 = 1 << 1
    /// CMD.RS — Report Status.
    static let RS: UInt8 = 1 << 3
    /// CMD.VLE — VLAN Packet Enable (needs CTRL.VME).
    static let VLE: UInt8 = 1 << 6
    /// Most bytes one legacy descriptor may carry (SDM Table 3-9).
    static let maximumLength = 16288

    var bufferAddress: UInt64
    var length: UInt16
    var command: UInt8
    var special: UInt16 = 0

    /// The quadword at byte 8 (CSO, STA and CSS zero).
    @inline(__always) var high: UInt64 {
        UInt64(length) | UInt64(command) << 24 | UInt64(special) << 48
    }
}

/// A TCP/IP context descriptor (SDM §3.3.6 Table 3-13): checksum and segmentation parameters that
/// apply to the data descriptors after it.
struct ContextTxDescriptor {
    /// TUCMD.TCP — the packet is TCP, not UDP (SDM §3.3.6.1 Table 3-15).
    static let TCP: UInt8 = 1 << 0
    /// TUCMD.IP — the packet is IPv4, not IPv6.
    static let IP: UInt8 = 1 << 1
    /// TUCMD.TSE — TCP Segmentation Enable.
    static let TSE: UInt8 = 1 << 2
    /// TUCMD.DEXT — extended descriptor (must be 1).
    static let DEXT: UInt8 = 1 << 5
    /// DTYP of a context descriptor (0000b in bits 23:20 of the dword at 8).
    static let DTYP: UInt32 = 0b0000 << 20

    /// IPCSS — IP checksum start.
    var ipcss: UInt8 = 0
    /// IPCSO — where the IP checksum goes.
    var ipcso: UInt8 = 0
    /// IPCSE — last byte of the IP checksum (inclusive); 0 = to the end.
    var ipcse: UInt16 = 0
    /// TUCSS — TCP/UDP checksum start.
    var tucss: UInt8 = 0
    /// TUCSO — where the TCP/UDP checksum goes.
    var tucso: UInt8 = 0
    /// TUCSE — last byte of the TCP/UDP checksum; 0 = to the end of the packet.
    var tucse: UInt16 = 0
    /// PAYLEN — TSO payload bytes after the header (20 bits).
    var paylen: UInt32 = 0
    /// TUCMD.
    var command: UInt8 = DEXT
    /// HDRLEN — TSO header length.
    var hdrlen: UInt8 = 0
    /// MSS — TSO maximum segment size.
    var mss: UInt16 = 0

    /// Bytes 0–7.
    @inline(__always) var low: UInt64 {
        UInt64(ipcss) | UInt64(ipcso) << 8 | UInt64(ipcse) << 16
            | UInt64(tucss) << 32 | UInt64(tucso) << 40 | UInt64(tucse) << 48
    }
    /// Bytes 8–15 (STA zero).
    @inline(__always) var high: UInt64 {
        let dword = (paylen & 0x000F_FFFF) | Self.DTYP | UInt32(command | Self.DEXT) << 24
        return UInt64(dword) | UInt64(hdrlen) << 40 | UInt64(mss) << 48
    }
}

/// A TCP/IP data descriptor (SDM §3.3.7 Table 3-17): 0–7 address, dword at 8 = DTALEN (19:0),
/// DTYP 0001b (23:20), DCMD (31:24); 12 STA, 13 POPTS, 14–15 special.
struct DataTxDescriptor {
    /// DCMD.EOP — End of Packet (SDM §3.3.7.1).
    static let EOP: UInt8 = 1 << 0
    /// DCMD.IFCS — Insert FCS.
    static let IFCS: UInt8 = 1 << 1
    /// DCMD.TSE — part of a TCP segmentation context.
    static let TSE: UInt8 = 1 << 2
    /// DCMD.RS — Report Status.
    static let RS: UInt8 = 1 << 3
    /// DCMD.DEXT — extended descriptor (must be 1).
    static let DEXT: UInt8 = 1 << 5
    /// DCMD.VLE — VLAN Packet Enable.
    static let VLE: UInt8 = 1 << 6
    /// POPTS.IXSM — insert the IP checksum (SDM §3.3.7.3).
    static let IXSM: UInt8 = 1 << 0
    /// POPTS.TXSM — insert the TCP/UDP checksum.
    static let TXSM: UInt8 = 1 << 1
    /// DTYP of a data descriptor.
    static let DTYP: UInt32 = 0b0001 << 20

    var bufferAddress: UInt64
    var length: UInt32
    var command: UInt8
    var options: UInt8 = 0
    var special: UInt16 = 0

    /// Bytes 8–15 (STA zero).
    @inline(__always) var high: UInt64 {
        let dword = (length & 0x000F_FFFF) | Self.DTYP | UInt32(command | Self.DEXT) << 24
        return UInt64(dword) | UInt64(options) << 40 | UInt64(special) << 48
    }
}
