import BoxlessPlatform
import NICCore

// PHY access through PHYAR (RTL8111C DS §7 "PHY Access Register"), auto-negotiation, link status
// (PHYstatus) and the LinkChg interrupt.

extension RTL8168Device {
    /// PHYAR: Flag = 1 writes Data to RegAddr (Flag clears when done); Flag = 0 reads RegAddr
    /// (Flag sets and Data holds the value when done). One MDIO frame takes ``RTL8168ModelTiming/mdio``.
    func phyAccess(_ v: UInt32) {
        if phyBusy { breach(.phyAccessWhileBusy, "PHYAR = 0x\(String(v, radix: 16))") }
        phyBusy = true
        let reg = Int(v >> RTL8168PHYAR.regShift & RTL8168PHYAR.regMask)
        let write = v & RTL8168PHYAR.Flag != 0
        let data = UInt16(truncatingIfNeeded: v)
        function.schedule(after: RTL8168ModelTiming.mdio) { [unowned(unsafe) self] in
            self.phyBusy = false
            if write {
                self.phyWrite(reg, data)
                self.setLE32(Int(RTL8168Register.PHYAR.rawValue), v & ~RTL8168PHYAR.Flag)
            } else {
                let value = self.phy.read(UInt8(reg))
                self.setLE32(Int(RTL8168Register.PHYAR.rawValue), RTL8168PHYAR.Flag | UInt32(reg) << RTL8168PHYAR.regShift | UInt32(value))
            }
        }
    }

    /// A PHY register write. BMCR.Reset on page 0 returns every register to its default (IEEE 802.3
    /// §22.2.4.1.1; the vendor pages and PAGSR too), then the PHY negotiates again.
    private func phyWrite(_ reg: Int, _ value: UInt16) {
        if reg == Int(MIIRegister.BMCR), phy.vendor.page == 0, value & BMCR.RESET != 0 {
            phy.powerOn()
            setLink(up: false); startNegotiation()
            return
        }
        switch phy.write(UInt8(reg), value) {
        case .none: break
        case .restartNegotiation: setLink(up: false); startNegotiation()
        case .powerDown: setLink(up: false); cancelNegotiation()
        }
    }

    /// PHYstatus (PHYSR) from the negotiated link.
    var phyStatus: UInt8 {
        guard phy.state.linkUp else { return 0 }
        var v = RTL8168PHYstatus.LinkStatus
        let (speed, full) = phy.resolved
        switch speed {
        case .mbps1000: v |= RTL8168PHYstatus._1000bpsF
        case .mbps100: v |= RTL8168PHYstatus._100bps
        case .mbps10: v |= RTL8168PHYstatus._10bps
        }
        if full { v |= RTL8168PHYstatus.FullDup | RTL8168PHYstatus.TxFlowCtrl | RTL8168PHYstatus.RxFlowCtrl }
        return v
    }

    func cancelNegotiation() {
        if let e = negotiationEvent { function.cancel(e); negotiationEvent = nil }
    }

    /// Starts auto-negotiation; the link comes up after ``autoNegotiationTime`` if the partner has
    /// carrier, the PHY is powered and no fault makes negotiation fail.
    func startNegotiation() {
        cancelNegotiation()
        guard effectiveCarrier, !negotiationFailing, !phy.poweredDown else { return }
        negotiationEvent = function.schedule(after: autoNegotiationTime) { [unowned(unsafe) self] in
            self.negotiationEvent = nil
            self.setLink(up: true)
        }
    }

    /// Link up or down: PHY registers, PHYstatus and ISR.LinkChg.
    func setLink(up: Bool) {
        guard up != phy.state.linkUp else { return }
        if up { phy.linkEstablished() } else { phy.linkLost() }
        if up {
            let (speed, full) = phy.resolved
            function.note("link up \(speed.rawValue)/\(full ? "full" : "half")")
        } else {
            function.note("link down")
        }
        raise(RTL8168Interrupt.LinkChg)
    }
}
