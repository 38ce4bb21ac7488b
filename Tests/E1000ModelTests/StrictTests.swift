import Testing
@testable import E1000Model
import BoxlessPlatform

/// One test per strict-mode rule, plus a clean bring-up that must produce none.
@Suite struct StrictTests {
    func strictRig(_ chip: E1000Device.Chip = .i82540EM) -> Rig { Rig(chip, strict: true) }

    func expectOne(_ rig: Rig, _ fragment: String, reference: String) {
        let s = rig.findings.filter { $0.code == .strict }
        #expect(s.count == 1, "\(s)")
        #expect(s.first?.message.contains(fragment) == true, "\(s)")
        #expect(s.first?.reference?.contains(reference) == true, "\(s)")
        // Typed: the finding names its rule, and the rule's own summary and section are the message's.
        let rule = s.first.flatMap { f in E1000Rule.allCases.first { $0.id == f.rule } }
        #expect(rule != nil && s.first?.message.hasPrefix(rule!.summary) == true && s.first?.reference == rule?.reference, "\(s)")
    }

    @Test func cleanBringUpHasNoFindings() {
        let rig = strictRig(.i82574L)
        let ring = rig.setUpRx()
        let tx = rig.setUpTx()
        rig.inject(Frames.ethernet(0x88B5, Frames.payload(100)))
        let f = Frames.ethernet(0x88B5, Frames.payload(100))
        tx.put(0, rig.buffer(f), Tx.legacy(f.count, cmd: Tx.EOP | Tx.IFCS | Tx.RS))
        rig.w(R.TDT, 1)
        rig.settle()
        #expect(ring.status(0) & 1 == 1 && rig.peer.frames.count == 1)
        #expect(rig.findings.isEmpty, "\(rig.findings)")
    }

    @Test func ringLengthNotAMultipleOf128() {
        let rig = strictRig()
        rig.w(R.RDLEN, 100)
        expectOne(rig, "RDLEN = 100", reference: "§13.4.27")
    }

    @Test func ringBaseNotAligned() {
        let rig = strictRig()
        rig.w(R.TDBAL, 0x1008)
        expectOne(rig, "TDBAL = 0x1008", reference: "§13.4.36")
    }

    @Test func tailOutsideTheRing() {
        let rig = strictRig()
        rig.setUpRx(count: 8)
        rig.w(R.RDT, 8)
        expectOne(rig, "RDT = 8", reference: "§13.4.29")
    }

    @Test func receiverEnabledBeforeTheRing() {
        let rig = strictRig()
        rig.w(R.RCTL, B.EN)
        expectOne(rig, "RCTL.EN set before", reference: "§14.4")
    }

    @Test func transmitterEnabledBeforeTheRing() {
        let rig = strictRig()
        rig.w(R.TCTL, B.EN)
        expectOne(rig, "TCTL.EN set before", reference: "§14.5")
    }

    @Test func reservedRCTLBits() {
        let rig = strictRig()
        rig.w(R.RCTL, 1 << 14)
        expectOne(rig, "RCTL written with reserved bits set: 0x4000", reference: "§13.4.22")
    }

    @Test func reservedTCTLBits() {
        let rig = strictRig()
        rig.w(R.TCTL, 1)
        expectOne(rig, "TCTL written with reserved bits set: 0x1", reference: "Table 13-76")
    }

    @Test func invalidBufferSizeCombination() {
        let rig = strictRig()
        rig.w(R.RCTL, B.BSEX)
        expectOne(rig, "BSEX = 1 with BSIZE = 00b", reference: "BSIZE/BSEX")
    }

    @Test func reservedRDMTS() {
        let rig = strictRig()
        rig.w(R.RCTL, 3 << 8)
        expectOne(rig, "RDMTS = 11b", reference: "RDMTS")
    }

    @Test func ringRegisterWrittenWhileEnabled() {
        let rig = strictRig()
        let ring = rig.setUpRx()
        rig.w(R.RDBAL, UInt32(truncatingIfNeeded: ring.base))
        expectOne(rig, "(RCTL.EN) is enabled: RDBAL", reference: "§13.4.25")
    }

