import NativeDriverKit

/// Probe steps: reset, EEPROM, station address, PHY and link, rings.
extension E1000Driver {
    /// Time the manuals give a global reset before registers are touched again (the SDM asks for
    /// at least 1 µs; the 82574 reloads its NVM meanwhile, so allow a millisecond).
    static let resetSettleTime: Duration = .milliseconds(1)
    /// Bound on CTRL.RST self-clearing.
    static let resetTimeout: Duration = .milliseconds(10)
    /// Bound on EECD.AUTO_RD after reset (82574 DS: NVM auto-read, ~10 ms worst case).
    static let autoReadTimeout: Duration = .milliseconds(10)
    /// Bound on GIO master disable (82574 DS §4.6: in-flight master requests complete first).
    static let masterDisableTimeout: Duration = .milliseconds(10)
    /// Bound on one EERD word read (SDM §5.3.1).
    static let eepromReadTimeout: Duration = .milliseconds(10)
    /// Bound on one MDIC access (SDM §8.6.2.4: 64 MDC clocks at 2.5 MHz ≈ 26 µs).
    static let mdicTimeout: Duration = .milliseconds(10)

    // MARK: Reset (SDM §14.3, CTRL.RST §13.4.1; 82574 DS §4.6.2)

    /// Global reset: interrupts masked, (82574) master requests drained, CTRL.RST, a bounded wait for
    /// it to self-clear, interrupts masked again and stale causes cleared.
    func globalReset() throws(DriverError) {
        let regs = self.regs
        regs.write32(Reg.IMC, chip.definedCauses)
        if chip == .i82574L {
            // Block new master requests and let the pending ones finish before the reset.
            regs.write32(Reg.CTRL, regs.read32(Reg.CTRL) | CTRL.GIO_MASTER_DISABLE)
            if !context.wait(until: { regs.read32(Reg.STATUS) & STATUS.GIO_MASTER_ENABLE == 0 },
                             timeout: Self.masterDisableTimeout, interval: .microseconds(100)) {
                context.log(.warning, "STATUS.GIO_MASTER_ENABLE still set \(Self.masterDisableTimeout) after CTRL.GIO_MASTER_DISABLE; resetting anyway")
            }
        }
        regs.write32(Reg.CTRL, regs.read32(Reg.CTRL) | CTRL.RST)
        context.delay(Self.resetSettleTime)
        guard context.wait(until: { regs.read32(Reg.CTRL) & CTRL.RST == 0 }, timeout: Self.resetTimeout, interval: .microseconds(10)) else {
            throw .timeout("CTRL.RST did not clear within \(Self.resetTimeout) of a global reset (SDM §13.4.1)")
        }
        if chip == .i82574L,
           !context.wait(until: { regs.read32(Reg.EECD) & EECD.AUTO_RD != 0 }, timeout: Self.autoReadTimeout, interval: .microseconds(100)) {
            context.log(.warning, "EECD.AUTO_RD not set \(Self.autoReadTimeout) after reset (82574 DS NVM auto-read)")
        }
        // Interrupts are masked again after a reset and pending causes cleared (SDM §14.3).
        regs.write32(Reg.IMC, chip.definedCauses)
        _ = regs.read32(Reg.ICR)
    }

    // MARK: EEPROM (SDM §5.3.1, §5.6)

    /// Reads one 16-bit EEPROM word through EERD (SDM §5.3.1): write the address with START, wait
    /// (bounded) for DONE, take DATA.
    func readEEPROM(word address: Int) throws(DriverError) -> UInt16 {
        let layout = chip.eerd, regs = self.regs
        regs.write32(Reg.EERD, UInt32(address) << layout.addressShift | layout.start)
        var value: UInt32 = 0
        guard context.wait(until: { value = regs.read32(Reg.EERD); return value & layout.done != 0 },
                           timeout: Self.eepromReadTimeout, interval: .microseconds(5)) else {
            throw .timeout("EERD.DONE not set within \(Self.eepromReadTimeout) reading EEPROM word \(hex(address)) (SDM §5.3.1)")
        }
        return UInt16(truncatingIfNeeded: value >> EERDLayout.dataShift)
    }

    /// Times the EEPROM is read before a bad checksum is believed: a word can read wrong once (a
    /// bus error, a read that returned all ones), so the image is read again, as Linux's e1000e
    /// validates its NVM up to three times before failing the probe.
    static let eepromAttempts = 3

