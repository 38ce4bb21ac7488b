import BoxlessPlatform
import NICCore

/// Transmit (RTL8139C(L) datasheet §6.2 "Transmit"; C+ datasheet §9.1). C mode: four slots used in
/// turn; writing TSD n with OWN = 0 hands slot n over; the chip reads SIZE bytes from TSAD n and
/// starts the wire once TSD.ERTXTH bytes are in its FIFO, sets OWN when the whole frame is in and
/// TOK when it has left, with ISR.TOK. C+ mode: TxPoll.HPQ / NPQ make the chip walk the high-
/// priority ring from THPDS (first) and the normal-priority ring from TNPDS, sending each FS…LS
/// chain it owns with the checksum, VLAN and large-send requests of its first descriptor (the NIC
/// core's ``TransmitOffload`` and ``TCPSegmenter``), and clearing OWN. TCR.LBK = 11b loops frames
/// back to the receiver instead of the wire. Nothing here allocates per frame.
extension RTL8139Device {
    /// CR.TE on, bus mastering on, and not hung (fault layer).
    var transmitterEnabled: Bool { cr & RTL8139CR.TE != 0 && function?.busMasterEnabled == true && !txHung }

    /// TCR.LBK = 11b: MAC loopback (§5.9).
    var loopback: Bool { tcr & RTL8139TCR.LBK_MASK == RTL8139TCR.LBK_MASK }

    func transmitKick() {
        guard !txEngineBusy, transmitterEnabled else { return }
        if cplusTransmit { cplusTransmitRun() } else { slotTransmit() }
    }

    /// Makes ``txBuffer`` hold `n` bytes after the headroom (contents are not kept).
    func reserveTxBuffer(_ n: Int) {
        guard n + Self.txHeadroom > txBufferCapacity else { return }
        txBuffer.deallocate()
        txBufferCapacity = n + Self.txHeadroom
        txBuffer = .allocate(byteCount: txBufferCapacity, alignment: 16)
    }

    // MARK: C mode

    /// Bytes in the FIFO before the slot's frame starts on the wire: ERTXTH × 32, 0 meaning 8 (§5.2).
    func earlyTransmitThreshold(_ n: Int) -> Int {
        let units = Int((tsd[n] & RTL8139TSD.ERTXTH_MASK) >> RTL8139TSD.ERTXTH_SHIFT)
        return units == 0 ? 8 : units * 32
    }

    /// Loads the next slot: the wire starts after the early-transmit threshold's DMA, OWN is set
    /// after the whole frame's.
    private func slotTransmit() {
        let n = txNextSlot
        guard txSlotPending[n] else { return }
        txSlotPending[n] = false
        let size = Int(tsd[n] & RTL8139TSD.SIZE_MASK)
        reserveTxBuffer(size)
        let st = function.dmaRead(BusAddress(UInt64(tsad[n])), into: UnsafeMutableRawBufferPointer(start: txBuffer, count: size))
        txSlotLoading = n
        txSlotLoadOK = st == .ok && size > 0 && size <= RTL8139TSD.maximumSize
        txEngineBusy = true
        if txSlotLoadOK {
            function.schedule(after: timing.readCost(min(earlyTransmitThreshold(n), size)), slotStartAction)
        }
        function.schedule(after: timing.readCost(size), slotLoadedAction)
    }

    /// The early-transmit threshold is in the FIFO: the frame starts on the wire.
    func slotStartOnWire() {
        let n = txSlotLoading
        guard let done = send(txBuffer, Int(tsd[n] & RTL8139TSD.SIZE_MASK)) else { return }
        txSlotWire.slots[(txSlotWire.head + txSlotWire.count) % 4] = n
        txSlotWire.count += 1
        function.schedule(at: done, slotDoneAction)
    }

    /// The whole frame is in the FIFO (§5.2 OWN); the next slot may load.
    func slotLoaded() {
        let n = txSlotLoading
        txEngineBusy = false
        if txHung { return }                          // the frame never left: no OWN, no TOK
        tsd[n] |= RTL8139TSD.OWN
        txNextSlot = (n + 1) % 4
        if !txSlotLoadOK { finishSlot(n, ok: false) }
        transmitKick()
    }

    /// The oldest slot on the wire has left: TOK.
    func slotLeftWire() {
        guard txSlotWire.count > 0 else { return }
        let n = txSlotWire.slots[txSlotWire.head]
        txSlotWire.head = (txSlotWire.head + 1) % 4
        txSlotWire.count -= 1
        finishSlot(n, ok: true)
    }

