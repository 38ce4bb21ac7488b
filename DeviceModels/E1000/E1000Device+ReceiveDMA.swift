import BoxlessPlatform
import NICCore

// Receive DMA (SDM §3.2.3–3.2.6): the descriptor ring RDBAL/RDBAH/RDLEN/RDH/RDT, descriptor
// fetch in bursts, buffer writes, write-back of legacy (SDM Table 3-1) or 82574 extended descriptors
// (RFCTL.EXTEN), frames spanning descriptors (EOP on the last), RXDMT0, and the interrupt timers.

extension E1000Device {
    var rxRingBase: UInt64 { UInt64(reg(.RDBAH)) << 32 | UInt64(reg(.RDBAL) & ~0xF) }
    var rxRingCount: UInt32 { reg(.RDLEN) / UInt32(E1000RawDescriptor.size) }

    /// The receive ring as the NIC core's ``DescriptorRing``.
    var rxRing: DescriptorRing { DescriptorRing(base: rxRingBase, count: rxRingCount, descriptorSize: UInt32(E1000RawDescriptor.size)) }

    /// Descriptors the hardware owns: RDH up to (not including) RDT (SDM §3.2.6).
    func rxAvailableDescriptors() -> UInt32 { rxRing.owned(head: reg(.RDH), tail: reg(.RDT)) }

    /// Buffer size from RCTL.BSIZE/BSEX (SDM §13.4.22), or RCTL.FLXBUF KB on the 82574.
    var rxBufferSize: Int {
        let r = rctl
        if kind == .i82574L {
            let flex = (r.rawValue & E1000RCTL.FLXBUF_MASK) >> E1000RCTL.FLXBUF_SHIFT
            if flex != 0 { return Int(flex) * 1024 }
        }
        return r.bufferSize ?? 2048
    }

    /// Whether the 82574's extended receive descriptors are in use (RFCTL.EXTEN).
    var extendedRx: Bool { kind == .i82574L && reg(.RFCTL) & E1000RFCTL.EXTEN.rawValue != 0 }

    // MARK: registers

    /// Whether reprogramming the receive ring while RCTL.EN is set is a hazard the model reports.
    /// 82540EM: always (SDM §14.4: set the ring up, then enable). 82574L: only while descriptors
    /// are handed to hardware (RDH ≠ RDT) — with none, the receive DMA has nothing to fetch. Linux's
    /// e1000e keeps the 82574's receiver enabled while it programs the ring (FLAG2_NO_DISABLE_RX,
    /// set for the 82574 in 82571.c) and enables it before the ring exists, on every 82574L in the
    /// field; strict mode reported both until the Linux host ran that driver on the model.
    var rxRingReprogrammingIsHazard: Bool { kind == .i82540EM || reg(.RDH) != reg(.RDT) }

    func writeRxRing(_ r: E1000Register, _ value: UInt32) {
        checkRingWriteWhileEnabled(r, enabled: rctl.contains(.EN) && rxRingReprogrammingIsHazard, unit: "receiver (RCTL.EN)")
        switch r {
        case .RDBAL:
            checkRingAlignment(value, register: "RDBAL")
            setReg(.RDBAL, value & ~0xF)
        case .RDLEN:
            checkRingLength(value, register: "RDLEN")
            setReg(.RDLEN, value & 0x000F_FF80)
        case .RDH:
            checkRingIndex(value, count: rxRingCount, register: "RDH")
            setReg(.RDH, value & 0xFFFF)
        default: setReg(r, value)
        }
        rxCacheCount = 0; rxCacheNext = 0
        rxHalted = false
    }

    func writeRDT(_ value: UInt32) {
        checkRingIndex(value, count: rxRingCount, register: "RDT")
        setReg(.RDT, value & 0xFFFF)
        requestReceiveDrain()
    }

