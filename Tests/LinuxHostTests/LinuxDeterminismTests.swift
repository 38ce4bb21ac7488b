import BoxlessRunner
import Foundation
import Testing

/// UML's time-travel mode with the machine's scheduler as its calendar: runs with the real Linux
/// drivers repeat, digest included.
@Suite("Linux host: time travel makes runs repeat", .serialized, .enabled(if: umlAvailable, Comment(rawValue: umlMissing)))
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

    /// With one-page output pipes the agent's report of 900 frames (about 24 KB, written at once)
    /// cannot go out in one piece: the agent waits in the tty layer for the console's write
    /// interrupt, and the host reads the pipe only while the guest waits for the calendar. UML lost
    /// that interrupt (its time-travel SIGIO path consumed the edge; fixed in the kernel build,
    /// scripts/uml/boxless-irq-deferred.c) and the run hung with the guest idle for good.
    @Test("a guest whose console pipe is full waits for the host and goes on; the run passes and repeats")
    func fullConsolePipes() throws {
        let trace = TestPaths.temporary("pipe-1000.pcap")
        try TraceGenerator.write(kind: .mixed, count: 1000, seed: 3, to: trace)
        defer { try? FileManager.default.removeItem(atPath: trace) }
        func run() throws -> ReplaySummary {
            let r = try LinuxReplayRun(ReplayOptions(trace: trace, nic: "e1000e"), files: LinuxGuestFiles.locate())
            r.session.outputPipeBytes = 4096
            return try r.run()
        }
        let a = try run(), b = try run()
        #expect(a.passed, "\(a.failures)")
        #expect(a.delivered == 900 && a.dropped.total == 100)
        #expect(a.digest == b.digest)
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
