import BoxlessPlatform
import NICCore

/// Receive (RTL8139C(L) datasheet §6.1 "Receive"; C+ datasheet §9.2): the fault layer's look at
/// the frame, the RCR address filters and MAR hash, runt/error acceptance, the 2 KiB receive FIFO
/// (the NIC core's ``RxFIFO``), then DMA into the C-mode ring buffer or the C+ descriptor ring. A
/// frame the ring cannot take waits in the FIFO (ISR.RXOVW — RDU in C+ mode — once); a frame that
/// finds the FIFO full is missed (ISR.FOVW, MPC, MissPkt). The header or descriptors are written
/// back when the frame's DMA ends, then ROK (through IntrMitigate).
extension RTL8139Device {
    /// Receiving is on: CR.RE and, in C+ mode, CpCmd.RxEnb as well (QEMU and 8139cp set both).
    var receiverEnabled: Bool { cr & RTL8139CR.RE != 0 }

    /// C-mode ring length: 8 KiB << RCR.RBLEN (the +16 bytes and 1.5 KiB slack are the driver's).
    var ringLength: UInt32 { 8192 << ((rcr & RTL8139RCR.RBLEN_MASK) >> RTL8139RCR.RBLEN_SHIFT) }

    /// The C+ receive ring as the NIC core's ``DescriptorRing`` (at most 64 descriptors; EOR ends it).
    var rxRing: DescriptorRing {
        DescriptorRing(base: rxRingAddr, count: UInt32(RTL8139Descriptor.maximumRingCount), descriptorSize: UInt32(RTL8139Descriptor.size))
    }

    /// A frame at the MAC (`loopback`: sent by this chip with TCR.LBK = 11b, link state aside).
    func receive(_ frame: UnsafeRawBufferPointer, fcsValid wireFCS: Bool, loopback: Bool = false) {
        guard receiverEnabled, linkUp || loopback, let p = frame.baseAddress else { stats.ignored &+= 1; return }
        var n = frame.count
        var fcsValid = wireFCS, jabber = false
        if let hooks = function.deviceFaultHooks {
            switch hooks.rxFrame(FrameSite(device: function.address, length: n, time: function.now)) {
            case .none: break
            case .fcsError: fcsValid = false
            case .runt: n = min(n, RTL8139ModelTiming.runtFaultBytes)
            case .jabber: jabber = true
            case .fifoOverflow:
                fifoOverflow()
                return
            }
        }
        guard n >= 6 else { stats.rxErr &+= 1; stats.runt &+= 1; return }
        let wire = n + EthernetFrame.fcsBytes

        // Address filter (§5.10 AAP/APM/AM/AB; MAR0–7 indexed by the CRC's top 6 bits).
        var status: UInt16 = 0
        var accept = false
        switch DestinationKind(destination: p) {
        case .unicast:
            accept = rcr & RTL8139RCR.AAP != 0
            if destinationAddress(p) == stationAddress && rcr & RTL8139RCR.APM != 0 { accept = true; status |= RTL8139RxHeader.PAM }
        case .broadcast:
            accept = rcr & RTL8139RCR.AB != 0
            status |= RTL8139RxHeader.BAR
        case .multicast:
            let bit = Int(EthernetCRC.multicastHash(at: p) >> 26)
            accept = rcr & RTL8139RCR.AM != 0 && mar[bit >> 3] >> UInt8(bit & 7) & 1 != 0
            status |= RTL8139RxHeader.MAR
        }
        guard accept else { return }   // filtered: counted nowhere (as the chip)

        // Size and FCS (§5.10 AR, AER; header bits RUNT, CRC, LONG).
        if wire < EthernetFrame.minimumBytes {
            stats.rxErr &+= 1
            guard rcr & RTL8139RCR.AR != 0 else { stats.runt &+= 1; return }
            status |= RTL8139RxHeader.RUNT
        }
        if !fcsValid {
            stats.rxErr &+= 1
            guard rcr & RTL8139RCR.AER != 0 else { stats.crc &+= 1; return }
            status |= RTL8139RxHeader.CRC
        }
        if jabber || wire > RTL8139ModelTiming.longFrameBytes {
            stats.rxErr &+= 1
            stats.long &+= 1
            return
        }
        if fcsValid && wire >= EthernetFrame.minimumBytes { status |= RTL8139RxHeader.ROK }

        // Into the FIFO, with the CRC: an empty FIFO takes any frame (it streams through), a
        // frame that has to queue takes its share of the 2 KiB.
        let strip = cplusReceive && cpcmd & RTL8139CpCmd.RxVLAN != 0 && n >= 22 && NetworkOrder.load16(p, 12) == EthernetFrame.vlanTPID
        let body = n - (strip ? EthernetFrame.vlanTagBytes : 0)
        let stored = body + EthernetFrame.fcsBytes
        let limit = fifo.isEmpty ? fifo.storageSize / 2 : RTL8139ModelTiming.rxFIFOBytes
        guard let offset = fifo.reserve(length: stored, limit: limit) else {
            fifoOverflow()
            return
        }
        let dst = fifo.storage + offset
        var meta = RTL8139RxStatus(status: status)
        if strip {
            // CpCmd.RxVLAN (C+ §9.2): the tag goes to opts2 (TAVA, byte-swapped TCI).
            dst.copyMemory(from: p, byteCount: 12)
            (dst + 12).copyMemory(from: p + 16, byteCount: n - 16)
            meta.tag = RTL8139RxDesc.TAVA | UInt32(NetworkOrder.load16(p, 14).byteSwapped)
        } else {
            dst.copyMemory(from: p, byteCount: n)
        }
        let crc = EthernetCRC.fcs(dst, body)
        (dst + body).storeBytes(of: (fcsValid ? crc : ~crc).littleEndian, toByteOffset: 0, as: UInt32.self)
        if cplusReceive && cpcmd & RTL8139CpCmd.RxChkSum != 0 { meta.checksum = receiveChecksumFlags(dst, body) }
        fifo.commit(.init(offset: offset, length: stored, metadata: meta))
        receiveKick()
    }

