import Testing
@testable import AHCIModel
@testable import BoxlessPlatform

@Suite struct ControllerTests {
    @Test func pciIdentityBARsAndCapabilities() {
        let rig = Rig()
        let a = Rig.slotAddress
        #expect(rig.m.configRead(a, offset: ConfigHeader.vendorID, width: .word) == 0x8086)
        #expect(rig.m.configRead(a, offset: ConfigHeader.deviceID, width: .word) == 0x2922)
        #expect(rig.m.configRead(a, offset: ConfigHeader.revisionID, width: .dword) >> 8 == 0x01_06_01)
        #expect(rig.m.configRead(a, offset: ConfigHeader.interruptPin, width: .byte) == 1)
        #expect(rig.f.bar(5)?.size == 8192 && rig.f.bar(5)?.kind == .memory32(prefetchable: false))
        #expect(rig.f.bar(4)?.size == 32 && rig.f.bar(4)?.kind == .io)
        // Capability list: MSI (0x80) → PM (0x70) → SATA (0xA8).
        var chain: [(Int, UInt32)] = []
        var off = Int(rig.m.configRead(a, offset: ConfigHeader.capabilitiesPointer, width: .byte))
        while off != 0 { chain.append((off, rig.m.configRead(a, offset: off, width: .byte))); off = Int(rig.m.configRead(a, offset: off + 1, width: .byte)) }
        #expect(chain.map(\.0) == [0x80, 0x70, 0xA8])
        #expect(chain.map(\.1) == [0x05, 0x01, 0x12])
        // MSI: 64-bit, one vector; SATACR1: BARLOC 8 (BAR4), BAROFST 4 DWORDs.
        #expect(rig.m.configRead(a, offset: 0x82, width: .word) & 0x80 != 0)
        #expect(rig.m.configRead(a, offset: 0x82, width: .word) >> 1 & 7 == 0)
        #expect(rig.m.configRead(a, offset: 0xAC, width: .dword) == 0x48)
        #expect(rig.m.configRead(a, offset: 0xA8, width: .dword) >> 16 == 0x0010)
    }

    @Test func hostCapabilitiesVersionAndPortsImplemented() {
        let rig = Rig(disks: [SATADisk(backend: MemoryBackend(sectors: 64)), nil, SATADisk(backend: MemoryBackend(sectors: 64))])
        let cap = rig.r(HostRegister.cap)
        #expect(cap & CAPBit.s64a != 0 && cap & CAPBit.sncq != 0 && cap & CAPBit.sss != 0 && cap & CAPBit.sclo != 0 && cap & CAPBit.ssntf != 0)
        #expect(cap >> 8 & 0x1F == 31)          // NCS: 32 slots
        #expect(cap & 0x1F == 2)                // NP: 3 ports
        #expect(cap >> 20 & 0xF == 3)           // ISS: Gen3
        #expect(rig.r(HostRegister.pi) == 0b111)
        #expect(rig.r(HostRegister.vs) == 0x0001_0301)
        #expect(rig.r(HostRegister.cap2) == CAP2Bit.boh)
        // HwInit registers ignore writes; VS is read-only (a finding).
        rig.w(HostRegister.cap, 0)
        #expect(rig.r(HostRegister.cap) == cap)
    }

    @Test func ghcAEAndIEAndHBAResetSelfClears() {
        let rig = Rig()
        #expect(rig.r(HostRegister.ghc) == 0)
        rig.w(HostRegister.ghc, GHCBit.ae | GHCBit.ie)
        #expect(rig.r(HostRegister.ghc) == GHCBit.ae | GHCBit.ie)
        rig.bringUp()
        #expect(rig.pr(0, PortRegister.ssts) & 0xF == 3)
        rig.w(HostRegister.ghc, GHCBit.ae | GHCBit.hr)
        #expect(rig.r(HostRegister.ghc) & GHCBit.hr != 0)
        rig.run(AHCIController.hbaResetTime)
        #expect(rig.r(HostRegister.ghc) == 0)                      // HR self-cleared, AE/IE reset
        #expect(rig.pr(0, PortRegister.cmd) & (PortCMD.st | PortCMD.fre | PortCMD.sud) == 0)
        #expect(rig.pr(0, PortRegister.ssts) == 0)                 // SSS: link down until spin-up
        #expect(rig.pr(0, PortRegister.tfd) == 0x7F && rig.pr(0, PortRegister.sig) == 0xFFFF_FFFF)
        #expect(rig.pr(0, PortRegister.clbu) == 1)                // PxCLB/PxFB survive
    }

    @Test func biosHandoffPassesOwnershipAtOnce() {
        let rig = Rig()
        rig.w(HostRegister.bohc, BOHCBit.oos)
        #expect(rig.r(HostRegister.bohc) == BOHCBit.oos | BOHCBit.ooc)
        rig.w(HostRegister.bohc, BOHCBit.oos | BOHCBit.ooc)
        #expect(rig.r(HostRegister.bohc) == BOHCBit.oos)
    }

