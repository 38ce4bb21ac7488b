import Testing
@testable import AHCIModel
@testable import BoxlessPlatform

@Suite struct TimingTests {
    /// Time from PxCI to PxCI clear for one non-queued command.
    func latency(_ rig: Rig, _ tf: TaskFile, bytes: Int, write: Bool = false) -> VirtualDuration {
        rig.prepare(0, 0, tf, prds: bytes > 0 ? [(Rig.dataBase, bytes, false)] : [], write: write)
        let t0 = rig.m.now
        rig.issue(0, 0)
        while rig.pr(0, PortRegister.ci) != 0 { rig.m.scheduler.step(notAfter: VirtualTime(rawValue: .max)) }
        return rig.m.now - t0
    }

    @Test func ssdReadIsFetchOverheadLatencyAndLinkTransfer() {
        let rig = Rig()
        rig.bringUp()
        let d = latency(rig, rw(ATACommand.readDMAExt, lba: 0, count: 8), bytes: 4096)
        let p = DiskProfile.ssd
        let expected = AHCIController.commandFetch + p.commandOverhead + p.readLatency
            + .picoseconds((4096 * 1_000_000_000_000 + 549_999_999) / 550_000_000)     // media 550 MB/s < link 600 MB/s
        #expect(d == expected)
    }

    @Test func linkRateLimitsTransfers() {
        let disk = SATADisk(backend: MemoryBackend(sectors: 1 << 16))
        disk.linkSpeed = .gen1
        let rig = Rig(disks: [disk])
        rig.bringUp()
        let d = latency(rig, rw(ATACommand.readDMAExt, lba: 0, count: 128), bytes: 65536)
        let p = DiskProfile.ssd
        #expect(d == AHCIController.commandFetch + p.commandOverhead + p.readLatency + .picoseconds(65536 * 1_000_000_000_000 / 150_000_000 + 1))
    }

    @Test func hddSeeksAndRotatesButStreamsSequentially() {
        let disk = SATADisk(backend: MemoryBackend(sectors: 1 << 31), profile: .hdd7200)
        let rig = Rig(disks: [disk])
        rig.bringUp()
        let far = latency(rig, rw(ATACommand.readDMAExt, lba: 1 << 30, count: 8), bytes: 4096)
        #expect(far > .milliseconds(5) && far < .milliseconds(8_500 / 1000 * 3 + 9))
        let next = latency(rig, rw(ATACommand.readDMAExt, lba: (1 << 30) + 8, count: 8), bytes: 4096)
        #expect(next < .microseconds(100))                                          // read-ahead: no seek, no rotation
        // Rotational latency never exceeds a revolution beyond the seek.
        #expect(DiskProfile.hdd7200.revolution == .picoseconds(8_333_333_333))
    }

    @Test func sameSeedSameTimingDifferentSeedDifferent() {
        func run(_ seed: UInt64) -> VirtualTime {
            let m = Machine(configuration: MachineConfiguration(seed: seed))
            let disk = SATADisk(backend: MemoryBackend(sectors: 1 << 31), profile: .hdd7200)
            let c = AHCIController(ports: [disk])
            let f = m.plug(c, at: PCIAddress(device: 3))
            var r = f.random.split("ahci-port0")
            _ = r.next()
            return disk.completionTime(.read(lba: 12345, sectors: 8), start: .zero, link: .gen3)
        }
        #expect(run(1) == run(1))
        #expect(run(1) != run(2))
    }

    /// QD32 4 KiB random reads through the model with a lean raw-register driver loop; prints the
    /// wall-clock rate (a debug build is several times slower than release).
    @Test func benchmarkQueueDepth32RandomReads() {
        let ops = 20_000
        let rig = Rig(disks: [SATADisk(backend: MemoryBackend(sectors: 1 << 21))])
        rig.m.log.digestsPayloads = false
        rig.bringUp()
        var rng = SeededRandom(seed: 3)
        for slot in 0..<32 {
            rig.prepare(0, slot, ncq(ATACommand.readFPDMAQueued, tag: slot, lba: 0, count: 8),
                        prds: [(Rig.dataBase + UInt64(slot) * 4096, 4096, false)])
        }
        func submit(_ slot: Int) {
            let lba = (rng.next() % ((1 << 21) / 8)) * 8
            let t = rig.table(0, slot)
            rig.mem.storeBytes(of: UInt8(truncatingIfNeeded: lba), toByteOffset: Int(t) + 4, as: UInt8.self)
            rig.mem.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 8), toByteOffset: Int(t) + 5, as: UInt8.self)
            rig.mem.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 16), toByteOffset: Int(t) + 6, as: UInt8.self)
            rig.issue(0, slot, ncq: true)
        }
        let clock = ContinuousClock()
        let start = clock.now
        var submitted = 0, completed = 0
        var outstanding: UInt32 = 0
        for slot in 0..<32 { submit(slot); outstanding |= 1 << UInt32(slot); submitted += 1 }
        let t0 = rig.m.now
        while completed < ops {
            guard rig.m.scheduler.step(notAfter: VirtualTime(rawValue: .max)) else { break }
            let done = outstanding & ~rig.pr(0, PortRegister.sact)
            guard done != 0 else { continue }
            rig.pw(0, PortRegister.interruptStatus, PortIRQ.sdbs)
            var bits = done
            while bits != 0 {
                let slot = bits.trailingZeroBitCount
                bits &= bits - 1
                completed += 1
                outstanding &= ~(1 << UInt32(slot))
                if submitted < ops { submit(slot); outstanding |= 1 << UInt32(slot); submitted += 1 }
            }
        }
        let wall = clock.now - start
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let virtualSeconds = Double((rig.m.now - t0).rawValue) / 1e12
        print("AHCI benchmark: \(completed) 4 KiB random reads at QD32: \(Int(Double(completed) / seconds)) ops per wall second; \(Int(Double(completed) / virtualSeconds)) IOPS virtual")
        #expect(completed == ops)
        #expect(rig.m.log.findings.isEmpty)
    }
}
