import BoxlessPlatform
import NICCore

// Receive (RTL8111C DS §8.2 and §7 RCR/RMS/C+CR): fault hooks, the address filter, size and FCS
// checks, then the on-chip FIFO (the NIC core's RxFIFO), then DMA into the driver's descriptors. A
// frame longer than one buffer spans descriptors (FS on the first, LS on the last, which carries the
// length including FCS); longer than RxMaxSize or the chip's jumbo limit it is dropped and counted
// (RxEr, and RMS/JUMBO by name). No owned descriptor: the frame waits in the FIFO (ISR.RDU) and is
// lost only when the FIFO is full (ISR.FOVW, MissPkt).

/// What the MAC computed for a received frame, kept with it in the FIFO until receive DMA writes
/// the last descriptor: opts1 status bits (address class, errors, PID1:0, checksum failures) and
/// opts2 (V4F/V6F, TAVA and the stripped tag).
struct RTL8168RxStatus {
    var opts1: UInt32 = 0
    var opts2: UInt32 = 0
}

extension RTL8168Device {
    /// Bytes a runt fault cuts a frame to (a collision fragment: below 64 with FCS).
    static let faultRuntBytes = 40

    func receive(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        guard receiverOn, phy.state.linkUp, let p = frame.baseAddress else { framesIgnoredWhileDisabled &+= 1; return }
        var length = frame.count, fcsOK = fcsValid, jabber = false
        if let hooks = function.deviceFaultHooks {
            switch hooks.rxFrame(FrameSite(device: function.address, length: length, time: function.now)) {
            case .none: break
            case .fcsError: fcsOK = false
            case .runt: length = min(length, Self.faultRuntBytes)
            case .jabber: jabber = true
            case .fifoOverflow: missed(); return
            }
        }
        let rcr = reg32(.RxConfig)
        guard length >= EthernetFrame.headerBytes else { receiveErrors.runt &+= 1; tally.count(.RxEr); return }
        // Address filter (DS §7 RCR: AAP, APM, AM with the MAR hash, AB).
        let kind = DestinationKind(destination: p)
        var accept = rcr & RTL8168RxConfig.AcceptAllPhys != 0
        switch kind {
        case .broadcast: accept = accept || rcr & RTL8168RxConfig.AcceptBroadcast != 0
        case .multicast: accept = accept || (rcr & RTL8168RxConfig.AcceptMulticast != 0 && hashHit(p))
        case .unicast: accept = accept || (rcr & RTL8168RxConfig.AcceptMyPhys != 0 && isStationAddress(p))
        }
        guard accept else { return }
        // Errors (DS §8.2 RWT, CRC, RUNT; §7 RMS), counted in RxEr after the filter.
        let wire = length + EthernetFrame.fcsBytes
        if jabber { receiveErrors.rwt &+= 1; tally.count(.RxEr); return }
        if !fcsOK && rcr & RTL8168RxConfig.AcceptErr == 0 { receiveErrors.crc &+= 1; tally.count(.RxEr); return }
        if wire < EthernetFrame.minimumBytes && rcr & RTL8168RxConfig.AcceptRunt == 0 { receiveErrors.runt &+= 1; tally.count(.RxEr); return }
        let rms = rxMaxSize, jumbo = chip.jumboFrameBytes
        if wire > min(rms, jumbo) {
            if wire > jumbo && rms > jumbo { receiveErrors.jumbo &+= 1 } else { receiveErrors.rms &+= 1 }
            tally.count(.RxEr)
            return
        }
        // Into the FIFO: the tag stripped with C+CR.RxVlan, the FCS kept (the length reported includes it).
        let strip = cplus & RTL8168CPlusCmd.RxVlan != 0 && length >= 18 && NetworkOrder.load16(p, 12) == EthernetFrame.vlanTPID
        let stored = length - (strip ? EthernetFrame.vlanTagBytes : 0) + EthernetFrame.fcsBytes
        guard let offset = rxFIFO.reserve(length: stored, limit: RTL8168ModelTiming.rxFIFOBytes) else { missed(); return }
        let dst = rxFIFO.storage + offset
        var status = RTL8168RxStatus()
        if strip {
            dst.copyMemory(from: p, byteCount: 12)
            (dst + 12).copyMemory(from: p + 16, byteCount: length - 16)
            // The TCI goes to opts2, byte-swapped as r8169 reads it.
            status.opts2 = RTL8168RxBits.TAVA | UInt32(NetworkOrder.load16(p, 14).byteSwapped)
        } else {
            dst.copyMemory(from: p, byteCount: length)
        }
        let fcs = EthernetCRC.fcs(p, length) ^ (fcsOK ? 0 : 0xFFFF_FFFF)
        (dst + stored - EthernetFrame.fcsBytes).storeBytes(of: fcs.littleEndian, toByteOffset: 0, as: UInt32.self)
        receiveStatus(p, length, kind: kind, fcsValid: fcsOK, into: &status)
        rxFIFO.commit(.init(offset: offset, length: stored, metadata: status))
        kickReceive()
    }