    @Test func spinUpBringsTheLinkUpWithTheATASignature() {
        let rig = Rig()
        rig.w(HostRegister.ghc, GHCBit.ae)
        #expect(rig.pr(0, PortRegister.ssts) == 0)
        #expect(rig.pr(0, PortRegister.cmd) & PortCMD.pod != 0)
        rig.pw(0, PortRegister.cmd, PortCMD.sud)
        rig.run(.picoseconds(AHCIController.linkUpTime.rawValue - 1000))
        #expect(rig.pr(0, PortRegister.ssts) == 0)
        rig.run(.nanoseconds(1))
        #expect(rig.pr(0, PortRegister.ssts) == 0x133)             // IPM active, Gen3, DET 3
        #expect(rig.pr(0, PortRegister.tfd) == 0x80)               // BSY until the signature
        #expect(rig.pr(0, PortRegister.serr) == SError.diagPhyRdyChange | SError.diagExchanged)
        #expect(rig.pr(0, PortRegister.interruptStatus) == PortIRQ.pcs | PortIRQ.prcs)
        rig.run(DiskProfile.ssd.resetReadyTime)
        #expect(rig.pr(0, PortRegister.sig) == 0x101)
        #expect(rig.pr(0, PortRegister.tfd) == 0x150)
        rig.pw(0, PortRegister.serr, 0xFFFF_FFFF)
        #expect(rig.pr(0, PortRegister.interruptStatus) == 0)
    }

    @Test func comresetThroughSCTLAndSpeedLimits() {
        let slow = SATADisk(backend: MemoryBackend(sectors: 64))
        slow.linkSpeed = .gen2
        let rig = Rig(disks: [SATADisk(backend: MemoryBackend(sectors: 64)), slow, nil])
        rig.w(HostRegister.ghc, GHCBit.ae)
        for p in 0..<3 { rig.pw(p, PortRegister.cmd, PortCMD.sud) }
        rig.run(.microseconds(200))
        #expect(rig.pr(0, PortRegister.ssts) == 0x133)
        #expect(rig.pr(1, PortRegister.ssts) == 0x123)             // the disk's Gen2 limit
        #expect(rig.pr(2, PortRegister.ssts) == 0)                 // empty port: no device
        // COMRESET with SPD limited to Gen1.
        rig.pw(0, PortRegister.sctl, 0x11)
        #expect(rig.pr(0, PortRegister.ssts) == 0 && rig.pr(0, PortRegister.tfd) == 0x7F)
        rig.run(.milliseconds(1))
        #expect(rig.pr(0, PortRegister.ssts) == 0)                 // held in reset while DET = 1
        rig.pw(0, PortRegister.sctl, 0x10)
        rig.run(.microseconds(200))
        #expect(rig.pr(0, PortRegister.ssts) == 0x113)
        #expect(rig.pr(0, PortRegister.sig) == 0x101 && rig.pr(0, PortRegister.tfd) == 0x150)
        // DET = 4: offline.
        rig.pw(0, PortRegister.sctl, 0x4)
        #expect(rig.pr(0, PortRegister.ssts) == 4)
    }

    @Test func bar4IndexDataPairReachesABAR() {
        let rig = Rig()
        rig.m.ioWrite(rig.io + ICH9.indexRegister, width: .dword, value: HostRegister.vs)
        #expect(rig.m.ioRead(rig.io + ICH9.indexRegister, width: .dword) == HostRegister.vs)
        #expect(rig.m.ioRead(rig.io + ICH9.dataRegister, width: .dword) == 0x0001_0301)
        rig.m.ioWrite(rig.io + ICH9.indexRegister, width: .dword, value: HostRegister.ghc)
        rig.m.ioWrite(rig.io + ICH9.dataRegister, width: .dword, value: UInt64(GHCBit.ae))
        #expect(rig.r(HostRegister.ghc) == GHCBit.ae)
        // Port registers too: P0CMD.
        rig.m.ioWrite(rig.io + ICH9.indexRegister, width: .dword, value: 0x118)
        #expect(rig.m.ioRead(rig.io + ICH9.dataRegister, width: .dword) == UInt64(PortCMD.pod))
    }

    @Test func subDwordAccessesReadAndMergeRegisters() {
        let rig = Rig()
        #expect(rig.m.mmioRead(rig.abar + HostRegister.vs + 2, width: .word) == 1)
        #expect(rig.m.mmioRead(rig.abar + HostRegister.vs, width: .byte) == 1)
        rig.w(HostRegister.ghc, GHCBit.ae)
        rig.m.mmioWrite(rig.abar + 0x100 + PortRegister.interruptEnable, width: .byte, value: 0x01)
        rig.m.mmioWrite(rig.abar + 0x100 + PortRegister.interruptEnable + 3, width: .byte, value: 0x40)
        #expect(rig.pr(0, PortRegister.interruptEnable) == 0x4000_0001)
        #expect(rig.m.mmioRead(rig.abar + HostRegister.cap, width: .qword) == UInt64(rig.r(0)) | UInt64(rig.r(4)) << 32)
    }

    @Test func unimplementedPortsAreOutOfRange() {
        let rig = Rig()
        _ = rig.r(0x180)
        #expect(rig.m.log.findings.map(\.code) == [.accessOutOfRange])
    }
}
