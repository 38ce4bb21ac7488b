import NativeDriverKit

/// The RTL8211B PHY over PHYAR (DS §7 "PHY Access Register"), and link state from PHYstatus.
extension RTL8168Driver {
    /// Reads PHY register `reg`: PHYAR with Flag = 0, then wait for Flag = 1 (r8169 r8169_mdio_read:
    /// 25 µs × 20).
    func phyRead(_ reg: Int) throws(DriverError) -> UInt16 {
        regs.write32(Reg.PHYAR, UInt32(reg & 0x1F) << PHYAR.regShift)
        let regs = self.regs
        guard context.wait(until: { regs.read32(Reg.PHYAR) & PHYAR.Flag != 0 }, timeout: .microseconds(500), interval: .microseconds(25)) else {
            throw .timeout("PHYAR read of PHY register \(reg)")
        }
        return UInt16(truncatingIfNeeded: regs.read32(Reg.PHYAR))
    }

    /// Writes PHY register `reg`: PHYAR with Flag = 1, then wait for Flag = 0, then 20 µs (r8169).
    func phyWrite(_ reg: Int, _ value: UInt16) throws(DriverError) {
        regs.write32(Reg.PHYAR, PHYAR.Flag | UInt32(reg & 0x1F) << PHYAR.regShift | UInt32(value))
        let regs = self.regs
        guard context.wait(until: { regs.read32(Reg.PHYAR) & PHYAR.Flag == 0 }, timeout: .microseconds(500), interval: .microseconds(25)) else {
            throw .timeout("PHYAR write of PHY register \(reg)")
        }
        context.delay(.microseconds(20))
    }

    /// Sets `bits` in PHY register `reg` (read-modify-write).
    private func phySet(_ reg: Int, _ bits: UInt16) throws(DriverError) { try phyWrite(reg, try phyRead(reg) | bits) }

    /// Identifies the PHY, applies the RTL8168C vendor-page settings r8169 writes for this revision
    /// (r8169 rtl8168c_3_hw_phy_config; analog tuning values, FACTS.md), then advertises 10/100/1000
    /// and restarts auto-negotiation (IEEE 802.3 §22.2.4).
    func setUpPHY() throws(DriverError) {
        try phyWrite(MII.PAGSR, 0)
        phyIdentifier = UInt32(try phyRead(MII.PHYID1)) << 16 | UInt32(try phyRead(MII.PHYID2))
        guard phyIdentifier & 0xFFFF_FFF0 == 0x001C_C910 else {
            throw .unsupportedDevice("PHY ID \(hex(phyIdentifier)) is not an RTL8211B")
        }
        let vendor: [(Int, UInt16)] = [(0x1F, 0x0001), (0x12, 0x2300), (0x1D, 0x3D98), (0x1F, 0x0002), (0x0C, 0x7EB8),
                                       (0x06, 0x5461), (0x1F, 0x0003), (0x16, 0x0F0A), (0x1F, 0x0000)]
        for (r, v) in vendor { try phyWrite(r, v) }
        try phySet(0x16, 1 << 0)
        try phySet(0x14, 1 << 5)
        try phySet(0x0D, 1 << 5)
        try phyWrite(MII.PAGSR, 0)
        try phyWrite(MII.ANAR, MII.ANAR_ALL)
        try phyWrite(MII.GBCR, MII.GBCR_1000)
        try phyWrite(MII.BMCR, MII.BMCR_ANENABLE | MII.BMCR_ANRESTART)
    }

    /// Link state from PHYstatus (DS §7 PHYSR).
    func readLinkState() -> LinkState {
        let s = regs.read8(Reg.PHYstatus)
        guard s & PHYstatus.LinkStatus != 0 else { return .down }
        let speed = s & PHYstatus._1000bpsF != 0 ? 1000 : s & PHYstatus._100bps != 0 ? 100 : 10
        return LinkState(up: true, speedMbps: speed, fullDuplex: s & PHYstatus.FullDup != 0)
    }

    /// After LinkChg: re-read the state and tell the client if it changed.
    func checkLink() {
        guard !removed else { return }
        let now = readLinkState()
        guard now != linkState else { return }
        linkState = now
        context.log(.info, "link \(now)")
        if isOpen { client?.linkChanged(now) }
    }
}
