import BoxlessPlatform

// Receive (RTL8111C DS §8.2 and §7 RCR/RMS/C+CR): filter, then the on-chip FIFO, then DMA into the
// driver's descriptors. A frame longer than one buffer spans descriptors (FS on the first, LS on
// the last, which carries the length including FCS); longer than RxMaxSize it is dropped and
// counted (RxEr). No owned descriptor: the frame waits in the FIFO (ISR.RDU) and is lost only when
// the FIFO is full (ISR.FOVW, MissPkt).

extension RTL8168Device {
    func receive(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        guard receiverOn, phy.linkUp else { drop(.receiverOff); return }
        let rcr = reg32(.RxConfig)
        guard frame.count >= 14 else { drop(.runt); tally.count(.RxEr); return }
        // Address filter (DS §7 RCR: AAP, APM, AM with the MAR hash, AB).
        let dest = UnsafeRawBufferPointer(rebasing: frame[0..<6])
        let broadcast = dest.allSatisfy { $0 == 0xFF }
        let multicast = !broadcast && dest[0] & 1 != 0
        var accept = rcr & RTL8168RxConfig.AcceptAllPhys != 0
        if broadcast { accept = accept || rcr & RTL8168RxConfig.AcceptBroadcast != 0 }
        else if multicast { accept = accept || (rcr & RTL8168RxConfig.AcceptMulticast != 0 && hashHit(dest)) }
        else { accept = accept || (rcr & RTL8168RxConfig.AcceptMyPhys != 0 && (0..<6).allSatisfy { dest[$0] == regs[$0] }) }
        guard accept else { drop(.filtered); return }
        let withFCS = frame.count + 4
        if !fcsValid && rcr & RTL8168RxConfig.AcceptErr == 0 { drop(.badFCS); tally.count(.RxEr); return }
        if withFCS < 64 && rcr & RTL8168RxConfig.AcceptRunt == 0 { drop(.runt); tally.count(.RxEr); return }
        let rms = Int(reg16(.RxMaxSize) & 0x3FFF)
        if withFCS > rms { drop(.oversize); tally.count(.RxEr); return }
        if rxFIFOBytes + withFCS > RTL8168ModelTiming.rxFIFOBytes {
            drop(.missed); tally.count(.MissPkt)
            raise(RTL8168Interrupt.RxFIFOOver)
            return
        }
        rxFIFO.append((Array(frame), fcsValid))
        rxFIFOBytes += withFCS
        kickReceive()
    }

    /// Multicast hash (r8169 rtl_set_rx_mode): bit n = top 6 bits of the big-endian CRC of the
    /// address; on the 8168 family bit n lives in MAR byte 7 − n/8, bit n mod 8 (r8169 writes the
    /// two DWORDs swapped and byte-reversed for versions after RTL_GIGA_MAC_VER_06).
    func hashHit(_ dest: UnsafeRawBufferPointer) -> Bool {
        let n = Int(RTL8168PacketMath.etherCRC(dest) >> 26)
        return regs[Int(RTL8168Register.MAR0.rawValue) + 7 - n / 8] >> UInt8(n % 8) & 1 != 0
    }

    func kickReceive() {
        guard !rxScheduled, !rxFIFO.isEmpty, receiverOn else { return }
        rxScheduled = true
        function.schedule(at: max(function.now, rxEngineFreeAt)) { [unowned(unsafe) self] in
            self.rxScheduled = false
            self.rxDrain()
        }
    }

    /// Moves frames from the FIFO into descriptors while the driver has posted some.
    private func rxDrain() {
        guard receiverOn else { return }
        while let head = rxFIFO.first {
            guard deliver(head.frame, fcsValid: head.fcsValid) else {
                // No descriptor: RDU, and look again later (the chip re-reads the descriptor).
                raise(RTL8168Interrupt.RxOverflow)
                rxScheduled = true
                function.schedule(after: RTL8168ModelTiming.rxDescriptorRepoll) { [unowned(unsafe) self] in
                    self.rxScheduled = false
                    self.rxDrain()
                }
                return
            }
            rxFIFO.removeFirst()
            rxFIFOBytes -= head.frame.count + 4
        }
    }

    private func descriptorAddress(_ i: Int) -> BusAddress { BusAddress(rawValue: reg64(.RDSAR) + UInt64(i * RTL8168Descriptor.size)) }

    private func loadDescriptor(_ a: BusAddress) -> RTL8168Descriptor? {
        var raw = [UInt8](repeating: 0, count: 16)
        guard raw.withUnsafeMutableBytes({ function.dmaRead(a, into: $0) }) == .ok else { return nil }
        func u32(_ o: Int) -> UInt32 { UInt32(raw[o]) | UInt32(raw[o + 1]) << 8 | UInt32(raw[o + 2]) << 16 | UInt32(raw[o + 3]) << 24 }
        return RTL8168Descriptor(opts1: u32(0), opts2: u32(4), address: UInt64(u32(8)) | UInt64(u32(12)) << 32)
    }

