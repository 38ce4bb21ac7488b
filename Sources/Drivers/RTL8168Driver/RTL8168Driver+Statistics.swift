import NativeDriverKit

/// Statistics from the tally counters (DS §7 DTCCR and its counter table; layout as r8169
/// `struct rtl8169_counters`): the chip DMA-writes 64 bytes; the driver reads them by name.
extension RTL8168Driver {
    /// The dump layout: name, offset, width.
    static let tallyFields: [(String, Int, Int)] = [
        ("TxOk", 0, 8), ("RxOk", 8, 8), ("TxEr", 16, 8), ("RxEr", 24, 4), ("MissPkt", 28, 2), ("FAE", 30, 2),
        ("Tx1Col", 32, 4), ("TxMCol", 36, 4), ("RxOkPhy", 40, 8), ("RxOkBrd", 48, 8), ("RxOkMul", 56, 4),
        ("TxAbt", 60, 2), ("TxUndrn", 62, 2),
    ]

    func allocateTally() throws(DriverError) {
        tallyBuffer = try dma.allocateCoherent(size: 64, alignment: 64)
    }

    /// DTCCR.Reset: counters start at zero (r8169 rtl8169_reset_counters, 8111C and later).
    func resetTally() {
        guard let t = tallyBuffer else { return }
        regs.write32(Reg.DTCCRHigh, t.busAddress.high32)
        regs.write32(Reg.DTCCR, t.busAddress.low32 | DTCCR.Reset)
    }

    /// Dumps the counters: high address, then low address with Cmd; Cmd self-clears when the DMA
    /// is done (r8169 rtl8169_do_counters: 10 µs × 1000).
    func dumpTally() {
        guard let t = tallyBuffer, !removed else { return }
        regs.write32(Reg.DTCCRHigh, t.busAddress.high32)
        regs.write32(Reg.DTCCR, t.busAddress.low32 | DTCCR.Cmd)
        let regs = self.regs
        guard context.wait(until: { regs.read32(Reg.DTCCR) & DTCCR.Cmd == 0 }, timeout: .milliseconds(10), interval: .microseconds(10)) else {
            context.log(.warning, "tally counter dump did not complete")
            return
        }
        tally = Self.tallyFields.map { (name, off, width) in
            var v: UInt64 = 0
            for b in 0..<width { v |= UInt64(t.load8(off + b)) << UInt64(8 * b) }
            return (name, v)
        }
    }

    /// A tally counter from the last dump.
    public func tallyCounter(_ name: String) -> UInt64 { tally.first { $0.name == name }?.value ?? 0 }

    /// Interface statistics. Receive packets and bytes are what the driver delivered; transmit
    /// packets the chip's TxOk (each giant-send segment counts); transmit bytes what the completed packets put
    /// on the wire (the tally has no byte counter), counted by the driver at completion. `rxDropped` lists, in this order,
    /// the chip's MissPkt (no descriptor or FIFO full), RxEr (CRC, runt, longer than RxMaxSize) and
    /// FAE (alignment), then the driver's RXFRAG (frames that spanned descriptors) and RXBAD (frames
    /// whose write-back it could not trust: RES set, or a length its buffer cannot hold).
    public func statistics() -> NetworkStatistics {
        if isOpen { dumpTally() }
        var s = NetworkStatistics()
        s.rxPackets = counters.rxPackets
        s.rxBytes = counters.rxBytes
        s.txPackets = tallyCounter("TxOk")
        s.txBytes = counters.txBytes
        s.txErrors = tallyCounter("TxEr") &+ counters.txFailed
        s.rxDropped = [("MissPkt", tallyCounter("MissPkt")), ("RxEr", tallyCounter("RxEr")), ("FAE", tallyCounter("FAE")),
                       ("RXFRAG", counters.rxFragmented), ("RXBAD", counters.rxErrors)]
        return s
    }
}
