import BoxlessPlatform

// The register file (RTL8111C DS §7): byte-addressable little-endian storage with the side effects
// of ChipCmd, TxPoll, ISR, TCTR/TimerInt, PHYAR, CSIAR, DTCCR and the 9346CR lock.

extension RTL8168Device {
    /// MAC reset (ChipCmd.RST completion): engines off, ring positions and interrupt state cleared,
    /// queued receive frames discarded. IDR, MAR, ring bases and configuration are kept.
    func macReset() {
        resetting = false
        regs[Int(RTL8168Register.ChipCmd.rawValue)] = 0
        isr = 0; imr = 0
        rxIndex = 0; txIndex = 0
        rxFIFO.removeAll()
        txPolling = false
        txHung = false
        for m in [rxMitigation.timer, txMitigation.timer] { if let t = m { function.cancel(t) } }
        rxMitigation = Mitigation(); txMitigation = Mitigation()
        if regs[Int(RTL8168Register.RxMaxSize.rawValue)] == 0 && regs[Int(RTL8168Register.RxMaxSize.rawValue) + 1] == 0 {
            setLE16(Int(RTL8168Register.RxMaxSize.rawValue), 1522)   // see FACTS.md: power-on value assumed
        }
        regs[Int(RTL8168Register.Config1.rawValue)] |= RTL8168Config.Config1PMEnable
        updateInterrupts()
    }