    /// RxMaxSize (DS §7 RMS). r8169 writes 16384 (`R8169_RX_BUF_SIZE + 1`, "disable the filtering"),
    /// so the whole 16-bit value is the limit.
    var rxMaxSize: Int { Int(reg16(.RxMaxSize)) }

    /// A frame lost for want of FIFO room (tally MissPkt, ISR.FOVW).
    private func missed() {
        receiveErrors.missed &+= 1
        tally.count(.MissPkt)
        raise(RTL8168Interrupt.RxFIFOOver)
    }

    /// Whether the destination at `p` is IDR0–5.
    private func isStationAddress(_ p: UnsafeRawPointer) -> Bool {
        regs.withUnsafeBytes { destinationAddress(p) == destinationAddress($0.baseAddress!) }
    }

    /// Multicast hash (r8169 rtl_set_rx_mode): bit n = top 6 bits of the big-endian CRC of the
    /// address (the NIC core's ``EthernetCRC/multicastHash(at:)``); on the 8168 family bit n lives
    /// in MAR byte 7 − n/8, bit n mod 8 (r8169 writes the two DWORDs swapped and byte-reversed for
    /// versions after RTL_GIGA_MAC_VER_06).
    func hashHit(_ p: UnsafeRawPointer) -> Bool {
        let n = Int(EthernetCRC.multicastHash(at: p) >> 26)
        return regs[Int(RTL8168Register.MAR0.rawValue) + 7 - n / 8] >> UInt8(n % 8) & 1 != 0
    }

    func kickReceive() {
        guard !rxScheduled, !rxFIFO.isEmpty, receiverOn else { return }
        rxScheduled = true
        function.schedule(at: max(function.now, rxEngineFreeAt)) { [unowned(unsafe) self] in
            self.rxScheduled = false
            self.rxDrain()
        }
    }

    /// Moves frames from the FIFO into descriptors while the driver has posted some.
    private func rxDrain() {
        guard receiverOn else { return }
        while let head = rxFIFO.first {
            guard deliver(head) else {
                // No descriptor: RDU, and look again later (the chip re-reads the descriptor).
                raise(RTL8168Interrupt.RxOverflow)
                rxScheduled = true
                function.schedule(after: RTL8168ModelTiming.rxDescriptorRepoll) { [unowned(unsafe) self] in
                    self.rxScheduled = false
                    self.rxDrain()
                }
                return
            }
            rxFIFO.removeFirst()
        }
    }

    /// The receive ring (RDSAR; Realtek rings end at EOR, so `count` is the 1024 maximum).
    var rxRing: DescriptorRing {
        DescriptorRing(base: reg64(.RDSAR), count: UInt32(RTL8168Descriptor.maximumCount), descriptorSize: UInt32(RTL8168Descriptor.size))
    }

    /// Writes one frame into as many descriptors as it needs; false if the chip does not own enough.
    private func deliver(_ e: UnsafeMutablePointer<RxFIFO<RTL8168RxStatus>.Entry>) -> Bool {
        let length = Int(e.pointee.length)
        let ring = rxRing
        // The descriptors the frame needs, all owned by the chip before any is written.
        var room = 0, count = 0, i = rxIndex
        while room < length {
            guard let d = loadDescriptor(ring.address(of: UInt32(i))), d.own else { return false }
            let size = Int(d.opts1 & RTL8168RxBits.lengthMask)
            if !rxMaxSizeReported && rxMaxSize > size + 1 {
                rxMaxSizeReported = true
                breach(.rxMaxSizeExceedsBuffer, "RxMaxSize \(rxMaxSize), descriptor \(i) buffer \(size)")
            }
            if function.strict { checkPostedTwice(i, d, ring) }
            rxChain[count] = (i, d)
            count += 1
            room += size
            i = d.eor ? 0 : i + 1
            if count > RTL8168Descriptor.maximumCount { breach(.ringWithoutEOR); return false }
            if size == 0 { return false }
        }
        let status = e.pointee.metadata
        let source = rxFIFO.storage + Int(e.pointee.offset)
        var offset = 0
        var cost = VirtualDuration.zero
        indexOverride = nil
        for k in 0..<count {
            let (index, d) = rxChain[k]
            let size = Int(d.opts1 & RTL8168RxBits.lengthMask)
            let n = min(size, length - offset)
            _ = function.dmaWrite(BusAddress(d.address), from: UnsafeRawBufferPointer(start: source + offset, count: n))
            offset += n
            cost = cost + function.timing.dmaReadCost(RTL8168Descriptor.size) + function.timing.dmaWriteCost(n)
            let last = k == count - 1
            var o1 = d.opts1 & RTL8168DescriptorBits.EOR
            if k == 0 { o1 |= RTL8168DescriptorBits.FS }
            o1 |= last ? RTL8168DescriptorBits.LS | status.opts1 | UInt32(length) : UInt32(size)
            if function.strict { rememberFilled(d.address, index) }
            writeBack(ring.address(of: UInt32(index)), index: index, receive: true, opts1: o1,
                      opts2: last ? status.opts2 : 0, completion: last ? .received(status.opts1) : .none)
        }
        rxIndex = indexOverride ?? i
        rxEngineFreeAt = function.now + cost
        return true
    }

