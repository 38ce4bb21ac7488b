import Testing
@testable import BoxlessPlatform

/// A scripted injector: each hook returns what the test set, and records what it saw.
final class ScriptedFaults: FaultInjector {
    var config: AccessFault = .none
    var register: AccessFault = .none
    var dma: DMAFault = .none
    var corrupt: ((UnsafeMutableRawBufferPointer) -> Void)?
    var interrupt: InterruptFault = .none
    var seen: [String] = []
    func configAccess(_ site: AccessSite) -> AccessFault { seen.append("cfg \(site)"); return config }
    func registerAccess(_ site: AccessSite) -> AccessFault { seen.append("reg \(site)"); return register }
    func dmaTransfer(_ site: DMASite, data: UnsafeMutableRawBufferPointer) -> DMAFault {
        seen.append("dma"); corrupt?(data); return dma
    }
    func interrupt(_ site: InterruptSite) -> InterruptFault { seen.append("irq \(site.kind)"); return interrupt }
}

@Suite struct FaultHookTests {
    func setUp() -> (Machine, RecordingModel, PCIFunction, ScriptedFaults, RecordingSink) {
        let (m, model, f) = machineWith {
            $0.addBAR(0, .memory32(prefetchable: false), size: 4096)
            $0.setInterruptPin(1)
            $0.addMSI(vectors: 1, is64Bit: false, perVectorMasking: false)
        }
        let faults = ScriptedFaults()
        m.faults = faults
        let sink = RecordingSink(m)
        m.configWrite(slot3, offset: ConfigHeader.bar0, width: .dword, value: 0xC000_0000)
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: UInt32(ConfigHeader.commandMemorySpace | ConfigHeader.commandBusMaster))
        return (m, model, f, faults, sink)
    }

    @Test func configReadCanReturnAllOnes() {
        let (m, _, _, faults, _) = setUp()
        faults.config = .allOnesRead
        #expect(m.cfg16(slot3, ConfigHeader.vendorID) == 0xFFFF)
        faults.config = .none
        #expect(m.cfg16(slot3, ConfigHeader.vendorID) == 0x1234)
    }

    @Test func registerWritesCanBeDroppedOrReplacedAndReadsAllOnes() {
        let (m, model, _, faults, _) = setUp()
        faults.register = .dropWrite
        m.mmioWrite(0xC000_0010, width: .dword, value: 5)
        #expect(model.accesses.isEmpty)
        faults.register = .replaceWrite(9)
        m.mmioWrite(0xC000_0010, width: .dword, value: 5)
        #expect(model.accesses == [.write(bar: 0, offset: 0x10, width: .dword, value: 9)])
        faults.register = .allOnesRead
        #expect(m.mmioRead(0xC000_0010, width: .dword) == 0xFFFF_FFFF)
        #expect(model.accesses.count == 1)
    }

    @Test func dmaCanBeCorruptedDroppedOrAborted() {
        let (m, _, f, faults, _) = setUp()
        let (phys, p) = m.memory.allocate(size: 4096)
        f.iommu.map(BusAddress(0x1000_0000), length: 4096, physical: phys, pointer: p, direction: .bidirectional, at: m.now, label: "x")
        faults.corrupt = { $0[0] ^= 0xFF }
        #expect(f.dmaStore(BusAddress(0x1000_0000), UInt8(0x0F)) == .ok)
        #expect(p.load(as: UInt8.self) == 0xF0)
        faults.corrupt = nil
        faults.dma = .drop
        #expect(f.dmaStore(BusAddress(0x1000_0000), UInt8(0x33)) == .dropped)
        #expect(p.load(as: UInt8.self) == 0xF0)
        faults.dma = .masterAbort
        #expect(f.dmaLoad(BusAddress(0x1000_0000), as: UInt8.self) == (0xFF, .masterAbort))
    }

    @Test func interruptsCanBeLostOrDelayed() {
        let (m, _, f, faults, sink) = setUp()
        m.configWrite(slot3, offset: 0x44, width: .dword, value: 0xFEE0_0000)   // MSI cap at 0x40: address
        m.configWrite(slot3, offset: 0x42, width: .word, value: 1)
        faults.interrupt = .drop
        f.signalMSI(0)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.isEmpty)
        faults.interrupt = .delay(.microseconds(7))
        f.signalMSI(0)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.count == 1)
        #expect(sink.messages[0].time == VirtualTime.zero + m.configuration.interruptLatency + .microseconds(7))
        #expect(faults.seen.filter { $0.hasPrefix("irq") }.count == 2)
    }
}

