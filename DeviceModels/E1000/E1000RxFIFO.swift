import NICCore

/// What the MAC computed for a received frame, kept with it in the NIC core's ``RxFIFO`` (the
/// on-chip packet buffer, SDM §3.2, sized by PBA.RXA §13.4.16) until receive DMA writes it back.
struct E1000RxStatus {
    /// Legacy-format status and errors (RDESC.STATUS / ERRORS bits).
    var status: UInt8 = 0
    var errors: UInt8 = 0
    /// Packet checksum from RXCSUM.PCSS (SDM §3.2.3).
    var checksum: UInt16 = 0
    /// Stripped 802.1Q tag.
    var special: UInt16 = 0
    /// IPv4 identification (82574 extended descriptors).
    var ipID: UInt16 = 0
    var ipIDValid = false
}

/// The e1000 family's receive FIFO.
typealias E1000RxFIFO = RxFIFO<E1000RxStatus>
