import BoxlessPlatform

// Register file: MMIO dispatch, the I/O window and MAC reset (SDM §13, §13.4.1 CTRL.RST; 82574 DS
// register chapter as recorded in Definitions/).

extension E1000Device {
    @inline(__always) func reg(_ r: E1000Register) -> UInt32 { regs[Int(r.rawValue >> 2)] }
    @inline(__always) func setReg(_ r: E1000Register, _ v: UInt32) { regs[Int(r.rawValue >> 2)] = v }

    var ctrl: E1000CTRL { E1000CTRL(rawValue: reg(.CTRL)) }
    var rctl: E1000RCTL { E1000RCTL(rawValue: reg(.RCTL)) }
    var tctl: E1000TCTL { E1000TCTL(rawValue: reg(.TCTL)) }
    var ctrlExt: E1000CTRL_EXT { E1000CTRL_EXT(rawValue: reg(.CTRL_EXT)) }

    /// STATUS (SDM §13.4.2): link, duplex and speed from the PHY; on the 82574 GIO_MASTER_ENABLE
    /// until CTRL.GIO_MASTER_DISABLE is set.
    var statusValue: UInt32 {
        var s: UInt32 = 0
        if linkUp {
            s |= E1000STATUS.LU.rawValue
            let (speed, full) = phy.resolved
            if full { s |= E1000STATUS.FD.rawValue }
            s |= speed.rawValue << E1000STATUS.SPEED_SHIFT
        }
        if kind == .i82574L && !ctrl.contains(.GIO_MASTER_DISABLE) { s |= E1000STATUS.GIO_MASTER_ENABLE.rawValue }
        if kind == .i82574L && phyHeldInReset { s |= E1000STATUS.PHYRA.rawValue }
        return s
    }

    /// Whether the DMA engines may master the bus (82574: not while GIO master disable is set).
    var dmaAllowed: Bool { !(kind == .i82574L && ctrl.contains(.GIO_MASTER_DISABLE)) }

    // MARK: reads

    func readRegister(_ offset: UInt32) -> UInt32 {
        let off = offset & ~3
        guard let r = E1000Register(rawValue: off) else { return regs[Int(off >> 2)] }
        switch r {
        case .ICR: return readICR()
        case .STATUS: return statusValue
        case .EECD: return nvm.eecd
        case .EERD: return nvm.readEERD(now: function.now)
        case .MDIC: return mdicValue
        case .ICS: return icr
        case .IMS: return ims
        case .IMC: return 0
        case .RDTR, .TIDV: return regs[Int(off >> 2)] & E1000Timing.delayTimerMask
        default:
            if r.isStatistic { return stats.read(slot: Int((off - 0x4000) >> 2)) }
            return regs[Int(off >> 2)]
        }
    }

    // MARK: writes

    func writeRegister(_ offset: UInt32, _ value: UInt32) {
        let off = offset & ~3
        interruptInputsChanged = true
        guard let r = E1000Register(rawValue: off) else {
            guard registerMap.register(at: UInt64(off)) != nil else { return }   // reserved: ignored
            regs[Int(off >> 2)] = value
            if off >= E1000RegisterArray.RAL.base && off < E1000RegisterArray.RAL.base + 16 * 8 { rebuildExactAddresses() }
            return
        }
        switch r {
        case .RDT: writeRDT(value)
        case .TDT: writeTDT(value)
        case .ICR: icr &= ~value; updateInterrupts()
        case .IMS:
            checkReservedInterruptBits(value, register: "IMS")
            ims |= value; updateInterrupts()
        case .IMC: ims &= ~value; updateInterrupts()
        case .ICS:
            checkReservedInterruptBits(value, register: "ICS")
            raise(value)
        case .CTRL: writeCTRL(value)
        case .STATUS: break
        case .EECD:
            checkEEPROMAccess(value)
            nvm.writeEECD(value)
        case .EERD: nvm.writeEERD(value, now: function.now)
        case .CTRL_EXT:
            setReg(.CTRL_EXT, value & ~E1000CTRL_EXT.EE_RST.rawValue)
            if value & E1000CTRL_EXT.EE_RST.rawValue != 0 { loadAddressFromEEPROM() }
        case .MDIC: writeMDIC(value)
        case .RCTL: writeRCTL(value)
        case .TCTL: writeTCTL(value)
        case .RDBAL, .RDBAH, .RDLEN, .RDH: writeRxRing(r, value)
        case .TDBAL, .TDBAH, .TDLEN, .TDH: writeTxRing(r, value)
        case .RDTR:
            setReg(.RDTR, value & ~E1000Timing.rdtrFlushPartialDescriptor)
            if value & E1000Timing.rdtrFlushPartialDescriptor != 0 { flushReceiveTimers() }
        case .TIDV:
            setReg(.TIDV, value & ~E1000Timing.tidvFlushPartialDescriptor)
            if kind == .i82574L && value & E1000Timing.tidvFlushPartialDescriptor != 0 { flushTransmitTimers() }
        case .VET: setReg(.VET, value & 0xFFFF)
        case .PBA: setReg(.PBA, value)
        default:
            if r.isStatistic { return }
            setReg(r, value)
        }
    }