    /// A frame's last descriptor was written back: counters (DS tally table) and ROK or RER.
    func receiveCompleted(_ status: UInt32) {
        if status & RTL8168RxBits.RES == 0 {
            tally.count(.RxOk)
            if status & RTL8168RxBits.BAR != 0 { tally.count(.RxOkBrd) }
            else if status & RTL8168RxBits.MAR != 0 { tally.count(.RxOkMul) }
            else { tally.count(.RxOkPhy) }
            frameCompleted(rx: true)
        } else {
            tally.count(.RxEr)
            raise(RTL8168Interrupt.RxErr)
        }
    }

    /// opts1 status of the last descriptor (address class, errors, PID1:0 and checksum results)
    /// and opts2's V4F/V6F.
    private func receiveStatus(_ p: UnsafeRawPointer, _ length: Int, kind: DestinationKind, fcsValid: Bool, into s: inout RTL8168RxStatus) {
        switch kind {
        case .broadcast: s.opts1 |= RTL8168RxBits.BAR
        case .multicast: s.opts1 |= RTL8168RxBits.MAR
        case .unicast: if isStationAddress(p) { s.opts1 |= RTL8168RxBits.PAM }
        }
        if !fcsValid { s.opts1 |= RTL8168RxBits.RES | RTL8168RxBits.CRC }
        if length + EthernetFrame.fcsBytes < EthernetFrame.minimumBytes { s.opts1 |= RTL8168RxBits.RES | RTL8168RxBits.RUNT }
        guard cplus & RTL8168CPlusCmd.RxChkSum != 0 else { return }
        checksumStatus(p, length, into: &s)
    }

    /// Receive checksum offload (DS §8.2; the 8168C's v2 descriptor, FreeBSD re(4) RL_FLAG_DESCV2):
    /// IPv4 sets V4F and IPF reports the header checksum; IPv6 (no extension headers) sets V6F.
    /// PID1:0 = 01 TCP, 10 UDP (TCPF/UDPF report their checksum over either IP version), 11 any
    /// other IP packet or a fragment. A UDP checksum of zero over IPv4 means none (RFC 768).
    private func checksumStatus(_ p: UnsafeRawPointer, _ length: Int, into s: inout RTL8168RxStatus) {
        let h = FrameHeaders.parse(p, length)
        switch h.ipVersion {
        case 4:
            s.opts2 |= RTL8168RxBits.V4F
            if !InternetChecksum.verifies(p + h.l3Offset, h.l3Length) { s.opts1 |= RTL8168RxBits.IPF }
        case 6:
            s.opts2 |= RTL8168RxBits.V6F
        default:
            return
        }
        guard let l4 = h.l4Offset, h.isTCP || h.isUDP else { s.opts1 |= RTL8168RxBits.PID0 | RTL8168RxBits.PID1; return }
        let good = InternetChecksum.verifies(p + l4, h.l4Length, initial: UInt32(h.pseudoHeaderSum))
        if h.isTCP {
            s.opts1 |= RTL8168RxBits.PID0
            if !good { s.opts1 |= RTL8168RxBits.TCPF }
        } else {
            s.opts1 |= RTL8168RxBits.PID1
            let none = h.ipVersion == 4 && NetworkOrder.load16(p, l4 + 6) == 0
            if !none && !good { s.opts1 |= RTL8168RxBits.UDPF }
        }
    }
}
