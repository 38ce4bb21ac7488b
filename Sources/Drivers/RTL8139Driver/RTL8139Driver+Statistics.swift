import NativeDriverKit

/// MPC (DS §5: missed packets, 24 bits, cleared by writing) and, in C+ mode, the tally counters
/// the chip dumps by DMA on DTCCR.Cmd (C+ DS §6.1).
extension RTL8139Driver {
    /// Folds MPC into the running total and clears it.
    func foldCounters() {
        guard !removed else { return }
        mpcTotal &+= UInt64(regs.read32(Reg.MPC) & 0xFF_FFFF)
        regs.write32(Reg.MPC, 0)
    }

    /// The tally counters by name (C+ mode; empty in C mode, where the chip cannot dump them).
    public func tallyCounters() -> [(name: String, value: UInt64)] {
        guard mode == .cplus, !removed, let t = tally else { return [] }
        regs.write32(Reg.DTCCR + 4, t.busAddress.high32)
        regs.write32(Reg.DTCCR, t.busAddress.low32 | CPlus.DTCCR_Cmd)
        let r = regs
        guard context.wait(until: { r.read32(Reg.DTCCR) & CPlus.DTCCR_Cmd == 0 }, timeout: .milliseconds(10), interval: .microseconds(10)) else {
            context.log(.warning, "tally counter dump did not complete")
            return []
        }
        return tallyFields.map { f in
            var v: UInt64 = 0
            for i in 0..<f.bytes { v |= UInt64(t.load8(f.offset + i)) << (8 * UInt64(i)) }
            return (f.name, v)
        }
    }

    /// Receive and transmit packets are the driver's; `rxDropped` lists MPC (frames the chip
    /// missed for want of buffer space) and the driver's `RXERR` (frames with an error status).
    public func statistics() -> NetworkStatistics {
        foldCounters()
        var s = NetworkStatistics()
        s.rxPackets = counters.rxPackets
        s.rxBytes = counters.rxBytes
        s.txPackets = counters.txCompleted
        s.txErrors = counters.txFailed
        s.rxDropped = [("MPC", mpcTotal), ("RXERR", counters.rxErrors)]
        return s
    }
}
