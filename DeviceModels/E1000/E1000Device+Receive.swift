import BoxlessPlatform
import NICCore

// The MAC's receive side: what happens when a frame has arrived (SDM §3.2): address filtering
// (SDM §13.5 RAL/RAH/MTA with RCTL.UPE/MPE/BAM/MO), VLAN filtering and stripping
// (VET, VFTA §13.5.4, CTRL.VME), size checks, receive checksum offload status (SDM §3.2.9, RXCSUM),
// statistics, and the packet FIFO. Every frame that passes the filters is delivered or counted:
// RUC/RFC (short), ROC/RJC (too long), CRCERRS (bad FCS without SBP), MPC (FIFO full).

extension E1000Device {
    /// Longest frame (with FCS) accepted with RCTL.LPE: 16384 bytes on the 8254x (SDM RCTL.LPE),
    /// 9018 on the 82574 (its 9 KB jumbo-frame feature).
    var longPacketLimit: Int { kind == .i82540EM ? 16384 : 9018 }

    /// The Rx FIFO size in bytes (PBA.RXA, KB units, SDM §13.4.16).
    var rxFIFOLimit: Int { Int(reg(.PBA) & 0xFFFF) * 1024 }

    /// Bytes a runt fault cuts a frame to (a collision fragment: below 64 with FCS).
    static let faultRuntBytes = 40

    func receive(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        let rctl = self.rctl
        guard rctl.contains(.EN), linkUp, let p = frame.baseAddress else { framesIgnoredWhileDisabled &+= 1; return }
        var len = frame.count, fcsValid = fcsValid, jabber = false
        if let hooks = onFunction({ $0.deviceFaultHooks }) {
            switch hooks.rxFrame(onFunction { FrameSite(device: $0.address, length: len, time: $0.now) }) {
            case .none: break
            case .fcsError: fcsValid = false
            case .runt: len = min(len, Self.faultRuntBytes)
            case .jabber: jabber = true
            case .fifoOverflow:
                stats.add(E1000Statistics.Index.MPC)
                raise(E1000Interrupt.RXO.rawValue)
                return
            }
        }
        let wire = len + EthernetTiming.fcsBytes
        stats.add(E1000Statistics.Index.TPR)
        stats.add(E1000Statistics.Index.TOR, UInt64(wire))
        guard len >= EthernetFrame.headerBytes else {
            stats.add(fcsValid ? E1000Statistics.Index.RUC : E1000Statistics.Index.RFC)
            return
        }
        guard let exact = addressFilter(p, rctl) else { return }
        let tagged = len >= 18 && NetworkOrder.load16(p, 12) == UInt16(truncatingIfNeeded: reg(.VET))
        let tci: UInt16 = tagged ? NetworkOrder.load16(p, 14) : 0
        if tagged && rctl.contains(.VFE) && !vlanFilterPasses(tci, rctl) { return }

        // Size and FCS (SDM §13.7 RUC, RFC, ROC, RJC, CRCERRS: counted after address filtering).
        let maxLength = rctl.contains(.LPE) ? longPacketLimit
            : (tagged ? EthernetFrame.maximumTaggedBytes : EthernetFrame.maximumUntaggedBytes)
        if jabber {
            // A jabbering transmitter: longer than any limit with a bad FCS (SDM §13.7 RJC).
            stats.add(E1000Statistics.Index.RJC)
            return
        } else if wire < EthernetFrame.minimumBytes {
            stats.add(fcsValid ? E1000Statistics.Index.RUC : E1000Statistics.Index.RFC)
            guard rctl.contains(.SBP) else { return }
        } else if wire > maxLength {
            stats.add(fcsValid ? E1000Statistics.Index.ROC : E1000Statistics.Index.RJC)
            return
        } else if !fcsValid {
            stats.add(E1000Statistics.Index.CRCERRS)
            guard rctl.contains(.SBP) else { return }
        }

        // Into the packet FIFO: VLAN tag stripped with CTRL.VME, FCS kept unless RCTL.SECRC.
        if rxAvailableDescriptors() == 0 { stats.add(E1000Statistics.Index.RNBC) }
        let strip = tagged && ctrl.contains(.VME)
        let keepFCS = !rctl.contains(.SECRC)
        let stored = len - (strip ? 4 : 0) + (keepFCS ? 4 : 0)
        guard let offset = fifo.reserve(length: stored, limit: rxFIFOLimit) else {
            stats.add(E1000Statistics.Index.MPC)
            raise(E1000Interrupt.RXO.rawValue)
            return
        }
        let dst = fifo.storage + offset
        if strip {
            dst.copyMemory(from: p, byteCount: 12)
            (dst + 12).copyMemory(from: p + 16, byteCount: len - 16)
        } else {
            dst.copyMemory(from: p, byteCount: len)
        }
        let dataLength = stored - (keepFCS ? 4 : 0)
        if keepFCS {
            let fcs = EthernetCRC.fcs(p, len) ^ (fcsValid ? 0 : 0xFFFF_FFFF)
            (dst + dataLength).storeBytes(of: fcs.littleEndian, toByteOffset: 0, as: UInt32.self)
        }
        var e = E1000RxStatus()
        var status = E1000RxDescriptorLegacy.Status()
        var errors = E1000RxDescriptorLegacy.Errors()
        if strip { status.insert(.VP); e.special = tci }
        if !exact { status.insert(.PIF) }
        if !fcsValid { errors.insert(.CE) }
        checksumOffload(p, len, l3: tagged ? 18 : 14, status: &status, errors: &errors, entry: &e)
        let pcss = Int(reg(.RXCSUM) & E1000RXCSUM.PCSS_MASK)
        e.checksum = pcss < dataLength ? InternetChecksum.sum(dst + pcss, dataLength - pcss) : 0
        e.status = status.rawValue
        e.errors = errors.rawValue
        fifo.commit(.init(offset: offset, length: stored, metadata: e))

        if fcsValid && wire >= EthernetFrame.minimumBytes {
            stats.add(E1000Statistics.Index.GPRC)
            stats.add(E1000Statistics.Index.GORC, UInt64(wire))
            stats.bucket(E1000Statistics.Index.PRC64, wireLength: wire)
            if p.load(as: UInt8.self) & 1 != 0 {
                let broadcast = p.loadUnaligned(as: UInt32.self) == .max && p.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == .max
                stats.add(broadcast ? E1000Statistics.Index.BPRC : E1000Statistics.Index.MPRC)
            }
        }
        if !rxDrainScheduled && onFunction({ $0.now }) >= rxEngineFreeAt { rxDrain() } else { requestReceiveDrain() }
    }

