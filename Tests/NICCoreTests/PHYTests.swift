import NICCore
import Testing

struct NoVendor: PHYVendorRegisters {
    mutating func reset() {}
    mutating func read(_ reg: UInt8, phy: MIIPHYState) -> UInt16? { nil }
    mutating func write(_ reg: UInt8, _ value: UInt16, phy: MIIPHYState) -> Bool { false }
}

@Suite("NIC core: MII PHY")
struct PHYTests {
    static let gigabit = PHYIdentity(id1: 0x001C, id2: 0xC912, capabilities: 0x7949, extendedStatus: 0x3000,
                                     controlDefault: 0x1140, advertisementDefault: 0x01E1, gigabitControlDefault: 0x0300)

    @Test func linkLatchesLowUntilRead() {
        var phy = MIIPHY(identity: Self.gigabit, vendor: NoVendor())
        #expect(phy.read(MIIRegister.BMSR) & BMSR.LSTATUS == 0)
        phy.linkEstablished()
        #expect(phy.read(MIIRegister.BMSR) & BMSR.LSTATUS != 0)
        #expect(phy.read(MIIRegister.BMSR) & BMSR.ANEGCOMPLETE != 0)
        phy.linkLost()
        phy.linkEstablished()
        #expect(phy.read(MIIRegister.BMSR) & BMSR.LSTATUS == 0)   // latched low by the loss
        #expect(phy.read(MIIRegister.BMSR) & BMSR.LSTATUS != 0)
    }

    @Test func resetSelfClearsAndRenegotiates() {
        var phy = MIIPHY(identity: Self.gigabit, vendor: NoVendor())
        #expect(phy.write(MIIRegister.BMCR, 0x1140 | BMCR.RESET) == .restartNegotiation)
        #expect(phy.read(MIIRegister.BMCR) & BMCR.RESET == 0)
        #expect(phy.write(MIIRegister.BMCR, 0x1140 | BMCR.PDOWN) == .powerDown)
        #expect(phy.write(MIIRegister.BMCR, 0x1140) == .restartNegotiation)   // power back up
        #expect(phy.write(MIIRegister.PHYID1, 0) == .none && phy.read(MIIRegister.PHYID1) == 0x001C)
    }

    @Test func resolvesBestCommonMode() {
        var phy = MIIPHY(identity: Self.gigabit, vendor: NoVendor())
        #expect(phy.resolved == (.mbps1000, true))
        _ = phy.write(MIIRegister.GBCR, 0)
        #expect(phy.resolved == (.mbps100, true))
        _ = phy.write(MIIRegister.ANAR, MIIAbility.SELECTOR_802_3 | MIIAbility.T10_HD)
        #expect(phy.resolved == (.mbps10, false))
        _ = phy.write(MIIRegister.BMCR, BMCR.SPEED_LSB | BMCR.FULLDPLX)   // forced 100/full
        #expect(phy.resolved == (.mbps100, true))
        let fast = PHYIdentity(id1: 0, id2: 0, capabilities: 0x7809, extendedStatus: 0, controlDefault: 0x3100,
                               advertisementDefault: 0x01E1, gigabitControlDefault: 0)
        #expect(MIIPHY(identity: fast, vendor: NoVendor()).resolved == (.mbps100, true))
    }
}