    /// CTRL (SDM §13.4.1): RST resets the MAC and self-clears; PHY_RST holds the PHY in reset.
    func writeCTRL(_ value: UInt32) {
        let old = reg(.CTRL)
        if value & E1000CTRL.RST.rawValue != 0 {
            macReset()
            function.note("CTRL.RST: MAC reset")
            return
        }
        setReg(.CTRL, value)
        let phyReset = E1000CTRL.PHY_RST.rawValue
        if value & phyReset != 0 && old & phyReset == 0 {
            phyHeldInReset = true
            cancelNegotiation()
            linkLost()
        } else if value & phyReset == 0 && old & phyReset != 0 {
            phyHeldInReset = false
            phy.powerOn()
            startNegotiation()
        }
        if old & E1000CTRL.GIO_MASTER_DISABLE.rawValue != 0 && value & E1000CTRL.GIO_MASTER_DISABLE.rawValue == 0 {
            kickEngines()
        }
    }

    // MARK: I/O window (SDM §13, "I/O-mapped access": IOADDR 0x00, IODATA 0x04)

    func readIO(_ offset: UInt64) -> UInt32 {
        switch offset {
        case UInt64(E1000IORegister.IOADDR.rawValue): return ioAddress
        case UInt64(E1000IORegister.IODATA.rawValue):
            guard let info = registerMap.register(at: UInt64(ioAddress)) else { return 0 }
            if info.access == .writeOnly {
                function.finding(.accessWriteOnly, "read of write-only register \(info.name) through IODATA")
            }
            return readRegister(ioAddress)
        default: return 0
        }
    }

    func writeIO(_ offset: UInt64, _ value: UInt32) {
        switch offset {
        case UInt64(E1000IORegister.IOADDR.rawValue): ioAddress = value & 0x1FFFC
        case UInt64(E1000IORegister.IODATA.rawValue):
            if let info = registerMap.register(at: UInt64(ioAddress)), info.access == .readOnly || info.access == .readToClear {
                function.finding(.accessReadOnly, "write of 0x\(hexString(UInt64(value))) to read-only register \(info.name) through IODATA")
                return
            }
            writeRegister(ioAddress, value)
        default: break
        }
    }

    // MARK: reset

    /// MAC reset (CTRL.RST or power-on): registers to their defaults, interrupts cleared, both DMA
    /// engines stopped and emptied, EEPROM reloaded into RAL0/RAH0 (SDM §13.4.1, §5.6). The PHY and the
    /// link are not touched (CTRL.PHY_RST resets the PHY).
    func macReset() {
        regs.update(repeating: 0, count: Self.registerCount)
        setReg(.CTRL, E1000CTRL.FD.rawValue)
        setReg(.PBA, E1000ResetValues.value(of: .PBA, on: kind)!.value)
        setReg(.TIPG, E1000TIPG.linuxCopperDefault)
        setReg(.RXCSUM, E1000ResetValues.value(of: .RXCSUM, on: kind)!.value)
        setReg(.VET, E1000FlowControl.vlanEtherType)
        if kind == .i82574L {
            setReg(.RXDCTL, 0x0001_0000)
            setReg(.GCR, E1000GCR.qemuResetValue.rawValue)
            regs[0x01010 >> 2] = E1000RegisterMap.cfgDonePort0
        }
        icr = 0; ims = 0; msixLatched = 0
        if lineAsserted { lineAsserted = false }
        function?.setINTx(false)
        for i in 0..<timers.count { timers[i].deadline = nil }
        for i in 0..<throttleNext.count { throttleNext[i] = .zero }
        fifo.removeAll()
        resetReceiveEngine()
        resetTransmitEngine()
        if txHung { txHung = false; function?.note("transmitter released from the hang by CTRL.RST") }
        txContext = TxContext()
        stats.clearRegisters()
        mdicValue = E1000MDIC.R
        mdicBusy = false
        nvm.eecdSoftware = 0; nvm.eerd = 0; nvm.eerdBusy = false
        ioAddress = 0
        loadAddressFromEEPROM()
    }

    /// Loads the Ethernet address from EEPROM words 0–2 into RAL0/RAH0 with AV set (SDM §5.6).
    func loadAddressFromEEPROM() {
        let w0 = UInt32(nvm.word(0)), w1 = UInt32(nvm.word(1)), w2 = UInt32(nvm.word(2))
        regs[Int(E1000RegisterArray.RAL.base >> 2)] = w0 | w1 << 16
        regs[Int(E1000RegisterArray.RAH.base >> 2)] = w2 | E1000RAH.AV
        rebuildExactAddresses()
    }

    /// Caches the valid RAL/RAH pairs as 48-bit values for the receive filter (SDM §13.5.2–13.5.3).
    func rebuildExactAddresses() {
        exactAddresses.removeAll(keepingCapacity: true)
        for i in 0..<16 {
            let low = regs[Int((E1000RegisterArray.RAL.base >> 2)) + 2 * i]
            let high = regs[Int((E1000RegisterArray.RAH.base >> 2)) + 2 * i]
            guard high & E1000RAH.AV != 0, high & E1000RAH.ASEL_MASK == 0 else { continue }
            exactAddresses.append(UInt64(low) | UInt64(high & E1000RAH.addressMask) << 32)
        }
    }

    /// Restarts both engines after something that may have unblocked them.
    func kickEngines() {
        requestReceiveDrain()
        requestTransmit()
    }
}
