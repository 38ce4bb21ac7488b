import BoxlessPlatform

/// Transmit (RTL8139C(L) datasheet §6.2 "Transmit"; C+ datasheet §9.1). C mode: four slots used in
/// turn; writing TSD n with OWN = 0 hands slot n over; the chip reads SIZE bytes from TSAD n, sets
/// OWN when the frame is in its FIFO and TOK when it has left, with ISR.TOK. C+ mode: TxPoll.NPQ
/// makes the chip walk the normal-priority ring from TNPDS, sending each FS…LS chain it owns with
/// the checksum, VLAN and large-send requests of its first descriptor, and clearing OWN.
extension RTL8139Device {
    /// CR.TE on, bus mastering on.
    var transmitterEnabled: Bool { cr & RTL8139CR.TE != 0 && function?.busMasterEnabled == true }

    func transmitKick() {
        guard !txEngineBusy, transmitterEnabled else { return }
        if cplusTransmit { cplusTransmitRun() } else { slotTransmit() }
    }

    // MARK: C mode

    private func slotTransmit() {
        let n = txNextSlot
        guard txSlotPending[n] else { return }
        txSlotPending[n] = false
        let size = Int(tsd[n] & RTL8139TSD.SIZE_MASK)
        var frame = [UInt8](repeating: 0, count: size)
        let st = frame.withUnsafeMutableBytes { function.dmaRead(BusAddress(UInt64(tsad[n])), into: $0) }
        txEngineBusy = true
        function.schedule(after: timing.readCost(size)) { [unowned(unsafe) self] in
            self.txEngineBusy = false
            self.txNextSlot = (n + 1) % 4
            self.tsd[n] |= RTL8139TSD.OWN                 // the frame is in the FIFO (§5.2 OWN)
            if st != .ok || size > RTL8139TSD.maximumSize || size == 0 {
                self.finishSlot(n, ok: false)
            } else {
                let done = self.send(frame)
                self.function.schedule(at: done) { [unowned(unsafe) self] in self.finishSlot(n, ok: true) }
            }
            self.transmitKick()
        }
    }

    private func finishSlot(_ n: Int, ok: Bool) {
        txSlotOwned[n] = false
        if ok {
            tsd[n] |= RTL8139TSD.TOK
            stats.txOk &+= 1
            raise(RTL8139Interrupt.TOK)
        } else {
            tsd[n] |= RTL8139TSD.TABT
            stats.txErr &+= 1; stats.txAbt &+= 1
            raise(RTL8139Interrupt.TER)
        }
    }

    /// Puts a frame on the wire; returns when its last bit has left.
    @discardableResult
    func send(_ frame: [UInt8]) -> VirtualTime {
        let start = port.nextStart
        frame.withUnsafeBytes { _ = port.send($0) }
        return start + port.timing.arrivalDelay(frameLength: frame.count)
    }

    // MARK: C+ mode

    private func cplusTransmitRun() {
        guard txPollPending else { return }
        var reads = 0
        var descriptors: [(address: BusAddress, opts1: UInt32, opts2: UInt32, buffer: UInt64)] = []
        var index = txIndex
        while true {
            let d = BusAddress(tnpds + UInt64(index * RTL8139Descriptor.size))
            let (o1, _) = function.dmaLoad(d, as: UInt32.self)
            reads += 1
            guard o1 & RTL8139Descriptor.OWN != 0 else {
                if descriptors.isEmpty {
                    txPollPending = false
                    raise(RTL8139Interrupt.TDU)
                }
                return        // an unfinished chain waits for its last descriptor
            }
            let (o2, _) = function.dmaLoad(d + 4, as: UInt32.self)
            let (lo, _) = function.dmaLoad(d + 8, as: UInt32.self)
            let (hi, _) = function.dmaLoad(d + 12, as: UInt32.self)
            descriptors.append((d, o1, o2, UInt64(lo) | UInt64(hi) << 32))
            index = nextIndex(index, eor: o1 & RTL8139Descriptor.EOR != 0, ring: "transmit")
            if o1 & RTL8139Descriptor.LS != 0 { break }
            if descriptors.count >= RTL8139Descriptor.maximumRingCount { break }
        }
        var frame: [UInt8] = []
        for d in descriptors {
            let n = Int(d.opts1 & RTL8139TxDesc.LENGTH_MASK)
            var chunk = [UInt8](repeating: 0, count: n)
            _ = chunk.withUnsafeMutableBytes { function.dmaRead(BusAddress(d.buffer), into: $0) }
            frame += chunk
        }
        txIndex = index
        let first = descriptors[0]
        let frames = offload(frame, opts1: first.opts1, opts2: first.opts2)
        txEngineBusy = true
        let cost = timing.readCost(16 * reads) + timing.readCost(frame.count)
        function.schedule(after: cost) { [unowned(unsafe) self] in
            var done = self.function.now
            for f in frames { done = self.send(f); self.stats.txOk &+= 1 }
            for d in descriptors {
                // OWN cleared; EOR, FS, LS kept; status bits zero (sent OK).
                self.function.dmaStore(d.address, d.opts1 & (RTL8139Descriptor.EOR | RTL8139Descriptor.FS | RTL8139Descriptor.LS))
            }
            self.function.schedule(at: done) { [unowned(unsafe) self] in self.raise(RTL8139Interrupt.TOK) }
            self.txEngineBusy = false
            self.transmitKick()
        }
    }

