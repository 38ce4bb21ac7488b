import NativeDriverKit

/// Receive ring (DS §8.2): each descriptor owns one 2048-byte streaming buffer; the chip writes
/// the frame, its length with FCS, and the checksum/VLAN results, then clears OWN.
extension RTL8168Driver {
    /// Allocates both rings (256-byte aligned, EOR on the last descriptor) and the buffers.
    func allocateRings() throws(DriverError) {
        let rx = try dma.allocateCoherent(size: config.rxDescriptors * Desc.size, alignment: Desc.ringAlignment)
        rxRing = rx
        for i in 0..<config.rxDescriptors {
            let b = try dma.allocateStreaming(size: Self.bufferBytes)
            rxBuffers.append(b)
            let a = try dma.map(b, direction: .fromDevice)
            ring32(rx, i, 2, a.low32)
            ring32(rx, i, 3, a.high32)
            post(i)
        }
        let tx = try dma.allocateCoherent(size: config.txDescriptors * Desc.size, alignment: Desc.ringAlignment)
        txRing = tx
        ring32(tx, config.txDescriptors - 1, 0, Desc.EOR)
        txPool = try dma.allocateCoherent(size: config.txDescriptors * Self.bufferBytes, alignment: 64)
        txLast = [Int](repeating: 0, count: config.txDescriptors)
        txToken = [UInt64](repeating: 0, count: config.txDescriptors)
        txWireBytes = [UInt64](repeating: 0, count: config.txDescriptors)
    }

    /// Hands receive descriptor `i` to the chip: buffer size, EOR on the last, then OWN.
    func post(_ i: Int) {
        guard let rx = rxRing else { return }
        ring32(rx, i, 1, 0)
        let eor: UInt32 = i == config.rxDescriptors - 1 ? Desc.EOR : 0
        ring32(rx, i, 0, Desc.OWN | eor | UInt32(Self.bufferBytes))
    }

    /// Delivers up to `budget` frames; returns how many descriptors it consumed.
    @discardableResult
    func receive(budget: Int) -> Int {
        guard let rx = rxRing else { return 0 }
        var done = 0
        var scratch = [UInt8](repeating: 0, count: Self.bufferBytes)
        while done < budget {
            let status = ring32(rx, rxNext, 0)
            if status & Desc.OWN != 0 { break }
            let opts2 = ring32(rx, rxNext, 1)
            let buffer = rxBuffers[rxNext]
            done += 1
            defer { post(rxNext); rxNext = (rxNext + 1) % config.rxDescriptors }
            // The driver posts buffers larger than RxMaxSize, so a frame spanning descriptors is a
            // symptom of a mis-sized frame: dropped (as r8169's rtl8169_fragmented_frame).
            if status & (Desc.FS | Desc.LS) != Desc.FS | Desc.LS { counters.rxFragmented &+= 1; continue }
            if status & RxDesc.RES != 0 { counters.rxErrors &+= 1; continue }
            let length = Int(status & RxDesc.lengthMask) - 4       // the length includes the FCS
            guard length > 0, length <= Self.bufferBytes else { counters.rxErrors &+= 1; continue }
            dma.syncForCPU(buffer)
            scratch.withUnsafeMutableBytes { buffer.copyBytes(from: 0, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<length])) }
            dma.syncForDevice(buffer)
            let info = receiveInfo(status: status, opts2: opts2)
            counters.rxPackets &+= 1
            counters.rxBytes &+= UInt64(length)
            scratch.withUnsafeBytes { client?.received(UnsafeRawBufferPointer(rebasing: $0[0..<length]), info: info) }
        }
        return done
    }

    /// Checksum verdicts (DS §8.2, the 8168C's v2 descriptor: opts2 V4F/V6F say which IP version
    /// was checked; IPF for the IPv4 header; PID1:0 with TCPF/UDPF for TCP/UDP over either) and the
    /// stripped tag (opts2 TAVA).
    private func receiveInfo(status: UInt32, opts2: UInt32) -> ReceiveInfo {
        var info = ReceiveInfo()
        if config.receiveChecksum && opts2 & (RxDesc.V4F | RxDesc.V6F) != 0 {
            let pid = status & (RxDesc.PID1 | RxDesc.PID0)
            if opts2 & RxDesc.V4F != 0 { info.ipv4ChecksumGood = status & RxDesc.IPF == 0 }
            if pid == RxDesc.PID0 { info.l4ChecksumGood = status & RxDesc.TCPF == 0 }
            if pid == RxDesc.PID1 { info.l4ChecksumGood = status & RxDesc.UDPF == 0 }
        }
        if opts2 & RxDesc.TAVA != 0 { info.vlanTag = UInt16(truncatingIfNeeded: opts2).byteSwapped }
        return info
    }
}
