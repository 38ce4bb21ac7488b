import Testing
@testable import E1000Model
import BoxlessPlatform

@Suite struct InterruptTests {
    @Test func icsImsImcAndReadToClearDriveTheINTxLevel() {
        let rig = Rig(.i82540EM)
        _ = rig.r(R.ICR)
        rig.w(R.ICS, B.TXDW)
        rig.settle()
        #expect(rig.sink.lines.isEmpty)                  // masked
        rig.w(R.IMS, B.TXDW | B.RXT0)
        #expect(rig.r(R.IMS) == B.TXDW | B.RXT0)
        rig.settle()
        #expect(rig.sink.lines.map(\.asserted) == [true])
        #expect(rig.f.intxPinAsserted)
        rig.w(R.IMC, B.TXDW)
        rig.settle()
        #expect(rig.sink.lines.map(\.asserted) == [true, false])
        rig.w(R.IMS, B.TXDW)
        rig.settle()
        #expect(rig.sink.lines.map(\.asserted) == [true, false, true])
        #expect(rig.r(R.ICR) == B.TXDW)                  // read clears and deasserts
        #expect(rig.r(R.ICR) == 0)
        rig.settle()
        #expect(rig.sink.lines.last?.asserted == false)
        // ICR bits are also write-1-to-clear.
        rig.w(R.ICS, B.RXT0 | B.TXQE)
        rig.w(R.ICR, B.RXT0)
        #expect(rig.r(R.ICR) == B.TXQE)
    }

    @Test func itrSpacesInterruptAssertions() {
        let rig = Rig(.i82540EM)
        _ = rig.r(R.ICR)
        rig.w(R.ITR, 1000)                               // 256 µs
        rig.w(R.IMS, B.TXDW)
        rig.w(R.ICS, B.TXDW)
        let t0 = rig.m.now
        rig.run(.microseconds(10))
        _ = rig.r(R.ICR)
        rig.w(R.ICS, B.TXDW)
        rig.run(.microseconds(300))
        let ups = rig.sink.lines.filter(\.asserted).map { $0.time - t0 }
        let latency = rig.m.configuration.interruptLatency
        #expect(ups == [latency, .nanoseconds(256_000) + latency])
    }

    @Test func msiOn82574SendsOneMessagePerAssertion() {
        let rig = Rig(.i82574L)
        _ = rig.r(R.ICR)
        let msi = rig.f.msi!
        rig.m.configWrite(Rig.slot, offset: msi.addressLow, width: .dword, value: 0xFEE0_0000)
        rig.m.configWrite(Rig.slot, offset: msi.data, width: .word, value: 0x41)
        rig.m.configWrite(Rig.slot, offset: msi.control, width: .word, value: 1)
        rig.w(R.IMS, B.TXDW)
        rig.w(R.ICS, B.TXDW)
        rig.w(R.ICS, B.TXDW)
        rig.settle()
        #expect(rig.sink.messages.map(\.data) == [0x41])
        _ = rig.r(R.ICR)
        rig.w(R.ICS, B.TXDW)
        rig.settle()
        #expect(rig.sink.messages.map(\.data) == [0x41, 0x41])
        #expect(rig.sink.lines.isEmpty)
    }

