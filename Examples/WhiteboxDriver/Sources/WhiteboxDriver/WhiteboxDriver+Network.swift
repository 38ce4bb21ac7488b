import NativeDriverKit

/// The network class interface: open programs the rings (§4.3: before enabling), close stops.
extension WhiteboxDriver: NetworkInterface {
    /// Current link state.
    public var linkState: LinkState { link }
    /// 1518 bytes without FCS (a VLAN-tagged full-size frame).
    public var maximumFrameSize: Int { Desc.maximumFrame }

    /// Allocates the rings, programs them, unmasks every cause and enables both engines.
    public func open(client: any NetworkClient) throws(DriverError) {
        guard self.client == nil else { throw .invalidState("already open") }
        let n = parameters.ringSize
        let rx = try Ring(count: n, direction: .fromDevice, dma: device.dma)
        let tx: Ring
        do { tx = try Ring(count: n, direction: .toDevice, dma: device.dma) } catch { rx.release(device.dma); throw error }
        self.rx = rx; self.tx = tx
        self.client = client
        rxNext = 0; txNext = 0; txClean = 0
        txTokens = Array(repeating: nil, count: n)
        for i in 0..<n { rx.post(i) }
        if parameters.bug == .ringWhileEnabled { regs.write32(Reg.CTRL, Bit.RXEN) }   // planted: §4.3 forbids it
        regs.write32(Reg.RDBAL, rx.descriptors.busAddress.low32)
        regs.write32(Reg.RDBAH, rx.descriptors.busAddress.high32)
        regs.write32(Reg.RDLEN, UInt32(n))
        regs.write32(Reg.RDT, UInt32(n - 1))          // every descriptor but one: head == tail means empty
        regs.write32(Reg.TDBAL, tx.descriptors.busAddress.low32)
        regs.write32(Reg.TDBAH, tx.descriptors.busAddress.high32)
        regs.write32(Reg.TDLEN, UInt32(n))
        regs.write32(Reg.TDT, 0)
        regs.write32(Reg.ICR, Bit.allCauses)
        regs.write32(Reg.IMR, Bit.allCauses)
        regs.write32(Reg.CTRL, Bit.RXEN | Bit.TXEN)
        watchdog = context.startTimer(after: .milliseconds(1), repeating: .milliseconds(1)) { [unowned self] in self.poll?.schedule() }
        checkLink()
    }

    /// Disables both engines and the interrupt causes; frames still queued are reported failed.
    public func close() {
        guard client != nil else { return }
        regs.write32(Reg.CTRL, 0)
        regs.write32(Reg.IMR, 0)
        watchdog?.cancel(); watchdog = nil
        reapTransmitted()
        for i in txTokens.indices { if let t = txTokens[i] { txTokens[i] = nil; counts.txErrors += 1; client?.transmitCompleted(token: t, success: false) } }
        rx?.release(device.dma); tx?.release(device.dma)
        rx = nil; tx = nil
        client = nil
        link = .down
    }

    /// Copies `frame` into the next transmit buffer and hands its descriptor over (TDT).
    public func transmit(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult {
        guard let tx, client != nil else { return .rejected("device closed") }
        guard frame.count <= Desc.maximumFrame else { return .rejected("\(frame.count) bytes is over \(Desc.maximumFrame)") }
        guard offload == .none else { return .rejected("the WBX-100 has no offloads") }
        let next = (txNext + 1) % tx.count
        guard next != txClean else { return .busy }
        // The buffer stays mapped: the CPU takes it back, fills it, and gives it to the device.
        device.dma.syncForCPU(tx.buffers[txNext])
        tx.buffers[txNext].copyBytes(to: 0, from: frame)
        device.dma.syncForDevice(tx.buffers[txNext])
        tx.post(txNext, length: frame.count)
        txTokens[txNext] = token
        txNext = next
        regs.write32(Reg.TDT, UInt32(txNext))
        return .queued
    }

    /// Counts of what the driver delivered and sent, and the device's drop counters (§5).
    public func statistics() -> NetworkStatistics {
        var s = counts
        s.rxDropped = [("MPC", UInt64(regs.read32(Reg.MPC))), ("ROC", UInt64(regs.read32(Reg.ROC))),
                       ("CRCERRS", UInt64(regs.read32(Reg.CRCERRS)))]
        return s
    }

    /// The WBX-100 has no address filter: it receives every frame (the stack filters).
    public func setReceiveFilter(_ filter: ReceiveFilter) {}
}
