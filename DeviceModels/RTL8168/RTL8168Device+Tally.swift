import BoxlessPlatform

// The tally counter dump (RTL8111C DS §7 "DTCCR"): software writes the high address, then the low
// address with Cmd; the chip DMA-writes the 64-byte counter block and clears Cmd. Reset (8111C and
// later; r8169 rtl8169_reset_counters) clears the counters and self-clears.

extension RTL8168Device {
    func tallyCommand(_ low: UInt32) {
        if low & RTL8168DTCCR.Reset != 0 {
            tally.clear()
            setLE32(Int(RTL8168Register.DTCCR.rawValue), low & ~RTL8168DTCCR.Reset)
        }
        guard low & RTL8168DTCCR.Cmd != 0 else { return }
        if tallyBusy { breach(.tallyDumpWhileBusy); return }
        let address = UInt64(reg32(.DTCCRHigh)) << 32 | UInt64(low & ~0x3F)
        if low & 0x36 != 0 { breach(.tallyNotAligned, "DTCCR = 0x\(String(UInt64(reg32(.DTCCRHigh)) << 32 | UInt64(low), radix: 16))") }
        tallyBusy = true
        let cost = function.timing.transferTime(bytes: RTL8168TallyCounters.dumpSize) + function.timing.writeLatency
        function.schedule(after: cost) { [unowned(unsafe) self] in
            let bytes = self.tally.dump
            _ = bytes.withUnsafeBytes { self.function.dmaWrite(BusAddress(rawValue: address), from: $0) }
            self.tallyBusy = false
            let now = self.reg32(.DTCCR)
            self.setLE32(Int(RTL8168Register.DTCCR.rawValue), now & ~RTL8168DTCCR.Cmd)
        }
    }
}
