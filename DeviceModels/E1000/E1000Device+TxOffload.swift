import BoxlessPlatform
import NICCore

// Transmit offloads: legacy checksum insertion (SDM §3.3.3 CMD.IC, CSO/CSS), IP and TCP/UDP checksum
// insertion from the context (SDM §3.3.6–3.3.7, POPTS.IXSM/TXSM, IPCSS/IPCSO/IPCSE, TUCSS/TUCSO/
// TUCSE), TCP segmentation (SDM §3.5: HDRLEN, MSS, PAYLEN; per segment IP total length / IPv6 payload
// length, IP identification + 1, TCP sequence number, FIN/PSH only on the last segment, checksums
// with the segment's length added to the pseudo-header sum the driver left in the TCP checksum
// field), VLAN insertion (CMD.VLE with CTRL.VME: VET then the special field after the source
// address), short-packet padding (TCTL.PSP) and FCS insertion (CMD.IFCS).

extension E1000Device {
    /// Non-segmented checksum insertion for the packet at `p`.
    func insertChecksums(_ p: UnsafeMutableRawPointer, _ length: Int) {
        if !txPacket.extended {
            guard txPacket.command & E1000TxDescriptorLegacy.Command.IC.rawValue != 0 else { return }
            insertSum(p, length, start: txPacket.css, end: length, at: txPacket.cso, what: "legacy CSS/CSO", udp: false)
            return
        }
        let c = txContext
        let options = E1000TxDataDescriptor.Options(rawValue: txPacket.options)
        if options.contains(.IXSM) {
            if c.ipcso + 1 < length { p.storeBytes(of: UInt16(0), toByteOffset: c.ipcso, as: UInt16.self) }
            insertSum(p, length, start: c.ipcss, end: c.ipcse == 0 ? length : c.ipcse + 1, at: c.ipcso, what: "IPCSS/IPCSO/IPCSE", udp: false)
        }
        if options.contains(.TXSM) {
            let udp = c.tucmd & E1000TxContextDescriptor.Command.TCP.rawValue == 0
            insertSum(p, length, start: c.tucss, end: c.tucse == 0 ? length : c.tucse + 1, at: c.tucso, what: "TUCSS/TUCSO/TUCSE", udp: udp)
        }
    }

    /// Sums bytes start..<end (plus `extra`) and stores the complement big-endian at `at`.
    private func insertSum(_ p: UnsafeMutableRawPointer, _ length: Int, start: Int, end: Int, at: Int, what: String,
                           udp: Bool, extra: UInt32 = 0) {
        guard start < end, end <= length, at + 2 <= length else {
            function.strictFinding("checksum offsets \(what) = \(start)/\(at)/\(end) do not fit the \(length)-byte packet",
                                   reference: "8254x SDM §3.3.6 (TCP/IP context descriptor fields)")
            return
        }
        var v = ~InternetChecksum.sum(p + start, end - start, initial: extra)
        if udp && v == 0 { v = 0xFFFF }   // RFC 768: a computed zero is sent as all ones
        NetworkOrder.store16(p, at, v)
    }

    /// TCP segmentation of the gathered packet (SDM §3.5).
    func segmentAndSend() {
        let c = txContext, total = txPacket.length, header = c.hdrlen, mss = c.mss
        let tcp = c.tucmd & E1000TxContextDescriptor.Command.TCP.rawValue != 0
        let ipv4 = c.tucmd & E1000TxContextDescriptor.Command.IP.rawValue != 0
        let options = E1000TxDataDescriptor.Options(rawValue: txPacket.options)
        guard c.tucmd & E1000TxContextDescriptor.Command.TSE.rawValue != 0, mss > 0, header > 0, header < total,
              c.ipcss + (ipv4 ? 20 : 40) <= header, c.tucss + (tcp ? 20 : 8) <= header, c.ipcso + 2 <= header,
              c.tucso + 2 <= header else {
            function.strictFinding("TCP segmentation with an unusable context (TSE in context: \(c.tucmd & 4 != 0), HDRLEN \(header), MSS \(mss), packet \(total) bytes)",
                                   reference: "8254x SDM §3.5, §3.3.6")
            stats.add(E1000Statistics.Index.TSCTFC)
            return
        }
        if c.paylen != total - header {
            function.strictFinding("TSO context PAYLEN \(c.paylen) differs from the \(total - header) payload bytes described",
                                   reference: "8254x SDM §3.3.6 (PAYLEN)")
        }
        let segmentMax = header + mss
        ensureSegmentCapacity(segmentMax + 4 + EthernetFrame.minimumBytes)
        let src = txBuffer
        let ipID = ipv4 ? NetworkOrder.load16(src, c.ipcss + 4) : 0
        let sequence = tcp ? NetworkOrder.load32(src, c.tucss + 4) : 0
        var offset = header, index: UInt16 = 0
        while offset < total {
            let chunk = min(mss, total - offset)
            let length = header + chunk
            let last = offset + chunk == total
            let s = segment
            s.copyMemory(from: src, byteCount: header)
            (s + header).copyMemory(from: src + offset, byteCount: chunk)
            if ipv4 {
                NetworkOrder.store16(s, c.ipcss + 2, UInt16(truncatingIfNeeded: length - c.ipcss))
                NetworkOrder.store16(s, c.ipcss + 4, ipID &+ index)
            } else {
                NetworkOrder.store16(s, c.ipcss + 4, UInt16(truncatingIfNeeded: length - c.ipcss - 40))
            }
            if tcp {
                NetworkOrder.store32(s, c.tucss + 4, sequence &+ UInt32(truncatingIfNeeded: offset - header))
                if !last {
                    let flags = s.load(fromByteOffset: c.tucss + 13, as: UInt8.self) & ~0x09   // clear PSH, FIN
                    s.storeBytes(of: flags, toByteOffset: c.tucss + 13, as: UInt8.self)
                }
            } else {
                NetworkOrder.store16(s, c.tucss + 4, UInt16(truncatingIfNeeded: length - c.tucss))
            }
            if options.contains(.IXSM) && ipv4 {
                s.storeBytes(of: UInt16(0), toByteOffset: c.ipcso, as: UInt16.self)
                let end = c.ipcse == 0 ? header : c.ipcse + 1
                insertSum(s, length, start: c.ipcss, end: end, at: c.ipcso, what: "IPCSS/IPCSO/IPCSE", udp: false)
            }
            if options.contains(.TXSM) {
                insertSum(s, length, start: c.tucss, end: length, at: c.tucso, what: "TUCSS/TUCSO", udp: !tcp,
                          extra: UInt32(length - c.tucss))
            }
            sendFrame(s, length)
            offset += chunk
            index &+= 1
        }
        stats.add(E1000Statistics.Index.TSCTC)
    }

