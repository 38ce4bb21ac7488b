import Testing
@testable import AHCIModel
@testable import BoxlessPlatform

@Suite struct CommandTests {
    /// ATA string from IDENTIFY words (first character in each word's high byte).
    func ataString(_ rig: Rig, _ off: UInt64, words: Int) -> String {
        var s = ""
        for i in 0..<words {
            s.append(Character(UnicodeScalar(rig.load8(off + UInt64(2 * i) + 1))))
            s.append(Character(UnicodeScalar(rig.load8(off + UInt64(2 * i)))))
        }
        return s
    }

    @Test func identifyDeviceData() {
        let disk = SATADisk(backend: MemoryBackend(sectors: 0x1_2345_6789), model: "Boxless Test Disk", serial: "SN42", firmware: "FW7")
        let rig = Rig(disks: [disk])
        rig.bringUp()
        let buf = Rig.dataBase
        rig.prepare(0, 0, command(ATACommand.identifyDevice), prds: [(buf, 512, false)])
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.pr(0, PortRegister.ci) == 0)
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.pss != 0)
        #expect(rig.pr(0, PortRegister.tfd) == 0x50)
        #expect(rig.prdbc(0, 0) == 512)
        #expect(rig.load8(rig.fb(0) + ReceivedFIS.pioSetup) == FISType.pioSetup)
        func word(_ n: Int) -> UInt16 { UInt16(rig.load8(buf + UInt64(2 * n))) | UInt16(rig.load8(buf + UInt64(2 * n + 1))) << 8 }
        #expect(ataString(rig, buf + 54, words: 20) == "Boxless Test Disk".padding(toLength: 40, withPad: " ", startingAt: 0))
        #expect(ataString(rig, buf + 20, words: 10) == "SN42".padding(toLength: 20, withPad: " ", startingAt: 0))
        #expect(ataString(rig, buf + 46, words: 4) == "FW7     ")
        #expect(word(0) & 0x8000 == 0)
        #expect(UInt32(word(60)) | UInt32(word(61)) << 16 == 0x0FFF_FFFF)          // capped at 28 bits
        #expect((0..<4).reduce(UInt64(0)) { $0 | UInt64(word(100 + $1)) << (16 * UInt64($1)) } == 0x1_2345_6789)
        #expect(word(75) == 31)
        #expect(word(76) & 0x10E == 0x10E)                                          // NCQ, Gen1–3
        #expect(word(82) & 0x20 != 0 && word(85) & 0x20 != 0)                      // write cache supported, enabled
        #expect(word(83) & 0x2400 == 0x2400 && word(86) & 0x2400 == 0x2400)        // 48-bit, FLUSH CACHE EXT
        #expect(word(84) & 0x20 != 0)                                               // GPL
        #expect(word(106) == 0x4000)
        #expect(word(217) == 1)                                                     // SSD: non-rotating
        #expect(word(255) & 0xFF == 0xA5)
        #expect(rig.bytes(buf, 512).reduce(UInt8(0), &+) == 0)                    // checksum
    }

    @Test func readAndWriteDMAExtThroughSeveralPRDs() throws {
        let rig = Rig()
        rig.bringUp()
        let data = pattern(1, bytes: 8 * 512)
        let src = Rig.dataBase
        rig.fill(src, Array(data[0..<1024])); rig.fill(src + 0x10000, Array(data[1024..<1536])); rig.fill(src + 0x20000, Array(data[1536...]))
        rig.prepare(0, 3, rw(ATACommand.writeDMAExt, lba: 1000, count: 8),
                    prds: [(src, 1024, false), (src + 0x10000, 512, false), (src + 0x20000, 2560, true)], write: true)
        rig.issue(0, 3)
        #expect(rig.pr(0, PortRegister.ci) == 1 << 3)
        #expect(rig.pr(0, PortRegister.tfd) & 0x80 != 0)                           // BSY while it runs
        rig.settle()
        #expect(rig.pr(0, PortRegister.ci) == 0)
        #expect(rig.pr(0, PortRegister.interruptStatus) == PortIRQ.dhrs | PortIRQ.dps)
        #expect(rig.prdbc(0, 3) == 4096)
        #expect(rig.load8(rig.fb(0) + ReceivedFIS.d2hRegister) == FISType.registerD2H)
        #expect(rig.load8(rig.fb(0) + ReceivedFIS.d2hRegister + 1) & FISType.interruptBit != 0)
        #expect(try rig.disks[0]!.contents(lba: 1000, count: 8) == data)
        // Read it back through a different split.
        let dst = Rig.dataBase + 0x80000
        rig.prepare(0, 4, rw(ATACommand.readDMAExt, lba: 1000, count: 8),
                    prds: [(dst, 512, false), (dst + 0x1000, 3072, false), (dst + 0x2000, 512, false)])
        rig.pw(0, PortRegister.interruptStatus, 0xFFFF_FFFF)
        rig.issue(0, 4)
        rig.settle()
        #expect(rig.bytes(dst, 512) + rig.bytes(dst + 0x1000, 3072) + rig.bytes(dst + 0x2000, 512) == data)
        #expect(rig.m.log.findings.isEmpty)
    }

    @Test func ncqWithThirtyTwoTagsCompletesThroughSetDeviceBits() {
        let rig = Rig()
        rig.bringUp()
        for slot in 0..<32 {
            let buf = Rig.dataBase + UInt64(slot) * 0x1000
            rig.fill(buf, pattern(UInt64(100 + slot), bytes: 4096))
            rig.prepare(0, slot, ncq(ATACommand.writeFPDMAQueued, tag: slot, lba: UInt64(slot) * 64, count: 8), prds: [(buf, 4096, false)], write: true)
        }
        rig.pw(0, PortRegister.sact, 0xFFFF_FFFF)
        rig.pw(0, PortRegister.ci, 0xFFFF_FFFF)
        #expect(rig.pr(0, PortRegister.ci) == 0)                                   // all accepted at once
        #expect(rig.pr(0, PortRegister.sact) == 0xFFFF_FFFF)
        rig.run(.microseconds(30))
        let midway = rig.pr(0, PortRegister.sact)
        #expect(midway != 0 && midway != 0xFFFF_FFFF)                             // completing over time
        rig.settle()
        #expect(rig.pr(0, PortRegister.sact) == 0)
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.sdbs != 0)
        #expect(rig.load8(rig.fb(0) + ReceivedFIS.setDeviceBits) == FISType.setDeviceBits)
        #expect(rig.load8(rig.fb(0) + ReceivedFIS.dmaSetup) == FISType.dmaSetup)
        // Read all back with NCQ.
        for slot in 0..<32 {
            rig.prepare(0, slot, ncq(ATACommand.readFPDMAQueued, tag: slot, lba: UInt64(slot) * 64, count: 8),
                        prds: [(Rig.dataBase + 0x100000 + UInt64(slot) * 0x1000, 4096, false)])
            rig.issue(0, slot, ncq: true)
        }
        rig.settle()
        #expect(rig.pr(0, PortRegister.sact) == 0)
        for slot in 0..<32 { #expect(rig.bytes(Rig.dataBase + 0x100000 + UInt64(slot) * 0x1000, 4096) == pattern(UInt64(100 + slot), bytes: 4096)) }
        #expect(rig.m.log.findings.isEmpty)
    }

    /// Writes `count` sectors of `data` at `lba` with WRITE DMA EXT in slot 0 and waits.
    func write(_ rig: Rig, lba: UInt64, _ data: [UInt8]) {
        rig.fill(Rig.dataBase, data)
        rig.prepare(0, 0, rw(ATACommand.writeDMAExt, lba: lba, count: data.count / 512), prds: [(Rig.dataBase, data.count, false)], write: true)
        rig.issue(0, 0)
        rig.settle()
    }

    func nonData(_ rig: Rig, _ tf: TaskFile) {
        rig.prepare(0, 1, tf)
        rig.issue(0, 1)
        rig.settle()
    }

    @Test func flushMakesWritesDurableAndPowerLossDropsTheRest() throws {
        let disk = SATADisk(backend: MemoryBackend(sectors: 4096))
        let rig = Rig(disks: [disk])
        rig.bringUp()
        let a = pattern(1, bytes: 1024), b = pattern(2, bytes: 512)
        write(rig, lba: 10, a)
        #expect(disk.acknowledgedButUnflushed == [10..<12])
        #expect(disk.unflushedWrites.map(\.range) == [10..<12])
        nonData(rig, command(ATACommand.flushCacheExt))
        #expect(rig.pr(0, PortRegister.tfd) == 0x50 && disk.statistics.flushes == 1)
        #expect(disk.acknowledgedButUnflushed.isEmpty)
        write(rig, lba: 11, b)                                   // overwrites the second sector, not flushed
        #expect(disk.acknowledgedButUnflushed == [11..<12])
        #expect(try disk.contents(lba: 10, count: 2) == Array(a[0..<512]) + b)
        disk.powerLoss()
        #expect(disk.lastPowerLoss?.lostRanges == [11..<12])
        #expect(disk.lastPowerLoss?.lostWrites.count == 1)
        #expect(try disk.contents(lba: 10, count: 2) == a)       // flushed data kept, unflushed lost
    }

    @Test func writeCacheOffMakesEveryWriteDurable() throws {
        let disk = SATADisk(backend: MemoryBackend(sectors: 4096))
        let rig = Rig(disks: [disk])
        rig.bringUp()
        nonData(rig, command(ATACommand.setFeatures, features: UInt16(SetFeaturesCode.disableWriteCache)))
        #expect(!disk.writeCacheEnabled)
        let a = pattern(3, bytes: 2048)
        write(rig, lba: 7, a)
        #expect(disk.acknowledgedButUnflushed.isEmpty)
        #expect(try disk.durableContents(lba: 7, count: 4) == a)
        disk.powerLoss()
        #expect(try disk.contents(lba: 7, count: 4) == a)
        // Enabling it again.
        nonData(rig, command(ATACommand.setFeatures, features: UInt16(SetFeaturesCode.enableWriteCache)))
        #expect(disk.writeCacheEnabled)
    }

    @Test func readPastCapacityIsIDNFAndHaltsThePort() {
        let rig = Rig(disks: [SATADisk(backend: MemoryBackend(sectors: 100))])
        rig.bringUp()
        rig.prepare(0, 2, rw(ATACommand.readDMAExt, lba: 99, count: 2), prds: [(Rig.dataBase, 1024, false)])
        rig.issue(0, 2)
        rig.settle()
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.tfes != 0)
        #expect(rig.pr(0, PortRegister.tfd) == UInt32(ATAError.idnf) << 8 | 0x51)
        #expect(rig.pr(0, PortRegister.ci) == 1 << 2)                             // stays set for software
        #expect(rig.pr(0, PortRegister.cmd) >> 8 & 0x1F == 2)                     // CCS names the slot
        // Halted: a new command waits until recovery.
        rig.prepare(0, 3, rw(ATACommand.readDMAExt, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)])
        rig.issue(0, 3)
        rig.settle()
        #expect(rig.pr(0, PortRegister.ci) & 1 << 3 != 0)
        rig.recover()
        #expect(rig.pr(0, PortRegister.ci) == 0)
        rig.issue(0, 3)
        rig.settle()
        #expect(rig.pr(0, PortRegister.ci) == 0 && rig.pr(0, PortRegister.tfd) == 0x50)
    }

    @Test func unknownCommandIsAborted() {
        let rig = Rig()
        rig.bringUp()
        nonData(rig, command(0xB0))   // SMART: not supported
        #expect(rig.pr(0, PortRegister.tfd) == UInt32(ATAError.abrt) << 8 | 0x51)
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.tfes != 0)
        rig.recover()
        nonData(rig, command(ATACommand.setFeatures, features: 0x66))   // unsupported subcommand
        #expect(rig.pr(0, PortRegister.tfd) >> 8 == UInt32(ATAError.abrt))
    }

    @Test func ncqMediaErrorThenReadLogExtPage10() {
        let disk = SATADisk(backend: MemoryBackend(sectors: 1 << 16))
        disk.markBad(lbaRange: 500..<501)
        let rig = Rig(disks: [disk])
        rig.bringUp()
        for (slot, lba) in [(0, UInt64(0)), (1, UInt64(496)), (2, UInt64(2000)), (3, UInt64(3000))] {
            rig.prepare(0, slot, ncq(ATACommand.readFPDMAQueued, tag: slot, lba: lba, count: 8),
                        prds: [(Rig.dataBase + UInt64(slot) * 0x1000, 4096, false)])
            rig.issue(0, slot, ncq: true)
        }
        rig.settle()
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.tfes != 0)
        #expect(rig.pr(0, PortRegister.tfd) >> 8 == UInt32(ATAError.unc))
        #expect(rig.pr(0, PortRegister.tfd) & 1 == 1)
        #expect(rig.load8(rig.fb(0) + ReceivedFIS.setDeviceBits + 3) == ATAError.unc)
        let sact = rig.pr(0, PortRegister.sact)
        #expect(sact & 0b10 != 0)                                  // the failed tag is still active
        #expect(sact & 0b1100 == 0b1100)                           // later tags were aborted by the device
        rig.recover()
        #expect(rig.pr(0, PortRegister.sact) == 0)
        // Until the log is read, queued commands are aborted.
        rig.prepare(0, 5, ncq(ATACommand.readFPDMAQueued, tag: 5, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)])
        rig.issue(0, 5, ncq: true)
        rig.settle()
        #expect(rig.pr(0, PortRegister.tfd) >> 8 == UInt32(ATAError.abrt))
        rig.recover()
        // READ LOG EXT, log 10h, one page.
        let log = Rig.dataBase + 0x40000
        rig.prepare(0, 6, command(ATACommand.readLogExt, lba: UInt64(ATALog.ncqCommandError), count: 1), prds: [(log, 512, false)])
        rig.issue(0, 6)
        rig.settle()
        #expect(rig.pr(0, PortRegister.tfd) == 0x50)
        #expect(rig.load8(log) == 1)                               // tag 1, NQ = 0
        #expect(rig.load8(log + 2) == 0x51 && rig.load8(log + 3) == ATAError.unc)
        #expect(rig.load8(log + 4) == UInt8(500 & 0xFF) && rig.load8(log + 5) == UInt8(500 >> 8))
        #expect(rig.load8(log + 12) == 8)
        #expect(rig.bytes(log, 512).reduce(UInt8(0), &+) == 0)     // checksum
        // Error cleared: queued commands work again.
        rig.issue(0, 5, ncq: true)
        rig.settle()
        #expect(rig.pr(0, PortRegister.sact) == 0 && rig.pr(0, PortRegister.tfd) & 1 == 0)
        // Reading the log again: NQ set, nothing pending.
        rig.issue(0, 6)
        rig.settle()
        #expect(rig.load8(log) == 0x80)
    }

    @Test func failedDMAIsAHostBusFatalErrorNotACrash() {
        let rig = Rig()
        rig.bringUp()
        // A PRD pointing at unmapped memory.
        rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 1), prds: [(0x7000_0000, 512, false)])
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.hbfs != 0)
        #expect(rig.m.log.findings.map(\.code) == [.dmaUnmapped])
        rig.recover()
        // A command list pointer outside memory.
        rig.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.fre)
        rig.settle()
        rig.pw(0, PortRegister.clbu, 0x55)
        rig.pw(0, PortRegister.cmd, PortCMD.sud | PortCMD.fre | PortCMD.st)
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.hbfs != 0)
    }

    @Test func shortPRDTOverflows() {
        let rig = Rig()
        rig.bringUp()
        rig.prepare(0, 0, rw(ATACommand.readDMAExt, lba: 0, count: 2), prds: [(Rig.dataBase, 512, false)])
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.pr(0, PortRegister.interruptStatus) & PortIRQ.ofs != 0)
    }

    @Test func softwareResetReturnsTheSignature() {
        let rig = Rig()
        rig.bringUp()
        var srst = TaskFile(); srst.isCommand = false; srst.control = FISType.controlSRST
        rig.prepare(0, 0, srst, extraHeader: CommandList.reset | CommandList.clearBusy)
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.pr(0, PortRegister.ci) == 0)
        var release = TaskFile(); release.isCommand = false
        rig.prepare(0, 1, release)
        rig.issue(0, 1)
        rig.settle()
        #expect(rig.pr(0, PortRegister.ci) == 0)
        #expect(rig.pr(0, PortRegister.sig) == 0x101 && rig.pr(0, PortRegister.tfd) == 0x150)
    }

    @Test func intxFollowsIsAndGHCIE() {
        let rig = Rig()
        rig.bringUp(ie: PortIRQ.dhrs)
        let line = rig.f.intxLine!
        rig.prepare(0, 0, command(ATACommand.flushCacheExt))
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.r(HostRegister.interruptStatus) == 1)
        #expect(!rig.m.lineAsserted(line))                          // GHC.IE clear
        rig.w(HostRegister.ghc, GHCBit.ae | GHCBit.ie)
        rig.settle()
        #expect(rig.m.lineAsserted(line))
        // Clearing IS alone re-latches while PxIS is still pending (level).
        rig.w(HostRegister.interruptStatus, 1)
        #expect(rig.r(HostRegister.interruptStatus) == 1)
        rig.pw(0, PortRegister.interruptStatus, PortIRQ.dhrs)
        rig.w(HostRegister.interruptStatus, 1)
        rig.settle()
        #expect(!rig.m.lineAsserted(line))
        #expect(rig.irq.lines.map(\.asserted) == [true, false])
    }

    @Test func msiOnePerNewCause() {
        let rig = Rig()
        let a = Rig.slotAddress
        rig.m.configWrite(a, offset: 0x84, width: .dword, value: 0xFEE0_0000)
        rig.m.configWrite(a, offset: 0x8C, width: .word, value: 0x41)
        rig.m.configWrite(a, offset: 0x82, width: .word, value: 1)
        rig.bringUp(ie: PortIRQ.dhrs | PortIRQ.sdbs)
        rig.w(HostRegister.ghc, GHCBit.ae | GHCBit.ie)
        rig.prepare(0, 0, command(ATACommand.flushCacheExt))
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.irq.messages.map(\.data) == [0x41])
        #expect(rig.irq.lines.isEmpty)                              // no INTx with MSI on
        // A second command before software clears anything: a new cause (SDBS) → a new message;
        // a repeated DHRS while DHRS is still set is not new.
        rig.prepare(0, 1, ncq(ATACommand.readFPDMAQueued, tag: 1, lba: 0, count: 1), prds: [(Rig.dataBase, 512, false)])
        rig.issue(0, 1, ncq: true)
        rig.settle()
        #expect(rig.irq.messages.count == 2)
        rig.issue(0, 0)
        rig.settle()
        #expect(rig.irq.messages.count == 2)
    }
}
