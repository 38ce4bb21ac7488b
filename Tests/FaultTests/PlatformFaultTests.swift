import Testing
import BoxlessPlatform
import TestDeviceModel
@testable import BoxlessFaults

@Suite struct PlatformFaultTests {
    typealias R = ExerciserRegister
    let id = ExerciserRegister.idValue

    @Test func allOnesOnTheNthRead() throws {
        let rig = try ExerciserRig("faults:\n  - when: { event: mmio-read, offset: 0, nth: 2 }\n    inject: all-ones\n")
        #expect([rig.read(R.id), rig.read(R.id), rig.read(R.id)] == [id, 0xFFFF_FFFF, id])
        #expect(rig.injector.summary.count(.allOnes) == 1)
        let f = try #require(rig.collector.faults.first)
        #expect(f == FaultRecord(device: ExerciserRig.address, rule: 0, fault: "all-ones", trigger: "mmio-read #2", target: "BAR0+0x0 read32"))
    }

    @Test func allOnesOnConfigReads() throws {
        let rig = try ExerciserRig("faults:\n  - when: { event: config-read, offset: 0 }\n    inject: all-ones\n")
        #expect(rig.machine.configRead(ExerciserRig.address, offset: 0, width: .word) == 0xFFFF)
        #expect(rig.machine.configRead(ExerciserRig.address, offset: 2, width: .word) == UInt32(ExerciserDevice.deviceID))
    }

    @Test func randomReadIsSeeded() throws {
        let plan = "faults:\n  - when: { event: mmio-read, offset: 0 }\n    inject: random-read\n"
        func values(_ seed: UInt64) throws -> [UInt32] {
            let rig = try ExerciserRig(plan, seed: seed)
            return (0..<4).map { _ in rig.read(R.id) }
        }
        #expect(try values(3) == values(3))
        #expect(try values(3) != values(4))
        #expect(try !values(3).contains(id))
    }

    @Test func surpriseRemovalMakesTheFunctionVanish() throws {
        let rig = try ExerciserRig("faults:\n  - when: { at: 1ns }\n    inject: surprise-removal\n    recover-within: 1ms\n")
        rig.write(R.scratch, 0x1234)
        rig.startDMA(toMemory: true)
        rig.run(for: .microseconds(10))
        #expect(rig.read(R.id) == 0xFFFF_FFFF)
        #expect(rig.machine.configRead(ExerciserRig.address, offset: 0, width: .dword) == 0xFFFF_FFFF)
        rig.write(R.scratch, 0x5678)                       // dropped
        #expect(rig.memoryBytes() == [UInt8](repeating: 0, count: 64))   // DMA aborted
        #expect(rig.injector.removed == [ExerciserRig.address])
        #expect(rig.injector.summary.count(.surpriseRemoval) == 1)
        #expect(rig.collector.faults.map(\.trigger) == ["at 1ns"])
    }

    @Test func masterAbortOnDMA() throws {
        let rig = try ExerciserRig("faults:\n  - when: { event: dma-write }\n    inject: master-abort\n")
        rig.startDMA(toMemory: true)
        rig.run(for: .microseconds(10))
        #expect(rig.read(R.dmaResult) == 1)
        #expect(rig.memoryBytes() == [UInt8](repeating: 0, count: 64))
        #expect(rig.function.deviceReadConfig(ConfigHeader.status, .word) & UInt32(ConfigHeader.statusReceivedMasterAbort) != 0)
    }

    @Test func dmaDropMovesNothingButReportsSuccess() throws {
        let rig = try ExerciserRig("faults:\n  - when: { event: dma-write }\n    inject: dma-drop\n")
        rig.startDMA(toMemory: true)
        rig.run(for: .microseconds(10))
        #expect(rig.read(R.dmaResult) == 0)
        #expect(rig.memoryBytes() == [UInt8](repeating: 0, count: 64))
    }

