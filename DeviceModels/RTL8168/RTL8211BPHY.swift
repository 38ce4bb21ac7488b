/// The RTL8211B-class gigabit PHY inside the RTL8111C/8168C, reached through PHYAR (IEEE 802.3
/// clause 22 registers 0–15; Realtek vendor registers 16–30 and the page select at 31).
///
/// Page 0 holds the standard registers and the vendor registers; pages 1–7 are vendor pages whose
/// registers 0–30 are plain storage here. Linux r8169's `rtl8168c_3_hw_phy_config` (used for
/// RTL_GIGA_MAC_VER_22) writes, in order: page 1 regs 0x12 = 2300h and 0x1d = 3d98h; page 2 regs
/// 0x0c = 7eb8h and 0x06 = 5461h; page 3 reg 0x16 = 0f0ah; back to page 0 and sets bit 0 of 0x16,
/// bit 5 of 0x14 and bit 5 of 0x0d. These are analog/DSP tuning values with no modelled effect: the
/// model accepts and stores them (they read back). Linux's Realtek PHY driver (RTL8211B) also uses
/// 0x12/0x13 (INER/INSR) and 0x0e (MMD data, bit 9 on suspend), stored likewise.
///
/// Auto-negotiation against a partner that advertises everything (10/100/1000, full and half) is
/// resolved by the MAC model (``RTL8168Device``) with its timing; this type holds the register state.
///
/// To be rebuilt on NICCore's `MIIPHY` with a `PHYVendorExtension` when that lands (see the report).
struct RTL8211BPHY {
    /// Clause 22 register numbers.
    enum Reg {
        static let BMCR = 0, BMSR = 1, PHYID1 = 2, PHYID2 = 3, ANAR = 4, ANLPAR = 5, ANER = 6
        static let GBCR = 9, GBSR = 10, GBESR = 15
        /// PHYSR (page 0 reg 0x11): PHY-specific status.
        static let PHYSR = 0x11
        /// Page select.
        static let PAGSR = 0x1F
    }
    /// BMCR bits (IEEE 802.3 §22.2.4.1).
    enum BMCR {
        static let reset: UInt16 = 1 << 15, loopback: UInt16 = 1 << 14, speed100: UInt16 = 1 << 13
        static let anEnable: UInt16 = 1 << 12, powerDown: UInt16 = 1 << 11, isolate: UInt16 = 1 << 10
        static let restartAN: UInt16 = 1 << 9, fullDuplex: UInt16 = 1 << 8, speed1000: UInt16 = 1 << 6
    }
    /// BMSR bits (§22.2.4.2).
    enum BMSR {
        /// 100BASE-TX FD/HD, 10BASE-T FD/HD, extended status, preamble suppression, AN ability, extended capability.
        static let capabilities: UInt16 = 0x7949
        static let anComplete: UInt16 = 1 << 5
        static let linkStatus: UInt16 = 1 << 2
    }

    let identifier: UInt32
    /// Page 0 registers 0–30.
    var page0 = [UInt16](repeating: 0, count: 31)
    /// Vendor pages 1–7, registers 0–30.
    var vendorPages = [[UInt16]](repeating: [UInt16](repeating: 0, count: 31), count: 7)
    /// PAGSR.
    var page: UInt16 = 0
    /// BMSR link status latched low since the last read (§22.2.4.2.13).
    var linkLatchedDown = true
    /// The link as negotiated.
    var linkUp = false
    var speed = 0
    var fullDuplex = false

    init(identifier: UInt32) {
        self.identifier = identifier
        powerOn()
    }

    /// Defaults: AN enabled, advertising 10/100/1000 full and half.
    mutating func powerOn() {
        page0 = [UInt16](repeating: 0, count: 31)
        page0[Reg.BMCR] = BMCR.anEnable | BMCR.fullDuplex | BMCR.speed1000
        page0[Reg.ANAR] = 0x01E1          // selector 802.3, 10/100 FD/HD
        page0[Reg.GBCR] = 0x0300          // 1000BASE-T FD/HD
        vendorPages = [[UInt16]](repeating: [UInt16](repeating: 0, count: 31), count: 7)
        page = 0
        linkUp = false; linkLatchedDown = true; speed = 0; fullDuplex = false
    }

