import NativeDriverKit

/// The transmit path (SDM §3.3). Each descriptor i owns bytes i·2048 of the coherent transmit pool,
/// so a frame is copied into the slots of the descriptors that carry it, with no allocation and no
/// mapping per frame. Plain frames use legacy descriptors; checksum insertion and TCP segmentation
/// use a context descriptor followed by data descriptors. RS is set on each frame's last
/// descriptor; completions are reclaimed by the poll.
extension E1000Driver {
    /// Descriptors the driver may still fill (one stays empty so that TDT never reaches TDH).
    @inline(__always) var freeTransmitDescriptors: Int {
        txMask &- ((txTail &- txClean) & txMask)
    }

    public func transmit(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult {
        guard isOpen, let ring = txRing, let pool = txPool else { return .rejected("interface is not open") }
        guard !gone else { return .rejected("the device was removed") }
        let length = frame.count
        if offload.tcpSegmentationMSS == nil && !offload.ipv4Checksum && !offload.l4Checksum && offload.vlanTag == nil {
            // Fast path: one legacy descriptor per 2048 bytes, the frame as given.
            guard length >= E1000Configuration.ethernetHeader else { return .rejected("frame of \(length) bytes has no Ethernet header") }
            guard length <= largestPlainFrame(frame) else {
                return .rejected("frame of \(length) bytes exceeds the \(maximumFrameSize)-byte maximum")
            }
            let needed = (length &+ Self.bufferBytes &- 1) / Self.bufferBytes
            guard needed <= freeTransmitDescriptors else { return .busy }
            let first = txTail
            var slot = first, offset = 0
            while offset < length {
                let n = min(Self.bufferBytes, length &- offset)
                pool.copyBytes(to: slot &* Self.bufferBytes, from: UnsafeRawBufferPointer(rebasing: frame[offset..<offset &+ n]))
                offset &+= n
                let last = offset == length
                writeLegacy(ring, slot, pool, length: n, last: last, vlan: nil)
                slot = (slot &+ 1) & txMask
            }
            return queue(first: first, next: slot, token: token)
        }
        return transmitWithOffload(frame, token: token, offload: offload, ring: ring, pool: pool)
    }

    /// The longest frame accepted without segmentation: the configured maximum, plus 4 when the
    /// frame already carries an 802.1Q tag.
    @inline(__always)
    func largestPlainFrame(_ frame: UnsafeRawBufferPointer) -> Int {
        config.maximumFrame &+ (PacketHeaders.isTagged(frame) ? E1000Configuration.vlanTagBytes : 0)
    }

    /// Writes legacy descriptor `slot` for `length` bytes of its pool slot.
    @inline(__always)
    private func writeLegacy(_ ring: DMABuffer, _ slot: Int, _ pool: DMABuffer, length: Int, last: Bool, vlan: UInt16?) {
        var command = LegacyTxDescriptor.IFCS
        if last { command |= LegacyTxDescriptor.EOP | LegacyTxDescriptor.RS }
        if vlan != nil { command |= LegacyTxDescriptor.VLE }
        let desc = LegacyTxDescriptor(bufferAddress: pool.busAddress.rawValue &+ UInt64(slot &* Self.bufferBytes),
                                      length: UInt16(truncatingIfNeeded: length), command: command, special: vlan ?? 0)
        let d = slot &* descriptorSize
        ring.store64(d, desc.bufferAddress)
        ring.store64(d &+ 8, desc.high)
    }

    /// Records the frame (descriptors `first` up to `next` − 1) and moves TDT.
    @inline(__always)
    private func queue(first: Int, next: Int, token: UInt64) -> TransmitResult {
        txLast[first] = (next &- 1) & txMask
        txToken[first] = token
        txTail = next
        regs.barrier()
        regs.write32(Reg.TDT, UInt32(next))
        return .queued
    }

    /// Offloaded transmit: VLAN tag (hardware VLE with `vlan_strip`, else inserted by the driver),
    /// checksum insertion and TSO through a context descriptor (SDM §3.3.6) and data descriptors
    /// (SDM §3.3.7).
    private func transmitWithOffload(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload,
                                     ring: DMABuffer, pool: DMABuffer) -> TransmitResult {
        let length = frame.count
        guard length >= E1000Configuration.ethernetHeader else { return .rejected("frame of \(length) bytes has no Ethernet header") }
        let hardwareTag = offload.vlanTag != nil && config.vlanStrip
        let softwareTag = offload.vlanTag != nil && !config.vlanStrip
        if offload.vlanTag != nil, PacketHeaders.isTagged(frame) {
            return .rejected("frame already carries an 802.1Q tag; cannot insert another")
        }
        let shift = softwareTag ? E1000Configuration.vlanTagBytes : 0
        let outLength = length + shift
        let mss = offload.tcpSegmentationMSS
        if let mss {
            guard mss > 0, mss <= config.mtu else { return .rejected("TSO MSS \(mss) outside 1...\(config.mtu)") }
            guard length <= Self.largestSegmentationFrame else {
                return .rejected("TSO frame of \(length) bytes exceeds \(Self.largestSegmentationFrame)")
            }
        } else if length > largestPlainFrame(frame) {
            return .rejected("frame of \(length) bytes exceeds the \(maximumFrameSize)-byte maximum")
        }
        let wantsContext = mss != nil || offload.ipv4Checksum || offload.l4Checksum
        var headers: PacketHeaders?
        if wantsContext {
            guard let h = PacketHeaders(frame) else { return .rejected("checksum/TSO offload on a frame that is not IPv4/IPv6") }
            if offload.ipv4Checksum && !h.ipv4 { return .rejected("IPv4 checksum offload on a non-IPv4 frame") }
            if (offload.l4Checksum || mss != nil) && h.l4Kind == .none { return .rejected("L4 checksum offload on a frame that is neither TCP nor UDP") }
            if mss != nil && h.l4Kind != .tcp { return .rejected("TSO on a frame that is not TCP") }
            headers = h.shifted(by: shift)
        }
        let dataDescriptors = (outLength + Self.bufferBytes - 1) / Self.bufferBytes
        guard dataDescriptors + (wantsContext ? 1 : 0) <= freeTransmitDescriptors else { return .busy }

        let first = txTail
        var slot = first
        var context: ContextTxDescriptor?
        var options: UInt8 = 0
        if let h = headers {
            var c = ContextTxDescriptor()
            if h.ipv4 && (offload.ipv4Checksum || mss != nil) {
                c.ipcss = UInt8(h.l3)
                c.ipcso = UInt8(h.l3 + PacketHeaders.ipv4ChecksumOffset)
                c.ipcse = UInt16(h.l4 - 1)
                c.command |= ContextTxDescriptor.IP
                options |= DataTxDescriptor.IXSM
            } else if h.ipv4 {
                c.command |= ContextTxDescriptor.IP
            }
            if h.l4Kind != .none && (offload.l4Checksum || mss != nil) {
                c.tucss = UInt8(h.l4)
                c.tucso = UInt8(h.l4 + h.l4ChecksumOffset)
                c.tucse = 0
                options |= DataTxDescriptor.TXSM
            }
            if h.l4Kind == .tcp { c.command |= ContextTxDescriptor.TCP }
            if let mss {
                let headerLength = h.l4 + h.l4HeaderLength
                c.command |= ContextTxDescriptor.TSE
                c.hdrlen = UInt8(headerLength)
                c.mss = UInt16(mss)
                c.paylen = UInt32(outLength - headerLength)
            }
            context = c
            let d = slot * descriptorSize
            ring.store64(d, c.low)
            ring.store64(d + 8, c.high)
            slot = (slot + 1) & txMask
        }

        // Copy the frame into the data descriptors' slots, inserting the tag after the addresses.
        let dataFirst = slot
        var out = 0
        func put(_ bytes: UnsafeRawBufferPointer) {
            var from = 0
            while from < bytes.count {
                let s = (dataFirst + out / Self.bufferBytes) & txMask, within = out % Self.bufferBytes
                let n = min(bytes.count - from, Self.bufferBytes - within)
                pool.copyBytes(to: s * Self.bufferBytes + within, from: UnsafeRawBufferPointer(rebasing: bytes[from..<from + n]))
                from += n
                out += n
            }
        }
        let addresses = PacketHeaders.etherTypeOffset
        put(UnsafeRawBufferPointer(rebasing: frame[0..<addresses]))
        if softwareTag, let tci = offload.vlanTag {
            let tag: (UInt8, UInt8, UInt8, UInt8) = (UInt8(VLAN.tagProtocolIdentifier >> 8), UInt8(VLAN.tagProtocolIdentifier & 0xFF),
                                                     UInt8(tci >> 8), UInt8(tci & 0xFF))
            withUnsafeBytes(of: tag) { put($0) }
        }
        put(UnsafeRawBufferPointer(rebasing: frame[addresses..<length]))
        // The header sits in the first slot (it is at most a few hundred bytes).
        if let h = headers {
            let base = dataFirst * Self.bufferBytes
            if options & DataTxDescriptor.IXSM != 0 {
                pool.store16(base + h.l3 + PacketHeaders.ipv4ChecksumOffset, 0)
            }
            if options & DataTxDescriptor.TXSM != 0 {
                let seed = h.pseudoHeaderSum(frame, shift: shift, includeLength: mss == nil)
                pool.store8(base + h.l4 + h.l4ChecksumOffset, UInt8(seed >> 8))
                pool.store8(base + h.l4 + h.l4ChecksumOffset + 1, UInt8(seed & 0xFF))
            }
        }

        let vlan = hardwareTag ? offload.vlanTag : nil
        var remaining = outLength
        while remaining > 0 {
            let n = min(Self.bufferBytes, remaining)
            remaining -= n
            let last = remaining == 0
            if context == nil {
                writeLegacy(ring, slot, pool, length: n, last: last, vlan: vlan)
            } else {
                var command = DataTxDescriptor.IFCS
                if mss != nil { command |= DataTxDescriptor.TSE }
                if last { command |= DataTxDescriptor.EOP | DataTxDescriptor.RS }
                if vlan != nil { command |= DataTxDescriptor.VLE }
                let desc = DataTxDescriptor(bufferAddress: pool.busAddress.rawValue + UInt64(slot * Self.bufferBytes),
                                            length: UInt32(n), command: command, options: options, special: vlan ?? 0)
                let d = slot * descriptorSize
                ring.store64(d, desc.bufferAddress)
                ring.store64(d + 8, desc.high)
            }
            slot = (slot + 1) & txMask
        }
        return queue(first: first, next: slot, token: token)
    }

    /// Reports every frame whose last descriptor the device wrote back (DD), oldest first, exactly
    /// once (SDM §3.3.3.2).
    func reclaimTransmitted() {
        guard let ring = txRing else { return }
        while txClean != txTail {
            let last = txLast[txClean]
            let status = ring.load8(last &* descriptorSize &+ TxStatus.offset)
            if status & TxStatus.DD == 0 { break }
            let token = txToken[txClean]
            txClean = (last &+ 1) & txMask
            let ok = status & (TxStatus.EC | TxStatus.LC) == 0
            if ok { counters.txCompleted &+= 1 } else { counters.txFailed &+= 1 }
            client?.transmitCompleted(token: token, success: ok)
        }
    }
}

/// IEEE 802.1Q.
enum VLAN {
    /// TPID: the EtherType of a tagged frame.
    static let tagProtocolIdentifier: UInt16 = 0x8100
}
