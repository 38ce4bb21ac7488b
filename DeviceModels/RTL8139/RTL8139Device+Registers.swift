import BoxlessPlatform
import NICCore

/// The register file: reads are composed byte by byte from the state; a write is split at register
/// boundaries and each register touched gets the bytes written with a mask (RTL8139C(L) datasheet
/// §5 gives each register's width; drivers use byte, word and dword accesses freely).
extension RTL8139Device {
    typealias R = RTL8139Register

    // MARK: reads

    func readByte(_ o: UInt32) -> UInt8 {
        func byte<T: FixedWidthInteger>(_ v: T, _ base: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: v >> (8 * (o - base))) }
        switch o {
        case 0x00..<0x06: return idr[Int(o)]
        case 0x08..<0x10: return mar[Int(o - 8)]
        case 0x10..<0x20: return byte(tsd[Int(o - 0x10) / 4], 0x10 + (o - 0x10) & ~3)
        case 0x20..<0x30: return byte(tsad[Int(o - 0x20) / 4], 0x20 + (o - 0x20) & ~3)
        case 0x30..<0x34: return byte(rbstart, R.RBSTART)
        case 0x34..<0x36: return byte(erbcr, R.ERBCR)
        case R.ERSR: return ersr
        case R.CR: return commandRegister
        case 0x38..<0x3A: return byte(capr, R.CAPR)
        case 0x3A..<0x3C: return byte(UInt16(truncatingIfNeeded: cbr), R.CBR)
        case 0x3C..<0x3E: return byte(imr, R.IMR)
        case 0x3E..<0x40: return byte(isr, R.ISR)
        case 0x40..<0x44: return byte(tcr & RTL8139TCR.writable & ~RTL8139TCR.CLRABT | chip.hardwareVersion, R.TCR)
        case 0x44..<0x48: return byte(rcr, R.RCR)
        case 0x48..<0x4C: return byte(tctr, R.TCTR)
        case 0x4C..<0x50: return byte(stats.mpc, R.MPC)
        case R.CR9346:
            let pins = cr9346 & ~RTL8139CR9346.EEDO
            let programming = cr9346 & RTL8139CR9346.EEM_MASK == RTL8139CR9346.EEM_PROGRAM
            return pins | (programming && eeprom.dataOut ? RTL8139CR9346.EEDO : 0)
        case R.CONFIG0, R.CONFIG1: return config[Int(o - R.CONFIG0)]
        case 0x54..<0x58: return byte(timerInt, R.TimerInt)
        case R.MSR: return mediaStatus
        case R.CONFIG3, R.CONFIG4: return config[Int(o - R.CONFIG3) + 3]
        case 0x5C..<0x5E: return byte(mulint, R.MULINT)
        case R.RERID: return chip.revision
        case 0x60..<0x62: return byte(transmitSummary, R.TSADSummary)
        case 0x62..<0x6C: return miiByte(o)
        case R.CONFIG5: return config[5]
        case R.TxPoll: return 0      // the poll bits clear themselves (C+ §6.4)
        case 0xE0..<0xE2 where chip.hasCPlus: return byte(cpcmd, R.CpCmd)
        case 0xE2..<0xE4 where chip.hasCPlus: return byte(intrMitigate, R.IntrMitigate)
        case 0xE4..<0xEC where chip.hasCPlus: return byte(rxRingAddr, R.RxRingAddr)
        case R.ETThR where chip.hasCPlus: return etthr
        case 0xE0..<0xF0: return 0   // no C+ registers on the RTL8139C
        default: return raw[Int(o)]
        }
    }

    /// CR with BUFE: the C-mode ring is empty when the read pointer reached CBR (§5.6).
    var commandRegister: UInt8 { cr & (RTL8139CR.RE | RTL8139CR.TE) | (readOffset == cbr ? RTL8139CR.BUFE : 0) }

    /// MSR: LINKB is the inverse of link status, SPEED_10 the resolved speed (§5.14).
    var mediaStatus: UInt8 {
        let ten = linkUp && phy.resolved.0 == .mbps10
        return raw[Int(R.MSR)] & (RTL8139MSR.RXFCE | RTL8139MSR.TXFCE) | (linkUp ? 0 : RTL8139MSR.LINKB) | (ten ? RTL8139MSR.SPEED_10 : 0)
    }

    /// TCTR: PCI clocks since its last write.
    var tctr: UInt32 {
        UInt32(truncatingIfNeeded: (function.now - tctrBase).rawValue / RTL8139ModelTiming.pciClock.rawValue)
    }

    /// TSAD (TxSummary): each slot's OWN, TABT, TUN and TOK (§5.17).
    var transmitSummary: UInt16 {
        var v: UInt16 = 0
        for n in 0..<4 {
            let t = tsd[n], bit = UInt16(1) << UInt16(n)
            if t & RTL8139TSD.OWN != 0 { v |= bit << RTL8139TSADSummary.OWN_SHIFT }
            if t & RTL8139TSD.TABT != 0 { v |= bit << RTL8139TSADSummary.TABT_SHIFT }
            if t & RTL8139TSD.TUN != 0 { v |= bit << RTL8139TSADSummary.TUN_SHIFT }
            if t & RTL8139TSD.TOK != 0 { v |= bit << RTL8139TSADSummary.TOK_SHIFT }
        }
        return v
    }

    // MARK: writes

    /// Splits a write of `count` bytes at `offset` into the registers it touches.
    func writeRegisters(_ offset: UInt32, _ count: Int, _ value: UInt64) {
        var o = offset
        let end = offset + UInt32(count)
        while o < end {
            let info = R.map.register(at: UInt64(o))
            let base = info.map { UInt32($0.offset) } ?? o
            let width = UInt32(info?.width.bytes ?? 1)
            let stop = min(end, base + width)
            var v: UInt64 = 0, m: UInt64 = 0
            for b in o..<stop {
                let byte = value >> (8 * UInt64(b - offset)) & 0xFF
                v |= byte << (8 * UInt64(b - base)); m |= 0xFF << (8 * UInt64(b - base))
            }
            writeRegister(base, v, mask: m)
            o = stop
        }
    }

    /// One register written: `value` holds the written bytes at their place in the register, `mask` says which.
    func writeRegister(_ base: UInt32, _ value: UInt64, mask: UInt64) {
        func merge<T: FixedWidthInteger>(_ old: T) -> T { T(truncatingIfNeeded: UInt64(old) & ~mask | value & mask) }
        let v32 = UInt32(truncatingIfNeeded: value), m32 = UInt32(truncatingIfNeeded: mask)
        switch base {
        case 0x00..<0x06: idr[Int(base)] = UInt8(truncatingIfNeeded: value)
        case 0x08..<0x10: mar[Int(base - 8)] = UInt8(truncatingIfNeeded: value)
        case 0x10, 0x14, 0x18, 0x1C: writeTSD(Int(base - 0x10) / 4, v32, m32)
        case 0x20, 0x24, 0x28, 0x2C: writeTSAD(Int(base - 0x20) / 4, merge(tsad[Int(base - 0x20) / 4]))
        case R.RBSTART:
            rbstart = merge(rbstart)
            if rbstart & 3 != 0 { breach(.rbstartMisaligned, "RBSTART = \(hex(rbstart))") }
        case R.CR: writeCommand(UInt8(truncatingIfNeeded: value))
        case R.CAPR: writeCAPR(merge(capr))
        case R.IMR:
            imr = merge(imr) & RTL8139Interrupt.defined
            updateInterrupt()
        case R.ISR:
            isr &= ~UInt16(truncatingIfNeeded: value & mask)   // write 1 to clear (§5.8)
            updateInterrupt()
        case R.TCR: tcr = merge(tcr) & RTL8139TCR.writable & ~RTL8139TCR.CLRABT
        case R.RCR: rcr = merge(rcr) & RTL8139RCR.writable
        case R.TCTR:
            tctrBase = function.now                         // any write clears TCTR (§5)
            rescheduleTimer()
        case R.MPC: stats.mpc = 0                           // any write clears MPC (§5)
        case R.CR9346: write9346CR(UInt8(truncatingIfNeeded: value))
        case R.CONFIG0: writeConfig(0, UInt8(truncatingIfNeeded: value), writable: 0)
        case R.CONFIG1: writeConfig(1, UInt8(truncatingIfNeeded: value), writable: ~(RTL8139CONFIG1.IOMAP | RTL8139CONFIG1.MEMMAP))
        case R.CONFIG3: writeConfig(3, UInt8(truncatingIfNeeded: value), writable: 0xFF)
        case R.CONFIG4: writeConfig(4, UInt8(truncatingIfNeeded: value), writable: 0xFF)
        case R.CONFIG5: config[5] = UInt8(truncatingIfNeeded: value) & 0x7F   // not behind the lock (§5.25)
        case R.TimerInt:
            timerInt = merge(timerInt)
            rescheduleTimer()
        case R.MSR: raw[Int(R.MSR)] = UInt8(truncatingIfNeeded: value) & (RTL8139MSR.RXFCE | RTL8139MSR.TXFCE)
        case R.MULINT: mulint = merge(mulint) & 0x0FFF
        case R.BMCR: writeBMCR(merge(bmcr))
        case R.ANAR: writeANAR(merge(phy.state.regs[Int(MIIRegister.ANAR)]))
        case R.BMSR, R.ANLPAR, R.ANER: break                 // status: read only
        case R.TxPoll, R.CpCmd, R.IntrMitigate, R.RxRingAddr, R.RxRingAddr + 4, R.ETThR:
            writeCPlusRegister(base, value, mask: mask)
        default:
            for i in 0..<8 where mask >> (8 * UInt64(i)) & 0xFF != 0 && Int(base) + i < raw.count {
                raw[Int(base) + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
            }
        }
    }

    /// TSD n: in C+ mode TSD0–1 are DTCCR and TSD2–3 unused; in C mode a write hands the slot
    /// to the chip when OWN is written 0 (§5.2).
    private func writeTSD(_ n: Int, _ value: UInt32, _ mask: UInt32) {
        if cplusRegisters {
            if n >= 2 && cplusTransmit { breach(.cModeSlotInCPlusMode, "TSD\(n) = \(hex(value))") }
            tsd[n] = tsd[n] & ~mask | value & mask
            if n == 0 && UInt64(tsd[0]) & RTL8139DTCCR.Cmd != 0 { dumpTallyCounters() }
            return
        }
        if txSlotOwned[n] { breach(.txSlotRewrittenWhileOwned, "TSD\(n) written while slot \(n) is being sent") }
        // Status bits are the chip's; a write keeps SIZE, ERTXTH and OWN (§5.2).
        let keep = RTL8139TSD.SIZE_MASK | RTL8139TSD.ERTXTH_MASK | RTL8139TSD.OWN
        tsd[n] = (tsd[n] & ~mask | value & mask) & keep
        if tsd[n] & RTL8139TSD.OWN == 0 {
            txSlotPending[n] = true
            txSlotOwned[n] = true
            transmitKick()
        }
    }

    /// TSAD n, or TNPDS/THPDS in C+ mode.
    private func writeTSAD(_ n: Int, _ value: UInt32) {
        if cplusRegisters {
            if (n == 0 || n == 2) && value & UInt32(RTL8139Descriptor.ringAlignment - 1) != 0 {
                breach(.cplusRingMisaligned, "\(n == 0 ? "TNPDS" : "THPDS") = \(hex(value))")
            }
        } else if txSlotOwned[n] {
            breach(.txSlotRewrittenWhileOwned, "TSAD\(n) written while slot \(n) is being sent")
        }
        tsad[n] = value
    }

    /// CR (§5.6): RST resets the chip; RE/TE switch the receiver and transmitter.
    private func writeCommand(_ value: UInt8) {
        if value & RTL8139CR.RST != 0 {
            softwareReset()
            return
        }
        cr = value & (RTL8139CR.RE | RTL8139CR.TE)
        receiveKick()
        transmitKick()
    }

    /// 9346CR (§5.11): EEM selects normal operation, auto-load, EEPROM programming or CONFIG write enable.
    private func write9346CR(_ value: UInt8) {
        let wasProgramming = cr9346 & RTL8139CR9346.EEM_MASK == RTL8139CR9346.EEM_PROGRAM
        cr9346 = value & ~RTL8139CR9346.EEDO
        switch value & RTL8139CR9346.EEM_MASK {
        case RTL8139CR9346.EEM_PROGRAM:
            eeprom.drive(cs: value & RTL8139CR9346.EECS != 0, sk: value & RTL8139CR9346.EESK != 0,
                         di: value & RTL8139CR9346.EEDI != 0)
        case RTL8139CR9346.EEM_AUTOLOAD:
            if wasProgramming { eeprom.release() }
            idr = eeprom.stationAddress
            cr9346 &= ~RTL8139CR9346.EEM_MASK                // the load is done: back to normal
        default:
            if wasProgramming { eeprom.release() }
        }
    }

    /// CONFIG0–4 are written only with EEM = 11b (§5.11); otherwise the write is ignored.
    private func writeConfig(_ n: Int, _ value: UInt8, writable: UInt8) {
        guard configUnlocked else {
            breach(.configWriteLocked, "CONFIG\(n) = \(hex(value))")
            return
        }
        config[n] = config[n] & ~writable | value & writable
    }

    /// Whether 9346CR.EEM = 11b.
    var configUnlocked: Bool { cr9346 & RTL8139CR9346.EEM_MASK == RTL8139CR9346.EEM_CONFIG_WRITE }

    /// C+ registers (C+ datasheet §6); absent on the RTL8139C.
    private func writeCPlusRegister(_ base: UInt32, _ value: UInt64, mask: UInt64) {
        guard chip.hasCPlus else {
            breach(.cplusRegisterInCMode, "\(R.map.register(at: UInt64(base))?.name ?? hex(base)) written on an RTL8139C, which has no C+ mode")
            return
        }
        func merge<T: FixedWidthInteger>(_ old: T) -> T { T(truncatingIfNeeded: UInt64(old) & ~mask | value & mask) }
        switch base {
        case R.TxPoll:
            let v = UInt8(truncatingIfNeeded: value)
            guard cplusTransmit else {
                breach(.cplusRegisterInCMode, "TxPoll = \(hex(v)) with CpCmd.TxEnb clear")
                return
            }
            if v & RTL8139TxPoll.FSWInt != 0 { raise(RTL8139Interrupt.SWInt) }
            // HPQ and NPQ (C+ §6.4): the high-priority ring is served first.
            if v & RTL8139TxPoll.HPQ != 0 { hpqPending = true }
            if v & RTL8139TxPoll.NPQ != 0 { npqPending = true }
            if v & (RTL8139TxPoll.HPQ | RTL8139TxPoll.NPQ) != 0 { transmitKick() }
        case R.CpCmd:
            cpcmd = merge(cpcmd) & RTL8139CpCmd.writable
            receiveKick(); transmitKick()
        case R.IntrMitigate:
            intrMitigate = merge(intrMitigate)
            flushMitigation()
        case R.RxRingAddr:
            let low = UInt32(truncatingIfNeeded: merge(UInt64(UInt32(truncatingIfNeeded: rxRingAddr))))
            rxRingAddr = rxRingAddr & ~0xFFFF_FFFF | UInt64(low)
            if low & UInt32(RTL8139Descriptor.ringAlignment - 1) != 0 { breach(.cplusRingMisaligned, "RxRingAddr = \(hex(low))") }
        case R.RxRingAddr + 4:
            let high = UInt32(truncatingIfNeeded: merge(UInt64(UInt32(truncatingIfNeeded: rxRingAddr >> 32))))
            rxRingAddr = rxRingAddr & 0xFFFF_FFFF | UInt64(high) << 32
        default: etthr = UInt8(truncatingIfNeeded: value)
        }
    }

    /// CR.RST (§5.6): the chip's state goes to its defaults, except IDR, MAR, the PHY and the
    /// CONFIG registers; the rings restart at their bases; a hung transmitter runs again.
    func softwareReset() {
        cr = 0; imr = 0; isr = 0
        tcr = 0; rcr = 0
        tsd = [UInt32](repeating: RTL8139TSD.OWN, count: 4)   // all slots the driver's (8139too reads OWN)
        tsad = [0, 0, 0, 0]
        txSlotPending = [false, false, false, false]
        txSlotOwned = [false, false, false, false]
        txNextSlot = 0
        rbstart = 0
        cbr = 0; readOffset = 0
        fifo.removeAll()
        rxOverflowReported = false
        erbcr = 0; ersr = 0
        cpcmd = 0; intrMitigate = 0; rxRingAddr = 0; etthr = 0
        rxIndex = 0; txIndex = 0; txHighIndex = 0; npqPending = false; hpqPending = false
        txHung = false
        txSlotWire.count = 0
        rxHeaderPending = nil
        rxWritebacks.removeAll(keepingCapacity: true)
        txChain.removeAll(keepingCapacity: true)
        resetMitigation()
        updateInterrupt()
    }

    /// CAPR as read back: the driver's read offset less 16 (the "16-byte offset", QEMU and 8139too).
    var capr: UInt16 { UInt16(truncatingIfNeeded: readOffset &- 16) }
}