    func readRegisters(_ offset: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(readByte(offset + i)) << UInt64(8 * i) }
        return v
    }

    private func readByte(_ o: Int) -> UInt8 {
        typealias R = RTL8168Register
        switch o {
        case 0x3C...0x3D: return UInt8(truncatingIfNeeded: imr >> UInt16(8 * (o - 0x3C)))
        case 0x3E...0x3F: return UInt8(truncatingIfNeeded: isr >> UInt16(8 * (o - 0x3E)))
        case 0x38: return txPolling ? RTL8168TxPoll.NPQ : 0
        case 0x40...0x43:
            let v = (reg32(.TxConfig) & RTL8168TxConfig.writable) | chip.txConfigVersionBits
            return UInt8(truncatingIfNeeded: v >> UInt32(8 * (o - 0x40)))
        case 0x48...0x4B:
            let ticks = UInt32(truncatingIfNeeded: (function.now - timerBase).rawValue / RTL8168ModelTiming.timerTick.rawValue)
            return UInt8(truncatingIfNeeded: ticks >> UInt32(8 * (o - 0x48)))
        case 0x4C...0x4F: return 0                                 // MPC: RTL8169 only
        case 0x6C: return phyStatus
        case 0x37: return regs[o] | (resetting ? RTL8168ChipCmd.RST : 0)
        default: return regs[o]
        }
    }

    func writeRegisters(_ offset: Int, _ n: Int, _ value: UInt64) {
        typealias R = RTL8168Register
        func touches(_ r: R, _ width: Int) -> Bool { offset < Int(r.rawValue) + width && Int(r.rawValue) < offset + n }
        func byte(_ o: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> UInt64(8 * (o - offset))) }
        let ringBases = (tx: reg64(.TNPDS), rx: reg64(.RDSAR))
        var lockedHit: [String] = []
        for o in offset..<offset + n {
            switch o {
            case 0x00...0x05, 0x51...0x56:
                if !unlocked {
                    let name = o <= 5 ? "IDR\(o)" : "Config\(o - 0x51)"
                    lockedHit.append(name)
                    continue
                }
                regs[o] = byte(o)
            case 0x38: continue                                    // TxPoll: a command, not storage
            case 0x3C...0x3D: continue                             // IMR: handled below
            case 0x3E...0x3F: continue                             // ISR: write 1 to clear, below
            case 0x40...0x43:
                let mask = UInt8(truncatingIfNeeded: RTL8168TxConfig.writable >> UInt32(8 * (o - 0x40)))
                regs[o] = regs[o] & ~mask | byte(o) & mask
            case 0x48...0x4B, 0x4C...0x4F, 0x6C: continue           // TCTR (restart below), MPC, PHYstatus
            default: regs[o] = byte(o)
            }
        }
        if !lockedHit.isEmpty { breach(.configWriteWhileLocked, lockedHit.joined(separator: ", ") + " (dropped)") }
        if touches(.IntrMask, 2) {
            var v = imr
            for o in 0x3C...0x3D where o >= offset && o < offset + n { v = v & ~(0xFF << UInt16(8 * (o - 0x3C))) | UInt16(byte(o)) << UInt16(8 * (o - 0x3C)) }
            imr = v
            interruptInputsChanged()
        }
        if touches(.IntrStatus, 2) {
            var clear: UInt16 = 0
            for o in 0x3E...0x3F where o >= offset && o < offset + n { clear |= UInt16(byte(o)) << UInt16(8 * (o - 0x3E)) }
            isr &= ~clear
            interruptInputsChanged()
        }
        if touches(.ChipCmd, 1) { chipCommandWritten(byte(0x37), ringBases: ringBases) }
        if touches(.TxPoll, 1) { txPollWritten(byte(0x38)) }
        if touches(.TCTR, 4) { timerBase = function.now; scheduleTimer() }
        if touches(.TimerInt, 4) { scheduleTimer() }
        if touches(.TNPDS, 4) { ringBaseWritten("TNPDS", reg64(.TNPDS), enabled: transmitterOn, low: Int(R.TNPDS.rawValue), offset: offset) ; txIndex = 0 }
        if touches(.RDSAR, 4) { ringBaseWritten("RDSAR", reg64(.RDSAR), enabled: receiverOn, low: Int(R.RDSAR.rawValue), offset: offset); rxIndex = 0; rxFilledAt.removeAll(keepingCapacity: true); bufferPostedTwiceReported = false }
        if touches(.TNPDSHigh, 4) || touches(.RDSARHigh, 4) {
            if touches(.TNPDSHigh, 4), transmitterOn { breach(.ringBaseWrittenWhileEnabled, "TNPDS high") }
            if touches(.RDSARHigh, 4), receiverOn { breach(.ringBaseWrittenWhileEnabled, "RDSAR high") }
        }
        if touches(.RxMaxSize, 2) { rxMaxSizeReported = false }
        if touches(.PHYAR, 4) { phyAccess(reg32(.PHYAR)) }
        if touches(.CSIAR, 4) { csiAccess(reg32(.CSIAR)) }
        if touches(.DTCCR, 4) { tallyCommand(reg32(.DTCCR)) }
        if touches(.CPlusCmd, 2) || touches(.IntrMitigate, 2) { interruptInputsChanged() }
        if touches(.RxConfig, 4) || touches(.Cfg9346, 1) || touches(.Config3, 1) {}   // read when used
    }

    private func ringBaseWritten(_ name: String, _ base: UInt64, enabled: Bool, low: Int, offset: Int) {
        if enabled { breach(.ringBaseWrittenWhileEnabled, name) }
        if base % RTL8168Descriptor.ringAlignment != 0 {
            breach(.ringNotAligned, "\(name) = 0x\(String(base, radix: 16))")
        }
    }

    /// ChipCmd (DS §7 "Command Register"): RST resets the MAC and self-clears; RE/TE start and stop
    /// the engines (r8169 also sets StopReq, bit 7, before a reset: accepted, no effect).
    private func chipCommandWritten(_ v: UInt8, ringBases: (tx: UInt64, rx: UInt64)) {
        if v & RTL8168ChipCmd.RST != 0 {
            regs[Int(RTL8168Register.ChipCmd.rawValue)] = 0
            resetting = true
            function.schedule(after: RTL8168ModelTiming.reset) { [unowned(unsafe) self] in self.macReset() }
            return
        }
        regs[Int(RTL8168Register.ChipCmd.rawValue)] = v & (RTL8168ChipCmd.RE | RTL8168ChipCmd.TE)
        if receiverOn { kickReceive() }
    }

    /// TxPoll (DS §7 "TPPoll"): NPQ starts the normal-priority ring; FSWInt raises SWInt.
    private func txPollWritten(_ v: UInt8) {
        if v & RTL8168TxPoll.FSWInt != 0 { raise(RTL8168Interrupt.SWInt) }
        guard v & RTL8168TxPoll.NPQ != 0 else { return }
        guard transmitterOn else {
            breach(.pollWhileTransmitterOff)
            return
        }
        txPolling = true
        scheduleTransmit(after: function.timing.readLatency)
    }

    /// CSI (r8169 rtl_csi_read/write): CSIAR.Flag = 1 writes CSIDR into config space at Addr with
    /// the byte enables; Flag = 0 reads the DWORD into CSIDR. Flag toggles when done.
    private func csiAccess(_ v: UInt32) {
        let addr = Int(v & RTL8168CSIAR.AddressMask) & ~3
        let write = v & RTL8168CSIAR.Flag != 0
        let enables = (v & RTL8168CSIAR.ByteEnableMask) >> 12
        let data = reg32(.CSIDR)
        function.schedule(after: RTL8168ModelTiming.csi) { [unowned(unsafe) self] in
            if write {
                for i in 0..<4 where enables >> UInt32(i) & 1 != 0 {
                    self.function.deviceSetConfig(addr + i, .byte, data >> UInt32(8 * i) & 0xFF)
                }
                self.setLE32(Int(RTL8168Register.CSIAR.rawValue), v & ~RTL8168CSIAR.Flag)
            } else {
                self.setLE32(Int(RTL8168Register.CSIDR.rawValue), self.function.deviceReadConfig(addr, .dword))
                self.setLE32(Int(RTL8168Register.CSIAR.rawValue), v | RTL8168CSIAR.Flag)
            }
        }
    }
}