    private func finishSlot(_ n: Int, ok: Bool) {
        txSlotOwned[n] = false
        if ok {
            tsd[n] |= RTL8139TSD.TOK
            stats.txOk &+= 1
            signalCompletion(RTL8139Interrupt.TOK)
        } else {
            tsd[n] |= RTL8139TSD.TABT
            stats.txErr &+= 1; stats.txAbt &+= 1
            raise(RTL8139Interrupt.TER)
        }
    }

    /// Puts a frame on the wire (or loops it back with TCR.LBK); returns when its last bit has
    /// left, or nil when the fault layer hangs the transmitter (it stays hung until CR.RST).
    func send(_ frame: UnsafeRawPointer, _ length: Int) -> VirtualTime? {
        if let hooks = function.deviceFaultHooks,
           hooks.txFrame(FrameSite(device: function.address, length: length, time: function.now)) == .hang {
            hangTransmitter()
            return nil
        }
        let bytes = UnsafeRawBufferPointer(start: frame, count: length)
        let start = port.nextStart
        if loopback {
            receive(bytes, fcsValid: true, loopback: true)
            return function.now + port.timing.arrivalDelay(frameLength: length)
        }
        _ = port.send(bytes)
        return start + port.timing.arrivalDelay(frameLength: length)
    }

    /// The transmitter stops: nothing more is sent, no descriptor or slot is finished, until CR.RST.
    func hangTransmitter() {
        guard !txHung else { return }
        txHung = true
        function.note("transmitter hung (fault); CR.RST restarts it")
    }

    // MARK: C+ mode

    /// The C+ transmit ring of a queue as the NIC core's ``DescriptorRing``.
    func txRing(high: Bool) -> DescriptorRing {
        DescriptorRing(base: high ? thpds : tnpds, count: UInt32(RTL8139Descriptor.maximumRingCount), descriptorSize: UInt32(RTL8139Descriptor.size))
    }

    /// Fetches the next owned chain of the high-priority queue, else of the normal one, gathers its
    /// buffers into ``txBuffer`` and sends it after the fetch's bus time.
    private func cplusTransmitRun() {
        while hpqPending || npqPending {
            let high = hpqPending
            switch fetchChain(high: high) {
            case .sent: return
            case .waiting: return                    // an unfinished chain waits for its last descriptor
            case .empty:
                if high { hpqPending = false } else { npqPending = false }
                raise(RTL8139Interrupt.TDU)
            }
        }
    }

    private enum FetchResult { case sent, waiting, empty }

    private func fetchChain(high: Bool) -> FetchResult {
        let ring = txRing(high: high)
        var index = high ? txHighIndex : txIndex
        var reads = 0
        txChain.removeAll(keepingCapacity: true)
        while true {
            let d = ring.address(of: UInt32(index))
            let (o1, _) = function.dmaLoad(d, as: UInt32.self)
            reads += 1
            guard o1 & RTL8139Descriptor.OWN != 0 else { return txChain.isEmpty ? .empty : .waiting }
            let (o2, _) = function.dmaLoad(d + 4, as: UInt32.self)
            let (lo, _) = function.dmaLoad(d + 8, as: UInt32.self)
            let (hi, _) = function.dmaLoad(d + 12, as: UInt32.self)
            txChain.append(RTL8139TxFetched(address: d, opts1: o1, opts2: o2, buffer: UInt64(lo) | UInt64(hi) << 32))
            index = nextIndex(index, eor: o1 & RTL8139Descriptor.EOR != 0, ring: high ? "high-priority transmit" : "transmit")
            if o1 & RTL8139Descriptor.LS != 0 || txChain.count >= RTL8139Descriptor.maximumRingCount { break }
        }
        var total = 0
        for d in txChain { total += Int(d.opts1 & RTL8139TxDesc.LENGTH_MASK) }
        reserveTxBuffer(total)
        var at = Self.txHeadroom
        for d in txChain {
            let n = Int(d.opts1 & RTL8139TxDesc.LENGTH_MASK)
            _ = function.dmaRead(BusAddress(d.buffer), into: UnsafeMutableRawBufferPointer(start: txBuffer + at, count: n))
            at += n
        }
        if high { txHighIndex = index } else { txIndex = index }
        txChainHigh = high
        txChainLength = total
        txEngineBusy = true
        function.schedule(after: timing.readCost(16 * reads) + timing.readCost(total), cplusSendAction)
        return .sent
    }