    func writeRCTL(_ value: UInt32) {
        let old = rctl
        checkRCTL(value)
        setReg(.RCTL, value)
        let new = rctl
        if new.contains(.EN) && !old.contains(.EN) {
            if kind == .i82540EM { checkEnableOrder(ringLength: reg(.RDLEN), rule: .receiverEnabledBeforeRing) }
            rxCacheCount = 0; rxCacheNext = 0
            rxHalted = false
            requestReceiveDrain()
        }
    }

    func resetReceiveEngine() {
        rxCacheCount = 0; rxCacheNext = 0
        rxEngineFreeAt = function?.now ?? .zero
        rxHalted = false
    }

    // MARK: engine

    /// Drains the FIFO when the engine is free (now or at the time it frees up).
    func requestReceiveDrain() {
        guard !rxDrainScheduled, !fifo.isEmpty, unmanagedFunction != nil else { return }
        rxDrainScheduled = true
        let at = rxEngineFreeAt, action = rxDrainAction
        onFunction { _ = $0.schedule(at: max($0.now, at), action) }
    }

    /// Moves frames from the FIFO to host buffers while the engine is free and descriptors last.
    func rxDrain() {
        guard rctl.contains(.EN), !rxHalted, dmaAllowed, rxRingCount > 0 else { return }
        while let e = fifo.first {
            let now = onFunction { $0.now }
            if now < rxEngineFreeAt {
                if !rxDrainScheduled {
                    rxDrainScheduled = true
                    let at = rxEngineFreeAt, action = rxDrainAction
                    onFunction { _ = $0.schedule(at: at, action) }
                }
                return
            }
            guard rxAvailableDescriptors() > 0 else { return }
            rxEngineFreeAt = now + moveFrame(e)
            if rxHalted || e.pointee.done < e.pointee.length { return }
            fifo.removeFirst()
        }
    }

    /// Fetches up to 16 descriptors from RDH on (one read burst); returns its bus time.
    private func fetchRxDescriptors() -> VirtualDuration {
        let ring = rxRing, h = reg(.RDH)
        let k = ring.burst(from: h, available: ring.owned(head: h, tail: reg(.RDT)), limit: E1000ModelTiming.descriptorFetchBatch)
        let into = UnsafeMutableRawBufferPointer(start: rxCache, count: 16 * k), at = ring.address(of: h)
        let st = onFunction { $0.dmaRead(at, into: into) }
        rxCacheCount = k; rxCacheNext = 0
        if st != .ok {
            // A master abort or IOMMU fault on a descriptor read stops receive DMA until the ring is
            // set up again (RCTL.EN, RDH/RDBA/RDLEN write or reset); frames then back up into the
            // FIFO and overflow into MPC.
            rxHalted = true
            rxCacheCount = 0
            function.note("receive descriptor fetch failed (\(st)); receive DMA stopped")
        }
        return timing.dmaReadCost(16 * k)
    }

