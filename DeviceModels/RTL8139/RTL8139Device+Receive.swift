import BoxlessPlatform
import NICCore

/// Receive (RTL8139C(L) datasheet §6.1 "Receive"; C+ datasheet §9.2): the RCR address filters
/// and MAR hash, runt/error acceptance, the 2 KiB receive FIFO, then DMA into the C-mode ring
/// buffer or the C+ descriptor ring. A frame the ring cannot take waits in the FIFO (ISR.RXOVW —
/// RDU in C+ mode — once); a frame that finds the FIFO full is missed (ISR.FOVW, MPC, MissPkt).
extension RTL8139Device {
    /// Receiving is on: CR.RE and, in C+ mode, CpCmd.RxEnb as well (QEMU and 8139cp set both).
    var receiverEnabled: Bool { cr & RTL8139CR.RE != 0 }

    /// C-mode ring length: 8 KiB << RCR.RBLEN (the +16 bytes and 1.5 KiB slack are the driver's).
    var ringLength: UInt32 { 8192 << ((rcr & RTL8139RCR.RBLEN_MASK) >> RTL8139RCR.RBLEN_SHIFT) }

    func receive(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        guard receiverEnabled, linkUp else { stats.ignored &+= 1; return }
        let n = frame.count
        guard n >= 6 else { stats.rxErr &+= 1; stats.runt &+= 1; return }
        let wire = n + EthernetTiming.fcsBytes

        // Address filter (§5.10 AAP/APM/AM/AB; MAR0–7 indexed by the CRC's top 6 bits).
        var status: UInt16 = 0
        let group = frame[0] & 1 != 0
        let broadcast = group && (0..<6).allSatisfy { frame[$0] == 0xFF }
        let physical = !group && (0..<6).allSatisfy { frame[$0] == idr[$0] }
        var accept = rcr & RTL8139RCR.AAP != 0 && !group
        if physical && rcr & RTL8139RCR.APM != 0 { accept = true; status |= RTL8139RxHeader.PAM }
        if broadcast {
            if rcr & RTL8139RCR.AB != 0 { accept = true }
            status |= RTL8139RxHeader.BAR
        } else if group {
            let bit = Int(EthernetCRC.multicastHash(at: frame.baseAddress!) >> 26)
            if rcr & RTL8139RCR.AM != 0 && mar[bit >> 3] >> UInt8(bit & 7) & 1 != 0 { accept = true }
            status |= RTL8139RxHeader.MAR
        }
        guard accept else { return }   // filtered: counted nowhere (as the chip)

        // Size and FCS (§5.10 AR, AER; header bits RUNT, CRC, LONG).
        if wire < EthernetTiming.minimumFrameBytes {
            stats.rxErr &+= 1
            guard rcr & RTL8139RCR.AR != 0 else { stats.runt &+= 1; return }
            status |= RTL8139RxHeader.RUNT
        }
        if !fcsValid {
            stats.rxErr &+= 1
            guard rcr & RTL8139RCR.AER != 0 else { stats.crc &+= 1; return }
            status |= RTL8139RxHeader.CRC
        }
        if wire > RTL8139ModelTiming.longFrameBytes {
            stats.rxErr &+= 1
            stats.long &+= 1
            return
        }
        if fcsValid && wire >= EthernetTiming.minimumFrameBytes { status |= RTL8139RxHeader.ROK }

        // Into the FIFO: an empty FIFO takes any frame (it streams through), otherwise the budget.
        guard rxFIFO.isEmpty || rxFIFOBytes + wire <= RTL8139ModelTiming.rxFIFOBytes else {
            stats.missed()
            raise(RTL8139Interrupt.FOVW)
            return
        }
        var bytes = [UInt8](frame)
        let crc = EthernetCRC.fcs(frame.baseAddress!, n)
        let fcs = fcsValid ? crc : ~crc
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: fcs >> (8 * UInt32(i)))) }
        rxFIFO.append((bytes, status))
        rxFIFOBytes += wire
        receiveKick()
    }

    /// Starts the receive DMA engine on the oldest FIFO frame, if it can run.
    func receiveKick() {
        guard !rxEngineBusy, !rxFIFO.isEmpty, receiverEnabled, function?.busMasterEnabled == true else { return }
        let head = rxFIFO[0]
        let cost: VirtualDuration
        if cplusReceive {
            guard let c = storeInDescriptors(head.bytes, status: head.status) else { return }
            cost = c
        } else {
            guard let c = storeInRing(head.bytes, status: head.status) else { return }
            cost = c
        }
        rxFIFO.removeFirst()
        rxFIFOBytes -= head.bytes.count
        rxOverflowReported = false
        countReceived(head.bytes, status: head.status)
        rxEngineBusy = true
        function.schedule(after: cost) { [unowned(unsafe) self] in
            self.rxEngineBusy = false
            self.raise(RTL8139Interrupt.ROK)
            self.receiveKick()
        }
    }

    private func countReceived(_ bytes: [UInt8], status: UInt16) {
        guard status & RTL8139RxHeader.ROK != 0 else { return }
        stats.rxOk &+= 1
        if status & RTL8139RxHeader.BAR != 0 { stats.rxOkBrd &+= 1 }
        else if status & RTL8139RxHeader.MAR != 0 { stats.rxOkMul &+= 1 }
        else { stats.rxOkPhy &+= 1 }
    }

    /// Reports once per blocked frame that the ring cannot take it (ISR.RXOVW / RDU).
    private func ringFull() -> VirtualDuration? {
        if !rxOverflowReported {
            rxOverflowReported = true
            raise(RTL8139Interrupt.RXOVW)
        }
        return nil
    }

    // MARK: C mode

    /// Writes the 4-byte header and the frame (with CRC) at CBR (§6.1): the header's low word is
    /// the status, the high word the length with CRC; CBR then moves to the next dword. With
    /// RCR.WRAP = 1 (and a ring below 64 KiB) a frame crossing the ring end continues past it;
    /// otherwise it wraps to RBSTART. Returns the DMA time, or nil when the frame does not fit.
    func storeInRing(_ bytes: [UInt8], status: UInt16) -> VirtualDuration? {
        let length = ringLength
        let needed = (UInt32(RTL8139RxHeader.size + bytes.count) + 3) & ~3
        let free = readOffset == cbr ? length : (readOffset &- cbr) % length
        guard needed < free else { return ringFull() }
        let base = UInt64(rbstart)
        let header = UInt32(status) | UInt32(bytes.count) << 16
        function.dmaStore(BusAddress(base + UInt64(cbr)), header)
        let dataStart = cbr + UInt32(RTL8139RxHeader.size)
        let noWrap = rcr & RTL8139RCR.WRAP != 0 && length < 65536
        bytes.withUnsafeBytes { p in
            let first = noWrap ? p.count : min(p.count, Int(length - min(dataStart, length)))
            if dataStart >= length && !noWrap {
                _ = function.dmaWrite(BusAddress(base + UInt64(dataStart - length)), from: p)
                return
            }
            _ = function.dmaWrite(BusAddress(base + UInt64(dataStart)), from: UnsafeRawBufferPointer(rebasing: p[0..<first]))
            if first < p.count {
                _ = function.dmaWrite(BusAddress(base), from: UnsafeRawBufferPointer(rebasing: p[first...]))
            }
        }
        cbr = (cbr + needed) % length
        return timing.writeCost(Int(needed))
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
        receiveKick()
    }

    // MARK: C+ mode

    /// Writes the frame into the descriptors from `rxIndex` on (FS on the first, LS on the last),
    /// stripping a VLAN tag with CpCmd.RxVLAN and checking IP/TCP/UDP checksums with
    /// CpCmd.RxChkSum (C+ datasheet §9.2). Nil when the owned descriptors cannot hold it.
    func storeInDescriptors(_ wireBytes: [UInt8], status: UInt16) -> VirtualDuration? {
        var bytes = wireBytes
        var opts2: UInt32 = 0
        if cpcmd & RTL8139CpCmd.RxVLAN != 0 && bytes.count >= 22 && RTL8139Interim.be16(bytes, 12) == 0x8100 {
            let tci = RTL8139Interim.be16(bytes, 14)
            bytes.removeSubrange(12..<16)
            let crc = bytes.withUnsafeBytes { EthernetCRC.fcs($0.baseAddress!, $0.count - 4) }
            for i in 0..<4 { bytes[bytes.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            opts2 = RTL8139RxDesc.TAVA | UInt32(tci.byteSwapped)
        }
        // Walk the owned descriptors this frame needs.
        var plan: [(index: Int, address: UInt64, size: Int, eor: Bool)] = []
        var index = rxIndex, room = 0, reads = 0
        while room < bytes.count {
            let d = BusAddress(rxRingAddr + UInt64(index * RTL8139Descriptor.size))
            let (opts1, _) = function.dmaLoad(d, as: UInt32.self)
            let (low, _) = function.dmaLoad(d + 8, as: UInt32.self)
            let (high, _) = function.dmaLoad(d + 12, as: UInt32.self)
            reads += 1
            guard opts1 & RTL8139Descriptor.OWN != 0 else { return ringFull() }
            let size = Int(opts1 & RTL8139RxDesc.LENGTH_MASK)
            let eor = opts1 & RTL8139Descriptor.EOR != 0
            plan.append((index, UInt64(low) | UInt64(high) << 32, size, eor))
            room += size
            index = nextIndex(index, eor: eor, ring: "receive")
            if size == 0 && plan.count > RTL8139Descriptor.maximumRingCount { return ringFull() }
        }
        var flags: UInt32 = 0
        if status & RTL8139RxHeader.MAR != 0 { flags |= RTL8139RxDesc.MAR }
        if status & RTL8139RxHeader.PAM != 0 { flags |= RTL8139RxDesc.PAM }
        if status & RTL8139RxHeader.BAR != 0 { flags |= RTL8139RxDesc.BAR }
        if status & RTL8139RxHeader.RUNT != 0 { flags |= RTL8139RxDesc.RUNT | RTL8139RxDesc.RES }
        if status & RTL8139RxHeader.CRC != 0 { flags |= RTL8139RxDesc.CRC | RTL8139RxDesc.RES }
        if cpcmd & RTL8139CpCmd.RxChkSum != 0 { flags |= receiveChecksumFlags(bytes) }
        var offset = 0
        for (k, p) in plan.enumerated() {
            let n = min(p.size, bytes.count - offset)
            bytes.withUnsafeBytes { _ = function.dmaWrite(BusAddress(p.address), from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
            offset += n
            var o1 = (p.eor ? RTL8139Descriptor.EOR : 0) | (k == 0 ? RTL8139Descriptor.FS : 0)
            if k == plan.count - 1 { o1 |= RTL8139Descriptor.LS | flags | UInt32(bytes.count) & RTL8139RxDesc.LENGTH_MASK }
            else { o1 |= UInt32(p.size) & RTL8139RxDesc.LENGTH_MASK }
            let d = BusAddress(rxRingAddr + UInt64(p.index * RTL8139Descriptor.size))
            function.dmaStore(d + 4, opts2)
            function.dmaStore(d, o1)
        }
        rxIndex = index
        return timing.readCost(16 * reads) + timing.writeCost(bytes.count + 8 * plan.count)
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

    /// PID and IPF/UDPF/TCPF of an IPv4 frame (C+ datasheet §9.2; 8139cp reads PID and the fail bits).
    func receiveChecksumFlags(_ bytes: [UInt8]) -> UInt32 {
        let frame = Array(bytes.dropLast(4))
        guard let ip = RTL8139Interim.ipv4(frame) else { return 0 }
        var f: UInt32 = 0
        if RTL8139Interim.sum(frame, ip.l3, ip.ihl) != 0xFFFF { f |= RTL8139RxDesc.IPF }
        switch ip.proto {
        case 6:
            f |= RTL8139RxDesc.PID_TCP
            if !ip.fragment && RTL8139Interim.sum(frame, ip.l4, ip.l4Length, initial: RTL8139Interim.pseudoHeader(frame, ip)) != 0xFFFF { f |= RTL8139RxDesc.TCPF }
        case 17:
            f |= RTL8139RxDesc.PID_UDP
            let zero = ip.l4 + 8 <= frame.count && RTL8139Interim.be16(frame, ip.l4 + 6) == 0
            if !ip.fragment && !zero && RTL8139Interim.sum(frame, ip.l4, ip.l4Length, initial: RTL8139Interim.pseudoHeader(frame, ip)) != 0xFFFF { f |= RTL8139RxDesc.UDPF }
        default: f |= RTL8139RxDesc.PID_IP
        }
        return f
    }
}
