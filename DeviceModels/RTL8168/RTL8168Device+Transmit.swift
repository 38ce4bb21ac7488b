import BoxlessPlatform
import NICCore

// Transmit (RTL8111C DS §8.1, §7 TPPoll/MTPS): after TxPoll.NPQ the chip walks the normal-priority
// ring from where it stopped, gathers FS … LS into a packet, applies the first descriptor's v2
// offloads (opts2 TAGC; opts1 GTSENV4/6 + GTTCPHO with opts2 MSS; opts2 IPCS/TCPCS/UDPCS + TCPHO),
// puts the frame(s) on the wire, clears OWN and raises TOK. One packet per step, paced by the DMA
// read of its data and by the wire. Offloads are the NIC core's (``TransmitOffload``,
// ``TCPSegmenter``) on one preallocated packet buffer: no allocation per packet.

extension RTL8168Device {
    func scheduleTransmit(after d: VirtualDuration) {
        guard !txScheduled else { return }
        txScheduled = true
        function.schedule(after: d) { [unowned(unsafe) self] in
            self.txScheduled = false
            self.transmitOne()
        }
    }

    /// The normal-priority transmit ring (TNPDS; ends at EOR).
    var txRing: DescriptorRing {
        DescriptorRing(base: reg64(.TNPDS), count: UInt32(RTL8168Descriptor.maximumCount), descriptorSize: UInt32(RTL8168Descriptor.size))
    }

    private func transmitOne() {
        guard transmitterOn, txPolling, !txHung else { return }
        let ring = txRing
        guard let first = loadDescriptor(ring.address(of: UInt32(txIndex))), first.own else {
            txPolling = false
            return
        }
        if first.opts1 & RTL8168DescriptorBits.FS == 0 { breach(.txSegmentationBroken, "descriptor \(txIndex) has OWN without FS") }
        // Gather FS … LS after the headroom.
        let data = txBuffer + Self.txHeadroom
        var length = 0, count = 0, tooLong = false
        var i = txIndex, d = first
        while true {
            let n = Int(d.opts1 & RTL8168TxBits.lengthMask)
            if Self.txHeadroom + length + n <= Self.txBufferBytes {
                _ = function.dmaRead(BusAddress(d.address), into: UnsafeMutableRawBufferPointer(start: data + length, count: n))
            } else {
                tooLong = true
            }
            length += n
            txChain[count] = (i, d)
            count += 1
            let next = d.eor ? 0 : i + 1
            if count > RTL8168Descriptor.maximumCount { breach(.ringWithoutEOR); txPolling = false; return }
            if d.opts1 & RTL8168DescriptorBits.LS != 0 { i = next; break }
            guard let nd = loadDescriptor(ring.address(of: UInt32(next))), nd.own else {
                breach(.txSegmentationBroken, "packet from descriptor \(txIndex) has no LS before a driver-owned descriptor")
                txPolling = false
                return
            }
            if nd.opts1 & RTL8168DescriptorBits.FS != 0 { breach(.txSegmentationBroken, "descriptor \(next) has FS inside a packet") }
            i = next; d = nd
        }
        let timing = function.timing
        let start = function.now + timing.dmaReadCost(length) + timing.dmaReadCost(RTL8168Descriptor.size * count)
        let sent = tooLong ? nil : sendPacket(length: length, opts1: first.opts1, opts2: first.opts2, notBefore: start)
        if tooLong { breach(.txPacketTooLong, "\(length) bytes gathered") }
        if txHung { return }   // TxFrameFault.hang: descriptors stay owned, nothing written back
        // Write back: OWN cleared, the rest kept (DS §8.1: the chip only clears OWN).
        indexOverride = nil
        for k in 0..<count {
            let (index, desc) = txChain[k]
            let completion: Completion = k == count - 1 ? .transmitted(ok: sent != nil, frames: sent ?? 0) : .none
            writeBack(ring.address(of: UInt32(index)), index: index, receive: false,
                      opts1: desc.opts1 & ~RTL8168DescriptorBits.OWN, opts2: nil, completion: completion)
        }
        txIndex = indexOverride ?? i
        // Next packet once this one's data is read and the wire can take it.
        let next = max(start, port.nextStart)
        scheduleTransmit(after: next - function.now)
    }