    /// Regression (found by the Linux host): Linux's e1000e enables the 82574's receiver before the
    /// ring exists and programs the ring with RCTL.EN set (FLAG2_NO_DISABLE_RX). With no descriptor
    /// handed to hardware that is harmless, and not a finding; with descriptors owned by hardware it is.
    @Test func receiverEnabledWhileProgrammingAnEmpty82574Ring() {
        let rig = strictRig(.i82574L)
        rig.w(R.RCTL, B.BAM | B.SECRC | B.EN)             // enabled, no ring yet
        let ring = rig.setUpRx(tail: 0)                  // RDH = RDT = 0: nothing owned by hardware
        rig.w(R.RDBAL, UInt32(truncatingIfNeeded: ring.base))
        #expect(rig.strictFindings.isEmpty)
        rig.w(R.RDT, 4)                                  // four descriptors handed over
        rig.w(R.RDLEN, 8 * 16)
        expectOne(rig, "(RCTL.EN) is enabled: RDLEN", reference: "§13.4.25")
    }

    @Test func transmitDescriptorWithoutABuffer() {
        let rig = strictRig()
        let tx = rig.setUpTx()
        tx.put(0, 0, Tx.legacy(60, cmd: Tx.EOP | Tx.IFCS))
        rig.w(R.TDT, 1)
        rig.settle()
        #expect(rig.findings.first { $0.code == .strict }?.rule == E1000Rule.txNullBuffer.id)
        #expect(rig.strictFindings.first?.contains("descriptor 0") == true)
        #expect(rig.findings.contains { $0.code == .dmaUnmapped })   // and the DMA itself failed, without a crash
        #expect(rig.peer.frames.isEmpty)
    }

    @Test func eepromPinsWithoutTheGrant() {
        let rig = strictRig()
        rig.w(R.EECD, 2)
        expectOne(rig, "without EECD.EE_REQ", reference: "§5.3.1")
    }

    @Test func mdicWhileBusy() {
        let rig = strictRig()
        rig.w(R.MDIC, 0x0800_0000 | 1 << 21 | 2 << 16)
        rig.w(R.MDIC, 0x0800_0000 | 1 << 21 | 3 << 16)
        expectOne(rig, "MDIC written", reference: "§13.4.7")
    }

    @Test func vlanInsertionWithoutVME() {
        let rig = strictRig()
        let tx = rig.setUpTx()
        let f = Frames.ethernet(0x88B5, Frames.payload(60))
        tx.put(0, rig.buffer(f), Tx.legacy(f.count, cmd: Tx.EOP | Tx.IFCS | Tx.VLE, special: 5))
        rig.w(R.TDT, 1)
        rig.settle()
        expectOne(rig, "VLE", reference: "Table 3-10")
        #expect(rig.peer.frames == [f])
    }

    @Test func reservedInterruptMaskBits() {
        let rig = strictRig()
        rig.w(R.IMS, 1 << 20)
        expectOne(rig, "reserved cause bits: IMS bits 0x100000", reference: "Table 13-63")
    }

    @Test func segmentationWithAnUnusableContext() {
        let rig = strictRig(.i82574L)
        let tx = rig.setUpTx()
        let f = Frames.ethernet(0x0800, Frames.ipv4(6, Frames.tcp(payload: Frames.payload(100))))
        let (cl, ch) = Tx.context(ipcss: 14, ipcso: 24, ipcse: 33, tucss: 34, tucso: 50, paylen: 100, tucmd: 0x3 | Tx.TSE, hdrlen: 54, mss: 0)
        tx.put(0, cl, ch)
        tx.put(1, rig.buffer(f), Tx.data(f.count, dcmd: Tx.TSE | Tx.EOP | Tx.IFCS, popts: 3))
        rig.w(R.TDT, 2)
        rig.settle()
        expectOne(rig, "unusable context", reference: "§3.5")
        #expect(rig.r(R.TSCTFC) == 1 && rig.peer.frames.isEmpty)
    }

    @Test func receiveDescriptorFetchFailureStopsTheRingAndDropsAreCounted() {
        let rig = Rig(.i82540EM)
        rig.w(R.RDBAL, 0xDEAD_0000); rig.w(R.RDLEN, 128); rig.w(R.RDH, 0); rig.w(R.RDT, 7)
        rig.w(R.RCTL, B.EN | B.UPE | B.SECRC)
        rig.w(R.PBA, 0x0010_0002)
        for _ in 0..<4 { rig.inject(Frames.ethernet(0x88B5, Frames.payload(1000))) }
        #expect(rig.findings.contains { $0.code == .dmaUnmapped })
        #expect(rig.r(R.MPC) == 3)
        #expect(rig.r(R.RDH) == 0)
    }
}