    /// Destination address filter (SDM §13.5 RAL/RAH/MTA, RCTL.UPE/MPE/BAM/MO): nil when the frame
    /// is filtered out, otherwise whether it matched exactly (PIF clear).
    func addressFilter(_ p: UnsafeRawPointer, _ rctl: E1000RCTL) -> Bool? {
        let da = UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: 4, as: UInt16.self)) << 32
        for a in exactAddresses where a == da { return true }
        guard da & 1 != 0 else { return rctl.contains(.UPE) ? false : nil }
        if da == 0xFFFF_FFFF_FFFF && rctl.contains(.BAM) { return true }
        if rctl.contains(.MPE) { return false }
        let b4 = UInt32(p.load(fromByteOffset: 4, as: UInt8.self)), b5 = UInt32(p.load(fromByteOffset: 5, as: UInt8.self))
        let hash: UInt32
        switch (rctl.rawValue & E1000RCTL.MO_MASK) >> E1000RCTL.MO_SHIFT {
        case 0: hash = b4 >> 4 | b5 << 4      // bits 47:36
        case 1: hash = b4 >> 3 | b5 << 5      // bits 46:35
        case 2: hash = b4 >> 2 | b5 << 6      // bits 45:34
        default: hash = b4 | b5 << 8          // bits 43:32
        }
        let h = hash & 0xFFF
        let word = regs[Int(E1000RegisterArray.MTA.base >> 2) + Int(h >> 5)]
        return word >> (h & 31) & 1 != 0 ? false : nil
    }

    /// VLAN filter (SDM §13.5.4 VFTA, RCTL.CFIEN/CFI).
    func vlanFilterPasses(_ tci: UInt16, _ rctl: E1000RCTL) -> Bool {
        if rctl.contains(.CFIEN) && (tci & 0x1000 != 0) != rctl.contains(.CFI) { return false }
        let vid = Int(tci & 0x0FFF)
        return regs[Int(E1000RegisterArray.VFTA.base >> 2) + vid >> 5] >> UInt32(vid & 31) & 1 != 0
    }

    /// Receive checksum offload (SDM §3.2.9, RXCSUM.IPOFLD/TUOFLD): IPCS/IPE for the IPv4 header,
    /// TCPCS (UDPCS for UDP on the 82574)/TCPE for TCP or UDP over unfragmented IPv4 (and IPv6
    /// without extension headers on the 82574); IXSM when nothing was checked. The headers are
    /// parsed by the NIC core's ``FrameHeaders`` with VET as the tag's TPID.
    func checksumOffload(_ p: UnsafeRawPointer, _ len: Int, l3: Int, status: inout E1000RxDescriptorLegacy.Status,
                         errors: inout E1000RxDescriptorLegacy.Errors, entry: inout E1000RxStatus) {
        let rxcsum = E1000RXCSUM(rawValue: reg(.RXCSUM))
        var checked = false
        let h = FrameHeaders.parse(p, len, vlanTPID: UInt16(truncatingIfNeeded: reg(.VET)))
        if h.etherType == EthernetFrame.etherTypeIPv4 && len >= l3 + 20 && h.ipVersion != 4 { status.insert(.IXSM); return }
        if h.ipVersion == 4 {
            entry.ipID = NetworkOrder.load16(p, l3 + 4)
            entry.ipIDValid = true
            if rxcsum.contains(.IPOFL) {
                checked = true
                status.insert(.IPCS)
                if !InternetChecksum.verifies(p + l3, h.l3Length) { errors.insert(.IPE) }
            }
        }
        let l4Allowed = h.ipVersion == 4 || (h.ipVersion == 6 && kind == .i82574L)
        if rxcsum.contains(.TUOFL), l4Allowed, let l4 = h.l4Offset {
            // A UDP checksum of zero means "none" over IPv4 (RFC 768).
            if !(h.isUDP && h.ipVersion == 4 && NetworkOrder.load16(p, l4 + 6) == 0) {
                checked = true
                status.insert(h.isUDP && kind == .i82574L ? .UDPCS : .TCPCS)
                if !InternetChecksum.verifies(p + l4, h.l4Length, initial: UInt32(h.pseudoHeaderSum)) { errors.insert(.TCPE) }
            }
        }
        if !checked { status.insert(.IXSM) }
    }
}
