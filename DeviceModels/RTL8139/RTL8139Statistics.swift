import NICCore

/// The chip's counters: MPC and the C+ tally counters (kept in both modes, dumped by DTCCR), and
/// the receive errors by the packet-header bit that names them (RUNT, CRC, LONG: RTL8139C(L)
/// datasheet §6.1), which the chip reports per frame but counts only in the tally RxErr.
struct RTL8139Statistics {
    /// MPC as the register reads (24 bits, cleared by any write).
    var mpc: UInt32 = 0
    /// MPC's total since power-on.
    var mpcTotal: UInt64 = 0
    var txOk: UInt64 = 0, rxOk: UInt64 = 0, txErr: UInt64 = 0
    var rxErr: UInt32 = 0, missPkt: UInt16 = 0, fae: UInt16 = 0
    var tx1Col: UInt32 = 0, txMCol: UInt32 = 0
    var rxOkPhy: UInt64 = 0, rxOkBrd: UInt64 = 0, rxOkMul: UInt32 = 0
    var txAbt: UInt16 = 0, txUndrn: UInt16 = 0
    /// Frames dropped as runts, with bad FCS, or too long.
    var runt: UInt64 = 0, crc: UInt64 = 0, long: UInt64 = 0
    /// Frames that arrived with the receiver off or the link down.
    var ignored: UInt64 = 0

    /// A frame missed for want of FIFO room (MPC, MissPkt).
    mutating func missed() {
        mpc = (mpc &+ 1) & 0xFF_FFFF; mpcTotal &+= 1; missPkt &+= 1
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

    /// Named counters, in a fixed order: MPC, the tally counters as the datasheet names them, then
    /// RUNT, CRC and LONG.
    var named: [(name: String, value: UInt64)] {
        [("MPC", mpcTotal), ("TxOk", txOk), ("RxOk", rxOk), ("TxErr", txErr), ("RxErr", UInt64(rxErr)),
         ("MissPkt", UInt64(missPkt)), ("FAE", UInt64(fae)), ("Tx1Col", UInt64(tx1Col)), ("TxMCol", UInt64(txMCol)),
         ("RxOkPhy", rxOkPhy), ("RxOkBrd", rxOkBrd), ("RxOkMul", UInt64(rxOkMul)), ("TxAbt", UInt64(txAbt)),
         ("TxUndrn", UInt64(txUndrn)), ("RUNT", runt), ("CRC", crc), ("LONG", long)]
    }

    /// The counters of dropped frames and their reasons (MissPkt counts the same frames as MPC
    /// and is not listed again).
    static let dropCounters: [CounterInfo] = [
        CounterInfo("MPC", drop: .missed), CounterInfo("RUNT", drop: .undersize),
        CounterInfo("CRC", drop: .badFCS), CounterInfo("LONG", drop: .oversize),
    ]
}
