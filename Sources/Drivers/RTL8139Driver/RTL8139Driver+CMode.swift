import NativeDriverKit

/// C mode (DS §6.1 receive ring buffer, §6.2 transmit slots).
extension RTL8139Driver {
    /// DS §6 "Initialisation": CR.RE/TE before RCR/TCR (the thresholds are taken when enabled),
    /// then RBSTART and the four TSAD slot addresses.
    func startCMode() {
        guard let rx = rxBuffer, let tx = txBuffers else { return }
        regs.write8(Reg.CR, CR.RE | CR.TE)
        regs.write32(Reg.TCR, TCR.MXDMA_2048 | TCR.IFG_STANDARD)
        regs.write32(Reg.RBSTART, rx.busAddress.low32)
        for n in 0..<4 { regs.write32(Reg.TSAD(n), (tx.busAddress + n * Self.slotBytes).low32) }
        regs.write16(Reg.MULINT, 0)
        curRx = 0
        txHead = 0; txDirty = 0; txInFlight = 0
    }

    /// Takes every packet up to CBR (CR.BUFE clear): header, frame, CAPR = next offset − 16.
    func receiveCMode() {
        guard let rx = rxBuffer else { return }
        var budget = 64
        while regs.read8(Reg.CR) & CR.BUFE == 0, budget > 0 {
            budget -= 1
            let offset = curRx % Self.ringBytes
            let header = rx.load32(offset)
            let status = UInt16(truncatingIfNeeded: header), length = Int(header >> 16)
            if length == Int(RxHeader.earlyRxInProgress) { break }   // DMA still running (DS §6.1)
            if status & RxHeader.ROK == 0 || length < 64 || length > Self.maximumFrame + 4 {
                counters.rxErrors &+= 1
                context.log(.warning, "receive error: status \(hex(status)), length \(length); receiver restarted")
                restartReceiver()
                return
            }
            let n = length - 4                                          // without the CRC
            // WRAP = 1: the frame is contiguous even past the ring end (DS §5.10).
            withUnsafeTemporaryAllocation(byteCount: n, alignment: 8) { buf in
                rx.copyBytes(from: offset + RxHeader.size, into: buf)
                counters.rxPackets &+= 1
                counters.rxBytes &+= UInt64(n)
                client?.received(UnsafeRawBufferPointer(buf), info: ReceiveInfo())
            }
            curRx = (curRx + length + RxHeader.size + 3) & ~3
            regs.write16(Reg.CAPR, UInt16(truncatingIfNeeded: curRx &- 16))
        }
        if budget == 0 { poll?.schedule() }
    }

    /// After a bad packet header the ring position is unknown: the receiver is switched off and
    /// on, which restarts it at RBSTART (DS §6.1; 8139too does the same).
    private func restartReceiver() {
        regs.write8(Reg.CR, CR.TE)
        regs.write8(Reg.CR, CR.RE | CR.TE)
        regs.write32(Reg.RCR, receiveConfiguration())
        regs.write32(Reg.RBSTART, rxBuffer!.busAddress.low32)
        curRx = 0
    }

    /// Copies the frame into the next slot's buffer (padded to 60 bytes) and writes its TSD:
    /// SIZE, ERTXTH, OWN = 0 hands the slot to the chip (DS §5.2).
    func transmitCMode(_ frame: UnsafeRawBufferPointer, token: UInt64) -> TransmitResult {
        guard let tx = txBuffers else { return .rejected("no buffers") }
        reclaimCMode()
        guard txInFlight < 4 else { return .busy }
        let n = txHead, size = max(frame.count, 60)
        let at = n * Self.slotBytes
        tx.copyBytes(to: at, from: frame)
        if frame.count < size { tx.fill(0, at: at + frame.count, count: size - frame.count) }
        txTokens[n] = token
        regs.barrier()
        regs.write32(Reg.TSD(n), UInt32(size) | Self.earlyTxThreshold << TSD.ERTXTH_SHIFT)
        txHead = (n + 1) % 4
        txInFlight += 1
        return .queued
    }

    /// Reports slots in order once the chip set TOK, TUN or TABT (DS §5.2, §5.17).
    func reclaimCMode() {
        while txInFlight > 0 {
            let status = regs.read32(Reg.TSD(txDirty))
            guard status & (TSD.TOK | TSD.TUN | TSD.TABT) != 0 else { break }
            let ok = status & TSD.TOK != 0
            if ok { counters.txCompleted &+= 1 } else { counters.txFailed &+= 1 }
            let token = txTokens[txDirty]
            txDirty = (txDirty + 1) % 4
            txInFlight -= 1
            client?.transmitCompleted(token: token, success: ok)
        }
    }
}