    /// BMCR.Reset: registers to defaults (the page select too); the bit reads 0 once done.
    mutating func softReset() {
        let anar = page0[Reg.ANAR], gbcr = page0[Reg.GBCR]
        powerOn()
        page0[Reg.ANAR] = anar; page0[Reg.GBCR] = gbcr   // advertisement survives a soft reset (802.3 §22.2.4.1.1 allows either)
    }

    /// Reads register `r` of the current page; `read` is false for a side-effect-free peek.
    mutating func read(_ r: Int, latch: Bool = true) -> UInt16 {
        if r == Reg.PAGSR { return page }
        if page != 0 { return page <= 7 ? vendorPages[Int(page) - 1][r] : 0 }
        switch r {
        case Reg.BMSR:
            var v = BMSR.capabilities
            if linkUp && !linkLatchedDown { v |= BMSR.linkStatus }
            if linkUp { v |= BMSR.anComplete }
            if latch { linkLatchedDown = false }
            return v
        case Reg.PHYID1: return UInt16(identifier >> 16)
        case Reg.PHYID2: return UInt16(identifier & 0xFFFF)
        case Reg.ANLPAR: return linkUp ? 0x45E1 : 0          // ack, pause, 10/100 FD/HD
        case Reg.ANER: return linkUp ? 0x0001 : 0            // link partner AN able
        case Reg.GBSR: return linkUp ? 0x3C00 : 0            // local/remote receiver OK, partner 1000 FD/HD
        case Reg.GBESR: return 0x3000                        // 1000BASE-T FD/HD capable
        case Reg.PHYSR: return physr
        default: return page0[r]
        }
    }

    /// PHYSR (RTL8211B): speed 15:14 (10b = 1000), duplex 13, resolved 11, link 10.
    var physr: UInt16 {
        guard linkUp else { return 0 }
        let s: UInt16 = speed == 1000 ? 2 : speed == 100 ? 1 : 0
        return s << 14 | (fullDuplex ? 1 << 13 : 0) | 1 << 11 | 1 << 10
    }

    /// What a write asks the MAC model to do next.
    enum Effect { case none, reset, restartNegotiation, powerDown }

    /// Writes register `r` of the current page.
    mutating func write(_ r: Int, _ v: UInt16) -> Effect {
        if r == Reg.PAGSR { page = v & 0x7; return .none }
        if page != 0 { vendorPages[Int(page) - 1][r] = v; return .none }
        switch r {
        case Reg.BMCR:
            if v & BMCR.reset != 0 { softReset(); return .reset }
            let was = page0[Reg.BMCR]
            page0[Reg.BMCR] = v & ~BMCR.restartAN
            if v & BMCR.powerDown != 0 { return .powerDown }
            if v & BMCR.restartAN != 0 || (was & BMCR.powerDown != 0) || (was ^ v) & BMCR.anEnable != 0 { return .restartNegotiation }
            return .none
        case Reg.BMSR, Reg.PHYID1, Reg.PHYID2, Reg.ANLPAR, Reg.ANER, Reg.GBSR, Reg.GBESR, Reg.PHYSR:
            return .none                                     // read-only
        default:
            page0[r] = v
            return .none
        }
    }

    /// Whether the PHY is powered down (BMCR.PowerDown).
    var poweredDown: Bool { page0[Reg.BMCR] & BMCR.powerDown != 0 }

    /// The best mode both ends advertise (the partner advertises everything): 1000 FD/HD from GBCR,
    /// else 100/10 from ANAR; with AN disabled, BMCR's forced speed and duplex.
    var resolved: (speed: Int, full: Bool)? {
        let bmcr = page0[Reg.BMCR]
        if bmcr & BMCR.anEnable == 0 {
            let s = bmcr & BMCR.speed1000 != 0 ? 1000 : bmcr & BMCR.speed100 != 0 ? 100 : 10
            return (s, bmcr & BMCR.fullDuplex != 0)
        }
        let gb = page0[Reg.GBCR], an = page0[Reg.ANAR]
        if gb & 0x0200 != 0 { return (1000, true) }
        if gb & 0x0100 != 0 { return (1000, false) }
        if an & 0x0100 != 0 { return (100, true) }
        if an & 0x0080 != 0 { return (100, false) }
        if an & 0x0040 != 0 { return (10, true) }
        if an & 0x0020 != 0 { return (10, false) }
        return nil
    }
}