    @Test func bitFlipChangesOneSeededBit() throws {
        func landed(_ seed: UInt64) throws -> [UInt8] {
            let rig = try ExerciserRig("faults:\n  - when: { event: dma-write, nth: 1 }\n    inject: bit-flip\n", seed: seed)
            rig.startDMA(toMemory: true)
            rig.run(for: .microseconds(10))
            #expect(rig.read(R.dmaResult) == 0)
            let got = rig.memoryBytes(), want = rig.pattern()
            #expect(zip(got, want).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +) == 1)
            return got
        }
        #expect(try landed(1) == landed(1))
        #expect(try landed(1) != landed(2))
    }

    @Test func irqDrop() throws {
        let rig = try ExerciserRig("faults:\n  - when: { event: interrupt }\n    inject: irq-drop\n")
        rig.enableMSIX()
        rig.timerInterrupt()
        rig.run(for: .microseconds(10))
        #expect(rig.sink.messages.isEmpty)
        #expect(rig.read(R.isr) & R.causeTimer != 0)
    }

    @Test func irqDelayAndDuplicate() throws {
        func times(_ yaml: String) throws -> [VirtualTime] {
            let rig = try ExerciserRig(yaml)
            rig.enableMSIX()
            rig.timerInterrupt()
            rig.run(for: .microseconds(100))
            #expect(rig.sink.messages.allSatisfy { $0.data == 0x41 })
            return rig.sink.messages.map(\.time)
        }
        let plain = try times("faults: []")
        #expect(plain.count == 1)
        #expect(try times("faults:\n  - when: { event: interrupt }\n    inject: irq-delay\n    delay: 7us\n") == [plain[0] + .microseconds(7)])
        #expect(try times("faults:\n  - when: { event: interrupt }\n    inject: irq-duplicate\n") == [plain[0], plain[0]])
    }

    @Test func irqSpuriousAtATime() throws {
        let rig = try ExerciserRig("faults:\n  - when: { at: 5us }\n    inject: irq-spurious\n    vector: 2\n")
        rig.enableMSIX()
        rig.run(for: .microseconds(10))
        #expect(rig.sink.messages.map(\.data) == [0x42])
        let expected: VirtualTime = VirtualTime.zero + VirtualDuration.microseconds(5) + rig.machine.configuration.interruptLatency
        #expect(rig.sink.messages.first?.time.rawValue == expected.rawValue)
        #expect(rig.read(R.isr) == 0)
    }

    @Test func msixStuckMaskedHoldsTheMessageUntilTheWindowEnds() throws {
        let rig = try ExerciserRig("faults:\n  - when: { event: interrupt, nth: 1 }\n    inject: msix-stuck-masked\n    duration: 20us\n")
        rig.enableMSIX()
        rig.timerInterrupt()
        rig.run(for: .microseconds(10))
        #expect(rig.sink.messages.isEmpty)
        #expect(rig.function.msixVectorPending(1))
        rig.run(for: .microseconds(20))
        #expect(rig.sink.messages.map(\.data) == [0x41])
        #expect(!rig.function.msixVectorPending(1))
    }

    @Test func busMasterOffAbortsLaterDMA() throws {
        let rig = try ExerciserRig("faults:\n  - when: { at: 1ns }\n    inject: bus-master-off\n")
        rig.run(for: .nanoseconds(2))
        #expect(!rig.function.busMasterEnabled)
        rig.startDMA(toMemory: true)
        rig.run(for: .microseconds(10))
        #expect(rig.read(R.dmaResult) == 1)
        #expect(rig.machine.log.findings.contains { $0.code == .dmaBusMasterOff })
    }

    @Test func aSetStateEntryArmsAnother() throws {
        let rig = try ExerciserRig("""
        faults:
          - when: { event: mmio-write, offset: 0x4 }
            set-state: broken
          - when: { event: mmio-read, offset: 0, state: broken }
            inject: all-ones
        """)
        #expect(rig.read(R.id) == id)
        rig.write(R.scratch, 1)
        #expect(rig.read(R.id) == 0xFFFF_FFFF)
        #expect(rig.collector.faults.map(\.fault) == ["set-state", "all-ones"])
    }
}