    /// Reads words 00h–3Fh, verifies the checksum (their sum is BABAh) and takes the MAC from words 0–2.
    func readStationAddress() throws(DriverError) {
        var words = [UInt16](repeating: 0, count: EEPROMWord.checksum + 1)
        var sum: UInt16 = 0
        for attempt in 1...Self.eepromAttempts {
            for i in 0...EEPROMWord.checksum { words[i] = try readEEPROM(word: i) }
            sum = words.reduce(UInt16(0), &+)
            if sum == EEPROMWord.checksumSum { break }
            guard attempt < Self.eepromAttempts else {
                throw .unsupportedDevice("EEPROM checksum invalid: words 00h-3Fh sum to \(hex(sum)), expected \(hex(EEPROMWord.checksumSum)) (SDM §5.6), \(attempt) reads")
            }
            context.log(.warning, "EEPROM checksum \(hex(sum)) on read \(attempt), expected \(hex(EEPROMWord.checksumSum)): reading it again")
        }
        var b = [UInt8](repeating: 0, count: 6)
        for i in 0..<3 {
            let w = words[EEPROMWord.ethernetAddress + i]
            b[2 * i] = UInt8(truncatingIfNeeded: w)
            b[2 * i + 1] = UInt8(truncatingIfNeeded: w >> 8)
        }
        guard b[0] & 1 == 0, b != [0, 0, 0, 0, 0, 0] else {
            throw .unsupportedDevice("EEPROM holds no usable station address (\(MACAddress(b[0], b[1], b[2], b[3], b[4], b[5])))")
        }
        macAddress = MACAddress(b[0], b[1], b[2], b[3], b[4], b[5])
    }

    /// RAL0/RAH0 = the station address (AV set); every other exact filter off; MTA cleared
    /// (SDM §14.4: "program the receive address registers … initialize the MTA to 0b").
    func programStationAddress() {
        writeReceiveAddress(0, macAddress)
        for n in 1..<Reg.receiveAddresses { clearReceiveAddress(n) }
        for n in 0..<Reg.mtaEntries { regs.write32(Reg.MTA(n), 0) }
    }

    /// Writes RAL[n]/RAH[n]: low word first, AV last (SDM §13.5.2–13.5.3).
    func writeReceiveAddress(_ n: Int, _ mac: MACAddress) {
        let a = mac.bytes
        regs.write32(Reg.RAL(n), UInt32(a.0) | UInt32(a.1) << 8 | UInt32(a.2) << 16 | UInt32(a.3) << 24)
        regs.write32(Reg.RAH(n), UInt32(a.4) | UInt32(a.5) << 8 | RAH.AV)
    }

    /// Clears RAH[n] (AV off) and RAL[n].
    func clearReceiveAddress(_ n: Int) {
        regs.write32(Reg.RAH(n), 0)
        regs.write32(Reg.RAL(n), 0)
    }

    // MARK: PHY and link (SDM §8.6.2.4, §11, §14.3; 82574 DS §4.6.3)

    /// One MDIC transaction, bounded; throws on timeout or MDIC.E.
    private func mdic(_ command: UInt32, _ what: String) throws(DriverError) -> UInt32 {
        let regs = self.regs
        regs.write32(Reg.MDIC, command)
        var v: UInt32 = 0
        guard context.wait(until: { v = regs.read32(Reg.MDIC); return v & (MDIC.R | MDIC.E) != 0 },
                           timeout: Self.mdicTimeout, interval: .microseconds(5)) else {
            throw .timeout("MDIC.R not set within \(Self.mdicTimeout) \(what) (SDM §8.6.2.4)")
        }
        guard v & MDIC.E == 0 else { throw .ioError("MDIC.E: the PHY did not answer \(what)") }
        return v
    }

    /// Reads PHY register `reg` of the internal PHY.
    func readPHY(_ reg: UInt32) throws(DriverError) -> UInt16 {
        let v = try mdic(reg << MDIC.REGADD_SHIFT | MDIC.internalPHYAddress << MDIC.PHYADD_SHIFT | MDIC.OP_READ,
                         "reading PHY register \(reg)")
        return UInt16(truncatingIfNeeded: v & MDIC.DATA_MASK)
    }

    /// Writes PHY register `reg` of the internal PHY.
    func writePHY(_ reg: UInt32, _ value: UInt16) throws(DriverError) {
        _ = try mdic(UInt32(value) | reg << MDIC.REGADD_SHIFT | MDIC.internalPHYAddress << MDIC.PHYADD_SHIFT | MDIC.OP_WRITE,
                     "writing PHY register \(reg)")
    }