    /// A packet's descriptors were written back: TxOk per frame and TOK, or TxEr and TER.
    func transmitCompleted(ok: Bool, frames: Int) {
        if ok {
            tally.count(.TxOk, UInt64(frames))
            frameCompleted(rx: false)
        } else {
            tally.count(.TxEr)
            raise(RTL8168Interrupt.TxErr)
        }
    }

    /// The longest packet the transmitter takes without giant send: MaxTxPacketSize × 128 when set,
    /// never more than the chip's jumbo limit without FCS (``RTL8168ChipVersion/jumboFrameBytes``).
    var txPacketLimit: Int {
        let jumbo = chip.jumboFrameBytes - EthernetFrame.fcsBytes
        let mtps = Int(reg8(.MaxTxPacketSize)) * 128
        return mtps != 0 ? min(mtps, jumbo) : jumbo
    }

    /// Puts the `length`-byte packet at `txBuffer + txHeadroom` on the wire as its descriptor asks:
    /// VLAN tag inserted, checksums filled in, or a giant send cut into MSS segments. Returns the
    /// frames sent, or nil if the request cannot be carried out (counted as TxEr).
    private func sendPacket(length: Int, opts1: UInt32, opts2: UInt32, notBefore: VirtualTime) -> Int? {
        let giant = opts1 & (RTL8168TxBits.GTSENV4 | RTL8168TxBits.GTSENV6) != 0
        if !giant && length > txPacketLimit {
            breach(.txPacketTooLong, "\(length) bytes, limit \(txPacketLimit) (MaxTxPacketSize \(reg8(.MaxTxPacketSize)), jumbo \(chip.jumboFrameBytes))")
            return nil
        }
        guard length >= EthernetFrame.headerBytes else { return sendFrame(txBuffer + Self.txHeadroom, length, notBefore) ? 1 : 0 }
        // TAGC: the tag goes after the addresses (into the headroom); offsets the driver gave grow by 4.
        var frame = txBuffer + Self.txHeadroom, total = length, shift = 0
        if opts2 & RTL8168TxBits.TAGC != 0 {
            for j in 0..<12 { txBuffer.storeBytes(of: frame.load(fromByteOffset: j, as: UInt8.self), toByteOffset: j, as: UInt8.self) }
            frame = txBuffer
            NetworkOrder.store16(frame, 12, EthernetFrame.vlanTPID)
            NetworkOrder.store16(frame, 14, UInt16(truncatingIfNeeded: opts2).byteSwapped)
            total += EthernetFrame.vlanTagBytes
            shift = EthernetFrame.vlanTagBytes
        }
        let h = FrameHeaders.parse(frame, total)
        if giant {
            let mss = Int(opts2 >> RTL8168TxBits.MSSShift & RTL8168TxBits.MSSMask)
            let tcp = Int(opts1 >> RTL8168TxBits.GTTCPHOShift & RTL8168TxBits.GTTCPHOMask) + shift
            let v4 = opts1 & RTL8168TxBits.GTSENV4 != 0, l3 = h.l3Offset
            guard mss > 0, tcp > l3, tcp + 20 <= total else {
                breach(.badLargeSend, "MSS \(mss), TCP header offset \(tcp - shift), \(length) bytes")
                return nil
            }
            let ihl = v4 ? Int(frame.load(fromByteOffset: l3, as: UInt8.self) & 0xF) * 4 : 40
            let header = tcp + Int(frame.load(fromByteOffset: tcp + 12, as: UInt8.self) >> 4) * 4
            let layout = TransmitOffloadLayout(l3Offset: l3, ipv4ChecksumOffset: v4 ? l3 + 10 : nil, ipv4ChecksumEnd: l3 + ihl,
                                               l4Offset: tcp, l4ChecksumOffset: tcp + 16, ipv4: v4, tcp: true, seed: .none)
            var frames = 0, hung = false
            do {
                try segmenter.segment(frame, length: total, header: header, mss: mss, layout: layout) { s, n in
                    guard !hung else { return }
                    if sendFrame(s, n, notBefore) { frames += 1 } else { hung = true }
                }
            } catch {
                breach(.badLargeSend, "MSS \(mss), TCP header offset \(tcp - shift), \(length) bytes: \(error)")
                return nil
            }
            return frames
        }
        insertChecksums(frame, total, h, opts2: opts2, shift: shift)
        return sendFrame(frame, total, notBefore) ? 1 : 0
    }

