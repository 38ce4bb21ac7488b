import BoxlessDeviceKit

/// Transmit (§4.6): ``descriptorFetch`` after a TDT write the device sends descriptors TDH up to
/// TDT, one frame each, back to back; each is written back with STATUS = DD when its frame has
/// left, and TXDW is raised.
extension WBX100Device {
    func scheduleTransmit() {
        guard !transmitScheduled, ctrl & WBX100Bits.TXEN != 0, tx.owned(head: tdh, tail: tdt) > 0 else { return }
        transmitScheduled = true
        function.schedule(after: Self.descriptorFetch) { [unowned self] in
            self.transmitScheduled = false
            self.transmitOne()
        }
    }

    /// Sends descriptor TDH, then schedules the next when the wire is free.
    func transmitOne() {
        guard ctrl & WBX100Bits.TXEN != 0, tx.owned(head: tdh, tail: tdt) > 0 else { return }
        let d = tx.address(of: tdh)
        let (buffer, s1) = function.dmaLoad(d + UInt64(WBX100Descriptor.addr), as: UInt64.self)
        let (length, s2) = function.dmaLoad(d + UInt64(WBX100Descriptor.length), as: UInt16.self)
        let n = Int(length)
        var sent = false
        if s1 == .ok, s2 == .ok, n > 0, n <= WBX100Descriptor.maximumFrame {
            let st = frameBuffer.withUnsafeMutableBytes { function.dmaRead(BusAddress(buffer), into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<n])) }
            if st == .ok, linkUp {
                _ = frameBuffer.withUnsafeBytes { port.send(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                sent = true
            }
        }
        if sent { stats.gptc += 1 }
        let done = max(function.now, port.busyUntil)
        tdh = tx.next(tdh)
        function.schedule(at: done) { [unowned self] in
            self.function.dmaStore(d + UInt64(WBX100Descriptor.status), WBX100Bits.DD)
            self.raise(WBX100Bits.TXDW)
            self.transmitOne()
        }
    }
}
