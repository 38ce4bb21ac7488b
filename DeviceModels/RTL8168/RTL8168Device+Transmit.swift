import BoxlessPlatform

// Transmit (RTL8111C DS §8.1, §7 TPPoll/MTPS): after TxPoll.NPQ the chip walks the normal-priority
// ring from where it stopped, gathers FS … LS into a packet, applies the first descriptor's v2
// offloads (opts1 GTSENV4/6 + GTTCPHO, opts2 MSS; opts2 IPCS/TCPCS/UDPCS + TCPHO; opts2 TAGC),
// puts the frame(s) on the wire, clears OWN and raises TOK. One packet per step, paced by the DMA
// read of its data and by the wire.

extension RTL8168Device {
    func scheduleTransmit(after d: VirtualDuration) {
        guard !txScheduled else { return }
        txScheduled = true
        function.schedule(after: d) { [unowned(unsafe) self] in
            self.txScheduled = false
            self.transmitOne()
        }
    }

    private func txDescriptorAddress(_ i: Int) -> BusAddress { BusAddress(rawValue: reg64(.TNPDS) + UInt64(i * RTL8168Descriptor.size)) }

    private func loadTx(_ i: Int) -> RTL8168Descriptor? {
        let a = txDescriptorAddress(i)
        let (o1, s1): (UInt32, DMAStatus) = function.dmaLoad(a)
        let (o2, _): (UInt32, DMAStatus) = function.dmaLoad(a + 4)
        let (ad, _): (UInt64, DMAStatus) = function.dmaLoad(a + 8)
        return s1 == .ok ? RTL8168Descriptor(opts1: o1, opts2: o2, address: ad) : nil
    }

    private func transmitOne() {
        guard transmitterOn, txPolling else { return }
        guard let first = loadTx(txIndex), first.own else {
            txPolling = false
            return
        }
        if first.opts1 & RTL8168DescriptorBits.FS == 0 { breach(.txSegmentationBroken, "descriptor \(txIndex) has OWN without FS") }
        var packet: [UInt8] = []
        var chain: [(Int, RTL8168Descriptor)] = []
        var i = txIndex
        var d = first
        while true {
            let n = Int(d.opts1 & RTL8168TxBits.lengthMask)
            var buf = [UInt8](repeating: 0, count: n)
            _ = buf.withUnsafeMutableBytes { function.dmaRead(BusAddress(rawValue: d.address), into: $0) }
            packet += buf
            chain.append((i, d))
            let next = d.eor ? 0 : i + 1
            if chain.count > RTL8168Descriptor.maximumCount { breach(.ringWithoutEOR); txPolling = false; return }
            if d.opts1 & RTL8168DescriptorBits.LS != 0 { i = next; break }
            guard let nd = loadTx(next), nd.own else {
                breach(.txSegmentationBroken, "packet from descriptor \(txIndex) has no LS before a driver-owned descriptor")
                txPolling = false
                return
            }
            if nd.opts1 & RTL8168DescriptorBits.FS != 0 { breach(.txSegmentationBroken, "descriptor \(next) has FS inside a packet") }
            i = next; d = nd
        }
        let frames = applyOffloads(packet, opts1: first.opts1, opts2: first.opts2)
        let dmaCost = function.timing.readLatency + function.timing.transferTime(bytes: packet.count + 16 * chain.count)
        let start = function.now + dmaCost
        var sent = 0
        for f in frames {
            f.withUnsafeBytes { _ = port.send($0, notBefore: start) }
            sent += 1
        }
        // Write back: OWN cleared, the rest kept (DS §8.1: the chip only clears OWN).
        for (idx, desc) in chain { function.dmaStore(txDescriptorAddress(idx), desc.opts1 & ~RTL8168DescriptorBits.OWN) }
        txIndex = i
        if frames.isEmpty {
            tally.count(.TxEr)
            raise(RTL8168Interrupt.TxErr)
        } else {
            tally.count(.TxOk, UInt64(sent))
            frameCompleted(rx: false)
        }
        // Next packet once this one's data is read and the wire can take it.
        let next = max(start, port.nextStart)
        scheduleTransmit(after: next - function.now)
    }

    /// The frames a packet becomes: VLAN tag inserted, checksums filled in, or a giant send cut
    /// into MSS segments. Empty if the request cannot be carried out (counted as TxEr).
    private func applyOffloads(_ packet: [UInt8], opts1: UInt32, opts2: UInt32) -> [[UInt8]] {
        var p = packet
        let giant = opts1 & (RTL8168TxBits.GTSENV4 | RTL8168TxBits.GTSENV6) != 0
        let mtps = Int(reg8(.MaxTxPacketSize)) * 128
        if !giant && mtps != 0 && p.count > mtps {
            breach(.txPacketTooLong, "\(p.count) bytes, MaxTxPacketSize \(mtps)")
            return []
        }
        var frames: [[UInt8]]
        if giant {
            let mss = Int(opts2 >> RTL8168TxBits.MSSShift & RTL8168TxBits.MSSMask)
            let tcpOffset = Int(opts1 >> RTL8168TxBits.GTTCPHOShift & RTL8168TxBits.GTTCPHOMask)
            guard mss > 0, tcpOffset + 20 <= p.count, let segs = segment(p, tcpOffset: tcpOffset, mss: mss,
                                                                           ipv6: opts1 & RTL8168TxBits.GTSENV6 != 0) else {
                breach(.badLargeSend, "MSS \(mss), TCP header offset \(tcpOffset), \(p.count) bytes")
                return []
            }
            frames = segs
        } else {
            let l4Offset = Int(opts2 >> RTL8168TxBits.MSSShift & RTL8168TxBits.TCPHOMask)
            insertChecksums(&p, opts2: opts2, l4Offset: l4Offset)
            frames = [p]
        }
        if opts2 & RTL8168TxBits.TAGC != 0 {
            let tci = UInt16(truncatingIfNeeded: opts2).byteSwapped
            for k in frames.indices { frames[k].insert(contentsOf: [0x81, 0x00, UInt8(tci >> 8), UInt8(tci & 0xFF)], at: 12) }
        }
        return frames
    }