    /// IDR as an integer (first byte low), to compare with ``destinationAddress(_:)``.
    var stationAddress: UInt64 { idr.withUnsafeBytes { destinationAddress($0.baseAddress!) } }

    /// The FIFO has no room: the frame is missed (MPC, MissPkt, ISR.FOVW; §5.8, MPC).
    func fifoOverflow() {
        stats.missed()
        raise(RTL8139Interrupt.FOVW)
    }

    /// Starts the receive DMA engine on the oldest FIFO frame, if it can run.
    func receiveKick() {
        guard !rxEngineBusy, let e = fifo.first, receiverEnabled, function?.busMasterEnabled == true else { return }
        let cost: VirtualDuration
        if cplusReceive {
            guard let c = storeInDescriptors(e) else { return }
            cost = c
        } else {
            guard let c = storeInRing(e) else { return }
            cost = c
        }
        countReceived(e.pointee.metadata.status)
        fifo.removeFirst()
        rxOverflowReported = false
        rxEngineBusy = true
        function.schedule(after: cost, rxDoneAction)
    }

    /// The frame's DMA has ended: the header (and CBR) or the descriptors are written back, then ROK.
    func receiveDMADone() {
        rxEngineBusy = false
        if let h = rxHeaderPending {
            function.dmaStore(h.address, h.value)
            cbr = h.cbr
            rxHeaderPending = nil
        }
        for w in rxWritebacks {
            if w.writesOpts2 { function.dmaStore(w.address + 4, w.opts2) }
            function.dmaStore(w.address, w.opts1)
        }
        rxWritebacks.removeAll(keepingCapacity: true)
        signalCompletion(RTL8139Interrupt.ROK)
        receiveKick()
    }

    private func countReceived(_ status: UInt16) {
        guard status & RTL8139RxHeader.ROK != 0 else { return }
        stats.rxOk &+= 1
        if status & RTL8139RxHeader.BAR != 0 { stats.rxOkBrd &+= 1 }
        else if status & RTL8139RxHeader.MAR != 0 { stats.rxOkMul &+= 1 }
        else { stats.rxOkPhy &+= 1 }
    }

    /// Reports once per blocked frame that the ring cannot take it (ISR.RXOVW / RDU; ERSR.EROVW).
    private func ringFull() -> VirtualDuration? {
        if !rxOverflowReported {
            rxOverflowReported = true
            if !cplusReceive { ersr |= RTL8139ERSR.EROVW }
            raise(RTL8139Interrupt.RXOVW)
        }
        return nil
    }

    /// Asks the fault layer about a write-back at `index`; returns the fault (``WritebackFault``).
    func writebackFault(receive: Bool, index: Int) -> WritebackFault {
        guard let hooks = function.deviceFaultHooks else { return .none }
        return hooks.descriptorWriteback(WritebackSite(device: function.address, receive: receive, index: index, time: function.now))
    }

    // MARK: C mode

