import Testing
@testable import BoxlessPlatform

@Suite struct DMATests {
    func setUp() -> (Machine, PCIFunction, UnsafeMutableRawPointer, PhysicalAddress) {
        let (m, _, f) = machineWith { _ in }
        let (phys, p) = m.memory.allocate(size: 8192)
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: UInt32(ConfigHeader.commandBusMaster))
        return (m, f, p, phys)
    }

    @Test func mappedTransfersMoveBytesBothWays() {
        let (m, f, p, phys) = setUp()
        f.iommu.map(BusAddress(0x10_0000_0000), length: 8192, physical: phys, pointer: p, direction: .bidirectional, at: m.now, label: "t")
        #expect(f.dmaStore(BusAddress(0x10_0000_0FFE), UInt32(0xAABB_CCDD)) == .ok)   // crosses a page
        #expect(f.dmaLoad(BusAddress(0x10_0000_0FFE), as: UInt32.self) == (0xAABB_CCDD, .ok))
        #expect(p.load(fromByteOffset: 0xFFE, as: UInt16.self) == 0xCCDD)
        #expect(m.log.findings.isEmpty)
    }

    @Test func unmappedAddressIsAFindingAndAnIOMMUFault() {
        let (m, f, _, _) = setUp()
        let (v, st) = f.dmaLoad(BusAddress(0xDEAD_0000), as: UInt32.self)
        #expect(st == .iommuFault && v == 0xFFFF_FFFF)
        #expect(m.findingCodes() == [.dmaUnmapped])
        #expect(m.log.findings[0].device == slot3)
    }

    @Test func wrongDirectionIsAFinding() {
        let (m, f, p, phys) = setUp()
        f.iommu.map(BusAddress(0x10_0000_0000), length: 4096, physical: phys, pointer: p, direction: .toDevice, at: m.now, label: "tx")
        #expect(f.dmaStore(BusAddress(0x10_0000_0000), UInt8(1)) == .iommuFault)
        #expect(p.load(as: UInt8.self) == 0)             // memory untouched
        #expect(f.dmaLoad(BusAddress(0x10_0000_0000), as: UInt8.self).1 == .ok)
        #expect(m.findingCodes() == [.dmaDirection])
    }

    @Test func accessAfterUnmapNamesTheMappingHistory() {
        let (m, f, p, phys) = setUp()
        f.iommu.map(BusAddress(0x10_0000_0000), length: 4096, physical: phys, pointer: p, direction: .fromDevice, at: m.now, label: "rx buffer")
        m.scheduler.advance(by: .nanoseconds(1500))
        f.iommu.unmap(BusAddress(0x10_0000_0000), at: m.now)
        m.scheduler.advance(by: .nanoseconds(500))
        #expect(f.dmaStore(BusAddress(0x10_0000_0010), UInt32(7)) == .iommuFault)
        #expect(m.findingCodes() == [.dmaAfterUnmap])
        let msg = m.log.findings[0].message
        #expect(msg.contains("rx buffer") && msg.contains("mapped at t=0ns") && msg.contains("unmapped at t=1500ns"))
        #expect(m.log.findings[0].time == VirtualTime(picoseconds: 2_000_000))
    }

    @Test func pastTheEndOfAMappingIsAFindingEvenInsideItsPage() {
        let (m, f, p, phys) = setUp()
        f.iommu.map(BusAddress(0x10_0000_0000), length: 100, physical: phys, pointer: p, direction: .bidirectional, at: m.now, label: "small")
        var buf = [UInt8](repeating: 0, count: 8)
        let st = buf.withUnsafeMutableBytes { f.dmaRead(BusAddress(0x10_0000_0000 + 96), into: $0) }
        #expect(st == .iommuFault)
        #expect(m.findingCodes() == [.dmaUnmapped])
    }

    @Test func busMasterOffIsAMasterAbort() {
        let (m, f, p, phys) = setUp()
        f.iommu.map(BusAddress(0x10_0000_0000), length: 4096, physical: phys, pointer: p, direction: .bidirectional, at: m.now, label: "x")
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: 0)
        #expect(f.dmaStore(BusAddress(0x10_0000_0000), UInt8(1)) == .masterAbort)
        #expect(m.findingCodes() == [.dmaBusMasterOff])
        #expect(m.cfg16(slot3, ConfigHeader.status) & ConfigHeader.statusReceivedMasterAbort != 0)
    }
}
