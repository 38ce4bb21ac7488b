import BoxlessPlatform
import NICCore

/// What the MAC computed for a received frame, kept with it in the NIC core's ``RxFIFO`` until
/// receive DMA writes it back (RTL8139C(L) datasheet §6.1 packet header; C+ datasheet §9.2).
struct RTL8139RxStatus {
    /// The C-mode packet header status bits (ROK … MAR, ``RTL8139RxHeader``).
    var status: UInt16 = 0
    /// C+ receive checksum result: PID, IPF, UDPF, TCPF (opts1 bits, ``RTL8139RxDesc``).
    var checksum: UInt32 = 0
    /// C+ opts2: TAVA and the stripped tag, byte-swapped as the descriptor holds it.
    var tag: UInt32 = 0
}

/// A C+ descriptor write-back waiting for the end of its DMA (or an injected delay).
struct RTL8139Writeback {
    /// Where the descriptor is.
    var address: BusAddress
    /// opts1 and opts2 as written back.
    var opts1: UInt32
    var opts2: UInt32
    /// Whether opts2 is written (receive) or left alone (transmit).
    var writesOpts2: Bool
}

/// A C+ transmit descriptor the chip fetched.
struct RTL8139TxFetched {
    var address: BusAddress
    var opts1: UInt32
    var opts2: UInt32
    var buffer: UInt64
}