    /// The frames a descriptor chain puts on the wire: VLAN tag inserted (opts2.TAGC), then either
    /// TCP segmentation (LGSEN, MSS) or the IP/TCP/UDP checksums asked for (C+ datasheet §9.1).
    func offload(_ input: [UInt8], opts1: UInt32, opts2: UInt32) -> [[UInt8]] {
        var frame = input
        if opts2 & RTL8139TxDesc.TAGC != 0 && frame.count >= 12 {
            let tci = UInt16(truncatingIfNeeded: opts2 & RTL8139TxDesc.VLAN_MASK).byteSwapped
            frame.insert(contentsOf: [0x81, 0x00, UInt8(tci >> 8), UInt8(tci & 0xFF)], at: 12)
        }
        // Offsets below assume an untagged frame: take the tag out while working on the IP layer.
        let tag: [UInt8]? = frame.count >= 18 && RTL8139Interim.be16(frame, 12) == 0x8100 ? Array(frame[12..<16]) : nil
        if tag != nil { frame.removeSubrange(12..<16) }
        func retag(_ f: [UInt8]) -> [UInt8] {
            guard let t = tag else { return f }
            var g = f; g.insert(contentsOf: t, at: 12); return g
        }
        guard let ip = RTL8139Interim.ipv4(frame) else { return [retag(frame)] }
        if opts1 & RTL8139TxDesc.LGSEN != 0 {
            let mss = Int(opts1 >> RTL8139TxDesc.MSS_SHIFT & RTL8139TxDesc.MSS_MASK)
            return segment(frame, ip, mss: mss).map(retag)
        }
        if opts1 & RTL8139TxDesc.IPCS != 0 { RTL8139Interim.insertIPv4Checksum(&frame, ip) }
        if opts1 & RTL8139TxDesc.TCPCS != 0 && ip.proto == 6 { RTL8139Interim.insertL4Checksum(&frame, ip, field: 16) }
        if opts1 & RTL8139TxDesc.UDPCS != 0 && ip.proto == 17 { RTL8139Interim.insertL4Checksum(&frame, ip, field: 6) }
        return [retag(frame)]
    }

    /// Large send: splits a TCP/IPv4 frame into segments of at most `mss` payload bytes, each with
    /// its IPv4 total length, identification (+1 per segment), sequence number, FIN/PSH only on
    /// the last, and both checksums.
    private func segment(_ frame: [UInt8], _ ip: RTL8139Interim.IPv4Layout, mss: Int) -> [[UInt8]] {
        guard ip.proto == 6, mss > 0, ip.l4 + 20 <= frame.count else { return [frame] }
        let tcpHeader = Int(frame[ip.l4 + 12] >> 4) * 4
        let headers = ip.l4 + tcpHeader
        let payload = ip.l3 + ip.ihl + ip.l4Length - headers
        guard payload > 0, headers <= frame.count else { return [frame] }
        var out: [[UInt8]] = []
        var offset = 0
        let id = RTL8139Interim.be16(frame, ip.l3 + 4)
        let seq = RTL8139Interim.be32(frame, ip.l4 + 4)
        let flags = frame[ip.l4 + 13]
        while offset < payload {
            let n = min(mss, payload - offset)
            var s = Array(frame[0..<headers]) + frame[(headers + offset)..<(headers + offset + n)]
            RTL8139Interim.setBE16(&s, ip.l3 + 2, UInt16(ip.ihl + tcpHeader + n))
            RTL8139Interim.setBE16(&s, ip.l3 + 4, id &+ UInt16(truncatingIfNeeded: out.count))
            RTL8139Interim.setBE32(&s, ip.l4 + 4, seq &+ UInt32(offset))
            let last = offset + n == payload
            s[ip.l4 + 13] = last ? flags : flags & ~0x09      // FIN (0x01) and PSH (0x08) on the last only
            var sip = ip; sip.l4Length = tcpHeader + n
            RTL8139Interim.insertIPv4Checksum(&s, sip)
            RTL8139Interim.insertL4Checksum(&s, sip, field: 16)
            out.append(s)
            offset += n
        }
        return out
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
