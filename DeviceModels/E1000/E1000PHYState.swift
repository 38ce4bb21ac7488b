import NICCore

/// Registers 16–31 of the Marvell 88E1011-style PHY behind the 82540EM and 82574L (SDM §11,
/// M88-style vendor registers 16–21, 29–30): PHY specific control (MDI/MDI-X auto crossover at
/// reset), the PHY specific status the model computes from the link, and the read-only interrupt
/// status and receive-error counter.
struct M88VendorRegisters: PHYVendorRegisters {
    var regs = [UInt16](repeating: 0, count: 16)

    mutating func reset() {
        for i in 0..<16 { regs[i] = 0 }
        regs[Int(E1000PHYRegister.PHY_SPEC_CTRL.rawValue) - 16] = 0x0060   // MDI/MDI-X auto crossover
    }

    mutating func read(_ reg: UInt8, phy: MIIPHYState) -> UInt16? {
        guard reg >= 16 else { return nil }
        switch E1000PHYRegister(rawValue: UInt32(reg)) {
        case .PHY_SPEC_STATUS?:
            guard phy.linkUp else { return 0 }
            let (speed, full) = phy.resolved(gigabit: true)
            var v = E1000PHYSpecificStatus.LINK.rawValue | E1000PHYSpecificStatus.SPEED_DUPLEX_RESOLVED.rawValue
            v |= UInt16(E1000LinkSpeed(speed).rawValue) << E1000PHYSpecificStatus.SPEED_SHIFT
            if full { v |= E1000PHYSpecificStatus.FULL_DUPLEX.rawValue }
            return v
        case .PHY_INT_STATUS?, .PHY_RX_ERR_CNTR?: return 0
        default: return regs[Int(reg) - 16]
        }
    }

    mutating func write(_ reg: UInt8, _ value: UInt16, phy: MIIPHYState) -> Bool {
        guard reg >= 16 else { return false }
        switch E1000PHYRegister(rawValue: UInt32(reg)) {
        case .PHY_SPEC_STATUS?, .PHY_INT_STATUS?, .PHY_RX_ERR_CNTR?: return true   // read-only
        default: regs[Int(reg) - 16] = value; return true
        }
    }
}

/// The integrated copper PHY (IEEE 802.3 clause 22 on the NIC core's ``MIIPHY``), reached through
/// MDIC at PHY address 1. Link and auto-negotiation state are driven by the device
/// (`E1000Device+Link.swift`).
struct E1000PHYState {
    var core: MIIPHY<M88VendorRegisters>

    init(chip: E1000Chip) {
        core = MIIPHY(identity: PHYIdentity(
            id1: E1000PHYIdentity.id1, id2: E1000PHYIdentity.id2(for: chip),
            capabilities: E1000PHYStatus.copperCapabilities.rawValue,
            extendedStatus: E1000PHYIdentity.modelledExtendedStatus,
            controlDefault: E1000PHYIdentity.modelledControl,
            advertisementDefault: E1000PHYAbility.defaultAdvertisement.rawValue,
            gigabitControlDefault: E1000PHY1000TControl.ADV_1000_FD.rawValue | E1000PHY1000TControl.ADV_1000_HD.rawValue),
            vendor: M88VendorRegisters())
    }

    /// Register defaults after power-on or a hardware PHY reset.
    mutating func powerOn() { core.powerOn() }
    var control: E1000PHYControl { E1000PHYControl(rawValue: core.control) }
    var linkUp: Bool { core.state.linkUp }
    var anComplete: Bool { core.state.anComplete }

    /// The resolved (speed, full duplex) of the link.
    var resolved: (E1000LinkSpeed, Bool) {
        let (speed, full) = core.resolved
        return (E1000LinkSpeed(speed), full)
    }

    /// A register read through MDIC.
    mutating func read(_ reg: UInt32) -> UInt16 { core.read(UInt8(reg & 31)) }

    /// A register write through MDIC.
    mutating func write(_ reg: UInt32, _ value: UInt16) -> MIIPHY<M88VendorRegisters>.Effect {
        core.write(UInt8(reg & 31), value)
    }
}

extension E1000LinkSpeed {
    /// The STATUS/PHY-status encoding of a resolved speed.
    init(_ speed: LinkSpeed) {
        switch speed {
        case .mbps10: self = .mbps10
        case .mbps100: self = .mbps100
        case .mbps1000: self = .mbps1000
        }
    }
}
