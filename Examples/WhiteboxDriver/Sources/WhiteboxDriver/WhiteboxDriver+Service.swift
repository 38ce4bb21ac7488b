import NativeDriverKit

/// Interrupt handler and bottom half (§3.3, §4.5, §4.6).
extension WhiteboxDriver {
    /// Acknowledges the causes (ICR is write-1-to-clear) and schedules the bottom half.
    func interrupt() -> InterruptResult {
        let causes = regs.read32(Reg.ICR)
        guard causes != 0 else { return .notMine }
        regs.write32(Reg.ICR, causes)
        poll?.schedule()
        return .handled
    }

    /// Delivers received frames, completes sent ones, and follows the link.
    func service() {
        guard client != nil else { return }
        checkLink()
        receive()
        reapTransmitted()
    }

    /// STATUS.LU → the client, on a change.
    func checkLink() {
        let up = regs.read32(Reg.STATUS) & Bit.LU != 0
        let state = up ? LinkState(up: true, speedMbps: 1000, fullDuplex: true) : .down
        guard state != link else { return }
        link = state
        context.log(.info, "link \(state)")
        client?.linkChanged(state)
    }

    /// Every descriptor with DD set, in order: its frame to the client, then back to the device.
    func receive() {
        guard let rx, let client else { return }
        var handed = false
        while rx.status(rxNext) & Bit.DD != 0 {
            var n = rx.length(rxNext)
            if parameters.bug == .shortReceive { n = max(0, n - 4) }   // planted: strips an FCS that is not there
            let buffer = rx.buffers[rxNext]
            device.dma.syncForCPU(buffer)
            withUnsafeTemporaryAllocation(byteCount: n, alignment: 8) { frame in
                buffer.copyBytes(from: 0, into: frame)
                counts.rxPackets += 1; counts.rxBytes += UInt64(n)
                client.received(UnsafeRawBufferPointer(frame), info: ReceiveInfo())
            }
            device.dma.syncForDevice(buffer)
            rx.post(rxNext)
            rxNext = (rxNext + 1) % rx.count
            handed = true
        }
        // The tail is one behind the next descriptor to check: head == tail means "ring empty".
        if handed { regs.write32(Reg.RDT, UInt32((rxNext + rx.count - 1) % rx.count)) }
    }

    /// Completes every transmit descriptor the device wrote back.
    func reapTransmitted() {
        guard let tx else { return }
        while txClean != txNext, tx.status(txClean) & Bit.DD != 0 {
            if let t = txTokens[txClean] {
                txTokens[txClean] = nil
                counts.txPackets += 1; counts.txBytes += UInt64(tx.length(txClean))
                client?.transmitCompleted(token: t, success: true)
            }
            txClean = (txClean + 1) % tx.count
        }
    }
}
