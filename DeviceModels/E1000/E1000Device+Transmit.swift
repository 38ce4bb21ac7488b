import BoxlessPlatform
import NICCore

/// The TCP/IP context last loaded by a context descriptor (SDM §3.3.6, Table 3-13).
struct TxContext {
    var ipcss = 0, ipcso = 0, ipcse = 0
    var tucss = 0, tucso = 0, tucse = 0
    var paylen = 0
    var tucmd: UInt8 = 0
    var hdrlen = 0
    var mss = 0
}

/// The packet being gathered from transmit descriptors until EOP.
struct TxPacketState {
    var length = 0
    var started = false
    var extended = false
    /// First data descriptor's DCMD.TSE and POPTS (SDM §3.3.7.3: only the first counts).
    var tso = false
    var options: UInt8 = 0
    /// The EOP descriptor's command byte, legacy CSO/CSS and special field.
    var command: UInt8 = 0
    var cso = 0, css = 0
    var special: UInt16 = 0
    /// A data read failed: the packet is dropped.
    var failed = false
}

// Transmit DMA (SDM §3.3): the ring TDBAL/TDBAH/TDLEN/TDH/TDT, descriptor fetch in bursts, legacy,
// context and data descriptors, RS write-back of DD, TXDW/TXQE, and pacing against the wire: the
// engine runs ahead of the wire only while the Tx FIFO (PBA.TXA) has room.

extension E1000Device {
    var txRingBase: UInt64 { UInt64(reg(.TDBAH)) << 32 | UInt64(reg(.TDBAL) & ~0xF) }
    var txRingCount: UInt32 { reg(.TDLEN) / UInt32(E1000RawDescriptor.size) }

    /// The transmit ring as the NIC core's ``DescriptorRing``.
    var txRing: DescriptorRing { DescriptorRing(base: txRingBase, count: txRingCount, descriptorSize: UInt32(E1000RawDescriptor.size)) }

    /// Descriptors the hardware owns: TDH up to (not including) TDT (SDM §3.3.1).
    func txAvailableDescriptors() -> UInt32 { txRing.owned(head: reg(.TDH), tail: reg(.TDT)) }

    /// Wire time of the Tx FIFO (PBA.TXA, KB units in bits 31:16).
    var txFIFOTime: VirtualDuration { port.timing.byteTime * UInt64((reg(.PBA) >> 16) * 1024) }

    // MARK: registers

    func writeTxRing(_ r: E1000Register, _ value: UInt32) {
        checkRingWriteWhileEnabled(r, enabled: tctl.contains(.EN), unit: "transmitter (TCTL.EN)")
        switch r {
        case .TDBAL:
            checkRingAlignment(value, register: "TDBAL")
            setReg(.TDBAL, value & ~0xF)
        case .TDLEN:
            checkRingLength(value, register: "TDLEN")
            setReg(.TDLEN, value & 0x000F_FF80)
        case .TDH:
            checkRingIndex(value, count: txRingCount, register: "TDH")
            setReg(.TDH, value & 0xFFFF)
            txPacket = TxPacketState()
        default: setReg(r, value)
        }
        txCacheCount = 0; txCacheNext = 0
        txHalted = false
    }

    func writeTDT(_ value: UInt32) {
        checkRingIndex(value, count: txRingCount, register: "TDT")
        setReg(.TDT, value & 0xFFFF)
        requestTransmit()
    }

    func writeTCTL(_ value: UInt32) {
        let old = tctl
        checkTCTL(value)
        setReg(.TCTL, value)
        if tctl.contains(.EN) && !old.contains(.EN) {
            checkEnableOrder(ringLength: reg(.TDLEN), rule: .transmitterEnabledBeforeRing)
            txHalted = false
            requestTransmit()
        }
    }

    func resetTransmitEngine() {
        txCacheCount = 0; txCacheNext = 0
        txEngineFreeAt = function?.now ?? .zero
        txHalted = false; txHeld = false
        txPacket = TxPacketState()
        txDescriptorsDone = false
    }

    // MARK: engine

    func requestTransmit() {
        guard !txRunScheduled, let function else { return }
        txRunScheduled = true
        function.schedule(at: function.now, txRunAction)
    }

    private func wait(until t: VirtualTime) {
        guard !txRunScheduled else { return }
        txRunScheduled = true
        function.schedule(at: t, txRunAction)
    }

