import BoxlessDeviceKit

/// Register reads and writes (§3, §4), with the strict rules of §4.1–§4.3.
extension WBX100Device {
    func readRegister(_ offset: UInt64) -> UInt32 {
        typealias R = WBX100Register
        switch offset {
        case R.CTRL: return ctrl
        case R.STATUS: return (linkUp ? WBX100Bits.LU : 0) | (ctrl & (WBX100Bits.RXEN | WBX100Bits.TXEN)) << 1
        case R.ICR: return icr
        case R.IMR: return imr
        case R.RDBAL: return UInt32(truncatingIfNeeded: rx.base)
        case R.RDBAH: return UInt32(truncatingIfNeeded: rx.base >> 32)
        case R.RDLEN: return rx.count
        case R.RDH: return rdh
        case R.RDT: return rdt
        case R.TDBAL: return UInt32(truncatingIfNeeded: tx.base)
        case R.TDBAH: return UInt32(truncatingIfNeeded: tx.base >> 32)
        case R.TDLEN: return tx.count
        case R.TDH: return tdh
        case R.TDT: return tdt
        case R.RAL: return macAddress[0..<4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        case R.RAH: return UInt32(macAddress[5]) << 8 | UInt32(macAddress[4])
        case R.MPC: return UInt32(truncatingIfNeeded: stats.mpc)
        case R.ROC: return UInt32(truncatingIfNeeded: stats.roc)
        case R.CRCERRS: return UInt32(truncatingIfNeeded: stats.crcerrs)
        case R.GPRC: return UInt32(truncatingIfNeeded: stats.gprc)
        case R.GPTC: return UInt32(truncatingIfNeeded: stats.gptc)
        default: return 0
        }
    }

    func writeRegister(_ offset: UInt64, _ v: UInt32) {
        typealias R = WBX100Register
        let rxOn = ctrl & WBX100Bits.RXEN != 0, txOn = ctrl & WBX100Bits.TXEN != 0
        switch offset {
        case R.CTRL:
            if v & WBX100Bits.RST != 0 { beginReset(); return }
            ctrl = v & (WBX100Bits.RXEN | WBX100Bits.TXEN)
            if ctrl & WBX100Bits.TXEN != 0 { scheduleTransmit() }
        case R.ICR: icr &= ~v; updateInterrupt(newCauses: 0)
        case R.IMR: imr = v & WBX100Bits.allCauses; updateInterrupt(newCauses: icr & imr)
        case R.RDBAL, R.RDBAH:
            if rxOn { function.strictFinding(WBX100Rule.ringWrittenWhileEnabled, "RDBA written while CTRL.RXEN is set") }
            rx.base = offset == R.RDBAL ? rx.base & ~0xFFFF_FFFF | UInt64(v) : rx.base & 0xFFFF_FFFF | UInt64(v) << 32
            checkAlignment(rx.base, "RDBA")
        case R.RDLEN:
            if rxOn { function.strictFinding(WBX100Rule.ringWrittenWhileEnabled, "RDLEN written while CTRL.RXEN is set") }
            checkLength(v, "RDLEN")
            rx.count = v; rdh = 0
        case R.RDT:
            guard v < rx.count else { function.strictFinding(WBX100Rule.tailOutOfRange, "RDT \(v) with RDLEN \(rx.count)"); return }
            rdt = v
        case R.TDBAL, R.TDBAH:
            if txOn { function.strictFinding(WBX100Rule.ringWrittenWhileEnabled, "TDBA written while CTRL.TXEN is set") }
            tx.base = offset == R.TDBAL ? tx.base & ~0xFFFF_FFFF | UInt64(v) : tx.base & 0xFFFF_FFFF | UInt64(v) << 32
            checkAlignment(tx.base, "TDBA")
        case R.TDLEN:
            if txOn { function.strictFinding(WBX100Rule.ringWrittenWhileEnabled, "TDLEN written while CTRL.TXEN is set") }
            checkLength(v, "TDLEN")
            tx.count = v; tdh = 0
        case R.TDT:
            guard v < tx.count else { function.strictFinding(WBX100Rule.tailOutOfRange, "TDT \(v) with TDLEN \(tx.count)"); return }
            tdt = v
            scheduleTransmit()
        default: break
        }
    }

    /// §4.1: ring bases are 128-byte aligned (checked once both halves may have been written:
    /// only the low half carries the alignment bits).
    private func checkAlignment(_ base: UInt64, _ name: String) {
        if base & 0x7F != 0 { function.strictFinding(WBX100Rule.ringMisaligned, "\(name) = 0x\(String(base, radix: 16))") }
    }

    /// §4.1: ring lengths are a power of two in 4…256.
    private func checkLength(_ n: UInt32, _ name: String) {
        if !(4...256).contains(n) || n.nonzeroBitCount != 1 { function.strictFinding(WBX100Rule.ringSize, "\(name) = \(n)") }
    }

    /// CTRL.RST: every register but the statistics to its default; RST reads back set until
    /// ``resetTime`` passed (§3.1).
    func beginReset() {
        softwareReset()
        ctrl = WBX100Bits.RST
        pending = function.schedule(after: Self.resetTime) { [unowned self] in
            self.pending = nil
            self.ctrl &= ~WBX100Bits.RST
            self.startLink()
        }
    }

    /// Registers to their reset values (§3).
    func softwareReset() {
        if let p = pending { function.cancel(p); pending = nil }
        ctrl = 0; icr = 0; imr = 0
        rx = DescriptorRing(base: 0, count: 0, descriptorSize: UInt32(WBX100Descriptor.size))
        tx = rx
        rdh = 0; rdt = 0; tdh = 0; tdt = 0
        linkUp = false
        transmitScheduled = false
        function?.setINTx(false)
        if function != nil { startLink() }
    }
}