    /// MAC link control and PHY auto-negotiation. CTRL.SLU with auto-speed detection, no forced
    /// speed or duplex (SDM §14.3, §8.6.2.2); the PHY advertises 10/100 half and full and 1000 full
    /// and restarts auto-negotiation (SDM §11.1). The link comes up later (LSC); probe does not wait.
    func setUpLink() throws(DriverError) {
        var ctrl = regs.read32(Reg.CTRL)
        ctrl &= ~(CTRL.LRST | CTRL.PHY_RST | CTRL.FRCSPD | CTRL.FRCDPLX | CTRL.ILOS | CTRL.VME | CTRL.GIO_MASTER_DISABLE)
        ctrl |= CTRL.SLU | CTRL.ASDE
        if config.vlanStrip { ctrl |= CTRL.VME }
        regs.write32(Reg.CTRL, ctrl)
        let id1 = try readPHY(PHY.PHY_ID1), id2 = try readPHY(PHY.PHY_ID2)
        phyIdentifier = UInt32(id1) << 16 | UInt32(id2)
        if id1 != PHY.ID1 || id2 & PHY.ID2_MODEL_MASK != chip.phyID2Model {
            context.log(.warning, "unexpected PHY ID \(hex(phyIdentifier)) for the \(chip) (expected \(hex(UInt32(PHY.ID1) << 16 | UInt32(chip.phyID2Model))))")
        }
        try writePHY(PHY.PHY_AUTONEG_ADV, PHY.ADV_ALL_10_100_PAUSE)
        try writePHY(PHY.PHY_1000T_CTRL, PHY.ADV_1000_FD)
        try writePHY(PHY.PHY_CTRL, PHY.CTRL_AN_ENABLE | PHY.CTRL_RESTART_AN | PHY.CTRL_SPEED_1000_FULL)
    }

    // MARK: Rings (SDM §3.2.6, §3.3.3.3, §14.4–14.5)

    /// Allocates both descriptor rings (coherent, 4 KiB aligned; length a multiple of 128 bytes),
    /// the receive buffers (streaming, mapped from-device, 2048 bytes each) and the transmit
    /// buffers (one coherent pool, 2048 bytes per descriptor).
    func allocateRings() throws(DriverError) {
        let rxCount = config.rxDescriptors, txCount = config.txDescriptors
        rxRing = try dma.allocateCoherent(size: rxCount * descriptorSize, alignment: 4096)
        txRing = try dma.allocateCoherent(size: txCount * descriptorSize, alignment: 4096)
        txPool = try dma.allocateCoherent(size: txCount * Self.bufferBytes, alignment: 4096)
        rxBuffers.reserveCapacity(rxCount)
        for _ in 0..<rxCount {
            let b = try dma.allocateStreaming(size: Self.bufferBytes)
            let address: BusAddress
            do { address = try dma.map(b, direction: .fromDevice) } catch {
                dma.free(b)
                throw error
            }
            rxBuffers.append(b)
            rxBufferAddresses.append(address.rawValue)
        }
        txLast = [Int](repeating: 0, count: txCount)
        txToken = [UInt64](repeating: 0, count: txCount)
    }

    /// Fills the receive descriptors with their buffers' bus addresses and programs base, length,
    /// head and tail of both rings. The tails stay at the heads (nothing owned by the device) until
    /// ``open(client:)``.
    func programRings() {
        guard let rx = rxRing, let tx = txRing else { return }
        for (i, address) in rxBufferAddresses.enumerated() {
            rx.store64(i * descriptorSize + RxDescriptor.bufferAddress, address)
            rx.store64(i * descriptorSize + RxDescriptor.writeBack, 0)
        }
        regs.write32(Reg.RDBAL, rx.busAddress.low32)
        regs.write32(Reg.RDBAH, rx.busAddress.high32)
        regs.write32(Reg.RDLEN, UInt32(rx.length))
        regs.write32(Reg.RDH, 0)
        regs.write32(Reg.RDT, 0)
        // No packet-timer delay: interrupt moderation is ITR's job (SDM §13.4.30–31).
        regs.write32(Reg.RDTR, 0)
        regs.write32(Reg.RADV, 0)
        rxNext = 0
        regs.write32(Reg.TDBAL, tx.busAddress.low32)
        regs.write32(Reg.TDBAH, tx.busAddress.high32)
        regs.write32(Reg.TDLEN, UInt32(tx.length))
        regs.write32(Reg.TDH, 0)
        regs.write32(Reg.TDT, 0)
        regs.write32(Reg.TIDV, 0)
        txTail = 0
        txClean = 0
    }

    /// Receive checksum offload (RXCSUM, SDM §13.4.47) and the 802.1Q EtherType (VET).
    func programOffloads() {
        regs.write32(Reg.RXCSUM, config.receiveChecksum ? RXCSUM.IPOFLD | RXCSUM.TUOFLD : 0)
        regs.write32(Reg.VET, UInt32(VLAN.tagProtocolIdentifier))
    }
}