    /// v2 checksum offload: IPv4 header (IPCS), TCP (TCPCS) or UDP (UDPCS) at the transport offset
    /// TCPHO (or the parsed one when TCPHO is 0); IPV6CS selects the IPv6 pseudo header. The L4
    /// checksum covers the IP datagram (not Ethernet padding). A request that does not fit the
    /// frame is left undone, as the chip sends what it was given.
    private func insertChecksums(_ p: UnsafeMutableRawPointer, _ length: Int, _ h: FrameHeaders, opts2: UInt32, shift: Int) {
        let ipv4 = opts2 & RTL8168TxBits.IPV4CS != 0, tcp = opts2 & RTL8168TxBits.TCPCS != 0, udp = opts2 & RTL8168TxBits.UDPCS != 0
        guard ipv4 || tcp || udp else { return }
        let v6 = opts2 & RTL8168TxBits.IPV6CS != 0, l3 = h.l3Offset
        let tcpho = Int(opts2 >> RTL8168TxBits.MSSShift & RTL8168TxBits.TCPHOMask)
        let l4 = tcpho > 0 ? tcpho + shift : (h.l4Offset ?? l3 + (v6 ? 40 : 20))
        var end = length
        if h.ipVersion == 4, length >= l3 + 4 { end = min(length, l3 + Int(NetworkOrder.load16(p, l3 + 2))) }
        if h.ipVersion == 6, length >= l3 + 6 { end = min(length, l3 + 40 + Int(NetworkOrder.load16(p, l3 + 4))) }
        let layout = TransmitOffloadLayout(l3Offset: l3, ipv4ChecksumOffset: ipv4 && h.ipVersion == 4 ? l3 + 10 : nil,
                                           ipv4ChecksumEnd: l3 + h.l3Length, l4Offset: l4,
                                           l4ChecksumOffset: tcp || udp ? l4 + (tcp ? 16 : 6) : nil, ipv4: !v6, tcp: tcp, seed: .none)
        try? TransmitOffload.insertChecksums(p, end, layout)
    }

    /// One frame to the wire, after the fault hook: false when it hangs the transmitter
    /// (``TxFrameFault/hang``). With the link down the frame is lost (the PHY has no partner).
    private func sendFrame(_ p: UnsafeRawPointer, _ n: Int, _ notBefore: VirtualTime) -> Bool {
        if let hooks = function.deviceFaultHooks,
           hooks.txFrame(FrameSite(device: function.address, length: n, time: function.now)) == .hang {
            hangTransmitter()
            return false
        }
        guard phy.state.linkUp else { return true }
        _ = port.send(UnsafeRawBufferPointer(start: p, count: n), notBefore: notBefore)
        return true
    }

    /// The transmitter stops: nothing more leaves and no descriptor is written back until ChipCmd.RST.
    func hangTransmitter() {
        guard !txHung else { return }
        txHung = true
        txPolling = false
        function.note("transmitter hung (fault) until ChipCmd.RST")
    }
}
