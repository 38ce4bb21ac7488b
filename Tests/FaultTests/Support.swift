import BoxlessPlatform
import TestDeviceModel
@testable import BoxlessFaults

/// Records what reaches the interrupt controller.
final class MessageSink: InterruptSink {
    var messages: [(time: VirtualTime, address: UInt64, data: UInt32)] = []
    var lines: [(time: VirtualTime, line: Int, asserted: Bool)] = []
    unowned let machine: Machine
    init(_ m: Machine) { machine = m; m.interruptSink = self }
    func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32) { messages.append((machine.now, address, data)) }
    func lineChanged(_ line: Int, asserted: Bool) { lines.append((machine.now, line, asserted)) }
}

/// Collects every event-log record.
final class RecordCollector: EventSink {
    var records: [(VirtualTime, EventRecord, UInt64)] = []
    func record(_ event: EventRecord, at time: VirtualTime, index: UInt64) { records.append((time, event, index)) }
    var faults: [FaultRecord] { records.compactMap { if case .fault(let r) = $0.1 { r } else { nil } } }
}

/// A machine with the exerciser at 00:03.0, its BARs assigned and decoding on, bus mastering on,
/// a page of DMA memory mapped at bus address 0x1000_0000, and a fault plan armed.
struct ExerciserRig {
    static let bar0: UInt64 = 0xC000_0000
    static let bar2: UInt64 = 0xC100_0000
    static let dmaBus = BusAddress(0x1000_0000)
    static let address = PCIAddress(device: 3)
    let machine: Machine
    let function: PCIFunction
    let sink: MessageSink
    let collector = RecordCollector()
    let injector: PlanFaultInjector
    let memory: UnsafeMutableRawPointer

    init(_ yaml: String, seed: UInt64 = 1) throws {
        machine = Machine(configuration: MachineConfiguration(seed: seed))
        function = machine.plug(ExerciserDevice(), at: Self.address)
        sink = MessageSink(machine)
        machine.log.sink = collector
        let a = Self.address
        machine.configWrite(a, offset: ConfigHeader.bar0, width: .dword, value: UInt32(Self.bar0))
        machine.configWrite(a, offset: ConfigHeader.bar0 + 4, width: .dword, value: 0)
        machine.configWrite(a, offset: ConfigHeader.bar0 + 8, width: .dword, value: UInt32(Self.bar2))
        machine.configWrite(a, offset: ConfigHeader.bar0 + 16, width: .dword, value: 0x1000)
        machine.configWrite(a, offset: ConfigHeader.command, width: .word,
                            value: UInt32(ConfigHeader.commandMemorySpace | ConfigHeader.commandIOSpace | ConfigHeader.commandBusMaster))
        let (phys, p) = machine.memory.allocate(size: 4096)
        memory = p
        function.iommu.map(Self.dmaBus, length: 4096, physical: phys, pointer: p, direction: .bidirectional, at: machine.now, label: "test")
        injector = PlanFaultInjector(plan: try FaultPlan.parse(yaml: yaml, file: "test.yaml"))
        injector.arm(on: machine)
    }

    func read(_ offset: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: machine.mmioRead(Self.bar0 + offset, width: .dword)) }
    func write(_ offset: UInt64, _ value: UInt32) { machine.mmioWrite(Self.bar0 + offset, width: .dword, value: UInt64(value)) }
    func run(for d: VirtualDuration) { machine.scheduler.advance(by: d) }

    /// Fills SRAM with a pattern and starts a DMA of `length` bytes (SRAM → memory if `toMemory`).
    func startDMA(toMemory: Bool, length: UInt32 = 64) {
        for i in stride(from: 0, to: Int(length), by: 4) { write(ExerciserRegister.sram + UInt64(i), 0xA5A5_0000 | UInt32(i)) }
        write(ExerciserRegister.dmaAddressLow, UInt32(Self.dmaBus.rawValue))
        write(ExerciserRegister.dmaAddressHigh, 0)
        write(ExerciserRegister.dmaOffset, 0)
        write(ExerciserRegister.dmaLength, length)
        write(ExerciserRegister.dmaCommand, ExerciserRegister.commandStart | (toMemory ? ExerciserRegister.commandToMemory : 0))
    }

    /// The bytes `pattern` SRAM holds after ``startDMA``.
    func pattern(_ length: Int = 64) -> [UInt8] {
        (0..<length / 4).flatMap { i in withUnsafeBytes(of: (0xA5A5_0000 | UInt32(i * 4)).littleEndian, Array.init) }
    }

    func memoryBytes(_ n: Int = 64) -> [UInt8] { (0..<n).map { memory.load(fromByteOffset: $0, as: UInt8.self) } }

    /// Enables MSI-X with every vector unmasked, message data = 0x40 + vector.
    func enableMSIX() {
        let m = function.msix!
        machine.configWrite(Self.address, offset: m.control, width: .word, value: UInt32(MSIXCapabilityLayout.controlEnable))
        for v in 0..<m.tableSize {
            let e = Self.bar2 + m.tableOffset + UInt64(v) * MSIXCapabilityLayout.entrySize
            machine.mmioWrite(e, width: .dword, value: 0xFEE0_0000)
            machine.mmioWrite(e + 4, width: .dword, value: 0)
            machine.mmioWrite(e + 8, width: .dword, value: 0x40 + UInt64(v))
            machine.mmioWrite(e + 12, width: .dword, value: 0)
        }
    }

    /// Arms the exerciser's timer (1 µs) with its interrupt enabled (MSI-X vector 1).
    func timerInterrupt() {
        write(ExerciserRegister.control, ExerciserRegister.controlIRQEnable)
        write(ExerciserRegister.imr, ExerciserRegister.causeTimer)
        write(ExerciserRegister.timer, 1)
    }
}