    /// MSI-X with Linux e1000e's 82574 set-up: RXQ0 → vector 0, TXQ0 → 1, Other → 2; EIAC auto-clears.
    @Test func msixRoutesCausesThroughIVARAndAutoClears() {
        let rig = Rig(.i82574L)
        let ring = rig.setUpRx()
        _ = ring
        enableMSIX(rig)
        let ivar: UInt32 = (0 | 8) | (1 | 8) << 8 | (2 | 8) << 16
        rig.w(R.IVAR, ivar)
        rig.w(R.EIAC, 0x01F0_0000)
        rig.w(R.IMS, 1 << 20 | 1 << 22 | 1 << 24 | B.LSC)
        _ = rig.r(R.ICR)
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60)))
        rig.settle()
        #expect(rig.sink.messages.map(\.data) == [0x60])
        #expect(rig.r(R.ICS) & (1 << 20) == 0)           // RXQ0 auto-cleared
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60)))
        rig.settle()
        #expect(rig.sink.messages.map(\.data) == [0x60, 0x60])
        // Link change goes to the Other vector; its cause stays readable in ICR.
        rig.w(R.MDIC, 0x0400_0000 | 1 << 21 | 0 << 16 | 0x1340)
        rig.run(.microseconds(30))
        #expect(rig.sink.messages.map(\.data).last == 0x62)
        rig.run(.microseconds(200))                      // link back up: Other again
        #expect(rig.sink.messages.map(\.data).suffix(2) == [0x62, 0x62])
        #expect(rig.r(R.ICS) & B.LSC != 0)
        // An ICR read clears in MSI-X mode too (what Linux's e1000e Other handler relies on).
        _ = rig.r(R.ICR)
        #expect(rig.r(R.ICS) & B.LSC == 0)
        // EITR throttles a vector: a second Rx interrupt within 256 × 256 ns waits.
        rig.w(R.EITR0, 256)
        let before = rig.sink.messages.count
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60)))
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(60)))
        #expect(rig.sink.messages.count == before + 1)
        rig.run(.microseconds(70))
        #expect(rig.sink.messages.count == before + 2)
        #expect(rig.findings.filter { $0.code != .accessWriteOnly }.isEmpty)
    }

    @Test func iameAutoMasksOnICRRead() {
        let rig = Rig(.i82574L)
        _ = rig.r(R.ICR)
        rig.w(R.CTRL_EXT, 1 << 27)
        rig.w(R.IAM, B.TXDW)
        rig.w(R.IMS, B.TXDW | B.RXT0)
        rig.w(R.ICS, B.TXDW)
        let v = rig.r(R.ICR)
        #expect(v == B.TXDW | 1 << 31)                   // INT_ASSERTED
        #expect(rig.r(R.IMS) == B.RXT0)
    }

    /// Regression (found by the Linux host): Linux's e1000e in MSI-X mode (IAME clear, EIAME set,
    /// IAM all ones) handles the Other vector by reading ICR and re-enabling IMS. The read must
    /// consume LSC, or re-enabling fires the Other vector again, forever.
    @Test func otherVectorHandlerOfLinuxDoesNotStorm() {
        let rig = Rig(.i82574L)
        enableMSIX(rig)
        rig.w(R.IVAR, (0 | 8) | (1 | 8) << 8 | (2 | 8) << 16 | 1 << 31)
        rig.w(R.IAM, 0xFFFF_FFFF)
        rig.w(R.CTRL_EXT, 1 << 24 | 1 << 31)             // EIAME, PBA_CLR; IAME clear
        rig.w(R.EIAC, 1 << 20 | 1 << 22)
        let otherEnable: UInt32 = 1 << 24 | B.LSC
        rig.w(R.IMS, 1 << 20 | 1 << 22 | otherEnable)
        rig.w(R.ICS, B.LSC)                              // what e1000e does to start its watchdog
        rig.run(.microseconds(10))
        #expect(rig.sink.messages.map(\.data) == [0x62])
        for _ in 0..<3 {                                  // the handler, as often as it might run
            let icr = rig.r(R.ICR)
            #expect(icr & B.LSC != 0 || rig.sink.messages.count == 1)
            rig.w(R.IMS, otherEnable)
            rig.run(.microseconds(10))
        }
        #expect(rig.sink.messages.map(\.data) == [0x62])
        #expect(rig.r(R.ICS) & B.LSC == 0)
    }

    /// Programs the five MSI-X vectors (data 0x60 + vector, unmasked) and enables MSI-X.
    func enableMSIX(_ rig: Rig) {
        let tableBase = rig.f.barBase(3)
        for v in 0..<5 {
            rig.m.mmioWrite(tableBase + UInt64(v) * 16, width: .dword, value: 0xFEE0_0000)
            rig.m.mmioWrite(tableBase + UInt64(v) * 16 + 8, width: .dword, value: UInt64(0x60 + v))
            rig.m.mmioWrite(tableBase + UInt64(v) * 16 + 12, width: .dword, value: 0)
        }
        rig.m.configWrite(Rig.slot, offset: rig.f.msix!.control, width: .word, value: UInt32(MSIXCapabilityLayout.controlEnable))
    }
}
