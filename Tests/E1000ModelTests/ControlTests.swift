import Testing
@testable import E1000Model
import BoxlessPlatform

@Suite struct ConfigSpaceTests {
    @Test func i82540EMIdentityBARsAndPowerManagement() {
        let rig = Rig(.i82540EM)
        let m = rig.m, a = Rig.slot
        #expect(m.configRead(a, offset: 0, width: .dword) == 0x100E_8086)
        #expect(m.configRead(a, offset: 8, width: .dword) >> 8 == 0x02_0000)
        #expect(m.configRead(a, offset: ConfigHeader.capabilitiesPointer, width: .byte) == 0xDC)
        #expect(m.configRead(a, offset: 0xDC, width: .byte) == UInt32(CapabilityID.powerManagement))
        #expect(m.configRead(a, offset: 0xDD, width: .byte) == 0)
        #expect(m.configRead(a, offset: ConfigHeader.interruptPin, width: .byte) == 1)
        #expect(rig.f.bar(0)?.size == 128 * 1024 && rig.f.bar(2)?.size == 8 && rig.f.bar(2)?.kind == .io)
        #expect(rig.f.timing == .pci33)
        #expect(rig.dev.name == "82540EM")
    }

    @Test func i82574LCapabilitiesAndExtendedCapabilities() {
        let rig = Rig(.i82574L)
        let m = rig.m, a = Rig.slot
        #expect(m.configRead(a, offset: 0, width: .dword) == 0x10D3_8086)
        var chain: [(Int, UInt32)] = []
        var p = Int(m.configRead(a, offset: ConfigHeader.capabilitiesPointer, width: .byte))
        while p != 0 { chain.append((p, m.configRead(a, offset: p, width: .byte))); p = Int(m.configRead(a, offset: p + 1, width: .byte)) }
        #expect(chain.map(\.0) == [0xC8, 0xD0, 0xE0, 0xA0])
        #expect(chain.map(\.1) == [0x01, 0x05, 0x10, 0x11])
        #expect(m.configRead(a, offset: 0x100, width: .dword) == 0x1401_0001)   // AER v1, next 0x140
        #expect(m.configRead(a, offset: 0x140, width: .dword) & 0xFFFF == 0x0003)
        #expect(m.configRead(a, offset: 0x144, width: .dword) == 0xFF12_3456)    // serial low: FF-FF inserted after the OUI
        #expect(m.configRead(a, offset: 0x148, width: .dword) == 0x5254_00FF)
        #expect(rig.f.msix?.tableSize == 5 && rig.f.msix?.tableBAR == 3 && rig.f.msix?.pbaOffset == 0x2000)
        #expect(rig.f.msi?.vectors == 1 && rig.f.msi?.is64Bit == true)
        let sizes: [UInt64?] = [0, 1, 2, 3].map { rig.f.bar($0)?.size }
        let expected: [UInt64?] = [131_072, 131_072, 32, 16_384]
        #expect(sizes == expected)
        #expect(rig.f.timing == .pcie1x1)
    }
}

