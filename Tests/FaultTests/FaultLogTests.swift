import Testing
import BoxlessPlatform
import TestDeviceModel
@testable import BoxlessFaults

@Suite struct FaultLogTests {
    @Test func faultRecordsHaveAFixedJSONShape() {
        let r = EventRecord.fault(FaultRecord(device: PCIAddress(device: 3), rule: 1, fault: "all-ones", trigger: "mmio-read #200", target: "BAR0+0x8 read32"))
        #expect(r.jsonLine(time: VirtualTime(picoseconds: 5), index: 9)
            == #"{"i":9,"t_ps":5,"ev":"fault","dev":"0000:00:03.0","rule":1,"fault":"all-ones","trigger":"mmio-read #200","target":"BAR0+0x8 read32"}"#)
    }

    @Test func faultRecordsJoinTheDigest() {
        func digest(_ rule: UInt32) -> String {
            let log = EventLog(clock: { .zero })
            log.record(.fault(FaultRecord(device: nil, rule: rule, fault: "loss", trigger: "rx-frame #1", target: "frame")))
            return log.digest
        }
        #expect(digest(0) == digest(0))
        #expect(digest(0) != digest(1))
    }

    /// A run of many DMA transfers under a probabilistic plan: (digest, fault count).
    func run(seed: UInt64, plan: String) throws -> (String, UInt64, String) {
        let rig = try ExerciserRig(plan, seed: seed)
        for _ in 0..<200 {
            _ = rig.read(ExerciserRegister.id)
            rig.startDMA(toMemory: true, length: 16)
            rig.run(for: .microseconds(5))
        }
        return (rig.machine.log.digest, rig.injector.summary.total, rig.injector.summary.json)
    }

    @Test func samePlanAndSeedGiveOneDigestAnotherSeedMovesIt() throws {
        let plan = "faults:\n  - when: { event: dma-write, probability: 0.05 }\n    inject: bit-flip\n  - when: { event: mmio-read, nth: 3 }\n    inject: all-ones\n"
        let a = try run(seed: 11, plan: plan), b = try run(seed: 11, plan: plan), c = try run(seed: 12, plan: plan)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.0 != c.0)
        #expect(a.1 > 1)
        #expect(a.2.hasPrefix("{\"total\":\(a.1),\"counts\":{\"all-ones\":1,\"bit-flip\":\(a.1 - 1)}"))
    }
}