@Suite struct AccessRuleTests {
    func setUp() -> (Machine, RecordingModel) {
        let (m, model, _) = machineWith {
            $0.addBAR(0, .memory32(prefetchable: false), size: 256, rules: .dwordOnly,
                      registers: RegisterMap([RegisterInfo("CTRL", offset: 0), RegisterInfo("STATUS", offset: 4, access: .readOnly),
                                              RegisterInfo("CMD", offset: 8, access: .writeOnly)]))
        }
        m.configWrite(slot3, offset: ConfigHeader.bar0, width: .dword, value: 0xC000_0000)
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: UInt32(ConfigHeader.commandMemorySpace))
        return (m, model)
    }

    @Test func badAccessesAreFindingsAndTheRunGoesOn() {
        let (m, model) = setUp()
        #expect(m.mmioRead(0xC000_0000, width: .word) == 0xFFFF)          // width
        m.mmioWrite(0xC000_0004, width: .dword, value: 1)                 // read-only
        _ = m.mmioRead(0xC000_0008, width: .dword)                          // write-only
        #expect(m.mmioRead(0xC000_0040, width: .dword) == 0xFFFF_FFFF)    // no register
        #expect(m.mmioRead(0xC000_0200, width: .dword) == 0xFFFF_FFFF)    // beyond every BAR: master abort
        #expect(m.findingCodes() == [.accessWidth, .accessReadOnly, .accessWriteOnly, .accessOutOfRange, .accessMasterAbort])
        m.mmioWrite(0xC000_0000, width: .dword, value: 3)
        #expect(model.accesses == [.read(bar: 0, offset: 8, width: .dword), .write(bar: 0, offset: 0, width: .dword, value: 3)])
        #expect(m.log.findings.allSatisfy { $0.device == slot3 || $0.code == .accessMasterAbort })
    }

    @Test func decodingFollowsTheCommandRegister() {
        let (m, model) = setUp()
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: 0)
        #expect(m.mmioRead(0xC000_0000, width: .dword) == 0xFFFF_FFFF)
        #expect(model.accesses.isEmpty)
        #expect(m.findingCodes() == [.accessMasterAbort])
    }
}

@Suite struct EventLogTests {
    @Test func digestCoversEveryRecordAndIsStable() {
        func run(_ v: UInt64) -> (String, UInt64) {
            let (m, _, _) = machineWith { $0.addBAR(0, .memory32(prefetchable: false), size: 256) }
            m.configWrite(slot3, offset: ConfigHeader.bar0, width: .dword, value: 0xC000_0000)
            m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: 2)
            m.mmioWrite(0xC000_0000, width: .dword, value: v)
            return (m.log.digest, m.log.count)
        }
        #expect(run(1) == run(1))
        #expect(run(1).0 != run(2).0)
        #expect(run(1).0.count == 64)
    }

    @Test func jsonLinesHaveAFixedShape() {
        let r = EventRecord.registerWrite(slot3, space: .memory, bar: 0, offset: 8, width: .dword, value: 16)
        #expect(r.jsonLine(time: VirtualTime(picoseconds: 1500), index: 7)
            == #"{"i":7,"t_ps":1500,"ev":"mmio.write","dev":"0000:00:03.0","bar":0,"off":8,"width":4,"value":16}"#)
        let f = EventRecord.finding(Finding(time: .zero, device: nil, code: .strict, message: "a \"b\"\n", reference: "§1"))
        #expect(f.jsonLine(time: .zero, index: 0) == #"{"i":0,"t_ps":0,"ev":"finding","dev":null,"code":"strict","message":"a \"b\"\n","ref":"§1"}"#)
    }
}
