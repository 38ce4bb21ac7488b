import Testing
import BoxlessPlatform
import AHCIModel
@testable import BoxlessFaults

/// A NIC-like model that only takes state faults and records them.
final class StateRecordingModel: PCIDeviceModel, DeviceStateFaultTarget {
    let name = "nic"
    var applied: [(VirtualTime, DeviceStateFault)] = []
    unowned(unsafe) var function: PCIFunction!
    func buildConfigSpace() -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: 0x1234, deviceID: 2, classCode: 0x02_0000, express: true)
        b.addBAR(0, .memory32(prefetchable: false), size: 4096)
        return b
    }
    func attach(to function: PCIFunction) { self.function = function }
    func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 { 0 }
    func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {}
    func applyStateFault(_ fault: DeviceStateFault) -> Bool {
        if case .mediaError = fault { return false }
        applied.append((function.now, fault)); return true
    }
}

/// Receives frames at the end of a link.
final class FrameCatcher: EthernetReceiver {
    var frames: [(VirtualTime, [UInt8])] = []
    let scheduler: Scheduler
    init(_ s: Scheduler) { scheduler = s }
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { frames.append((scheduler.now, Array(frame))) }
    func carrierChanged(_ up: Bool) {}
}

@Suite struct DeviceFaultTests {
    let nic = PCIAddress(device: 4)

    func machine(_ yaml: String, seed: UInt64 = 1) throws -> (Machine, StateRecordingModel, PlanFaultInjector, RecordCollector) {
        let m = Machine(configuration: MachineConfiguration(seed: seed))
        let model = StateRecordingModel()
        m.plug(model, at: nic)
        let c = RecordCollector()
        m.log.sink = c
        let inj = PlanFaultInjector(plan: try FaultPlan.parse(yaml: yaml))
        inj.arm(on: m)
        return (m, model, inj, c)
    }

    @Test func theIssuePlanOnANICAndADisk() throws {
        let m = Machine(configuration: MachineConfiguration(seed: 5))
        let model = StateRecordingModel()
        m.plug(model, at: nic)
        let disk = SATADisk(backend: MemoryBackend(sectors: 4096))
        m.plug(AHCIController(ports: [disk]), at: PCIAddress(device: 5))
        let inj = PlanFaultInjector(plan: try FaultPlan.parse(yaml: issuePlan))
        inj.arm(on: m)
        // rx-frame, interval 100, times 3: the model asks at each received frame.
        var fcs: [Int] = []
        for i in 1...1000 where inj.rxFrame(FrameSite(device: nic, length: 60, time: m.now)) == .fcsError { fcs.append(i) }
        #expect(fcs == [100, 200, 300])
        m.scheduler.run(until: .zero + .milliseconds(30))
        // link-down at 20 ms for 5 ms reaches the NIC model; media-error at 1 ms reaches the disk.
        #expect(model.applied.count == 1)
        #expect(model.applied.first?.0 == .zero + .milliseconds(20))
        #expect(model.applied.first?.1 == .linkDown(duration: .milliseconds(5)))
        #expect(disk.badRanges.map(\.range) == [1000..<1016])
        #expect(inj.summary.count(.fcsError) == 3 && inj.summary.count(.linkDown) == 1 && inj.summary.count(.mediaError) == 1)
        // The AHCI function does not take link-down, the NIC no media error: each is noted, not counted.
        #expect(inj.summary.notApplicable == 2)
        #expect(inj.summary.framesLost == 3)
    }

    @Test func nicEventFaults() throws {
        let (m, _, inj, _) = try machine("""
        faults:
          - when: { event: rx-frame, nth: 1 }
            inject: runt
          - when: { event: rx-frame, nth: 2 }
            inject: jabber
          - when: { event: rx-frame, nth: 3 }
            inject: rx-fifo-overflow
          - when: { event: tx-frame, nth: 2 }
            inject: tx-hang
          - when: { event: writeback, nth: 1 }
            inject: writeback-delay
            delay: 3us
          - when: { event: writeback, nth: 2 }
            inject: bad-writeback
            field: status
            value: 0xff
        """)
        let site = FrameSite(device: nic, length: 100, time: .zero)
        #expect((0..<4).map { _ in inj.rxFrame(site) } == [.runt, .jabber, .fifoOverflow, .none])
        #expect((0..<3).map { _ in inj.txFrame(site) } == [.none, .hang, .none])
        let wb = WritebackSite(device: nic, receive: true, index: 0, time: .zero)
        #expect((0..<3).map { _ in inj.descriptorWriteback(wb) } == [.delay(.microseconds(3)), .badStatus(0xFF), .none])
        withExtendedLifetime(m) {}
    }

