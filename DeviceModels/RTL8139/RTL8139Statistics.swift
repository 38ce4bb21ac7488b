/// Why the model did not deliver a frame that reached its MAC. The replay check reads these by name.
public enum RTL8139DropReason: String, CaseIterable, Sendable {
    /// The receive FIFO was full (ring or descriptors exhausted): counted by MPC and the tally MissPkt.
    case missed
    /// No filter accepted the destination (RCR AAP/APM/AM/AB, MAR hash).
    case filtered
    /// Bad FCS and RCR.AER clear: counted by the tally RxErr.
    case badFCS
    /// Shorter than 64 bytes on the wire and RCR.AR clear: counted by the tally RxErr.
    case runt
    /// Longer than the chip receives (C mode: the ring; C+ mode: 4 KiB): counted by the tally RxErr.
    case tooLong
    /// CR.RE (C mode) or CpCmd.RxEnb (C+ mode) clear: counted nowhere on the chip.
    case receiverDisabled
    /// The link was down.
    case linkDown
}

/// The chip's counters: MPC and the C+ tally counters (kept in both modes, dumped by DTCCR), and
/// the model's drop counts by reason. Totals since power-on except MPC, which a write clears.
struct RTL8139Statistics {
    var mpc: UInt32 = 0
    var txOk: UInt64 = 0, rxOk: UInt64 = 0, txErr: UInt64 = 0
    var rxErr: UInt32 = 0, missPkt: UInt16 = 0, fae: UInt16 = 0
    var tx1Col: UInt32 = 0, txMCol: UInt32 = 0
    var rxOkPhy: UInt64 = 0, rxOkBrd: UInt64 = 0, rxOkMul: UInt32 = 0
    var txAbt: UInt16 = 0, txUndrn: UInt16 = 0
    var drops = [UInt64](repeating: 0, count: RTL8139DropReason.allCases.count)

    mutating func drop(_ r: RTL8139DropReason) {
        drops[RTL8139DropReason.allCases.firstIndex(of: r)!] &+= 1
    }

    /// The tally block as the chip dumps it (little-endian fields, ``RTL8139Tally/fields``).
    func tallyBlock() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: RTL8139Tally.size)
        let values: [UInt64] = [txOk, rxOk, txErr, UInt64(rxErr), UInt64(missPkt), UInt64(fae), UInt64(tx1Col),
                                UInt64(txMCol), rxOkPhy, rxOkBrd, UInt64(rxOkMul), UInt64(txAbt), UInt64(txUndrn)]
        for (f, v) in zip(RTL8139Tally.fields, values) {
            for i in 0..<f.bytes { b[f.offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
        }
        return b
    }

    /// Named counters, in a fixed order: MPC, then the tally counters as the datasheet names them.
    var named: [(name: String, value: UInt64)] {
        [("MPC", UInt64(mpc)), ("TxOk", txOk), ("RxOk", rxOk), ("TxErr", txErr), ("RxErr", UInt64(rxErr)),
         ("MissPkt", UInt64(missPkt)), ("FAE", UInt64(fae)), ("Tx1Col", UInt64(tx1Col)), ("TxMCol", UInt64(txMCol)),
         ("RxOkPhy", rxOkPhy), ("RxOkBrd", rxOkBrd), ("RxOkMul", UInt64(rxOkMul)), ("TxAbt", UInt64(txAbt)),
         ("TxUndrn", UInt64(txUndrn))]
    }
}