    /// Writes one frame into as many descriptors as it needs; false if the chip does not own enough.
    private func deliver(_ original: [UInt8], fcsValid: Bool) -> Bool {
        var frame = original
        var opts2: UInt32 = 0
        // VLAN stripping (C+CR.RxVlan): the TCI goes to opts2, byte-swapped as r8169 reads it.
        if cplus & RTL8168CPlusCmd.RxVlan != 0, frame.count >= 18, frame[12] == 0x81, frame[13] == 0x00 {
            let tci = UInt16(frame[14]) << 8 | UInt16(frame[15])
            frame.removeSubrange(12..<16)
            opts2 = RTL8168RxBits.TAVA | UInt32(tci.byteSwapped)
        }
        // The FCS is stored after the frame (the length reported includes it).
        let fcs = fcsValid ? frameCheckSequence(frame) : 0
        for i in 0..<4 { frame.append(UInt8(truncatingIfNeeded: fcs >> UInt32(8 * i))) }
        // Collect the descriptors the frame needs.
        var chain: [(index: Int, desc: RTL8168Descriptor)] = []
        var room = 0
        var i = rxIndex
        while room < frame.count {
            guard let d = loadDescriptor(descriptorAddress(i)), d.own else { return false }
            let size = Int(d.opts1 & RTL8168RxBits.lengthMask)
            if !rxMaxSizeReported && Int(reg16(.RxMaxSize) & 0x3FFF) > size + 1 {
                rxMaxSizeReported = true
                breach(.rxMaxSizeExceedsBuffer, "RxMaxSize \(reg16(.RxMaxSize) & 0x3FFF), descriptor \(i) buffer \(size)")
            }
            chain.append((i, d))
            room += size
            i = d.eor ? 0 : i + 1
            if chain.count > RTL8168Descriptor.maximumCount { breach(.ringWithoutEOR); return false }
            if size == 0 { return false }
        }
        let status = receiveStatus(original, frame: frame, fcsValid: fcsValid)
        var offset = 0
        var cost = VirtualDuration.zero
        for (k, c) in chain.enumerated() {
            let size = Int(c.desc.opts1 & RTL8168RxBits.lengthMask)
            let n = min(size, frame.count - offset)
            _ = frame.withUnsafeBytes { function.dmaWrite(BusAddress(rawValue: c.desc.address), from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            cost = cost + function.timing.transferTime(bytes: n + 16)
            var o1 = c.desc.opts1 & RTL8168DescriptorBits.EOR
            if k == 0 { o1 |= RTL8168DescriptorBits.FS }
            if k == chain.count - 1 {
                o1 |= RTL8168DescriptorBits.LS | status | UInt32(frame.count)
            } else {
                o1 |= UInt32(size)
            }
            let a = descriptorAddress(c.index)
            function.dmaStore(a + 4, k == chain.count - 1 ? opts2 : 0)
            function.dmaStore(a, o1)
        }
        rxIndex = i
        rxEngineFreeAt = function.now + cost
        // Counters (DS tally table): RxOk and the destination class.
        if status & RTL8168RxBits.RES == 0 {
            tally.count(.RxOk)
            if status & RTL8168RxBits.BAR != 0 { tally.count(.RxOkBrd) }
            else if status & RTL8168RxBits.MAR != 0 { tally.count(.RxOkMul) }
            else { tally.count(.RxOkPhy) }
            frameCompleted(rx: true)
        } else {
            tally.count(.RxEr)
            raise(RTL8168Interrupt.RxErr)
        }
        return true
    }

    /// opts1 status of the last descriptor: address class, errors, protocol and checksum results.
    private func receiveStatus(_ original: [UInt8], frame: [UInt8], fcsValid: Bool) -> UInt32 {
        var s: UInt32 = 0
        let dest = original.prefix(6)
        if dest.allSatisfy({ $0 == 0xFF }) { s |= RTL8168RxBits.BAR }
        else if dest.first! & 1 != 0 { s |= RTL8168RxBits.MAR }
        else if Array(dest) == Array(regs[0..<6]) { s |= RTL8168RxBits.PAM }
        if !fcsValid { s |= RTL8168RxBits.RES | RTL8168RxBits.CRC }
        if original.count + 4 < 64 { s |= RTL8168RxBits.RES | RTL8168RxBits.RUNT }
        guard cplus & RTL8168CPlusCmd.RxChkSum != 0 else { return s }
        return s | original.withUnsafeBytes { checksumStatus($0) }
    }

    /// PID1:0 and IPF/TCPF/UDPF for an IPv4 packet (DS §8.2).
    private func checksumStatus(_ f: UnsafeRawBufferPointer) -> UInt32 {
        guard let (l3, type) = RTL8168PacketMath.l3(f), type == 0x0800, let ip = RTL8168PacketMath.ipv4(f, at: l3) else { return 0 }
        var s: UInt32 = 0
        if RTL8168PacketMath.fold(RTL8168PacketMath.sum(f, l3, ip.ihl)) != 0xFFFF { s |= RTL8168RxBits.IPF }
        let l4 = l3 + ip.ihl, end = l3 + ip.total
        switch ip.proto {
        case 6 where !ip.fragment && end - l4 >= 20:
            s |= RTL8168RxBits.PID0
            if RTL8168PacketMath.fold(RTL8168PacketMath.l4Sum(f, l3: l3, ipv6: false, l4: l4, end: end, proto: 6)) != 0xFFFF { s |= RTL8168RxBits.TCPF }
        case 17 where !ip.fragment && end - l4 >= 8:
            s |= RTL8168RxBits.PID1
            let zero = RTL8168PacketMath.be16(f, l4 + 6) == 0
            if !zero && RTL8168PacketMath.fold(RTL8168PacketMath.l4Sum(f, l3: l3, ipv6: false, l4: l4, end: end, proto: 17)) != 0xFFFF { s |= RTL8168RxBits.UDPF }
        default:
            s |= RTL8168RxBits.PID0 | RTL8168RxBits.PID1
        }
        return s
    }

    /// IEEE 802.3 FCS (reflected CRC-32), stored little-endian after the frame.
    func frameCheckSequence(_ f: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in f {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