    /// Writes the frame (with CRC) after the 4-byte header at CBR (§6.1); the header — low word
    /// the status, high word the length with CRC — and the new CBR (next dword) follow when the
    /// DMA ends. With RCR.WRAP = 1 (and a ring below 64 KiB) a frame crossing the ring end
    /// continues past it; otherwise it wraps to RBSTART. ERBCR/ERSR report the packet (§5.5).
    /// Returns the DMA time, or nil when the frame does not fit.
    func storeInRing(_ e: UnsafeMutablePointer<RxFIFO<RTL8139RxStatus>.Entry>) -> VirtualDuration? {
        let length = ringLength
        let count = Int(e.pointee.length)
        let needed = (UInt32(RTL8139RxHeader.size + count) + 3) & ~3
        let free = readOffset == cbr ? length : (readOffset &- cbr) % length
        guard needed < free else { return ringFull() }
        let base = UInt64(rbstart)
        let status = e.pointee.metadata.status
        var header = UInt32(status) | UInt32(count) << 16
        var next = (cbr + needed) % length
        var delay = VirtualDuration.zero
        switch writebackFault(receive: true, index: Int(cbr)) {
        case .none: break
        case .delay(let d): delay = d
        case .badLength(let l): header = header & 0xFFFF | UInt32(l) << 16
        case .badStatus(let s): header = header & ~0xFF | UInt32(s)
        case .badIndex(let i): next = UInt32(truncatingIfNeeded: i) % length & ~3
        }
        rxHeaderPending = (BusAddress(base + UInt64(cbr)), header, next)
        let dataStart = cbr + UInt32(RTL8139RxHeader.size)
        let noWrap = rcr & RTL8139RCR.WRAP != 0 && length < 65536
        let p = UnsafeRawBufferPointer(start: fifo.storage + Int(e.pointee.offset), count: count)
        if dataStart >= length && !noWrap {
            _ = function.dmaWrite(BusAddress(base + UInt64(dataStart - length)), from: p)
        } else {
            let first = noWrap ? count : min(count, Int(length - dataStart))
            _ = function.dmaWrite(BusAddress(base + UInt64(dataStart)), from: UnsafeRawBufferPointer(rebasing: p[0..<first]))
            if first < count { _ = function.dmaWrite(BusAddress(base), from: UnsafeRawBufferPointer(rebasing: p[first...])) }
        }
        earlyReceiveStatus(count: count, good: status & RTL8139RxHeader.ROK != 0)
        return timing.writeCost(Int(needed)) + delay
    }

    /// ERBCR and ERSR for a packet stored whole (§5.5): the byte count, EROK when RCR.ERTH asks for
    /// an early threshold (a whole packet passes any fraction of itself), ERGood or ERBad.
    private func earlyReceiveStatus(count: Int, good: Bool) {
        erbcr = UInt16(truncatingIfNeeded: count)
        var s: UInt8 = good ? RTL8139ERSR.ERGood : RTL8139ERSR.ERBad
        if rcr >> RTL8139RCR.ERTH_SHIFT & 0xF != 0 { s |= RTL8139ERSR.EROK }
        ersr = s
    }

    /// CAPR written: the read offset becomes CAPR + 16 (modulo the ring).
    func writeCAPR(_ value: UInt16) {
        let length = ringLength
        let new = (UInt32(value) &+ 16) % length
        let available = (cbr &- readOffset) % length
        let moved = (new &- readOffset) % length
        if moved > available {
            breach(.caprPastCBR, "CAPR = \(hex(value)) (read offset \(hex(new))) with CBR = \(hex(cbr)), \(available) bytes unread")
        }
        readOffset = new
        ersr &= ~RTL8139ERSR.EROVW
        receiveKick()
    }

    // MARK: C+ mode

