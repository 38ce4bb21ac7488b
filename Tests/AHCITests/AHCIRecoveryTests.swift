import AHCIDriver
import AHCIModel
import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import Testing

/// Drops the first `count` writes to one register of BAR5 (e.g. a lost doorbell), or every
/// interrupt before `interruptsLostUntil`.
final class LossyBus: FaultInjector {
    var dropWritesAt: UInt64?
    var writesToDrop = 0
    var interruptsLostUntil: VirtualTime?
    /// Device writes to memory (read data) of exactly this length to fail with a master abort.
    var abortDMAWritesOfLength: Int?
    var dmaAbortsLeft = 0
    private(set) var dropped = 0

    func dmaTransfer(_ site: DMASite, data: UnsafeMutableRawBufferPointer) -> DMAFault {
        guard site.isWrite, site.length == abortDMAWritesOfLength, dmaAbortsLeft > 0 else { return .none }
        dmaAbortsLeft -= 1
        dropped += 1
        return .masterAbort
    }

    func registerAccess(_ site: AccessSite) -> AccessFault {
        guard site.isWrite, site.bar == 5, site.offset == dropWritesAt, writesToDrop > 0 else { return .none }
        writesToDrop -= 1
        dropped += 1
        return .dropWrite
    }

    func interrupt(_ site: InterruptSite) -> InterruptFault {
        if let t = interruptsLostUntil, site.time < t { dropped += 1; return .drop }
        return .none
    }
}

@Suite struct AHCIRecoveryTests {
    /// Port 0's PxCI, where a lost doorbell leaves a command unissued.
    static let port0CI: UInt64 = 0x100 + 0x38

    /// A lost doorbell: the watchdog finds the command overdue, resets the port (COMRESET) and issues
    /// the request again, which then succeeds.
    @Test(arguments: ["1", "0"])
    func watchdogRecoversALostCommand(ncq: String) throws {
        let rig = try Rig(parameters: ["ncq": ncq, "timeout_ms": "100"])
        let lossy = LossyBus()
        lossy.dropWritesAt = Self.port0CI
        lossy.writesToDrop = 1
        rig.machine.faults = lossy
        let w = rig.write(64, pattern(lba: 64, count: 8))
        let start = rig.machine.now
        let results = rig.run([w, rig.read(64, 8)], depth: 1)
        #expect(lossy.dropped == 1)
        #expect(results.map(\.status) == [.success, .success])
        #expect(results[1].data == pattern(lba: 64, count: 8))
        #expect(rig.driver.disks.first?.timeouts == 1)
        #expect(rig.driver.disks.first?.comresets == 1)
        // Recovered within the stated time: one watchdog period plus the reset.
        #expect(rig.machine.now - start < VirtualDuration.milliseconds(200))
        rig.machine.faults = nil
        #expect(rig.detach() == [])
    }

    /// Lost interrupts: commands finish on the device but the driver hears nothing until the
    /// watchdog; requests are retried and every one completes exactly once.
    @Test func lostInterruptsAreRecoveredByTheWatchdog() throws {
        let rig = try Rig(parameters: ["timeout_ms": "100"])
        let lossy = LossyBus()
        lossy.interruptsLostUntil = rig.machine.now + .milliseconds(50)
        rig.machine.faults = lossy
        let reads = (0..<32).map { rig.read(UInt64($0 * 8), 8) }
        let results = rig.run(reads, depth: 32)
        #expect(lossy.dropped > 0)
        for c in results { #expect(c.status == .success) }
        #expect(rig.driver.disks.first?.timeouts ?? 0 > 0)
        rig.machine.faults = nil
        #expect(rig.detach() == [])
    }

    /// A host bus error (a master abort on the read data's DMA) stops the port with PxIS.HBFS; the
    /// driver restarts it and issues the aborted requests again, which then succeed.
    @Test(arguments: ["1", "0"])
    func hostBusErrorIsRecoveredAndRetried(ncq: String) throws {
        let rig = try Rig(parameters: ["ncq": ncq])
        let writes = (0..<8).map { rig.write(UInt64($0 * 16), pattern(lba: UInt64($0 * 16), count: 16)) }
        for c in rig.run(writes, depth: 32) { #expect(c.status == .success) }
        let lossy = LossyBus()
        lossy.abortDMAWritesOfLength = 16 * 512
        lossy.dmaAbortsLeft = 1
        rig.machine.faults = lossy
        let reads = (0..<8).map { rig.read(UInt64($0 * 16), 16) }
        let results = rig.run(reads, depth: 32)
        #expect(lossy.dropped == 1)
        for (r, c) in zip(reads, results) {
            #expect(c.status == .success)
            #expect(c.data == pattern(lba: r.lba, count: 16))
        }
        #expect(rig.driver.disks.first?.recoveries ?? 0 >= 1)
        rig.machine.faults = nil
        #expect(rig.detach() == [])
    }

    /// A request that never completes is failed after `retries` attempts, not retried forever.
    @Test func retriesAreBounded() throws {
        let rig = try Rig(parameters: ["ncq": "0", "timeout_ms": "10", "retries": "2"])
        let lossy = LossyBus()
        lossy.dropWritesAt = Self.port0CI
        lossy.writesToDrop = 100
        rig.machine.faults = lossy
        let r = rig.read(0, 1)
        let results = rig.run([r], depth: 1)
        #expect(results.first?.status == .deviceError("timeout"))
        #expect(lossy.dropped == 3)              // the first attempt and two retries
        rig.machine.faults = nil
        #expect(rig.run([rig.read(0, 1)], depth: 1).first?.status == .success)
        #expect(rig.detach() == [])
    }
}
