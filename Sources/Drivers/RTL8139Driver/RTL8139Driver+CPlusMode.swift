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

    /// One descriptor per frame (FS | LS), the offload bits, then TxPoll.NPQ (C+ DS §9.1, §6.4).
    func transmitCPlus(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult {
        guard let txr = txRing, let pool = txPool else { return .rejected("no buffers") }
        reclaimCPlus()
        guard (txTail + 1) % Self.ringSize != txClean else { return .busy }
        var opts1 = Desc.OWN | Desc.FS | Desc.LS | UInt32(frame.count)
        if txTail == Self.ringSize - 1 { opts1 |= Desc.EOR }
        if offload.ipv4Checksum || offload.l4Checksum {
            guard let proto = ipv4Protocol(frame) else { return .rejected("checksum offload on a frame that is not IPv4") }
            if offload.ipv4Checksum { opts1 |= Desc.IPCS }
            if offload.l4Checksum { opts1 |= proto == 6 ? Desc.TCPCS : proto == 17 ? Desc.UDPCS : 0 }
        }
        let opts2 = offload.vlanTag.map { Desc.TAGC | UInt32($0.byteSwapped) } ?? 0
        let d = txTail * Desc.size, buffer = pool.busAddress + txTail * Self.bufferBytes
        pool.copyBytes(to: txTail * Self.bufferBytes, from: frame)
        txr.store32(d + 4, opts2)
        txr.store32(d + 8, buffer.low32); txr.store32(d + 12, buffer.high32)
        txr.store32(d, opts1)
        txRingTokens[txTail] = token
        txTail = (txTail + 1) % Self.ringSize
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
            counters.txCompleted &+= 1
            let token = txRingTokens[txClean]
            txClean = (txClean + 1) % Self.ringSize
            client?.transmitCompleted(token: token, success: true)
        }
    }
}
