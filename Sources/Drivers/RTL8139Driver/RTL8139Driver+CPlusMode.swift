import NativeDriverKit

/// C+ mode (C+ DS §6 C+CR, §9 descriptors): 64-descriptor rings, checksum and VLAN offload.
extension RTL8139Driver {
    /// C+ DS v1.6 §6.33: CpCmd's TxEnb/RxEnb first, then the ring addresses, then CR.RE/TE.
    func startCPlusMode() {
        guard let rxr = rxRing, let txr = txRing, let pool = rxPool else { return }
        for i in 0..<Self.ringSize {
            let d = i * Desc.size, buffer = pool.busAddress + i * Self.bufferBytes
            rxr.store32(d + 4, 0)
            rxr.store32(d + 8, buffer.low32); rxr.store32(d + 12, buffer.high32)
            rxr.store32(d, rxOwned(i))
        }
        txr.fill(0)
        regs.write16(Reg.CpCmd, CPlus.TxEnb | CPlus.RxEnb | CPlus.RxChkSum | CPlus.RxVLAN)
        regs.write32(Reg.THPDS, 0); regs.write32(Reg.THPDS + 4, 0)
        regs.write32(Reg.RxRingAddr, rxr.busAddress.low32); regs.write32(Reg.RxRingAddr + 4, rxr.busAddress.high32)
        regs.write32(Reg.TNPDS, txr.busAddress.low32); regs.write32(Reg.TNPDS + 4, txr.busAddress.high32)
        regs.write8(Reg.CR, CR.RE | CR.TE)
        regs.write32(Reg.TCR, TCR.MXDMA_2048 | TCR.IFG_STANDARD)
        regs.write8(Reg.ETThR, 0x06)
        regs.write16(Reg.MULINT, 0)
        regs.write16(Reg.IntrMitigate, 0)
        rxNext = 0; txTail = 0; txClean = 0
    }

    /// opts1 of an empty receive descriptor given to the chip.
    func rxOwned(_ i: Int) -> UInt32 {
        Desc.OWN | (i == Self.ringSize - 1 ? Desc.EOR : 0) | UInt32(Self.bufferBytes)
    }

    /// Delivers every descriptor the chip gave back, and gives it back again (C+ DS §9.2).
    func receiveCPlus() {
        guard let rxr = rxRing, let pool = rxPool else { return }
        var budget = Self.ringSize
        while budget > 0 {
            let d = rxNext * Desc.size
            let opts1 = rxr.load32(d)
            guard opts1 & Desc.OWN == 0 else { break }
            budget -= 1
            let length = Int(opts1 & Desc.LENGTH_MASK)
            if opts1 & (Desc.FS | Desc.LS) != Desc.FS | Desc.LS || opts1 & Desc.RES != 0 || length < 64 {
                counters.rxErrors &+= 1
            } else {
                let opts2 = rxr.load32(d + 4)
                var info = ReceiveInfo()
                switch opts1 & Desc.PID_MASK {
                case 0: break
                case Desc.PID_TCP: info.ipv4ChecksumGood = opts1 & Desc.IPF == 0; info.l4ChecksumGood = opts1 & Desc.TCPF == 0
                case Desc.PID_UDP: info.ipv4ChecksumGood = opts1 & Desc.IPF == 0; info.l4ChecksumGood = opts1 & Desc.UDPF == 0
                default: info.ipv4ChecksumGood = opts1 & Desc.IPF == 0
                }
                if opts2 & Desc.TAVA != 0 { info.vlanTag = UInt16(truncatingIfNeeded: opts2).byteSwapped }
                let n = length - 4
                withUnsafeTemporaryAllocation(byteCount: n, alignment: 8) { buf in
                    pool.copyBytes(from: rxNext * Self.bufferBytes, into: buf)
                    counters.rxPackets &+= 1
                    counters.rxBytes &+= UInt64(n)
                    client?.received(UnsafeRawBufferPointer(buf), info: info)
                }
            }
            rxr.store32(d + 4, 0)
            rxr.store32(d, rxOwned(rxNext))
            rxNext = (rxNext + 1) % Self.ringSize
        }
        if budget == 0 { poll?.schedule() }
    }

