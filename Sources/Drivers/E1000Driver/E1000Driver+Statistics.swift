import NativeDriverKit

/// 64-bit totals of the device's read-to-clear statistics registers (SDM §13.7).
struct HardwareCounters {
    var mpc: UInt64 = 0, rnbc: UInt64 = 0, roc: UInt64 = 0, ruc: UInt64 = 0, rfc: UInt64 = 0, rjc: UInt64 = 0
    var crcerrs: UInt64 = 0, algnerrc: UInt64 = 0, rxerrc: UInt64 = 0
    var gprc: UInt64 = 0, gorc: UInt64 = 0, gptc: UInt64 = 0, gotc: UInt64 = 0
    var ecol: UInt64 = 0, latecol: UInt64 = 0
}

extension E1000Driver {
    /// Reads every counter the driver reports (each read clears it) and adds it to the totals.
    func foldCounters() {
        guard !removed, !gone else { return }   // a vanished device's counters read all-ones
        func take(_ offset: Int) -> UInt64 { UInt64(regs.read32(offset)) }
        hardware.crcerrs &+= take(Reg.CRCERRS)
        hardware.algnerrc &+= take(Reg.ALGNERRC)
        hardware.rxerrc &+= take(Reg.RXERRC)
        hardware.mpc &+= take(Reg.MPC)
        hardware.ecol &+= take(Reg.ECOL)
        hardware.latecol &+= take(Reg.LATECOL)
        hardware.gprc &+= take(Reg.GPRC)
        hardware.gptc &+= take(Reg.GPTC)
        // 64-bit octet counters: low half first, then high (SDM §13.7).
        hardware.gorc &+= take(Reg.GORCL) | take(Reg.GORCH) << 32
        hardware.gotc &+= take(Reg.GOTCL) | take(Reg.GOTCH) << 32
        hardware.rnbc &+= take(Reg.RNBC)
        hardware.ruc &+= take(Reg.RUC)
        hardware.rfc &+= take(Reg.RFC)
        hardware.roc &+= take(Reg.ROC)
        hardware.rjc &+= take(Reg.RJC)
    }

    /// Interface statistics. Receive packets and bytes are what the driver delivered; transmit
    /// packets are the device's GPTC (each TSO segment counts) and bytes its GOTC less the FCS.
    /// `rxDropped` lists, in this fixed order, the device's counters of frames it did not store —
    /// MPC (no room: ring or FIFO full), ROC (too long), RUC (too short), RFC (fragment), RJC
    /// (jabber), CRCERRS, ALGNERRC, RXERRC — then the driver's own `RXDESCERR` (descriptor errors)
    /// and `RXOVERSIZE`. RNBC is not a drop (the frame waits in the FIFO) and is not listed.
    public func statistics() -> NetworkStatistics {
        if !removed, stillPresent() { foldCounters() }
        var s = NetworkStatistics()
        s.rxPackets = counters.rxPackets
        s.rxBytes = counters.rxBytes
        s.txPackets = hardware.gptc
        let fcs = UInt64(4) * hardware.gptc
        s.txBytes = hardware.gotc > fcs ? hardware.gotc - fcs : 0
        s.txErrors = counters.txFailed
        s.rxDropped = [
            ("MPC", hardware.mpc), ("ROC", hardware.roc), ("RUC", hardware.ruc), ("RFC", hardware.rfc),
            ("RJC", hardware.rjc), ("CRCERRS", hardware.crcerrs), ("ALGNERRC", hardware.algnerrc),
            ("RXERRC", hardware.rxerrc), ("RXDESCERR", counters.rxDescriptorErrors), ("RXOVERSIZE", counters.rxOversize),
        ]
        return s
    }

    /// Receive-no-buffer events (RNBC) so far: frames that found the ring empty and waited.
    public var receiveNoBufferCount: UInt64 {
        foldCounters()
        return hardware.rnbc
    }
}