    @Test func diskEventFaults() throws {
        let (m, _, inj, _) = try machine("""
        faults:
          - when: { event: disk-command }
            inject: media-error
            lba: 100-199
          - when: { event: disk-command, nth: 2 }
            inject: command-timeout
          - when: { event: disk-command, nth: 3 }
            inject: interface-crc
          - when: { event: disk-command, nth: 4 }
            inject: latency-outlier
        """)
        func site(_ lba: UInt64) -> DiskCommandSite { DiskCommandSite(device: nic, port: 0, command: 0x25, lba: lba, sectors: 8, time: .zero) }
        #expect([site(0), site(0), site(0), site(0), site(196)].map(inj.diskCommand) == [.none, .timeout, .interfaceCRC, .latency(.milliseconds(50)), .mediaError])
        withExtendedLifetime(m) {}
    }

    @Test func stateFaultsFiredByEventsLandAfterTheHook() throws {
        let (m, model, inj, _) = try machine("faults:\n  - when: { event: rx-frame, nth: 2 }\n    inject: link-flap\n    count: 2\n")
        _ = inj.rxFrame(FrameSite(device: nic, length: 60, time: m.now))
        _ = inj.rxFrame(FrameSite(device: nic, length: 60, time: m.now))
        #expect(model.applied.isEmpty)
        m.scheduler.runUntilIdle()
        #expect(model.applied.map(\.1) == [.linkFlap(count: 2, period: .milliseconds(1))])
    }

    /// A source port → impairment → catcher, 10 frames 100 µs apart.
    func link(_ yaml: String, seed: UInt64 = 1) throws -> ([(VirtualTime, [UInt8])], LinkImpairment, PlanFaultInjector) {
        let m = Machine(configuration: MachineConfiguration(seed: seed))
        let inj = PlanFaultInjector(plan: try FaultPlan.parse(yaml: yaml))
        inj.arm(on: m)
        let source = EthernetPort(name: "src", machine: m), sinkPort = EthernetPort(name: "nic", machine: m)
        let link = LinkImpairment(machine: m, device: nil, policy: inj)
        EthernetPort.connect(source, link.outer)
        EthernetPort.connect(link.inner, sinkPort)
        let catcher = FrameCatcher(m.scheduler)
        sinkPort.receiver = catcher
        for i in 0..<10 {
            m.scheduler.run(until: .zero + .microseconds(100 * UInt64(i)))
            let frame = [UInt8](repeating: UInt8(i), count: 60)
            frame.withUnsafeBytes { _ = source.send($0) }
        }
        m.scheduler.runUntilIdle()
        return (catcher.frames, link, inj)
    }

    @Test func linkImpairments() throws {
        let clean = try link("faults: []").0
        #expect(clean.map { $0.1[0] } == Array(0..<10))
        let lost = try link("faults:\n  - when: { event: rx-frame, nth: 3 }\n    inject: loss\n")
        #expect(lost.0.map { $0.1[0] } == [0, 1, 3, 4, 5, 6, 7, 8, 9])
        #expect(lost.1.lost.towardDevice == 1 && lost.2.summary.framesLost == 1)
        let delayed = try link("faults:\n  - when: { event: rx-frame }\n    inject: delay\n    delay: 10us\n").0
        #expect(zip(delayed, clean).allSatisfy { $0.0 == $1.0 + .microseconds(10) })
        let dup = try link("faults:\n  - when: { event: rx-frame, nth: 1 }\n    inject: duplicate\n").0
        #expect(dup.map { $0.1[0] }.prefix(3) == [0, 0, 1])
        let reordered = try link("faults:\n  - when: { event: rx-frame, nth: 1 }\n    inject: reorder\n    delay: 250us\n").0
        #expect(reordered.map { $0.1[0] }.prefix(4) == [1, 2, 0, 3])
        let corrupted = try link("faults:\n  - when: { event: rx-frame, nth: 1 }\n    inject: corrupt\n").0
        #expect(corrupted[0].1.map(\.nonzeroBitCount).reduce(0, +) == 1)
        let slow = try link("faults:\n  - when: { event: rx-frame }\n    inject: rate\n    rate: 1Mbit\n").0
        // 64 bytes (60 + FCS) at 1 Mbit/s: 512 µs each, so frames queue behind each other.
        #expect(slow.count == 10 && slow[9].0 >= slow[0].0 + .microseconds(9 * 512))
    }

    @Test func gilbertElliottLossIsSeeded() throws {
        let plan = "faults:\n  - when: { event: rx-frame }\n    inject: loss\n    model: gilbert-elliott\n    p: 0.3\n    r: 0.3\n"
        let a = try link(plan, seed: 1).0.map { $0.1[0] }, b = try link(plan, seed: 1).0.map { $0.1[0] }
        #expect(a == b)
        #expect(a.count < 10)
        var differs = false
        for s in 2...6 where try link(plan, seed: UInt64(s)).0.map({ $0.1[0] }) != a { differs = true }
        #expect(differs)
    }
}
