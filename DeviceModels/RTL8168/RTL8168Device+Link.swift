import BoxlessPlatform

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
                let value = self.phy.read(reg)
                self.setLE32(Int(RTL8168Register.PHYAR.rawValue), RTL8168PHYAR.Flag | UInt32(reg) << RTL8168PHYAR.regShift | UInt32(value))
            }
        }
    }

    private func phyWrite(_ reg: Int, _ value: UInt16) {
        switch phy.write(reg, value) {
        case .none: break
        case .reset, .restartNegotiation: setLink(up: false); startNegotiation()
        case .powerDown: setLink(up: false); cancelNegotiation()
        }
    }

    /// PHYstatus (PHYSR) from the negotiated link.
    var phyStatus: UInt8 {
        guard phy.linkUp else { return 0 }
        var v = RTL8168PHYstatus.LinkStatus
        switch phy.speed {
        case 1000: v |= RTL8168PHYstatus._1000bpsF
        case 100: v |= RTL8168PHYstatus._100bps
        default: v |= RTL8168PHYstatus._10bps
        }
        if phy.fullDuplex { v |= RTL8168PHYstatus.FullDup | RTL8168PHYstatus.TxFlowCtrl | RTL8168PHYstatus.RxFlowCtrl }
        return v
    }

    func cancelNegotiation() {
        if let e = negotiationEvent { function.cancel(e); negotiationEvent = nil }
    }

    /// Starts auto-negotiation; the link comes up after ``autoNegotiationTime`` if the partner has
    /// carrier and the PHY is powered.
    func startNegotiation() {
        cancelNegotiation()
        guard carrier, !phy.poweredDown else { return }
        negotiationEvent = function.schedule(after: autoNegotiationTime) { [unowned(unsafe) self] in
            self.negotiationEvent = nil
            self.setLink(up: true)
        }
    }

    /// Link up or down: PHY registers, PHYstatus and ISR.LinkChg.
    func setLink(up: Bool) {
        guard up != phy.linkUp else { return }
        if up, let r = phy.resolved {
            phy.linkUp = true; phy.speed = r.speed; phy.fullDuplex = r.full
        } else {
            phy.linkUp = false; phy.speed = 0; phy.fullDuplex = false
            phy.linkLatchedDown = true
        }
        function.note(phy.linkUp ? "link up \(phy.speed)/\(phy.fullDuplex ? "full" : "half")" : "link down")
        raise(RTL8168Interrupt.LinkChg)
    }
}
