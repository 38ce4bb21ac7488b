import NativeDriverKit

/// Transmit ring (DS §8.1): a packet is copied into the slots of consecutive descriptors (2048
/// bytes each; FS on the first, LS on the last); offloads go in the v2 fields of every descriptor
/// (r8169 rtl8169_tso_csum_v2); OWN is set on the first descriptor last, then TxPoll.NPQ.
extension RTL8168Driver {
    public func transmit(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult {
        guard isOpen, let ring = txRing, let pool = txPool else { return .rejected("interface is not open") }
        let limit = offload.tcpSegmentationMSS != nil ? Self.largestSegmentationFrame : Self.maximumFrame + 4
        guard frame.count >= 14, frame.count <= limit else { return .rejected("frame of \(frame.count) bytes (limit \(limit))") }
        let fields: (opts1: UInt32, opts2: UInt32)
        switch offloadFields(frame, offload) {
        case .success(let f): fields = f
        case .failure(let e): return .rejected(e.description)
        }
        let n = config.txDescriptors
        let needed = (frame.count + Self.bufferBytes - 1) / Self.bufferBytes
        let free = (txClean - txTail - 1 + n) % n
        if needed > free {
            reclaimTransmitted()
            if needed > (txClean - txTail - 1 + n) % n { return .busy }
        }
        let first = txTail
        var last = first
        for k in 0..<needed {
            let i = (first + k) % n
            let off = k * Self.bufferBytes
            let len = min(Self.bufferBytes, frame.count - off)
            pool.copyBytes(to: i * Self.bufferBytes, from: UnsafeRawBufferPointer(rebasing: frame[off..<off + len]))
            let a = pool.busAddress + i * Self.bufferBytes
            ring32(ring, i, 1, fields.opts2)
            ring32(ring, i, 2, a.low32)
            ring32(ring, i, 3, a.high32)
            var o1 = fields.opts1 | UInt32(len)
            if i == n - 1 { o1 |= Desc.EOR }
            if k == 0 { o1 |= Desc.FS }
            if k == needed - 1 { o1 |= Desc.LS }
            if k != 0 { o1 |= Desc.OWN }
            ring32(ring, i, 0, o1)
            last = i
        }
        txLast[first] = last
        txToken[first] = token
        txWireBytes[first] = Self.wireBytes(frame, offload)
        // OWN on the first descriptor only after the others are complete (DS §8.1).
        regs.barrier()
        ring32(ring, first, 0, ring32(ring, first, 0) | Desc.OWN)
        txTail = (last + 1) % n
        regs.barrier()
        regs.write8(Reg.TxPoll, TxPoll.NPQ)
        return .queued
    }

    /// The v2 offload fields: giant send (opts1 GTSENV4/6 + GTTCPHO, opts2 MSS), checksum
    /// insertion (opts2 IPV4CS/TCPCS/UDPCS + TCPHO) and tag insertion (opts2 TAGC + swapped TCI).
    private func offloadFields(_ f: UnsafeRawBufferPointer, _ o: TransmitOffload) -> Result<(opts1: UInt32, opts2: UInt32), DriverError> {
        var opts1: UInt32 = 0, opts2: UInt32 = 0
        if let tag = o.vlanTag { opts2 |= TxDesc.TAGC | UInt32(tag.byteSwapped) }
        guard o.ipv4Checksum || o.l4Checksum || o.tcpSegmentationMSS != nil else { return .success((opts1, opts2)) }
        guard let h = PacketHeaders(f) else { return .failure(.invalidArgument("offload requested on a frame without an IP header")) }
        if let mss = o.tcpSegmentationMSS {
            guard h.proto == 6, mss > 0, mss <= TxDesc.MSSMax, h.l4 <= TxDesc.GTTCPHOMax else {
                return .failure(.invalidArgument("TSO needs TCP, MSS 1…\(TxDesc.MSSMax) and a TCP header within \(TxDesc.GTTCPHOMax) bytes"))
            }
            opts1 |= (h.ipv6 ? TxDesc.GTSENV6 : TxDesc.GTSENV4) | UInt32(h.l4) << TxDesc.GTTCPHOShift
            opts2 |= UInt32(mss) << TxDesc.MSSShift
            return .success((opts1, opts2))
        }
        guard h.l4 <= TxDesc.TCPHOMax else { return .failure(.invalidArgument("transport header beyond TCPHO's reach")) }
        if o.ipv4Checksum && !h.ipv6 { opts2 |= TxDesc.IPV4CS }
        if h.ipv6 { opts2 |= TxDesc.IPV6CS }
        if o.l4Checksum {
            switch h.proto {
            case 6: opts2 |= TxDesc.TCPCS
            case 17: opts2 |= TxDesc.UDPCS
            default: return .failure(.invalidArgument("L4 checksum offload for protocol \(h.proto)"))
            }
            opts2 |= UInt32(h.l4) << TxDesc.TCPHOShift
        }
        return .success((opts1, opts2))
    }

    /// The bytes a packet puts on the wire: a giant send as its segments (headers repeated before
    /// each MSS of payload), plus 4 per frame for an inserted tag.
    static func wireBytes(_ f: UnsafeRawBufferPointer, _ o: TransmitOffload) -> UInt64 {
        let tag = o.vlanTag != nil ? 4 : 0
        guard let mss = o.tcpSegmentationMSS, mss > 0, let h = PacketHeaders(f), f.count >= h.l4 + 13 else {
            return UInt64(f.count + tag)
        }
        let header = h.l4 + Int(f[h.l4 + 12] >> 4) * 4
        let payload = max(f.count - header, 0)
        let segments = max((payload + mss - 1) / mss, 1)
        return UInt64(f.count + (segments - 1) * header + segments * tag)
    }

    /// Reports every packet whose descriptors the chip has given back (OWN clear on all of them).
    func reclaimTransmitted() {
        guard let ring = txRing else { return }
        let n = config.txDescriptors
        while txClean != txTail {
            let last = txLast[txClean]
            var i = txClean
            var done = true
            while true {
                if ring32(ring, i, 0) & Desc.OWN != 0 { done = false; break }
                if i == last { break }
                i = (i + 1) % n
            }
            guard done else { break }
            let token = txToken[txClean]
            counters.txBytes &+= txWireBytes[txClean]
            txClean = (last + 1) % n
            counters.txCompleted &+= 1
            client?.transmitCompleted(token: token, success: true)
        }
    }
}

/// Where a frame's headers are (Ethernet, optional 802.1Q, IPv4 or IPv6 without extension headers).
struct PacketHeaders {
    /// Offset of the L3 header.
    var l3: Int
    /// Offset of the L4 header.
    var l4: Int
    /// IP protocol / next header.
    var proto: UInt8
    /// IPv6.
    var ipv6: Bool

    init?(_ f: UnsafeRawBufferPointer) {
        guard f.count >= 14 else { return nil }
        var o = 12
        var type = UInt16(f[o]) << 8 | UInt16(f[o + 1])
        if type == 0x8100 { guard f.count >= 18 else { return nil }; o += 4; type = UInt16(f[o]) << 8 | UInt16(f[o + 1]) }
        l3 = o + 2
        switch type {
        case 0x0800:
            guard f.count >= l3 + 20, f[l3] >> 4 == 4 else { return nil }
            l4 = l3 + Int(f[l3] & 0xF) * 4
            proto = f[l3 + 9]
            ipv6 = false
        case 0x86DD:
            guard f.count >= l3 + 40 else { return nil }
            l4 = l3 + 40
            proto = f[l3 + 6]
            ipv6 = true
        default:
            return nil
        }
    }
}
