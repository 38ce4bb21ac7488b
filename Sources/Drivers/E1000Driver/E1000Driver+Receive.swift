import NativeDriverKit

/// The receive path (SDM §3.2): descriptors the device marked done (DD) are read in order, their
/// buffers synced to the CPU, the frame copied out (assembled across descriptors up to EOP) and
/// delivered; the buffer goes back to the device and RDT moves once per batch.
///
/// The loop works on locals and writes the driver's state back once per batch: stored properties
/// of a class pay an exclusivity check per access, which a per-frame path cannot afford.
extension E1000Driver {
    /// Handles up to `budget` completed descriptors; returns how many it handled.
    @discardableResult
    func receive(budget: Int) -> Int {
        guard let ring = rxRing, let base = scratch.baseAddress else { return 0 }
        let mask = rxMask, dma = self.dma, buffers = rxBuffers, client = self.client
        let capacity = scratch.count, vlanStrip = config.vlanStrip
        var i = rxNext, done = 0
        var assembled = rxAssembled, discarding = rxDiscarding
        var packets: UInt64 = 0, bytes: UInt64 = 0, descriptorErrors: UInt64 = 0, oversize: UInt64 = 0
        while done < budget {
            let d = i &* descriptorSize
            let status = ring.load8(d &+ RxDescriptor.status)
            if status & RxDescriptor.DD == 0 { break }
            let length = Int(ring.load16(d &+ RxDescriptor.length))
            let buffer = buffers[i]
            dma.syncForCPU(buffer)
            let errors = status & RxDescriptor.EOP != 0 ? ring.load8(d &+ RxDescriptor.errors) : 0
            if errors & RxDescriptor.frameErrors != 0 || length > Self.bufferBytes {
                // A frame error, or a length no 2048-byte buffer (RCTL.BSIZE) can hold: the
                // write-back is not to be trusted, the frame is dropped and counted (RXDESCERR).
                descriptorErrors &+= 1
                discarding = true
            } else if !discarding {
                if assembled &+ length <= capacity {
                    buffer.copyBytes(from: 0, into: UnsafeMutableRawBufferPointer(start: base + assembled, count: length))
                    assembled &+= length
                } else {
                    oversize &+= 1
                    discarding = true
                }
            }
            dma.syncForDevice(buffer)
            if status & RxDescriptor.EOP != 0 {
                if !discarding {
                    var info = ReceiveInfo()
                    if status & RxDescriptor.IXSM == 0 {
                        if status & RxDescriptor.IPCS != 0 { info.ipv4ChecksumGood = errors & RxDescriptor.IPE == 0 }
                        if status & (RxDescriptor.TCPCS | RxDescriptor.UDPCS) != 0 { info.l4ChecksumGood = errors & RxDescriptor.TCPE == 0 }
                    }
                    if vlanStrip, status & RxDescriptor.VP != 0 { info.vlanTag = ring.load16(d &+ RxDescriptor.special) }
                    packets &+= 1
                    bytes &+= UInt64(assembled)
                    client?.received(UnsafeRawBufferPointer(start: base, count: assembled), info: info)
                }
                assembled = 0
                discarding = false
            }
            // Clear the write-back half so DD reads 0 until the device fills it again.
            ring.store64(d &+ RxDescriptor.writeBack, 0)
            i = (i &+ 1) & mask
            done &+= 1
        }
        rxAssembled = assembled
        rxDiscarding = discarding
        if done > 0 {
            rxNext = i
            counters.rxPackets &+= packets
            counters.rxBytes &+= bytes
            counters.rxDescriptorErrors &+= descriptorErrors
            counters.rxOversize &+= oversize
            if oversize > 0 { context.log(.warning, "\(oversize) received frame(s) longer than \(capacity) bytes dropped") }
            // Descriptors before the tail write, then hand them back (SDM §3.2.6).
            regs.barrier()
            regs.write32(Reg.RDT, UInt32((i &- 1) & mask))
        }
        return done
    }
}