    func txRun() {
        guard tctl.contains(.EN), !txHalted, !txHung, dmaAllowed, txRingCount > 0 else { return }
        while true {
            let now = function.now
            if txHeld {
                if now < txEngineFreeAt { wait(until: txEngineFreeAt); return }
                txHeld = false
                emitPacket()
            }
            guard txAvailableDescriptors() > 0 else { break }
            let engineStart = max(now, txEngineFreeAt)
            if engineStart > max(now, port.nextStart) { wait(until: engineStart); return }
            let fifo = txFIFOTime
            if port.nextStart > now + fifo {
                wait(until: VirtualTime(picoseconds: port.nextStart.picoseconds - fifo.rawValue / 2))
                return
            }
            let (cost, complete) = processTransmitDescriptor()
            txEngineFreeAt = engineStart + cost
            txDescriptorsDone = true
            if txHalted { return }
            if complete {
                if txEngineFreeAt > max(now, port.nextStart) { txHeld = true } else { emitPacket() }
            }
        }
        if txDescriptorsDone && !txHeld {
            txDescriptorsDone = false
            raise(E1000Interrupt.TXQE.rawValue)
        }
    }

    /// Fetches up to 16 descriptors from TDH on; returns the bus time.
    private func fetchTxDescriptors() -> VirtualDuration {
        let ring = txRing, h = reg(.TDH)
        let k = ring.burst(from: h, available: ring.owned(head: h, tail: reg(.TDT)), limit: E1000ModelTiming.descriptorFetchBatch)
        let st = function.dmaRead(ring.address(of: h),
                                  into: UnsafeMutableRawBufferPointer(start: txCache, count: 16 * k))
        txCacheCount = k; txCacheNext = 0
        if st != .ok {
            txHalted = true
            txCacheCount = 0
            function.note("transmit descriptor fetch failed (\(st)); transmit DMA stopped")
        }
        return timing.dmaReadCost(16 * k)
    }