    /// v2 checksum offload: IPv4 header (IPCS), TCP (TCPCS) or UDP (UDPCS) at the transport offset
    /// TCPHO; IPV6CS selects the IPv6 pseudo header.
    private func insertChecksums(_ p: inout [UInt8], opts2: UInt32, l4Offset: Int) {
        let ipv6 = opts2 & RTL8168TxBits.IPV6CS != 0
        guard let (l3, _) = p.withUnsafeBytes({ RTL8168PacketMath.l3($0) }) else { return }
        var end = p.count
        if opts2 & RTL8168TxBits.IPV4CS != 0, let ip = p.withUnsafeBytes({ RTL8168PacketMath.ipv4($0, at: l3) }) {
            p[l3 + 10] = 0; p[l3 + 11] = 0
            let c = ~p.withUnsafeBytes { RTL8168PacketMath.fold(RTL8168PacketMath.sum($0, l3, ip.ihl)) }
            RTL8168PacketMath.setBE16(&p, l3 + 10, c)
            end = l3 + ip.total
        } else if ipv6, p.count >= l3 + 40 {
            end = min(p.count, l3 + 40 + Int(p.withUnsafeBytes { RTL8168PacketMath.be16($0, l3 + 4) }))
        }
        let tcp = opts2 & RTL8168TxBits.TCPCS != 0, udp = opts2 & RTL8168TxBits.UDPCS != 0
        guard tcp || udp else { return }
        let l4 = l4Offset > 0 ? l4Offset : l3 + 20
        let field = l4 + (tcp ? 16 : 6)
        guard field + 2 <= end else { return }
        p[field] = 0; p[field + 1] = 0
        var c = ~p.withUnsafeBytes { RTL8168PacketMath.fold(RTL8168PacketMath.l4Sum($0, l3: l3, ipv6: ipv6, l4: l4, end: end, proto: tcp ? 6 : 17)) }
        if udp && c == 0 { c = 0xFFFF }
        RTL8168PacketMath.setBE16(&p, field, c)
    }

    /// Giant send (TSO): headers up to the TCP header's end are repeated; each segment carries at
    /// most `mss` payload bytes, with IPv4 total length / ID + k (or IPv6 payload length), sequence
    /// number advanced, FIN/PSH only on the last, and IP and TCP checksums computed.
    private func segment(_ p: [UInt8], tcpOffset: Int, mss: Int, ipv6: Bool) -> [[UInt8]]? {
        guard let (l3, _) = p.withUnsafeBytes({ RTL8168PacketMath.l3($0) }), tcpOffset > l3 else { return nil }
        let thl = Int(p[tcpOffset + 12] >> 4) * 4
        let hdr = tcpOffset + thl
        guard thl >= 20, hdr <= p.count else { return nil }
        let payload = p.count - hdr
        let seq = p.withUnsafeBytes { RTL8168PacketMath.be32($0, tcpOffset + 4) }
        let flags = p[tcpOffset + 13]
        let ipID = ipv6 ? 0 : p.withUnsafeBytes { RTL8168PacketMath.be16($0, l3 + 4) }
        var out: [[UInt8]] = []
        var done = 0
        var k = 0
        repeat {
            let n = min(mss, payload - done)
            var s = Array(p[0..<hdr]) + p[(hdr + done)..<(hdr + done + n)]
            let last = done + n >= payload
            if ipv6 {
                RTL8168PacketMath.setBE16(&s, l3 + 4, UInt16(s.count - l3 - 40))
            } else {
                RTL8168PacketMath.setBE16(&s, l3 + 2, UInt16(s.count - l3))
                RTL8168PacketMath.setBE16(&s, l3 + 4, ipID &+ UInt16(truncatingIfNeeded: k))
                s[l3 + 10] = 0; s[l3 + 11] = 0
                let ihl = Int(s[l3] & 0xF) * 4
                let c = ~s.withUnsafeBytes { RTL8168PacketMath.fold(RTL8168PacketMath.sum($0, l3, ihl)) }
                RTL8168PacketMath.setBE16(&s, l3 + 10, c)
            }
            RTL8168PacketMath.setBE32(&s, tcpOffset + 4, seq &+ UInt32(done))
            s[tcpOffset + 13] = last ? flags : flags & ~0x09           // FIN (0x01) and PSH (0x08) only on the last
            s[tcpOffset + 16] = 0; s[tcpOffset + 17] = 0
            let c = ~s.withUnsafeBytes { RTL8168PacketMath.fold(RTL8168PacketMath.l4Sum($0, l3: l3, ipv6: ipv6, l4: tcpOffset, end: s.count, proto: 6)) }
            RTL8168PacketMath.setBE16(&s, tcpOffset + 16, c)
            out.append(s)
            done += n
            k += 1
        } while done < payload
        return out
    }
}