    /// Makes each half of `segment` hold at least `n` bytes (contents are not kept).
    func ensureSegmentCapacity(_ n: Int) {
        guard 2 * n > segmentCapacity else { return }
        segment.deallocate()
        segment = .allocate(byteCount: 2 * n, alignment: 16)
        segmentCapacity = 2 * n
    }

    /// VLAN insertion, padding, FCS handling, statistics and the wire.
    func sendFrame(_ p: UnsafeMutableRawPointer, _ length: Int) {
        var frame = UnsafeRawPointer(p), n = length
        let vle = txPacket.command & E1000TxDescriptorLegacy.Command.VLE.rawValue != 0
        let ifcs = txPacket.command & E1000TxDescriptorLegacy.Command.IFCS.rawValue != 0
        if vle && !ctrl.contains(.VME) {
            function.strictFinding("transmit descriptor asks for VLAN insertion (VLE) while CTRL.VME is clear",
                                   reference: "8254x SDM §3.3.3.1, Table 3-10 (VLE)")
        }
        let insertTag = vle && ctrl.contains(.VME) && n >= 12
        let pad = tctl.contains(.PSP) && n + (insertTag ? 4 : 0) < EthernetFrame.minimumBytes - 4
        if insertTag || pad {
            // The frame is rebuilt in the upper half of `segment` (TSO segments live in the lower half).
            let out: UnsafeMutableRawPointer
            if p == segment {
                out = segment + segmentCapacity / 2
            } else {
                ensureSegmentCapacity(n + 4 + EthernetFrame.minimumBytes)
                out = segment + segmentCapacity / 2
            }
            if insertTag {
                out.copyMemory(from: p, byteCount: 12)
                NetworkOrder.store16(out, 12, UInt16(truncatingIfNeeded: reg(.VET)))
                NetworkOrder.store16(out, 14, txPacket.special)
                (out + 16).copyMemory(from: p + 12, byteCount: n - 12)
                n += 4
            } else {
                out.copyMemory(from: p, byteCount: n)
            }
            if pad && n < EthernetFrame.minimumBytes - 4 {
                (out + n).initializeMemory(as: UInt8.self, repeating: 0, count: EthernetFrame.minimumBytes - 4 - n)
                n = EthernetFrame.minimumBytes - 4
            }
            frame = UnsafeRawPointer(out)
        }
        var fcsValid = true
        if !ifcs {
            // Without IFCS the buffer's last four bytes are the FCS software computed (SDM Table 3-10).
            guard n >= 4 else { return }
            n -= 4
            fcsValid = EthernetCRC.fcs(frame, n) == UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: n, as: UInt32.self))
        }
        let wire = max(n + EthernetTiming.fcsBytes, EthernetFrame.minimumBytes)
        stats.add(E1000Statistics.Index.TPT)
        stats.add(E1000Statistics.Index.TOT, UInt64(wire))
        stats.add(E1000Statistics.Index.GPTC)
        stats.add(E1000Statistics.Index.GOTC, UInt64(wire))
        stats.bucket(E1000Statistics.Index.PTC64, wireLength: wire)
        if n >= 6, frame.load(as: UInt8.self) & 1 != 0 {
            let broadcast = frame.loadUnaligned(as: UInt32.self) == .max && frame.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == .max
            stats.add(broadcast ? E1000Statistics.Index.BPTC : E1000Statistics.Index.MPTC)
        }
        port.send(UnsafeRawBufferPointer(start: frame, count: n), fcsValid: fcsValid)
    }
}
