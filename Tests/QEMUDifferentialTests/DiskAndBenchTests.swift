import BoxlessRunner
import Foundation
import Testing

/// (c) The AHCI driver and the verify workload on QEMU's ich9-ahci; and the QEMU throughput figures.
@Suite("QEMU differential: AHCI and throughput", .serialized, .enabled(if: qemuInstalled, Comment(rawValue: qemuMissing)))
struct DiskAndBenchTests {
    @Test func verifyWorkloadPassesOnQEMUsAHCI() throws {
        var o = DiskOptions()
        o.size = 16 << 20
        o.operations = 200
        let s = try QEMUDiskRun.run(o)
        #expect(s.passed, "\(s.failures) \(s.error_samples)")
        #expect(s.host == "qemu" && s.device == "ich9-ahci" && s.operations == 201 && s.mismatches == 0)
        #expect(s.device_queue_depth == 32)   // NCQ on QEMU's ide-hd
    }

    @Test func imageBehindAnOverlayIsNotModified() throws {
        let path = NSTemporaryDirectory() + "/boxless-qemu-image-\(getpid()).img"
        var content = [UInt8](repeating: 0, count: 4 << 20)
        for i in stride(from: 0, to: content.count, by: 512) { content[i] = UInt8(truncatingIfNeeded: i >> 9); content[i + 1] = 0xA5 }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content)))
        defer { unlink(path) }
        var o = DiskOptions()
        o.image = path
        o.operations = 60
        o.workload = .seq
        o.maxBlocks = 16
        let s = try QEMUDiskRun.run(o)
        #expect(s.passed, "\(s.failures) \(s.error_samples)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(content))
    }

    /// The same ``BlockWorkload`` serves both hosts, so the mixed workload runs on QEMU too, and a
    /// too-small disk gets the emulator host's message.
    @Test func randomReadWriteWorkloadOnQEMU() throws {
        var o = DiskOptions()
        o.size = 8 << 20
        o.operations = 300
        o.workload = .randrw
        o.queueDepth = 8
        let s = try QEMUDiskRun.run(o)
        #expect(s.passed, "\(s.failures) \(s.error_samples)")
        #expect(s.operations == 300 && s.reads > 0 && s.writes > 0 && s.mismatches == 0 && s.queue_depth == 8)
        var tiny = DiskOptions()
        tiny.size = 4096
        tiny.maxBlocks = 64
        #expect(throws: RunnerError.self) { try QEMUDiskRun.run(tiny) }
    }

    @Test func missingImageIsOneClearError() {
        var o = DiskOptions()
        o.image = "/nonexistent/disk.img"
        #expect(throws: RunnerError.cannotRead("/nonexistent/disk.img", "no such file")) { try QEMUDiskRun.run(o) }
    }

    @Test func throughputThroughQEMU() throws {
        for size in [64, 1514] {
            let r = try QEMUReplayBench.run(nic: "e1000", size: size, frames: 2000)
            print(String(format: "QEMU e1000 RX %d-byte frames: %d delivered in %.3f s: %.0f frames/s (%llu qtest commands)",
                         size, r.delivered, Double(r.wall_ns) / 1e9, r.frames_per_second, r.qtest_commands))
            #expect(r.passed && r.delivered == 2000)
        }
    }
}