    /// A frame in as many descriptors as its 2 KiB buffers need (FS on the first, LS on the last),
    /// the offload bits in each, the first handed over last; then TxPoll.NPQ (C+ DS §9.1, §6.4).
    /// Large send: LGSEN and the MSS; the chip cuts the TCP/IPv4 frame into segments and fills in
    /// each one's lengths, identification, sequence number and checksums.
    func transmitCPlus(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult {
        guard let txr = txRing, let pool = txPool else { return .rejected("no buffers") }
        reclaimCPlus()
        var flags: UInt32 = 0
        if let mss = offload.tcpSegmentationMSS {
            guard mss > 0, mss <= Int(Desc.MSS_MASK) else { return .rejected("large send MSS \(mss) outside 1...\(Desc.MSS_MASK)") }
            guard ipv4Protocol(frame) == 6 else { return .rejected("large send on a frame that is not TCP over IPv4") }
            flags = Desc.LGSEN | UInt32(mss) << Desc.MSS_SHIFT
        } else if offload.ipv4Checksum || offload.l4Checksum {
            guard let proto = ipv4Protocol(frame) else { return .rejected("checksum offload on a frame that is not IPv4") }
            if offload.ipv4Checksum { flags |= Desc.IPCS }
            if offload.l4Checksum { flags |= proto == 6 ? Desc.TCPCS : proto == 17 ? Desc.UDPCS : 0 }
        }
        let needed = (frame.count + Self.bufferBytes - 1) / Self.bufferBytes
        let free = Self.ringSize - 1 - (txTail - txClean + Self.ringSize) % Self.ringSize
        guard needed <= free else { return .busy }
        let opts2 = offload.vlanTag.map { Desc.TAGC | UInt32($0.byteSwapped) } ?? 0
        let first = txTail
        var offset = 0
        for k in 0..<needed {
            let i = txTail, n = min(Self.bufferBytes, frame.count - offset)
            let d = i * Desc.size, buffer = pool.busAddress + i * Self.bufferBytes
            pool.copyBytes(to: i * Self.bufferBytes, from: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + n)]))
            offset += n
            var opts1 = flags | UInt32(n)
            if k == 0 { opts1 |= Desc.FS }
            if k == needed - 1 { opts1 |= Desc.LS }
            if i == Self.ringSize - 1 { opts1 |= Desc.EOR }
            if k > 0 { opts1 |= Desc.OWN }
            txr.store32(d + 4, opts2)
            txr.store32(d + 8, buffer.low32); txr.store32(d + 12, buffer.high32)
            txr.store32(d, opts1)
            txRingLast[i] = k == needed - 1
            txRingTokens[i] = token
            txTail = (txTail + 1) % Self.ringSize
        }
        regs.barrier()
        txr.store32(first * Desc.size, txr.load32(first * Desc.size) | Desc.OWN)
        regs.barrier()
        regs.write8(Reg.TxPoll, CPlus.NPQ)
        return .queued
    }

    /// The IP protocol of an untagged IPv4 frame.
    private func ipv4Protocol(_ f: UnsafeRawBufferPointer) -> UInt8? {
        guard f.count >= 34, f[12] == 0x08, f[13] == 0x00, f[14] >> 4 == 4 else { return nil }
        return f[23]
    }

    /// Reports descriptors the chip finished (OWN clear), in order.
    func reclaimCPlus() {
        guard let txr = txRing else { return }
        while txClean != txTail {
            let opts1 = txr.load32(txClean * Desc.size)
            guard opts1 & Desc.OWN == 0 else { break }
            let token = txRingTokens[txClean], last = txRingLast[txClean]
            txClean = (txClean + 1) % Self.ringSize
            guard last else { continue }
            counters.txCompleted &+= 1
            client?.transmitCompleted(token: token, success: true)
        }
    }
}