    /// Writes as much of the frame as the available descriptors hold; returns the bus time.
    private func moveFrame(_ e: UnsafeMutablePointer<E1000RxFIFO.Entry>) -> VirtualDuration {
        var cost = VirtualDuration.zero
        let bufferSize = rxBufferSize, ext = extendedRx, n = rxRingCount
        let freeBefore = rxAvailableDescriptors()
        while e.pointee.done < e.pointee.length, rxAvailableDescriptors() > 0 {
            if rxCacheNext >= rxCacheCount {
                cost = cost + fetchRxDescriptors()
                if rxHalted { return cost }
            }
            let h = reg(.RDH)
            let address = UInt64(littleEndian: rxCache.loadUnaligned(fromByteOffset: 16 * rxCacheNext, as: UInt64.self))
            let done = Int(e.pointee.done)
            let chunk = min(bufferSize, Int(e.pointee.length) - done)
            let last = done + chunk == Int(e.pointee.length)
            if address == 0 { checkNullBuffer(ring: "receive", index: h) }
            let bytes = UnsafeRawBufferPointer(start: fifo.storage + Int(e.pointee.offset) + done, count: chunk)
            let st = onFunction { $0.dmaWrite(BusAddress(address), from: bytes) }
            cost = cost + timing.dmaWriteCost(chunk)
            if st != .ok { e.pointee.metadata.errors |= E1000RxDescriptorLegacy.Errors.RXE.rawValue }
            var next = h + 1 == n ? 0 : h + 1   // h < n: a descriptor was available
            switch onFunction({ $0.deviceFaultHooks })?.descriptorWriteback(onFunction { WritebackSite(device: $0.address, receive: true, index: Int(h), time: $0.now) }) ?? .none {
            case .none:
                writeBack(index: h, length: chunk, last: last, entry: e.pointee.metadata, extended: ext)
            case .delay(let d):
                // DD appears late; the interrupt follows the write-back.
                let entry = e.pointee.metadata
                function.schedule(after: d) { [unowned(unsafe) self] in
                    self.writeBack(index: h, length: chunk, last: last, entry: entry, extended: ext)
                    if last { self.receiveInterrupt() }
                }
            case .badLength(let v):
                writeBack(index: h, length: Int(v), last: last, entry: e.pointee.metadata, extended: ext)
            case .badStatus(let b):
                writeBack(index: h, length: chunk, last: last, entry: e.pointee.metadata, extended: ext, rawStatus: b)
            case .badIndex(let i):
                writeBack(index: h, length: chunk, last: last, entry: e.pointee.metadata, extended: ext)
                next = UInt32(max(0, i)) % n
            }
            cost = cost + timing.dmaWriteCost(ext ? 16 : 8)
            setReg(.RDH, next)
            rxCacheNext += 1
            e.pointee.done += Int32(chunk)
        }
        if e.pointee.done == e.pointee.length {
            receiveInterrupt()
            if let shift = rctl.minimumThresholdShift {
                let threshold = n >> UInt32(shift), free = rxAvailableDescriptors()
                if freeBefore > threshold && free <= threshold { raise(E1000Interrupt.RXDMT0.rawValue) }
            }
        }
        return cost
    }

    /// Writes back descriptor `index`: bytes 8–15 of a legacy descriptor (SDM Table 3-1) or all 16
    /// bytes of an extended one (82574; layout in Definitions/E1000Descriptors.swift). The fault layer's
    /// write-back hook is asked first (in ``moveFrame``): a delay, a hostile length or status, or a
    /// head moved elsewhere.
    /// A fault plan's `.badStatus` replaces the whole status byte (`rawStatus`), `.badLength` the length.
    private func writeBack(index: UInt32, length: Int, last: Bool, entry: E1000RxStatus, extended: Bool, rawStatus: UInt8? = nil) {
        let dd = E1000RxDescriptorLegacy.Status.DD.rawValue, eop = E1000RxDescriptorLegacy.Status.EOP.rawValue
        let status = rawStatus ?? (last ? entry.status | dd | eop : dd)
        let errors = last ? entry.errors : 0
        let address = rxRingBase + UInt64(index) * 16
        if extended {
            let pcsd = reg(.RXCSUM) & E1000RXCSUM.PCSD.rawValue != 0
            var staterr = UInt32(status) | UInt32(errors) << 24
            if last && entry.ipIDValid && !pcsd { staterr |= E1000RxDescriptorExtended.Status.IPIDV.rawValue }
            let csumWord: UInt32 = pcsd || !last ? 0 : UInt32(entry.ipID) | UInt32(entry.checksum) << 16
            let low = UInt64(csumWord) << 32
            let high = UInt64(staterr) | UInt64(UInt16(length)) << 32 | UInt64(last ? entry.special : 0) << 48
            var words = (low.littleEndian, high.littleEndian)
            withUnsafeBytes(of: &words) { b in onFunction { _ = $0.dmaWrite(BusAddress(address), from: b) } }
        } else {
            let high = UInt64(UInt16(length)) | UInt64(last ? entry.checksum : 0) << 16 | UInt64(status) << 32
                | UInt64(errors) << 40 | UInt64(last ? entry.special : 0) << 48
            var word = high.littleEndian
            withUnsafeBytes(of: &word) { b in onFunction { _ = $0.dmaWrite(BusAddress(address + 8), from: b) } }
        }
    }
}
