import BoxlessRunner
import Foundation
import Testing

/// UML's time-travel mode with the machine's scheduler as its calendar: runs with the real Linux
/// drivers repeat, digest included.
@Suite("Linux host: time travel makes runs repeat", .serialized)
struct LinuxDeterminismTests {
    /// Replays repeat bit for bit: simulated time, event count, frames and the event log's digest
    /// (every register access, DMA address and payload, interrupt). Each case runs twice; the suite
    /// runs beside the rest of the tests, so the host's load differs between the two runs.
    @Test("two replays through Linux's driver give the same digest, simulated time, events and frames",
          arguments: [("e1000", ReplayDirection.rx), ("e1000e", .rx), ("e1000", .tx), ("e1000e", .tx)])
    func replayRepeats(nic: String, direction: ReplayDirection) throws {
        let a = try linuxReplay(TestPaths.mixed, nic: nic, direction: direction)
        let b = try linuxReplay(TestPaths.mixed, nic: nic, direction: direction)
        #expect(a.passed && b.passed)
        #expect(a.digest.count == 64)
        #expect(a.digest == b.digest)
        #expect(a.events == b.events && a.virtual_ns == b.virtual_ns)
        #expect(a.delivered == b.delivered && a.dropped.total == b.dropped.total)
    }

    @Test("two disk runs (host-made image, same seed) give the same digest; another seed another image and digest")
    func diskRepeats() throws {
        var o = DiskOptions()
        o.size = 32 << 20
        let a = try LinuxDiskRun.run(o, files: LinuxGuestFiles.locate())
        let b = try LinuxDiskRun.run(o, files: LinuxGuestFiles.locate())
        o.seed = 2
        let c = try LinuxDiskRun.run(o, files: LinuxGuestFiles.locate())
        #expect(a.passed && b.passed && c.passed)
        #expect(a.digest == b.digest)
        #expect(a.digest != c.digest)
    }

    @Test("free-running runs say they are not deterministic")
    func freeRunning() throws {
        var o = ReplayOptions(trace: TestPaths.mixed, nic: "e1000")
        o.direction = .rx
        let s = try LinuxReplayRun(o, files: LinuxGuestFiles.locate(), timeTravel: false).run()
        #expect(s.passed, "\(s.failures)")
        #expect(s.digest == "nondeterministic")
    }
}