    /// Sends the fetched chain (offloads applied), then clears OWN in its descriptors.
    func cplusSendChain() {
        txEngineBusy = false
        guard let first = txChain.first else { transmitKick(); return }
        guard let done = offloadAndSend(opts1: first.opts1, opts2: first.opts2) else { return }   // hung
        var delay = VirtualDuration.zero
        for (k, d) in txChain.enumerated() {
            // OWN cleared; EOR, FS, LS and the length kept; status bits zero (sent OK).
            var o1 = d.opts1 & (RTL8139Descriptor.EOR | RTL8139Descriptor.FS | RTL8139Descriptor.LS | RTL8139TxDesc.LENGTH_MASK)
            let index = Int((d.address.rawValue - txRing(high: txChainHigh).base) / UInt64(RTL8139Descriptor.size))
            switch writebackFault(receive: false, index: index) {
            case .none: break
            case .delay(let t): delay = max(delay, t)
            case .badLength(let l): o1 = o1 & ~RTL8139TxDesc.LENGTH_MASK | UInt32(l)
            case .badStatus(let s): o1 = o1 & ~RTL8139Descriptor.statusByteMask | UInt32(s) << RTL8139Descriptor.statusByteShift
            case .badIndex(let i):
                if k == txChain.count - 1 {
                    let next = i & (RTL8139Descriptor.maximumRingCount - 1)
                    if txChainHigh { txHighIndex = next } else { txIndex = next }
                }
            }
            function.dmaStore(d.address, o1)
        }
        function.schedule(at: max(done, function.now + delay), transmitOKAction)
        transmitKick()
    }

    /// The frames a chain puts on the wire (C+ datasheet §9.1): VLAN tag inserted (opts2.TAGC, in
    /// place in the headroom), then either TCP segmentation (LGSEN, MSS) or the IPv4/TCP/UDP
    /// checksums asked for. Returns when the last left, nil if the transmitter hung.
    private func offloadAndSend(opts1: UInt32, opts2: UInt32) -> VirtualTime? {
        var frame = txBuffer + Self.txHeadroom
        var length = txChainLength
        if opts2 & RTL8139TxDesc.TAGC != 0 && length >= 12 {
            frame = txBuffer
            frame.copyMemory(from: frame + Self.txHeadroom, byteCount: 12)
            NetworkOrder.store16(frame, 12, EthernetFrame.vlanTPID)
            NetworkOrder.store16(frame, 14, UInt16(truncatingIfNeeded: opts2 & RTL8139TxDesc.VLAN_MASK).byteSwapped)
            length += EthernetFrame.vlanTagBytes
        }
        let h = FrameHeaders.parse(frame, length)
        let offloads = opts1 & (RTL8139TxDesc.LGSEN | RTL8139TxDesc.IPCS | RTL8139TxDesc.TCPCS | RTL8139TxDesc.UDPCS) != 0
        guard offloads, h.ipVersion == 4, var layout = TransmitOffloadLayout(h, seed: .none) else {
            return sendCounted(frame, length)
        }
        if opts1 & RTL8139TxDesc.LGSEN != 0 {
            let mss = Int(opts1 >> RTL8139TxDesc.MSS_SHIFT & RTL8139TxDesc.MSS_MASK)
            guard layout.tcp else { return sendCounted(frame, length) }
            let header = layout.l4Offset + Int(frame.load(fromByteOffset: layout.l4Offset + 12, as: UInt8.self) >> 4) * 4
            var done: VirtualTime? = function.now
            do {
                try segmenter.segment(frame, length: length, header: header, mss: mss, layout: layout) { s, n in
                    if done != nil { done = sendCounted(s, n) }
                }
            } catch {
                function.note("large send not done (\(error)); frame sent as is")
                return sendCounted(frame, length)
            }
            return done
        }
        if opts1 & RTL8139TxDesc.IPCS == 0 { layout.ipv4ChecksumOffset = nil }
        let l4 = (layout.tcp && opts1 & RTL8139TxDesc.TCPCS != 0) || (!layout.tcp && opts1 & RTL8139TxDesc.UDPCS != 0)
        if !l4 { layout.l4ChecksumOffset = nil }
        do { try TransmitOffload.insertChecksums(frame, length, layout) } catch {
            function.note("checksum offload not done (\(error))")
        }
        return sendCounted(frame, length)
    }

    private func sendCounted(_ frame: UnsafeRawPointer, _ length: Int) -> VirtualTime? {
        guard let done = send(frame, length) else { return nil }
        stats.txOk &+= 1
        return done
    }

    // MARK: tally counters

    /// DTCCR.Cmd (C+ datasheet §6.1): the 64-byte counter block goes by DMA to the DTCCR address;
    /// Cmd clears when it is done.
    func dumpTallyCounters() {
        if !cplusRegisters { breach(.cplusRegisterInCMode, "DTCCR dump with C+ mode off") }
        let block = stats.tallyBlock()
        let address = dtccr & RTL8139DTCCR.addressMask
        block.withUnsafeBytes { _ = function.dmaWrite(BusAddress(address), from: $0) }
        tsd[0] &= ~UInt32(RTL8139DTCCR.Cmd)
    }
}
