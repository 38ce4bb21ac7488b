import BoxlessPlatform
import BoxlessRunner
import NativeDriverKit
import TestDeviceDriver
import Testing

/// The disk workload engine, checked on the exerciser's little block device.
@Suite struct BlockWorkloadTests {
    @Test(arguments: [WorkloadKind.verify, .randrw, .seq, .randread], [1, 8])
    func workloadPassesAndChecksEveryRead(kind: WorkloadKind, depth: Int) throws {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: "exerciser", device: 3)], strict: true))
        try m.start()
        let d = try #require(m.driver(ExerciserDriver.self))
        var s = BlockWorkload.Settings()
        s.kind = kind; s.operations = 80; s.queueDepth = depth; s.maxBlocks = 3
        let w = BlockWorkload(device: d, host: m.host, settings: s, random: SeededRandom(seed: 3)) { _ in [UInt8](repeating: 0, count: 512) }
        let r = w.run()
        #expect(r.errors == 0 && r.mismatches == 0, "\(r.errorSamples)")
        #expect(r.operations >= 80)
        if kind != .randread { #expect(r.writes > 0) }
        #expect(r.reads > 0)
        m.host.detachAll()
        #expect(m.machine.log.findings.isEmpty)
    }

    @Test func aWrongBaseIsCaught() throws {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: "exerciser", device: 3)]))
        try m.start()
        let d = try #require(m.driver(ExerciserDriver.self))
        var s = BlockWorkload.Settings()
        s.kind = .randread; s.operations = 4; s.maxBlocks = 1
        // The device's blocks are zeros; claiming they hold 0xAA must be reported.
        let w = BlockWorkload(device: d, host: m.host, settings: s, random: SeededRandom(seed: 1)) { _ in [UInt8](repeating: 0xAA, count: 512) }
        let r = w.run()
        #expect(r.mismatches == 4)
        m.host.detachAll()
    }
}