    /// Writes the frame into the descriptors from `rxIndex` on (FS on the first, LS on the last,
    /// the MAC's status, checksum result and stripped tag on the last; C+ datasheet §9.2); the
    /// write-backs follow when the DMA ends. Nil when the owned descriptors cannot hold it.
    func storeInDescriptors(_ e: UnsafeMutablePointer<RxFIFO<RTL8139RxStatus>.Entry>) -> VirtualDuration? {
        let count = Int(e.pointee.length)
        let ring = rxRing
        // Walk the owned descriptors this frame needs.
        rxPlan.removeAll(keepingCapacity: true)
        var index = rxIndex, room = 0, reads = 0
        while room < count {
            let d = ring.address(of: UInt32(index))
            let (opts1, _) = function.dmaLoad(d, as: UInt32.self)
            let (low, _) = function.dmaLoad(d + 8, as: UInt32.self)
            let (high, _) = function.dmaLoad(d + 12, as: UInt32.self)
            reads += 1
            guard opts1 & RTL8139Descriptor.OWN != 0 else { return ringFull() }
            let size = Int(opts1 & RTL8139RxDesc.LENGTH_MASK)
            let eor = opts1 & RTL8139Descriptor.EOR != 0
            rxPlan.append((index, UInt64(low) | UInt64(high) << 32, size, eor))
            room += size
            index = nextIndex(index, eor: eor, ring: "receive")
            if size == 0 && rxPlan.count > RTL8139Descriptor.maximumRingCount { return ringFull() }
        }
        let m = e.pointee.metadata
        var flags: UInt32 = m.checksum
        if m.status & RTL8139RxHeader.MAR != 0 { flags |= RTL8139RxDesc.MAR }
        if m.status & RTL8139RxHeader.PAM != 0 { flags |= RTL8139RxDesc.PAM }
        if m.status & RTL8139RxHeader.BAR != 0 { flags |= RTL8139RxDesc.BAR }
        if m.status & RTL8139RxHeader.RUNT != 0 { flags |= RTL8139RxDesc.RUNT | RTL8139RxDesc.RES }
        if m.status & RTL8139RxHeader.CRC != 0 { flags |= RTL8139RxDesc.CRC | RTL8139RxDesc.RES }
        let src = fifo.storage + Int(e.pointee.offset)
        var offset = 0, delay = VirtualDuration.zero
        for k in rxPlan.indices {
            let plan = rxPlan[k]
            let n = min(plan.size, count - offset)
            _ = function.dmaWrite(BusAddress(plan.address), from: UnsafeRawBufferPointer(start: src + offset, count: n))
            offset += n
            let last = k == rxPlan.count - 1
            var o1 = (plan.eor ? RTL8139Descriptor.EOR : 0) | (k == 0 ? RTL8139Descriptor.FS : 0)
            if last { o1 |= RTL8139Descriptor.LS | flags | UInt32(count) & RTL8139RxDesc.LENGTH_MASK }
            else { o1 |= UInt32(plan.size) & RTL8139RxDesc.LENGTH_MASK }
            switch writebackFault(receive: true, index: plan.index) {
            case .none: break
            case .delay(let d): delay = max(delay, d)
            case .badLength(let l): o1 = o1 & ~RTL8139RxDesc.LENGTH_MASK | UInt32(l) & RTL8139RxDesc.LENGTH_MASK
            case .badStatus(let s): o1 = o1 & ~RTL8139Descriptor.statusByteMask | UInt32(s) << RTL8139Descriptor.statusByteShift
            case .badIndex(let i): index = i & (RTL8139Descriptor.maximumRingCount - 1)
            }
            rxWritebacks.append(RTL8139Writeback(address: ring.address(of: UInt32(plan.index)), opts1: o1,
                                                 opts2: last ? m.tag : 0, writesOpts2: true))
        }
        rxIndex = index
        return timing.readCost(16 * reads) + timing.writeCost(count + 8 * rxPlan.count) + delay
    }

    /// The descriptor after `index`: the ring base after EOR; a ring that reaches the largest size
    /// without EOR is a strict finding and wraps there.
    func nextIndex(_ index: Int, eor: Bool, ring: String) -> Int {
        if eor { return 0 }
        if index + 1 >= RTL8139Descriptor.maximumRingCount {
            breach(.ringWithoutEOR, "\(ring) descriptor \(index) is the 64th without EOR")
            return 0
        }
        return index + 1
    }

    /// PID and IPF/UDPF/TCPF of an IPv4 frame (C+ datasheet §9.2; 8139cp reads PID and the fail
    /// bits), from the NIC core's ``FrameHeaders``. Non-IPv4 frames (IPv6 included) get PID 00.
    func receiveChecksumFlags(_ p: UnsafeRawPointer, _ n: Int) -> UInt32 {
        let h = FrameHeaders.parse(p, n)
        guard h.ipVersion == 4 else { return 0 }
        var f: UInt32 = 0
        if !InternetChecksum.verifies(p + h.l3Offset, h.l3Length) { f |= RTL8139RxDesc.IPF }
        switch h.l4Protocol {
        case 6:
            f |= RTL8139RxDesc.PID_TCP
            if let l4 = h.l4Offset, !InternetChecksum.verifies(p + l4, h.l4Length, initial: UInt32(h.pseudoHeaderSum)) { f |= RTL8139RxDesc.TCPF }
        case 17:
            f |= RTL8139RxDesc.PID_UDP
            // A UDP checksum of zero means none (RFC 768).
            if let l4 = h.l4Offset, NetworkOrder.load16(p, l4 + 6) != 0,
               !InternetChecksum.verifies(p + l4, h.l4Length, initial: UInt32(h.pseudoHeaderSum)) { f |= RTL8139RxDesc.UDPF }
        default: f |= RTL8139RxDesc.PID_IP
        }
        return f
    }
}
