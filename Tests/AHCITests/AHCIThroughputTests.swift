import AHCIDriver
import AHCIModel
import BoxlessPlatform
import EmulatorHost
import Foundation
import NativeDriverKit
import Testing

@Suite struct AHCIThroughputTests {
    /// 4 KiB random reads at queue depth 32 through model and driver; prints the wall-clock rate
    /// (the lead's benchmark wants 250,000 per second in a release build). Checks every read.
    @Test func randomReadsAtQueueDepth32() throws {
        let count = Int(ProcessInfo.processInfo.environment["AHCI_BENCH_READS"] ?? "") ?? 4000
        let rig = try Rig(backend: MemoryBackend(sectors: 1 << 21))     // 1 GiB, sparse
        var rng = TestRandom(state: 99)
        let reads = (0..<count).map { _ in rig.read(UInt64(rng.below((1 << 21) / 8)) * 8, 8) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let v0 = rig.machine.now
        let results = rig.run(reads, depth: 32)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let virtual = rig.machine.now - v0
        print("AHCI: \(count) 4 KiB random reads at QD32: \(Int(Double(count) / wall)) per wall second, \(virtual) virtual")
        #expect(results.allSatisfy { $0.status == .success && $0.data.count == 4096 })
        #expect(rig.detach() == [])
    }
}