    /// Processes the descriptor at TDH; returns its bus time and whether it ended a packet.
    private func processTransmitDescriptor() -> (VirtualDuration, Bool) {
        var cost = VirtualDuration.zero
        if txCacheNext >= txCacheCount {
            cost = fetchTxDescriptors()
            if txHalted { return (cost, false) }
        }
        let h = reg(.TDH)
        let d = txCache + 16 * txCacheNext
        let low = UInt64(littleEndian: d.loadUnaligned(as: UInt64.self))
        let high = UInt64(littleEndian: d.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let dword2 = UInt32(truncatingIfNeeded: high)
        var reportStatus = false, delayed = false, complete = false
        if dword2 & E1000TxDescriptorKind.dextBit == 0 {
            // Legacy (SDM §3.3.3, Table 3-8).
            let length = Int(high & 0xFFFF)
            let cmd = E1000TxDescriptorLegacy.Command(rawValue: UInt8(truncatingIfNeeded: high >> 24))
            if length > E1000TxDescriptorLegacy.maximumLength {
                function.strictFinding(E1000Rule.legacyLengthTooLong, "descriptor \(h): \(length) > \(E1000TxDescriptorLegacy.maximumLength)")
            }
            if !txPacket.started { txPacket.started = true; txPacket.extended = false }
            cost = cost + appendTransmitData(low, length, index: h)
            if cmd.contains(.EOP) {
                txPacket.command = cmd.rawValue
                txPacket.cso = Int(high >> 16 & 0xFF)
                txPacket.css = Int(high >> 40 & 0xFF)
                txPacket.special = UInt16(truncatingIfNeeded: high >> 48)
                complete = true
            }
            reportStatus = cmd.contains(.RS); delayed = cmd.contains(.IDE)
        } else {
            switch E1000TxDescriptorKind(raw: E1000RawDescriptor(low: low, high: high)) {
            case .context:
                let c = E1000TxContextDescriptor(raw: E1000RawDescriptor(low: low, high: high))
                txContext = TxContext(ipcss: Int(c.ipcss), ipcso: Int(c.ipcso), ipcse: Int(c.ipcse),
                                      tucss: Int(c.tucss), tucso: Int(c.tucso), tucse: Int(c.tucse),
                                      paylen: Int(c.paylen), tucmd: c.command.rawValue, hdrlen: Int(c.hdrlen), mss: Int(c.mss))
                reportStatus = c.command.contains(.RS); delayed = c.command.contains(.IDE)
            case .data:
                let length = Int(dword2 & 0x000F_FFFF)
                let cmd = E1000TxDataDescriptor.Command(rawValue: UInt8(truncatingIfNeeded: dword2 >> 24))
                if !txPacket.started {
                    txPacket.started = true
                    txPacket.extended = true
                    txPacket.tso = cmd.contains(.TSE)
                    txPacket.options = UInt8(truncatingIfNeeded: high >> 40)
                }
                cost = cost + appendTransmitData(low, length, index: h)
                if cmd.contains(.EOP) {
                    txPacket.command = cmd.rawValue
                    txPacket.special = UInt16(truncatingIfNeeded: high >> 48)
                    complete = true
                }
                reportStatus = cmd.contains(.RS); delayed = cmd.contains(.IDE)
            case .legacy, .reserved:
                function.strictFinding(E1000Rule.reservedDescriptorType, "descriptor \(h): DTYP \((dword2 & E1000TxDescriptorKind.dtypMask) >> E1000TxDescriptorKind.dtypShift)")
            }
        }
        var next = (h + 1) % txRingCount
        if reportStatus {
            // RS: hardware sets STA.DD in byte 12 once the descriptor is processed (SDM §3.3.3.2);
            // the fault layer may delay it, replace the status byte or move the head elsewhere.
            var sta = d.load(fromByteOffset: 12, as: UInt8.self) | E1000TxStatus.DD.rawValue
            let at = BusAddress(txRingBase + UInt64(h) * 16 + 12)
            var late: VirtualDuration?
            if let hooks = function.deviceFaultHooks {
                switch hooks.descriptorWriteback(WritebackSite(device: function.address, receive: false, index: Int(h), time: function.now)) {
                case .none, .badLength: break   // a transmit write-back carries no length (SDM Table 3-9)
                case .delay(let t): late = t
                case .badStatus(let b): sta = b
                case .badIndex(let i): next = UInt32(max(0, i)) % txRingCount
                }
            }
            if let late {
                let value = sta
                function.schedule(after: late) { [unowned(unsafe) self] in
                    var v = value
                    _ = withUnsafeBytes(of: &v) { self.function.dmaWrite(at, from: $0) }
                    self.transmitInterrupt(delayed: delayed)
                }
            } else {
                _ = withUnsafeBytes(of: &sta) { function.dmaWrite(at, from: $0) }
                transmitInterrupt(delayed: delayed)
            }
            cost = cost + timing.dmaWriteCost(1)
        }
        setReg(.TDH, next)
        txCacheNext += 1
        return (cost, complete)
    }

    /// Reads a descriptor's buffer into the packet being gathered.
    private func appendTransmitData(_ address: UInt64, _ length: Int, index: UInt32) -> VirtualDuration {
        guard length > 0 else { return .zero }
        if address == 0 { checkNullBuffer(ring: "transmit", index: index) }
        let needed = txPacket.length + length
        if needed > txBufferCapacity {
            var capacity = txBufferCapacity
            while capacity < needed { capacity *= 2 }
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            bigger.copyMemory(from: txBuffer, byteCount: txPacket.length)
            txBuffer.deallocate()
            txBuffer = bigger
            txBufferCapacity = capacity
        }
        let st = function.dmaRead(BusAddress(address), into: UnsafeMutableRawBufferPointer(start: txBuffer + txPacket.length, count: length))
        if st != .ok { txPacket.failed = true }
        txPacket.length = needed
        return timing.dmaReadCost(length)
    }

    /// Offloads and sends the gathered packet, then starts the next one.
    private func emitPacket() {
        defer { txPacket = TxPacketState() }
        guard !txPacket.failed else {
            function.note("transmit data read failed; packet of \(txPacket.length) bytes dropped")
            return
        }
        if let hooks = function.deviceFaultHooks,
           hooks.txFrame(FrameSite(device: function.address, length: txPacket.length, time: function.now)) == .hang {
            // The MAC hangs with the packet in its FIFO: its descriptors were written back (DD means
            // fetched, SDM §3.3.3.2), nothing more leaves or is fetched until CTRL.RST.
            hangTransmitter()
            return
        }
        if txPacket.extended && txPacket.tso {
            segmentAndSend()
        } else {
            insertChecksums(txBuffer, txPacket.length)
            sendFrame(txBuffer, txPacket.length)
        }
    }
}
