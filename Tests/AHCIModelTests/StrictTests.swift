import Testing
@testable import AHCIModel
@testable import BoxlessPlatform

/// One test per strict-mode rule: the breach is reported once, citing its section; the model goes on.
@Suite struct StrictTests {
    /// Runs `breach` on a strict rig (after `setup`) and returns the rules it reported.
    func reported(bringUp: Bool = true, _ breach: (Rig) -> Void) -> [String] {
        let rig = Rig(strict: true)
        if bringUp { rig.bringUp() }
        #expect(rig.strictFindings.isEmpty, "bring-up itself must be clean")
        breach(rig)
        rig.settle()
        return rig.strictFindings.map { f in AHCIRule.allCases.first { f.rule == $0.id }?.rawValue ?? f.message }
    }

    @Test func aCleanDriverFlowHasNoFindings() {
        let rig = Rig(strict: true)
        rig.bringUp()
        rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 8), prds: [(Rig.dataBase, 4096, true)])
        rig.issue(0, 0)
        rig.prepare(0, 1, ncq(ATACommand.readFPDMAQueued, tag: 1, lba: 0, count: 8), prds: [(Rig.dataBase, 4096, false)])
        rig.settle()
        rig.issue(0, 1, ncq: true)
        rig.settle()
        rig.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.fre)
        rig.pw(0, PortRegister.cmd, PortCMD.sud)
        #expect(rig.m.log.findings.isEmpty)
    }

    @Test func aeNotSet() {
        let r = reported(bringUp: false) { $0.pw(0, PortRegister.interruptEnable, 1); $0.pw(0, PortRegister.interruptEnable, 1) }
        #expect(r == ["aeNotSet"])
    }

    @Test func startWhileRunning() {
        let r = reported { rig in
            rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)])
            rig.issue(0, 0)
            rig.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.fre)            // stop with a command outstanding
            rig.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.fre | PortCMD.st) // …and restart without waiting for CR
        }
        #expect(r == ["startWhileRunning"])
    }

    @Test func startWithoutFRE() {
        let r = reported(bringUp: false) { rig in
            rig.w(HostRegister.ghc, GHCBit.ae)
            rig.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.st)
        }
        #expect(r == ["startWithoutFRE"])
    }

    @Test func freWithoutFB() {
        let r = reported(bringUp: false) { rig in
            rig.w(HostRegister.ghc, GHCBit.ae)
            rig.pw(0, PortRegister.cmd, PortCMD.fre)
        }
        #expect(r == ["freWithoutFB"])
    }

    @Test func freClearedWhileRunning() {
        let r = reported { $0.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.st) }
        #expect(r == ["freClearedWhileRunning"])
    }

    @Test func clbWrittenWhileRunning() {
        let r = reported { $0.pw(0, PortRegister.clb, 0x4000) }
        #expect(r == ["clbWrittenWhileRunning"])
    }

    @Test func fbWrittenWhileRunning() {
        let r = reported { $0.pw(0, PortRegister.fb, 0x4000) }
        #expect(r == ["fbWrittenWhileRunning"])
    }

    @Test func clbMisaligned() {
        let r = reported(bringUp: false) { rig in
            rig.w(HostRegister.ghc, GHCBit.ae)
            rig.pw(0, PortRegister.clb, 0x200)
            #expect(rig.pr(0, PortRegister.clb) == 0)                    // bits 9:0 read only
        }
        #expect(r == ["clbMisaligned"])
    }

    @Test func fbMisaligned() {
        let r = reported(bringUp: false) { rig in
            rig.w(HostRegister.ghc, GHCBit.ae)
            rig.pw(0, PortRegister.fb, 0x480)
            #expect(rig.pr(0, PortRegister.fb) == 0x400)
        }
        #expect(r == ["fbMisaligned"])
    }

    @Test func ciWhileStopped() {
        let r = reported(bringUp: false) { rig in
            rig.w(HostRegister.ghc, GHCBit.ae)
            rig.pw(0, PortRegister.ci, 1)
            #expect(rig.pr(0, PortRegister.ci) == 0)
        }
        #expect(r == ["ciWhileStopped"])
    }

    @Test func sactWhileStopped() {
        let r = reported(bringUp: false) { rig in
            rig.w(HostRegister.ghc, GHCBit.ae)
            rig.pw(0, PortRegister.sact, 1)
        }
        #expect(r == ["sactWhileStopped"])
    }

    @Test func cloWhileRunning() {
        let r = reported { $0.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.fre | PortCMD.st | PortCMD.clo) }
        #expect(r == ["cloWhileRunning"])
    }

    @Test func sctlWhileRunning() {
        let r = reported { $0.pw(0, PortRegister.sctl, 1) }
        #expect(r == ["sctlWhileRunning"])
    }

    @Test func ctbaMisaligned() {
        let r = reported { rig in
            rig.prepare(0, 0, command(ATACommand.flushCacheExt))
            rig.store32(rig.clb(0) + 8, UInt32(truncatingIfNeeded: rig.bus(rig.table(0, 0))) + 0x40)
            rig.fill(rig.table(0, 0) + 0x40, command(ATACommand.flushCacheExt).encodedH2D())
            rig.issue(0, 0)
        }
        #expect(r == ["ctbaMisaligned"])
    }

    @Test func badCommandFIS() {
        let r = reported { rig in
            rig.prepare(0, 0, command(ATACommand.flushCacheExt))
            rig.store32(rig.clb(0), 2)                                    // CFL = 2
            rig.issue(0, 0)
            rig.settle()
            #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.ifs != 0)
        }
        #expect(r == ["badCommandFIS"])
    }

    @Test func prdOddByteCount() {
        let r = reported { rig in
            rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 1), prds: [(Rig.dataBase, 511, false), (Rig.dataBase + 512, 2, false)])
            rig.issue(0, 0)
        }
        #expect(r == ["prdOddByteCount"])
    }

    @Test func prdMisaligned() {
        let r = reported { rig in
            rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 1), prds: [(Rig.dataBase + 1, 512, false)])
            rig.issue(0, 0)
        }
        #expect(r == ["prdMisaligned"])
    }

    @Test func prdtTooShort() {
        let r = reported { rig in
            rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 1))  // PRDTL = 0 for a data command
            rig.issue(0, 0)
        }
        #expect(r == ["prdtTooShort"])
    }

    @Test func writeBitMismatch() {
        let r = reported { rig in
            rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)], write: true)
            rig.issue(0, 0)
        }
        #expect(r == ["writeBitMismatch"])
    }

    @Test func ncqWithoutSACT() {
        let r = reported { rig in
            rig.prepare(0, 2, ncq(ATACommand.readFPDMAQueued, tag: 2, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)])
            rig.issue(0, 2)
        }
        #expect(r == ["ncqWithoutSACT"])
    }

    @Test func ncqTagMismatch() {
        let r = reported { rig in
            rig.prepare(0, 2, ncq(ATACommand.readFPDMAQueued, tag: 5, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)])
            rig.issue(0, 2, ncq: true)
        }
        #expect(r == ["ncqTagMismatch"])
    }

    @Test func nonQueuedDuringNCQ() {
        let r = reported { rig in
            rig.prepare(0, 0, ncq(ATACommand.readFPDMAQueued, tag: 0, lba: 0, count: 8), prds: [(Rig.dataBase, 4096, false)])
            rig.issue(0, 0, ncq: true)
            rig.prepare(0, 1, command(ATACommand.flushCacheExt))
            rig.issue(0, 1)
            rig.settle()
            #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.tfes != 0)
        }
        #expect(r == ["nonQueuedDuringNCQ"])
    }

    @Test func everyRuleHasATest() {
        // 22 rules, each exercised above (keep this in step when adding one).
        #expect(AHCIRule.allCases.count == 22)
    }

    @Test func lenientModeReportsNothing() {
        let rig = Rig(strict: false)
        rig.pw(0, PortRegister.ci, 1)
        rig.pw(0, PortRegister.clb, 0x200)
        #expect(rig.strictFindings.isEmpty)
    }
}