@Suite struct EEPROMTests {
    func eerdWords(_ rig: Rig, _ chip: E1000Device.Chip) -> [UInt16] {
        (0..<64).map { (i: UInt32) -> UInt16 in
            let (shift, done): (UInt32, UInt32) = chip == .i82540EM ? (8, 1 << 4) : (2, 1 << 1)
            rig.w(R.EERD, i << shift | 1)
            #expect(rig.r(R.EERD) & done == 0)          // not done at once
            rig.run(.microseconds(30))
            let v = rig.r(R.EERD)
            #expect(v & done != 0)
            return UInt16(v >> 16)
        }
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func eerdReadsTheMACAndAValidChecksum(_ chip: E1000Device.Chip) {
        let rig = Rig(chip)
        let words = eerdWords(rig, chip)
        #expect(words[0] == 0x5452 && words[1] == 0x1200 && words[2] == 0x5634)
        #expect(words.reduce(UInt16(0), &+) == 0xBABA)
        // The MAC was loaded into RAL0/RAH0 with AV.
        #expect(rig.r(R.RAL0) == 0x1200_5452 && rig.r(R.RAH0) == 0x8000_5634)
    }

    /// Microwire bit-banging as an 8254x driver does it (SDM §5.3.1).
    @Test func microwireBitBangReadsEveryWord() {
        let rig = Rig(.i82540EM)
        let SK: UInt32 = 1, CS: UInt32 = 2, DI: UInt32 = 4, DO: UInt32 = 8, REQ: UInt32 = 1 << 6, GNT: UInt32 = 1 << 7
        rig.w(R.EECD, REQ)
        #expect(rig.r(R.EECD) & GNT != 0)
        #expect(rig.r(R.EECD) & (1 << 9) == 0)   // EE_SIZE: 64 words
        var eecd = REQ | CS
        func clockOut(_ bit: Bool) {
            eecd = bit ? eecd | DI : eecd & ~DI
            rig.w(R.EECD, eecd); rig.w(R.EECD, eecd | SK); rig.w(R.EECD, eecd)
        }
        var sum: UInt16 = 0
        for word in 0..<64 {
            rig.w(R.EECD, REQ); eecd = REQ | CS; rig.w(R.EECD, eecd)
            for b in [true, true, false] { clockOut(b) }                          // READ 110b
            for i in (0..<6).reversed() { clockOut(word >> i & 1 != 0) }
            #expect(rig.r(R.EECD) & DO == 0)                                       // dummy zero
            var v: UInt16 = 0
            for _ in 0..<16 {
                rig.w(R.EECD, eecd | SK)
                v = v << 1 | (rig.r(R.EECD) & DO != 0 ? 1 : 0)
                rig.w(R.EECD, eecd)
            }
            if word == 0 { #expect(v == 0x5452) }
            sum &+= v
        }
        #expect(sum == 0xBABA)
        rig.w(R.EECD, 0)
        #expect(rig.strictFindings.isEmpty)
    }

    /// SPI bit-banging on the 82574 (READ 03h, 16-bit byte address, bytes low first).
    @Test func spiBitBangReadsWords() {
        let rig = Rig(.i82574L)
        let SK: UInt32 = 1, CS: UInt32 = 2, DI: UInt32 = 4, DO: UInt32 = 8, REQ: UInt32 = 1 << 6
        var eecd = REQ | CS   // deselected (CS# high)
        rig.w(R.EECD, eecd)
        eecd = REQ; rig.w(R.EECD, eecd)   // select
        func out(_ v: UInt32, _ n: Int) {
            for i in (0..<n).reversed() {
                eecd = v >> UInt32(i) & 1 != 0 ? eecd | DI : eecd & ~DI
                rig.w(R.EECD, eecd); rig.w(R.EECD, eecd | SK); rig.w(R.EECD, eecd)
            }
        }
        out(0x03, 8); out(2 * 1, 16)   // word 1
        var words: [UInt16] = []
        for _ in 0..<2 {
            var v: UInt16 = 0
            for _ in 0..<16 { rig.w(R.EECD, eecd | SK); v = v << 1 | (rig.r(R.EECD) & DO != 0 ? 1 : 0); rig.w(R.EECD, eecd) }
            words.append(v.byteSwapped)
        }
        #expect(words == [0x1200, 0x5634])
    }
}

@Suite struct PHYAndLinkTests {
    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func mdicReadsPHYIdentifiersAfterTheMDIOTime(_ chip: E1000Device.Chip) {
        let rig = Rig(chip)
        rig.w(R.MDIC, 0x0800_0000 | 1 << 21 | 2 << 16)
        #expect(rig.r(R.MDIC) & (1 << 28) == 0)
        rig.run(.nanoseconds(25_599))
        #expect(rig.r(R.MDIC) & (1 << 28) == 0)
        rig.run(.nanoseconds(1))
        #expect(rig.r(R.MDIC) & (1 << 28) != 0)
        #expect(rig.r(R.MDIC) & 0xFFFF == 0x0141)
        #expect(rig.phyRead(3) == (chip == .i82540EM ? 0x0C20 : 0x0CB1))
        #expect(rig.phyRead(1) & 0x0024 == 0x0020)   // AN complete; LINK_STATUS latched low since power-on
        #expect(rig.phyRead(1) & 0x0024 == 0x0024)   // second read: link (IEEE 802.3 §22.2.4.2.13)
        #expect(rig.phyRead(17) == 0xAC00)           // 1000 FD resolved, link
        #expect(rig.phyRead(5) == 0xC5E1)
        #expect(rig.phyRead(10) & 0x0C00 == 0x0C00)
    }

    @Test func mdicInterruptAndWrongPHYAddress() {
        let rig = Rig(.i82540EM)
        rig.w(R.IMS, B.MDAC)
        _ = rig.r(R.ICR)
        rig.w(R.MDIC, 0x0800_0000 | 1 << 29 | 2 << 21 | 2 << 16)   // PHY address 2, I set
        rig.run(.microseconds(30))
        #expect(rig.r(R.MDIC) & (1 << 30 | 1 << 28) == (1 << 30 | 1 << 28))   // E and R
        #expect(rig.r(R.ICR) & B.MDAC != 0)
    }

    @Test func linkComesUpAfterAutoNegotiationWithLSC() {
        let rig = Rig(.i82540EM, autoneg: .milliseconds(500), linkUp: false)
        rig.w(R.IMS, B.LSC)
        rig.run(.nanoseconds(500_000_000 - 1) + .picoseconds(999))   // deadline − 1 ps
        #expect(rig.r(R.STATUS) & 2 == 0)
        #expect(rig.sink.lines.isEmpty)
        rig.run(.picoseconds(1))
        let status = rig.r(R.STATUS)
        #expect(status & 2 != 0 && status & 1 != 0 && status >> 6 & 3 == 2)   // LU, FD, 1000
        rig.run(.microseconds(1))
        #expect(rig.sink.lines.map(\.asserted) == [true])
        #expect(rig.r(R.ICR) == B.LSC)
        // BMCR restart: link drops (LSC) and returns after the negotiation time.
        rig.w(R.MDIC, 0x0400_0000 | 1 << 21 | 0 << 16 | 0x1340)
        rig.run(.microseconds(30))
        #expect(rig.r(R.STATUS) & 2 == 0)
        #expect(rig.r(R.ICR) & B.LSC != 0)
        rig.run(.milliseconds(500))
        #expect(rig.r(R.STATUS) & 2 != 0)
    }

    @Test func autoNegotiationTimeCanBeShortenedWhileRunning() {
        let rig = Rig(.i82574L, autoneg: .seconds(2), linkUp: false)
        rig.run(.milliseconds(1))
        rig.dev.autoNegotiationTime = .milliseconds(5)
        rig.run(.milliseconds(4))
        #expect(rig.r(R.STATUS) & 2 != 0)
    }

    @Test func carrierLossTakesTheLinkDown() {
        let rig = Rig(.i82540EM)
        rig.peerPort.setCarrier(false)
        #expect(rig.r(R.STATUS) & 2 == 0)
        rig.peerPort.setCarrier(true)
        rig.run(.microseconds(101))
        #expect(rig.r(R.STATUS) & 2 != 0)
    }
}

@Suite struct ResetTests {
    @Test func ctrlRSTRestoresDefaultsAndKeepsTheLink() {
        let rig = Rig(.i82540EM)
        rig.w(R.IMS, 0xFF); rig.w(R.RAL0, 0); rig.w(R.RCTL, B.UPE); rig.w(R.ICS, B.TXDW)
        _ = rig.r(R.TPR)
        rig.w(R.CTRL, 1 << 26)
        #expect(rig.r(R.CTRL) & (1 << 26) == 0)
        #expect(rig.r(R.IMS) == 0 && rig.r(R.ICR) == 0 && rig.r(R.RCTL) == 0)
        #expect(rig.r(R.RAL0) == 0x1200_5452)
        #expect(rig.r(R.PBA) == 0x0010_0030 && rig.r(R.VET) == 0x8100)
        #expect(rig.r(R.STATUS) & 2 != 0)
        #expect(rig.sink.lines.last?.asserted != true)
    }

    @Test func phyResetHoldsTheLinkDownUntilReleased() {
        let rig = Rig(.i82574L)
        rig.w(R.CTRL, 1 << 31)
        #expect(rig.r(R.STATUS) & 2 == 0)
        rig.run(.milliseconds(1))
        #expect(rig.r(R.STATUS) & 2 == 0)
        rig.w(R.CTRL, 0)
        rig.run(.microseconds(101))
        #expect(rig.r(R.STATUS) & 2 != 0)
    }

    @Test func ioWindowReachesTheRegisters() {
        let rig = Rig(.i82540EM)
        _ = rig.r(R.ICR)
        rig.m.ioWrite(rig.io, width: .dword, value: UInt64(R.RAL0))
        #expect(rig.m.ioRead(rig.io, width: .dword) == UInt64(R.RAL0))
        #expect(rig.m.ioRead(rig.io + 4, width: .dword) == 0x1200_5452)
        rig.m.ioWrite(rig.io, width: .dword, value: UInt64(R.ITR))
        rig.m.ioWrite(rig.io + 4, width: .dword, value: 651)
        #expect(rig.r(R.ITR) == 651)
        rig.m.ioWrite(rig.io, width: .dword, value: UInt64(R.ICS))
        rig.m.ioWrite(rig.io + 4, width: .dword, value: UInt64(B.TXDW))
        rig.m.ioWrite(rig.io, width: .dword, value: UInt64(R.ICR))
        #expect(rig.m.ioRead(rig.io + 4, width: .dword) == UInt64(B.TXDW))   // read-to-clear through IODATA
        #expect(rig.r(R.ICR) == 0)
        #expect(rig.findings.isEmpty)
    }

    @Test func statisticsAreReadToClearAndOctetPairsSplit() {
        let rig = Rig(.i82540EM)
        rig.setUpRx()
        for _ in 0..<3 { rig.inject(Frames.ethernet(0x0800, Frames.payload(100))) }
        #expect(rig.r(R.GPRC) == 3)
        #expect(rig.r(R.GPRC) == 0)
        #expect(rig.r(R.GORCL) == 3 * 118 && rig.r(R.GORCH) == 0)
        #expect(rig.r(R.GORCL) == 0)
        #expect(rig.dev.counters.first { $0.name == "GPRC" }?.value == 3)
        #expect(rig.dev.counters.first { $0.name == "GORC" }?.value == 354)
        #expect(rig.dev.registerCounters.first { $0.name == "GPRC" }?.value == 0)
    }
}
